"""Staged and pull-request scans: a finding counts only where the change adds it (issue 3)."""

from __future__ import annotations

import bisect

from scanner.model import Dropped, DropReason, Finding, ScanResult
from scanner.sources.common import AddedLookup, Ranges


def is_added(ranges: Ranges, line: int) -> bool:
    i = bisect.bisect_right(ranges, (line, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] <= line < ranges[i][0] + ranges[i][1]


def touches_added(ranges: Ranges, first: int, last: int) -> bool:
    """Whether any line of first..last (inclusive) is one the change adds."""
    i = bisect.bisect_right(ranges, (last, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] + ranges[i][1] > first


# Facts naming the line of a companion that makes one finding with the secret (engine/pairing.py).
_COMPANION_LINES = ("paired_secret_line", "paired_token_line")


def secret_lines(finding: Finding) -> list[tuple[int, int]]:
    """The lines (first, last) that hold a byte of the finding: its secret (a key block spans many lines,
    the finding is anchored on the first) and each paired companion's line (issue 15 §1)."""
    spans = [(finding.line, finding.line + finding.secret.count("\n"))]
    for key in _COMPANION_LINES:
        line = finding.fact(key)
        if line and line.isdigit():
            spans.append((int(line), int(line)))
    return spans


def on_added_line(finding: Finding, ranges: Ranges) -> bool:
    """Any byte of the finding (its secret, a paired secret key or session token) is on a line the change
    adds: whatever line the finding is anchored on, a changed key body or secret beside an unchanged key id
    is a new secret."""
    return any(touches_added(ranges, first, last) for first, last in secret_lines(finding))


def keep_added(result: ScanResult, added: AddedLookup, explain: bool) -> None:
    """Drop findings that are not on a line the change adds (kept as Dropped with --explain), and forget
    what markers suppressed outside the change: a gate counts the exceptions the change itself grants."""
    kept = []
    for finding in result.findings:
        ranges = added(finding.origin)
        if ranges is None or on_added_line(finding, ranges):
            kept.append(finding)
        elif explain:
            result.dropped.append(dropped_as(finding, "not-added-line", "not on a line this change adds"))
    result.findings = kept
    result.dropped = [d for d in result.dropped if d.reason != "inline-marker" or _marker_added(d, added)]


def _marker_added(dropped: Dropped, added: AddedLookup) -> bool:
    ranges = added(dropped.origin)
    last = dropped.line + dropped.secret.count("\n")
    return ranges is None or touches_added(ranges, dropped.line, last)


def dropped_as(finding: Finding, reason: DropReason, detail: str) -> Dropped:
    origin = finding.origin
    return Dropped(finding.rule_id, origin, finding.line, finding.column, reason, detail, finding.secret)
