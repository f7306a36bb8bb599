"""Staged and pull-request scans: a finding counts only where the change adds it (issue 3)."""

from __future__ import annotations

import bisect

from scanner.model import Dropped, DropReason, Finding, ScanResult
from scanner.sources.common import AddedLookup, Ranges


def is_added(ranges: Ranges, line: int) -> bool:
    i = bisect.bisect_right(ranges, (line, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] <= line < ranges[i][0] + ranges[i][1]


def on_added_line(finding: Finding, ranges: Ranges) -> bool:
    """The finding's line, or the line of the secret key paired with it, is one the change adds."""
    lines = [finding.line]
    paired = finding.fact("paired_secret_line")
    if paired and paired.isdigit():
        lines.append(int(paired))
    return any(is_added(ranges, line) for line in lines)


def keep_added(result: ScanResult, added: AddedLookup, explain: bool) -> None:
    """Drop findings that are not on a line the change adds (kept as Dropped with --explain)."""
    kept = []
    for finding in result.findings:
        ranges = added(finding.origin)
        if ranges is None or on_added_line(finding, ranges):
            kept.append(finding)
        elif explain:
            result.dropped.append(dropped_as(finding, "not-added-line", "not on a line this change adds"))
    result.findings = kept


def dropped_as(finding: Finding, reason: DropReason, detail: str) -> Dropped:
    origin = finding.origin
    return Dropped(finding.rule_id, origin, finding.line, finding.column, reason, detail, finding.secret)
