"""Findings a baseline records are not reported (kept as dropped with --explain), but kept aside with their
triage labels so an audit shows them labelled (issue 18 §2); entries that matched nothing can be reported
as unused (--report-unused)."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.baseline import Baseline, Entry, PathOf, in_scope
from scanner.model import Dropped, Finding, ScanResult, Triaged


def apply(result: ScanResult, baseline: Baseline, path_of: PathOf, explain: bool) -> list[Entry]:
    """Remove baselined findings from `result` (recording them as dropped when explaining).

    Returns the entries that matched no finding of this scan.
    """
    index = baseline.index()
    used: set[tuple[str, str, str]] = set()
    kept: list[Finding] = []
    for finding in result.findings:
        entry = index.get(baseline.entry_for(finding, path_of).key)
        if entry is None:
            kept.append(finding)
            continue
        used.add(entry.key)
        result.triaged.append(Triaged(finding, entry.label or "", entry.note))
        result.suppressed["baseline"] = result.suppressed.get("baseline", 0) + 1
        if explain:
            result.dropped.append(_dropped(finding, entry))
    result.findings = kept
    return [e for key, e in sorted(index.items()) if key not in used]


def warn_unused(
    result: ScanResult, unused: list[Entry], path_of: PathOf, scanned: Sequence[str] | None
) -> bool:
    """Add a warning per unused entry within what was scanned; True when there is any (the scan fails).

    A folder scan judges only entries under the folders it walked; a diff or staged scan sees a slice of
    the tree, so it judges none.
    """
    if result.mode in ("diff", "staged"):
        result.warnings.append("--report-unused is ignored: a diff or staged scan sees only part of the tree")
        return False
    if scanned is not None:
        unused = [e for e in unused if in_scope(e, scanned, path_of)]
    result.warnings.extend(f"unused baseline entry: {e.describe()}" for e in unused)
    return bool(unused)


def _dropped(finding: Finding, entry: Entry) -> Dropped:
    detail = (
        "baseline entry"
        + (f" ({entry.label})" if entry.label else "")
        + (f": {entry.note}" if entry.note else "")
    )
    return Dropped(
        finding.rule_id, finding.origin, finding.line, finding.column, "baseline", detail, finding.secret
    )
