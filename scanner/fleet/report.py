"""The fleet's one report, in the formats of `history`: each repository's result is rendered by the very
reporter `history` uses, then put together: JSON and JSON Lines with a `repository` field on every record
and a summary per repository, SARIF with one run per repository, Markdown and HTML with a table of the
repositories before each one's report, text one repository after another."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape as html_escape
from typing import Any

from scanner.errors import UsageError
from scanner.fleet.run import RepoResult
from scanner.report import ReportContext, renderer
from scanner.report.markdown import escape as md_escape

FORMATS = ("text", "json", "jsonl", "sarif", "markdown", "html")
Composer = Callable[[list[RepoResult], ReportContext], str]


def render(fmt: str, repos: list[RepoResult], context: ReportContext) -> str:
    composers: dict[str, Composer] = {
        "text": _text,
        "json": _json,
        "jsonl": _jsonl,
        "sarif": _sarif,
        "markdown": _markdown,
        "html": _html,
    }
    if fmt not in composers:
        raise UsageError(f"--format {fmt}: a fleet reports in {', '.join(FORMATS)}")
    return composers[fmt](repos, context)


def summary(repo: RepoResult) -> dict[str, Any]:
    result = repo.result
    return {
        "repository": repo.spec.name,
        "status": repo.status,
        "error": repo.error or None,
        "findings": len(result.findings),
        "blobs_scanned": result.blobs_scanned,
        "bytes_scanned": result.bytes_scanned,
        "skipped": len(result.skipped),
        "errors": len(result.errors),
        "seconds": round(repo.seconds, 3),
    }


def _each(fmt: str, repos: list[RepoResult], context: ReportContext) -> list[str]:
    render_one = renderer(fmt)
    return [render_one(repo.result, context) for repo in repos]


def _text(repos: list[RepoResult], context: ReportContext) -> str:
    out = []
    for repo, text in zip(repos, _each("text", repos, context), strict=True):
        out.append(f"=== {repo.spec.name} ({repo.status}) ===\n{text}")
    out.append(_totals(repos) + "\n")
    return "\n".join(out)


def _totals(repos: list[RepoResult]) -> str:
    failed = sum(r.status == "failed" for r in repos)
    findings = sum(len(r.result.findings) for r in repos)
    unchanged = sum(r.status == "unchanged" for r in repos)
    return (
        f"fleet: {len(repos)} repositories, {findings} finding(s), {unchanged} unchanged since the last run, "
        f"{failed} failed"
    )


def _json(repos: list[RepoResult], context: ReportContext) -> str:
    docs = [json.loads(text) for text in _each("json", repos, context)]
    findings = [
        {"repository": r.spec.name, **f} for r, doc in zip(repos, docs, strict=True) for f in doc["findings"]
    ]
    head = {k: v for k, v in docs[0].items() if k in ("tool", "version", "secrets_redacted")} if docs else {}
    repositories = [
        {**summary(r), "report": {**doc, "findings": len(doc["findings"])}}
        for r, doc in zip(repos, docs, strict=True)
    ]
    out = {
        **head,
        "mode": "fleet",
        "summary": _totals(repos),
        "repositories": repositories,
        "findings": findings,
    }
    return json.dumps(out, indent=2) + "\n"


def _jsonl(repos: list[RepoResult], context: ReportContext) -> str:
    lines = []
    for repo, text in zip(repos, _each("jsonl", repos, context), strict=True):
        for line in text.splitlines():
            record = json.loads(line)
            if record.get("type") == "summary":
                record.update(status=repo.status, error=repo.error or None, seconds=round(repo.seconds, 3))
            lines.append(json.dumps({**record, "repository": repo.spec.name}, separators=(",", ":")))
    return "".join(line + "\n" for line in lines)


def _sarif(repos: list[RepoResult], context: ReportContext) -> str:
    docs = [json.loads(text) for text in _each("sarif", repos, context)]
    runs = []
    for repo, doc in zip(repos, docs, strict=True):
        for run in doc["runs"]:
            run.setdefault("properties", {}).update(repository=repo.spec.name, status=repo.status)
            runs.append(run)
    head = {k: v for k, v in docs[0].items() if k != "runs"} if docs else {"version": "2.1.0"}
    return json.dumps({**head, "runs": runs}, indent=2) + "\n"


def _markdown(repos: list[RepoResult], context: ReportContext) -> str:
    out = [f"## secretscan {_totals(repos)}", ""]
    out += ["| Repository | Status | Findings | Blobs | Seconds | Error |", "|---|---|---|---|---|---|"]
    for repo in repos:
        s = summary(repo)
        cells = [md_escape(repo.spec.name), repo.status, str(s["findings"]), str(s["blobs_scanned"])]
        out.append("| " + " | ".join([*cells, f"{repo.seconds:.1f}", md_escape(repo.error)]) + " |")
    for repo, text in zip(repos, _each("markdown", repos, context), strict=True):
        out += ["", f"## {md_escape(repo.spec.name)}", "", text.rstrip("\n")]
    return "\n".join(out) + "\n"


_MAIN = re.compile(r"<main>\n(.*)\n</main>", re.DOTALL)


def _html(repos: list[RepoResult], context: ReportContext) -> str:
    from scanner.report.html_breakdown import table

    pages = _each("html", repos, context)
    rows = []
    for i, repo in enumerate(repos):
        s = summary(repo)
        link = f'<a href="#repo-{i}">{html_escape(repo.spec.name)}</a>'
        cells = [str(s["findings"]), str(s["blobs_scanned"]), f"{repo.seconds:.1f}"]
        rows.append([link, html_escape(repo.status), *cells, html_escape(repo.error)])
    headers = ["Repository", "Status", "Findings", "Blobs", "Seconds", "Error"]
    totals = f"<p>{html_escape(_totals(repos))}</p>"
    overview = f"<section><h1>Fleet audit</h1>{totals}{table(headers, rows, (2, 3, 4))}</section>"
    sections = []
    for i, (repo, page) in enumerate(zip(repos, pages, strict=True)):
        match = _MAIN.search(page)
        body = match.group(1) if match else ""
        sections.append(f'<section id="repo-{i}"><h1>{html_escape(repo.spec.name)}</h1>\n{body}\n</section>')
    template = pages[0] if pages else "<main>\n\n</main>"
    head, _, _ = template.partition("<main>\n")
    title = html_escape(f"secretscan fleet report: {len(repos)} repositories")
    head = re.sub(r"<title>.*?</title>", lambda _: f"<title>{title}</title>", head, count=1)
    return head + "<main>\n" + "\n".join([overview, *sections]) + "\n</main>\n</body>\n</html>\n"
