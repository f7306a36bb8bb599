"""Human-readable report: colour on a terminal, secrets redacted unless asked."""

from __future__ import annotations

import textwrap
from collections import Counter

from scanner.model import Finding, ScanResult, suppressed_note
from scanner.redact import redact, redact_text
from scanner.report import ReportContext
from scanner.report.common import counted, options_line, repository_line, triaged_by_label

_COLORS = {
    "critical": "1;31",
    "high": "31",
    "medium": "33",
    "low": "36",
    "info": "37",
    "dim": "2",
    "bold": "1",
}


def render(result: ScanResult, context: ReportContext) -> str:
    paint = _painter(context.color)
    out: list[str] = []
    for finding in result.findings:
        out.extend(_finding(finding, context, paint))
        out.append("")
    if context.explain and result.dropped:
        out.append(paint("bold", f"Dropped candidates ({len(result.dropped)}):"))
        for drop in result.dropped:
            where = f"{drop.origin.path}:{drop.line}:{drop.column}"
            out.append(
                f"  {where}  {drop.rule_id}  {redact(drop.secret, context.show_secrets)}  "
                f"[{drop.reason}] {drop.detail}"
            )
        out.append("")
    out.extend(_skipped(result, paint))
    for warning in result.warnings:
        out.append(paint("medium", f"warning: {warning}"))
    for error in result.errors:
        out.append(paint("high", f"error: {error}"))
    out.extend(_provenance(result, context, paint))
    out.append(_summary(result, paint))
    if result.findings and context.hints:
        out.append("")
        out.extend(context.hints)
    return "\n".join(out) + "\n"


def _finding(finding: Finding, context: ReportContext, paint: _Paint) -> list[str]:
    secrets = [finding.secret, *(v for _, v in finding.companions), *finding.line_secrets]
    lines = [
        f"{paint(finding.severity, finding.severity.upper())} {paint('bold', finding.rule_name)} "
        f"{paint('dim', '(' + finding.rule_id + ', confidence ' + finding.confidence + ')')}",
        f"  at      {finding.path}:{finding.line}:{finding.column}",
        f"  secret  {redact(finding.secret, context.show_secrets)}",
    ]
    for name, value in finding.companions:
        lines.append(f"  {name.replace('_', ' ')}  {redact(value, context.show_secrets)}")
    lines.append(f"  line    {redact_text(finding.line_text.strip(), secrets, context.show_secrets)}")
    if finding.facts:
        lines.append("  facts   " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in finding.facts))
    if finding.commit is not None:
        c = finding.commit
        lines.append(f"  commit  {c.sha[:12]} by {c.author} <{c.email}> on {c.date}")
    if finding.also_at:
        lines.append("  also at " + ", ".join(finding.also_at))
    if finding.present_at_head is not None:
        if finding.present_at_head:
            lines.append("  status  " + paint("high", "still present at HEAD"))
        elif finding.removed_in is not None:
            merge = finding.removal_merged_in
            merged = f", merged by {merge.sha[:12]} ({merge.date})" if merge is not None else ""
            lines.append(
                f"  status  removed in {finding.removed_in.sha[:12]} ({finding.removed_in.date}){merged}; "
                "still in history"
            )
        else:
            lines.append(
                "  status  not at HEAD (only on branches or tags not merged into it); still in history"
            )
    v = finding.verification
    # "not-checked because verification is off" is in every machine format; a person did not ask for it.
    if v is not None and not (v.state == "not-checked" and v.reason.startswith("verification off")):
        lines.append(
            f"  verify  {paint('high' if v.state == 'active' else 'dim', v.state)}"
            + (f" ({v.reason})" if v.reason else "")
        )
        # Owner lookups carry a dozen facts: wrapped under the state, not one very long line (issue 4).
        lines.extend(_wrap_items([f"{k.replace('_', ' ')}: {val}" for k, val in v.details], 100))
        if v.next_step:  # issue 17 §5: what to do about it
            wrapped = textwrap.wrap(v.next_step, 100, initial_indent="  next    ", subsequent_indent=" " * 10)
            lines.extend(paint("high" if v.state == "active" else "dim", line) for line in wrapped)
    return lines


_MAX_SKIPPED_LINES = 20


def _skipped(result: ScanResult, paint: _Paint) -> list[str]:
    """Name what was not scanned, binaries too (issue 14 §5: a skip only counted passes unseen); past a
    screenful, the rest are counted."""
    notable = result.skipped
    lines = [paint("dim", f"skipped {s.path}: {s.reason}") for s in notable[:_MAX_SKIPPED_LINES]]
    if len(notable) > _MAX_SKIPPED_LINES:
        more = len(notable) - _MAX_SKIPPED_LINES
        lines.append(paint("dim", f"... and {more} more skipped (--format json lists them all)"))
    return lines


def _wrap_items(items: list[str], width: int, indent: str = " " * 10) -> list[str]:
    """Comma-separated items on indented lines of about `width` characters; an item is never split."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + 2 <= width:
            lines[-1] += ", " + item
        else:
            if lines:
                lines[-1] += ","
            lines.append(indent + item)
    return lines


def _provenance(result: ScanResult, context: ReportContext, paint: _Paint) -> list[str]:
    """How this run was made (issue 18 §1), dim, before the summary line that stays last."""
    p = context.provenance
    if p is None:
        return []
    commits = f" · {result.commits_scanned} commit(s)" if result.commits_scanned is not None else ""
    lines = [
        f"scanned {repository_line(p, result.target)}{commits} · {p.started}, {p.duration:.1f} s"
        f" · secretscan {p.tool_version}, {p.rules} rules sha256:{p.rules_digest[:12]}",
        options_line(p),
    ]
    if result.triaged:
        lines.append(f"triaged in the baseline: {counted(triaged_by_label(result))}")
    return [paint("dim", line) for line in lines]


def _summary(result: ScanResult, paint: _Paint) -> str:
    counts = Counter(f.severity for f in result.findings)
    by_sev = ", ".join(f"{n} {sev}" for sev, n in counts.most_common())
    mb = result.bytes_scanned / 1e6
    head = (
        paint("high", f"{len(result.findings)} finding(s)") + f" ({by_sev})"
        if result.findings
        else paint("dim", "no findings")
    )
    text = f"{head} in {result.blobs_scanned} unique blob(s), {mb:.1f} MB scanned"
    if result.skipped:
        reasons = Counter(s.kind for s in result.skipped)
        text += "; skipped " + ", ".join(f"{n} {r}" for r, n in reasons.most_common())
    if result.below_min_confidence:
        text += (
            f"; {result.below_min_confidence} low-confidence candidate(s) not shown "
            "(--min-confidence low shows them)"
        )
    note = suppressed_note(result.suppressed)
    if note:
        text += f"; {note}"
    if result.errors:
        text += f"; {len(result.errors)} error(s)"
    return text


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if self.color else text


def _painter(color: bool) -> _Paint:
    return _Paint(color)
