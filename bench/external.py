"""Accuracy on third-party material, side by side with the peer scanners (issue 7, "done when").

    python bench/external.py                       # fetch (once), run every tool, score, print tables
    python bench/external.py --reuse-reports       # score the reports of the last run again
    python bench/external.py --pool FILE           # write the hits no label covers, to judge by hand
    python bench/external.py --cache DIR --json FILE --markdown

The material (bench/external_material.py) is downloaded by pinned version and SHA-256 into a cache folder,
never committed. Every tool runs with its defaults on the whole tree, as bench.py runs it (bench/tools.py).
Labels (bench/external-labels.yaml) were made by pooling: every tool's hits, plus GitGuardian's own
detections recorded in ggshield's tests, each judged by a person who read the line. A tool's recall is over
the pooled true set: a secret that no tool found is in no one's denominator.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import tools
from bench.external_material import fetch
from bench.external_score import Hit, Label, label_from_yaml, label_to_yaml, pool, relative, score

HERE = Path(__file__).resolve().parent
LABELS = HERE / "external-labels.yaml"
DEFAULT_CACHE = Path.home() / ".cache" / "secretscan-bench" / "external"
GITGUARDIAN = "GitGuardian API (recorded; ggshield/cassettes only)"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8", errors="replace") or "null")


def _secretscan(report: Path, tree: Path) -> list[Hit]:
    return [
        Hit("secretscan", relative(f["path"], tree), f["line"], f["secret"], f["rule_id"])
        for f in _json(report)["findings"]
    ]


def _kingfisher(report: Path, tree: Path) -> list[Hit]:
    return [
        Hit(
            "kingfisher",
            relative(f["finding"]["path"], tree),
            f["finding"]["line"],
            f["finding"]["snippet"],
            f["rule"]["id"],
        )
        for f in _json(report)["findings"]
    ]


def _leaks(name: str) -> Callable[[Path, Path], list[Hit]]:
    def parse(report: Path, tree: Path) -> list[Hit]:
        doc = _json(report)
        found = doc["findings"] if isinstance(doc, dict) else doc or []
        if found and "location" in found[0]:  # betterleaks' own schema
            return [
                Hit(
                    name,
                    relative(f["location"]["path"], tree),
                    f["location"].get("start_line", 0),  # 0: a finding on a whole (binary) file
                    f["match"]["value"],
                    f["rule_id"],
                )
                for f in found
            ]
        return [Hit(name, relative(f["File"], tree), f["StartLine"], f["Secret"], f["RuleID"]) for f in found]

    return parse


def _detect_secrets(report: Path, tree: Path) -> list[Hit]:
    results = _json(report)["results"]
    return [
        Hit("detect-secrets", relative(path, tree), item["line_number"], None, item["type"])
        for path, items in results.items()
        for item in items
    ]


def _credsweeper(report: Path, tree: Path) -> list[Hit]:
    return [
        Hit("credsweeper", relative(d["path"], tree), d["line_num"], d["value"], f["rule"])
        for f in _json(report) or []
        for d in f["line_data_list"]
    ]


PARSERS: dict[str, Callable[[Path, Path], list[Hit]]] = {
    "secretscan": _secretscan,
    "kingfisher": _kingfisher,
    "betterleaks": _leaks("betterleaks"),
    "gitleaks": _leaks("gitleaks"),
    "detect-secrets": _detect_secrets,
    "credsweeper": _credsweeper,
}


def run_tools(
    tree: Path, out: Path, secretscan_cmd: list[str], secretscan_args: Sequence[str] = ()
) -> dict[str, Path]:
    """Run each tool's tree scan once; return tool name -> report file. `secretscan_args` go after
    secretscan's own options."""
    out.mkdir(parents=True, exist_ok=True)
    target = tools.Target(tree, None, None, "", out, {})
    reports: dict[str, Path] = {}
    versions: dict[str, str] = {}
    for tool in [tools.secretscan(secretscan_cmd, list(secretscan_args))[0], *tools.peers()]:
        job = tool.works["tree"](target)
        if isinstance(job, str) or job.report is None:
            continue
        stdout = job.report.open("wb") if job.report_is_stdout else subprocess.DEVNULL
        try:
            done = subprocess.run(job.argv, cwd=job.cwd, stdout=stdout, stderr=subprocess.PIPE, check=False)
        except OSError as error:  # a peer's install is broken: score the others, say which one is missing
            print(f"{tool.name} could not run: {error}", file=sys.stderr)
            continue
        finally:
            if job.report_is_stdout:
                stdout.close()  # type: ignore[union-attr]
        if done.returncode not in job.ok_codes:
            print(f"{tool.name} failed ({done.returncode}): {done.stderr[-500:]!r}", file=sys.stderr)
            continue
        reports[tool.name] = job.report
        versions[tool.name] = tool.version
    (out / "versions.json").write_text(json.dumps(versions), encoding="utf-8")
    print("versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    return reports


def gitguardian_hits(cache_dir: Path) -> list[Hit]:
    """GitGuardian's detections recorded in ggshield's cassettes: the secret part of each policy break."""
    hits = []
    for path, breaks in _json(cache_dir / "ggshield-detections.json").items():
        for brk in breaks:
            for m in brk["matches"]:
                if m["type"] not in ("host", "port", "username", "database", "scheme"):
                    hits.append(
                        Hit(GITGUARDIAN, path, m["line_start"], m["match"].split("\n", 1)[0], brk["type"])
                    )
    return hits


def load_labels(path: Path = LABELS, every_signed_jwt: bool = False) -> tuple[list[Label], frozenset[str]]:
    """The labels, and the sources whose every hit was judged (unlisted hits there are false alarms).
    `every_signed_jwt`: count signed JWTs without a registered claim (kind jwt-unclaimed) as secrets, the
    other side of the one labelling call that decides the ranking."""
    doc = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
    labels = [label_from_yaml(entry) for entry in doc.get("labels", [])]
    if every_signed_jwt:
        labels = [replace(x, verdict="secret") if x.kind == "jwt-unclaimed" else x for x in labels]
    return labels, frozenset(doc.get("judged_sources", []))


def line_reader(tree: Path) -> Callable[[str, int], str]:
    @cache
    def lines(path: str) -> list[str]:
        try:
            return (tree / path).read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            return []

    def line_text(path: str, line: int) -> str:
        got = lines(path)
        return got[line - 1] if 0 < line <= len(got) else ""

    return line_text


def render(tallies: dict[str, dict[str, Any]], markdown: bool) -> str:
    """The overall table, then one line per source and tool: found/pooled secrets, false alarms."""
    sources = sorted({s for per in tallies.values() for s in per if s != "all"})
    rows = [["tool", "secrets found / pooled", "false alarms", "precision", "unjudged hits", "hits"]]
    for tool, per in tallies.items():
        t = per["all"]
        rows.append(
            [
                tool,
                f"{len(t.found)}/{t.secrets}",
                str(len(t.false)),
                f"{t.precision:.2f}",
                str(t.unjudged),
                str(t.hits),
            ]
        )
    out = [_table(rows, markdown), ""]
    detail = [["source", *tallies]]
    for source in sources:
        cells = []
        for per in tallies.values():
            t = per.get(source)
            cells.append(f"{len(t.found)}/{t.secrets}, {len(t.false)} FA" if t else "0/0, 0 FA")
        detail.append([source, *cells])
    out.append(_table(detail, markdown))
    return "\n".join(out)


def _table(rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        lines.insert(1, "|" + "---|" * len(rows[0]))
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"download folder (default {DEFAULT_CACHE})"
    )
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--every-signed-jwt",
        action="store_true",
        help='count signed JWTs without registered claims ({"foo": "bar"}) as secrets too',
    )
    parser.add_argument("--reuse-reports", action="store_true", help="score the last run's reports again")
    parser.add_argument("--pool", type=Path, help="write the hits that no label covers to this YAML file")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="write per tool and source tallies here")
    parser.add_argument("--secretscan", default=str(Path(sys.executable).parent / "secretscan"))
    args = parser.parse_args(argv)
    tree = fetch(args.cache)
    out = args.cache / "reports"
    if args.reuse_reports:
        reports = {
            name: out / f"{name}-tree.json" for name in PARSERS if (out / f"{name}-tree.json").exists()
        }
    else:
        shutil.rmtree(out, ignore_errors=True)
        reports = run_tools(tree, out, [args.secretscan])
    hits = [hit for name, report in reports.items() for hit in PARSERS[name](report, tree)]
    hits += gitguardian_hits(args.cache)
    (labels, judged), line_text = load_labels(args.labels, args.every_signed_jwt), line_reader(tree)
    if args.pool:
        new = [x for x in pool(hits, labels, line_text) if x.source not in judged]
        args.pool.write_text(
            yaml.safe_dump({"labels": [label_to_yaml(x) for x in new]}, sort_keys=False, allow_unicode=True)
        )
        print(f"{len(new)} unjudged item(s) written to {args.pool}")
    tallies = score(hits, labels, line_text, judged)
    print(render(tallies, args.markdown))
    if args.json:
        doc = {
            tool: {
                s: {
                    "found": len(t.found),
                    "pooled": t.secrets,
                    "false_alarms": len(t.false),
                    "unjudged": t.unjudged,
                    "hits": t.hits,
                }
                for s, t in per.items()
            }
            for tool, per in tallies.items()
        }
        args.json.write_text(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
