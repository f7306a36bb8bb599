"""A single self-contained HTML audit report: one file an auditor can hand on, that opens offline.

No scripts, no external assets, and a Content-Security-Policy that forbids every network load, so opening
the report never reaches anything. Every piece of scanned content is HTML-escaped; secrets are redacted
unless --show-secrets. Sections: summary (rule, severity, verification), timeline of when secrets entered
history, per-path and per-author tables, then every finding with its remediation (html_findings.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from html import escape

from scanner.model import Finding, ScanResult
from scanner.redact import redact
from scanner.report import ReportContext
from scanner.report.common import (
    EPOCH,
    by_severity,
    commits_of,
    severity_rank,
    summary_line,
    utc_date,
    verification_state,
)
from scanner.report.html_findings import badge, finding_section
from scanner.report.html_style import CSS

NOT_HISTORY = "Not a history scan."
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render(result: ScanResult, context: ReportContext) -> str:
    findings = sorted(result.findings, key=lambda f: (severity_rank(f.severity), f.path, f.line, f.column))
    body = [
        _header(result, context),
        _summary(findings),
        _timeline(findings),
        _by_path(findings),
        _by_author(findings),
        finding_section(findings, context),
        _dropped(result, context),
        _notes(result),
    ]
    title = escape(f"secretscan report: {result.target or 'input'}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main>\n</body>\n</html>\n"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """An HTML table; `headers` are plain text, cells are HTML the caller has already escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _header(result: ScanResult, context: ReportContext) -> str:
    redaction = "Secrets are redacted." if not context.show_secrets else "Secrets are shown in full."
    return (
        "<header><h1>Secret scan report</h1>"
        f'<p class="meta">Target <code>{escape(result.target or "input")}</code> · {escape(result.mode)} scan'
        f" · secretscan {escape(context.tool_version)} · {result.blobs_scanned} unique blob(s),"
        f" {result.bytes_scanned / 1e6:.1f} MB · {redaction}</p>"
        f'<p class="verdict">{escape(summary_line(result))}</p></header>'
    )


def _summary(findings: list[Finding]) -> str:
    cards = [("Findings", str(len(findings)))]
    cards += [(severity.capitalize(), str(count)) for severity, count in by_severity(findings)]
    cards += [("Verified active", str(sum(verification_state(f) == "active" for f in findings)))]
    cards += [("Files", str(len({f.path for f in findings}))), ("Commits", str(len(commits_of(findings))))]
    card_html = "".join(
        f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in cards
    )
    rules: dict[tuple[str, str, str], int] = Counter((f.rule_id, f.rule_name, f.severity) for f in findings)
    rule_rows = [
        (f"{escape(name)}<br><small>{escape(rule_id)}</small>", badge(severity), str(count))
        for (rule_id, name, severity), count in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    severity_rows = [(badge(s), str(n)) for s, n in by_severity(findings)]
    states = Counter(verification_state(f) for f in findings)
    state_rows = [(escape(state), str(n)) for state, n in states.most_common()]
    return (
        f'<section id="summary"><h2>Summary</h2><div class="cards">{card_html}</div>'
        '<div class="grid">'
        f"<div><h3>By rule</h3>{table(['Rule', 'Severity', 'Findings'], rule_rows, [2])}</div>"
        f"<div><h3>By severity</h3>{table(['Severity', 'Findings'], severity_rows, [1])}</div>"
        f"<div><h3>By verification state</h3>{table(['State', 'Findings'], state_rows, [1])}</div>"
        "</div></section>"
    )


def _timeline(findings: list[Finding]) -> str:
    head = '<section id="timeline"><h2>When secrets entered history</h2>'
    dated = [f for f in findings if f.commit is not None]
    if not dated:
        return (
            head
            + f'<p class="empty">{NOT_HISTORY} These findings come from files, not commits.</p></section>'
        )
    months: Counter[str] = Counter()
    for f in dated:
        assert f.commit is not None  # filtered above; narrows the type for mypy
        when = utc_date(f.commit.date)
        months[when.strftime("%Y-%m") if when else "unknown date"] += 1
    peak = max(months.values())
    bars = "".join(
        f'<div class="bar"><span class="label">{escape(month)}</span>'
        f'<span class="fill" style="width:{max(2, round(60 * n / peak))}%"></span>'
        f'<span class="count">{n}</span></div>'
        for month, n in sorted(months.items())
    )
    per_commit: dict[str, list[Finding]] = defaultdict(list)
    for f in dated:
        assert f.commit is not None
        per_commit[f.commit.sha].append(f)
    rows = []
    for commit in commits_of(dated):
        introduced = per_commit[commit.sha]
        rules = ", ".join(sorted({escape(f.rule_name) for f in introduced}))
        rows.append(
            (
                escape(commit.date),
                f"<code>{escape(commit.sha[:12])}</code>",
                escape(f"{commit.author} <{commit.email}>"),
                escape(commit.summary),
                rules,
                str(len(introduced)),
            )
        )
    headers = ["Date", "Commit", "Author", "Summary", "Secrets", "Findings"]
    return head + f'<div class="bars">{bars}</div>' + table(headers, rows, [5]) + "</section>"


def _by_path(findings: list[Finding]) -> str:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.path].append(f)
    rows = []
    for path, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        worst = min(items, key=lambda f: severity_rank(f.severity)).severity
        rules = ", ".join(sorted({escape(f.rule_name) for f in items}))
        rows.append((f"<code>{escape(path)}</code>", badge(worst), rules, str(len(items))))
    return (
        '<section id="paths"><h2>By path</h2>'
        + (table(["Path", "Worst", "Rules", "Findings"], rows, [3]) if rows else '<p class="empty">None.</p>')
        + "</section>"
    )


def _by_author(findings: list[Finding]) -> str:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in findings:
        if f.commit is not None:
            groups[(f.commit.author, f.commit.email)].append(f.commit.date)
    head = '<section id="authors"><h2>By author</h2>'
    if not groups:
        return (
            head + f'<p class="empty">{NOT_HISTORY} No commit authors to attribute findings to.</p></section>'
        )
    rows = []
    for (author, email), dates in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ordered = sorted(dates, key=lambda d: utc_date(d) or EPOCH)
        rows.append((escape(author), escape(email), escape(ordered[0]), escape(ordered[-1]), str(len(dates))))
    return head + table(["Author", "Email", "First", "Last", "Findings"], rows, [4]) + "</section>"


def _dropped(result: ScanResult, context: ReportContext) -> str:
    """With --explain: candidates that matched a pattern but were not reported, and why."""
    if not context.explain or not result.dropped:
        return ""
    rows = [
        (
            f"<code>{escape(f'{d.origin.path}:{d.line}:{d.column}')}</code>",
            escape(d.rule_id),
            f"<code>{escape(redact(d.secret, context.show_secrets))}</code>",
            escape(d.reason),
            escape(d.detail),
        )
        for d in result.dropped
    ]
    headers = ["Location", "Rule", "Candidate", "Reason", "Detail"]
    return f'<section id="dropped"><h2>Dropped candidates</h2>{table(headers, rows)}</section>'


def _notes(result: ScanResult) -> str:
    items = [f"<li>error: {escape(e)}</li>" for e in result.errors]
    items += [f"<li>warning: {escape(w)}</li>" for w in result.warnings]
    items += [f"<li>skipped <code>{escape(s.path)}</code>: {escape(s.reason)}</li>" for s in result.skipped]
    if not items:
        return ""
    return f'<section id="notes"><h2>Scan notes</h2><ul>{"".join(items)}</ul></section>'
