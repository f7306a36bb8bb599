"""A compact Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment.

Everything taken from scanned content (paths, names, redacted secrets) is escaped so a file name cannot
inject Markdown or HTML into the comment. The table is capped: PR comments hold at most 65536 characters.
"""

from __future__ import annotations

import re

from scanner.model import Finding, ScanResult
from scanner.report import ReportContext
from scanner.report.common import (
    by_severity,
    char_columns,
    provenance_facts,
    rule_help,
    shown_secret,
    summary_line,
    verification_state,
)

MAX_ROWS = 100
# Inline-significant characters (emphasis, code, links, table cells, strikethrough, headings).
_SPECIAL = re.compile(r"([\\`*_\[\]()#|~])")


def escape(text: str) -> str:
    """Plain text to Markdown that renders as that text: HTML entities, then backslash-escaped punctuation."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.splitlines())
    return _SPECIAL.sub(r"\\\1", text)


def render(result: ScanResult, context: ReportContext) -> str:
    icon = ":rotating_light:" if result.findings else ":white_check_mark:"
    out = [f"### {icon} secretscan: {summary_line(result)}", ""]
    target = escape(result.target) if result.target else "input"
    out.append(f"Scanned {target} ({result.mode}): {result.blobs_scanned} unique blob(s).")
    if result.findings:
        out += ["", "| Severity | Count |", "|---|---|"]
        out += [f"| {severity} | {count} |" for severity, count in by_severity(result.findings)]
        out += ["", *_findings_table(result.findings, context)]
        out += ["", *_remediation(result.findings, context)]
    notes = [f"{len(result.skipped)} file(s) skipped"] if result.skipped else []
    notes += [f"error: {escape(e)}" for e in result.errors]
    notes += [f"warning: {escape(w)}" for w in result.warnings]
    if notes:
        out += ["", *(f"- {note}" for note in notes)]
    out += ["", *_provenance(result, context)]
    if not context.show_secrets:
        out += ["", "_Secrets are redacted._"]
    return "\n".join(out) + "\n"


def _provenance(result: ScanResult, context: ReportContext) -> list[str]:
    """How the report was made (issue 18 §1), collapsed: the comment leads with the findings."""
    rows = [f"| {label} | {escape(value)} |" for label, value in provenance_facts(result, context.provenance)]
    return [
        "<details><summary>How this scan was made</summary>",
        "",
        "| | |",
        "|---|---|",
        *rows,
        "",
        "</details>",
    ]


def _findings_table(findings: list[Finding], context: ReportContext) -> list[str]:
    rows = ["| Severity | Rule | Location | Secret | Commit | Verification |", "|---|---|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        commit = escape(f"{f.commit.sha[:10]} {f.commit.author}") if f.commit is not None else ""
        cells = [
            f.severity,
            escape(f.rule_name),
            escape(f"{f.path}:{f.line}:{char_columns(f)[0]}"),
            escape(shown_secret(f, context.show_secrets)),
            commit,
            verification_state(f),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    if len(findings) > MAX_ROWS:
        rows += [
            "",
            f"… and {len(findings) - MAX_ROWS} more; use `--format html` or `--format sarif` for all.",
        ]
    return rows


def _remediation(findings: list[Finding], context: ReportContext) -> list[str]:
    """One remediation line per rule, in a collapsed block so the comment stays compact."""
    rules = dict.fromkeys((f.rule_id, f.rule_name) for f in findings)
    out = ["<details><summary>How to fix</summary>", ""]
    for rule_id, name in rules:
        out.append(f"- **{escape(name)}**: {escape(rule_help(context, rule_id, name).remediation)}")
    return [*out, "", "</details>"]
