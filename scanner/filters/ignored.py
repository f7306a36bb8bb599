"""Staged, pull-request and pushed changes: a changed file that the project's `.secretscanignore` or config
`exclude` names is scanned all the same, and its findings are dropped as "ignore-file": counted in every
report and listed with --explain, so a change that adds its own file to an ignore list says so (issue 15 §2).
"""

from __future__ import annotations

from scanner.filters.added import dropped_as
from scanner.model import ScanResult
from scanner.sources.common import PathTest


def drop_ignored(result: ScanResult, ignored: PathTest, explain: bool) -> None:
    kept = []
    for finding in result.findings:
        if finding.origin.kind == "file" or not ignored(finding.path):
            kept.append(finding)
            continue
        result.suppressed["ignore-file"] = result.suppressed.get("ignore-file", 0) + 1
        if explain:
            result.dropped.append(dropped_as(finding, "ignore-file", "the project's ignore file or excludes"))
    result.findings = kept
