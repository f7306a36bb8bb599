"""Pull-request scans: every secret (rule + value) the merge base already held, in any file, is dropped: a
PR gate must never re-report old leaks, and moving or copying an old secret is not a new leak (issue 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scanner import git
from scanner.filters.added import dropped_as
from scanner.git.objects import ObjectReader
from scanner.model import Blob, Finding, Origin, ScanResult
from scanner.sources.diff import RangeScan

ScanFn = Callable[[Iterator[Blob]], list[Finding]]


def drop_preexisting(work: RangeScan, result: ScanResult, scan: ScanFn, explain: bool) -> None:
    """Drop every finding whose secret (rule + value) the merge base already held, in any file: moving or
    copying an old secret is not a new leak. Only base files containing one of the secrets are scanned."""
    secrets = sorted({f.secret for f in result.findings})
    paths = git.grep_files(work.repo, work.merge_base, secrets)
    if not paths:
        return
    names = [f"{work.merge_base}:{path}" for path in paths]
    reader = ObjectReader(work.repo)
    blobs = (
        Blob(info.oid, data, Origin(path, None, "blob"))
        for path, (info, data) in zip(paths, reader.contents(names, 1 << 62), strict=True)
        if data is not None and info.kind == "blob"
    )
    known = {(f.rule_id, f.secret) for f in scan(blobs)}
    kept = []
    for finding in result.findings:
        if (finding.rule_id, finding.secret) not in known:
            kept.append(finding)
        elif explain:
            detail = f"already on the base branch (merge base {work.merge_base[:12]})"
            result.dropped.append(dropped_as(finding, "baseline", detail))
    result.findings = kept
