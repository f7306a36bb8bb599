"""What each kind of scan collects: a source's blobs through the scheduler, then the filters that belong to
that kind of scan (added lines, pre-existing secrets, attribution). Commands call one function each; a
baseline is built by the same functions as the scans it records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.model import Blob, Finding, ScanResult
from scanner.pipeline import Setup, scan_options
from scanner.scheduler import Progress, ScanOptions, default_jobs, scan_blobs
from scanner.settings import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from scanner.sources.diff import RangeScan
    from scanner.sources.history import Plan
    from scanner.sources.staged import StagedScan

# A history audit's progress display, opened on the plan once it is known (None: nobody is watching).
ProgressDisplay = Callable[["Plan"], AbstractContextManager[Progress | None]]


def scan_paths(setup: Setup) -> ScanResult:
    """Walk the settings' paths and scan every file; the project config adds excludes and a size cap."""
    from scanner.sources.files import WalkOptions, WalkReport, walk

    settings = setup.settings
    options = WalkOptions(
        excludes=list(settings.excludes),
        max_bytes=settings.max_bytes or DEFAULT_MAX_BYTES,
        use_gitignore=settings.use_gitignore,
        follow_symlinks=settings.follow_symlinks,
    )
    report = WalkReport()
    result = ScanResult(mode="scan", target=" ".join(settings.paths))
    blobs = (b for b in walk(list(settings.paths), options, report) if not setup.is_own_file(b.origin.path))
    scan_blobs(setup.engine, blobs, result, scan_options(setup))
    result.skipped.extend(report.skipped)
    if not report.files_seen and not report.skipped:  # "no findings" in nothing must not read as clean
        result.warnings.append(
            "nothing was scanned: no file selected (all excluded or ignored, or none there)"
        )
    return result


def audit_history(setup: Setup, repo: Path, display: ProgressDisplay | None = None) -> ScanResult:
    """Audit the history of `repo` (already opened) and attribute each finding to its first commit."""
    from scanner import git
    from scanner.filters.attribution import attribute, start_walks
    from scanner.scheduler import scan_history
    from scanner.sources import history
    from scanner.sources.common import skipper

    settings = setup.settings
    result = ScanResult(mode="history", target=git.without_userinfo(settings.repo or "."))
    options = history.HistoryOptions(
        branches=settings.branches,
        since=settings.since,
        max_commits=settings.max_commits,
        max_bytes=settings.max_bytes or DEFAULT_MAX_BYTES,
    )
    skip = skipper(repo, setup.own_files, settings.excludes)
    scanning = scan_options(setup)
    # Blobs stream from git (a warm result cache drops those it knows clean before they are read); only
    # --since/--max-commits list them first (history.plan).
    work = history.plan(repo, options, result, skip, scanning.cache.clean_among if scanning.cache else None)
    if not settings.jobs:
        # Streamed, workers read git themselves and join only a long audit (stream.py): all cores. Listed,
        # contents travel to workers pickled while git's reader keeps a core busy: scan with the others.
        scanning.jobs = default_jobs() if not work.listed else max(1, default_jobs() - 1)
    with start_walks(work) as walks:  # git walks the history for attribution while we scan
        with display(work) if display is not None else nullcontext() as progress:
            scan_history(setup.engine, work, result, scanning, walks.introductions, progress)
        attribute(work, result, walks)
    if not work.tips and not work.blobs:
        result.warnings.append("nothing was scanned: the repository has no commits")
    elif not result.blobs_scanned and not result.findings and not result.skipped and not result.errors:
        cache = scanning.cache
        if cache is None or not cache.hits:  # else: all known clean from an earlier run
            result.warnings.append(
                "nothing was scanned: no commit selected (check --since, --max-commits, --branch)"
            )
    return result


def scan_staged(setup: Setup, work: StagedScan) -> ScanResult:
    """What is about to be committed, judged on the lines the commit adds."""
    from scanner.filters.added import keep_added
    from scanner.sources import staged
    from scanner.sources.common import skipper

    settings = setup.settings
    result = ScanResult(mode="staged", target="staged changes")
    skip = skipper(work.root, setup.own_files, settings.excludes)
    blobs = staged.blobs(work, result, settings.max_bytes or DEFAULT_MAX_BYTES, skip)
    scan_blobs(setup.engine, blobs, result, ScanOptions(jobs=settings.jobs, explain=settings.explain))
    keep_added(result, work.added, settings.explain)
    return result


def scan_range(setup: Setup, work: RangeScan) -> ScanResult:
    """The lines the commits of a pull request add, less every secret the merge base already held."""
    from scanner.filters.added import keep_added
    from scanner.filters.preexisting import drop_preexisting
    from scanner.sources.common import read_changes, skipper

    settings = setup.settings
    options = scan_options(setup)
    result = ScanResult(mode="diff", target=f"{settings.base}...{settings.head}")
    skip = skipper(work.repo, setup.own_files, settings.excludes)
    blobs = read_changes(work.repo, work.diffs, result, settings.max_bytes or DEFAULT_MAX_BYTES, "blob", skip)
    scan_blobs(setup.engine, blobs, result, options)
    keep_added(result, work.added, settings.explain)

    def scan_base(blobs: Iterator[Blob]) -> list[Finding]:
        base = ScanResult()
        scan_blobs(setup.engine, blobs, base, options)
        return base.findings

    drop_preexisting(work, result, scan_base, settings.explain)
    return result
