"""What each kind of scan collects: a source's blobs through the scheduler, then the filters that belong to
that kind of scan (added lines, pre-existing secrets, attribution). Commands call one function each; a
baseline is built by the same functions as the scans it records."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.model import Blob, Finding, ScanResult
from scanner.pipeline import Setup, repository, scan_options
from scanner.scheduler import Progress, ScanOptions, default_jobs, scan_blobs

if TYPE_CHECKING:
    from scanner.git import TreeSearch
    from scanner.git.parse import CommitDiff
    from scanner.sources.common import AddedLookup, PathTest
    from scanner.sources.diff import RangeScan
    from scanner.sources.history import Plan
    from scanner.sources.pushed import PushScan
    from scanner.sources.staged import StagedScan

# A history audit's progress display, opened on the plan once it is known (None: nobody is watching), with
# what tells the blobs a warm result cache knows clean (their bytes are no work).
ProgressDisplay = Callable[
    ["Plan", Callable[[list[str]], set[str]] | None], AbstractContextManager[Progress | None]
]


def scan_paths(setup: Setup) -> ScanResult:
    """Walk the settings' paths and scan every file; the project config adds excludes and a size cap."""
    from scanner.scheduler.files import scan_files
    from scanner.sources.files import WalkOptions, WalkReport, walk_files

    settings = setup.settings
    options = WalkOptions(
        excludes=list(settings.excludes),
        max_bytes=settings.size_cap,
        use_gitignore=settings.use_gitignore,
        follow_symlinks=settings.follow_symlinks,
    )
    report = WalkReport()
    result = ScanResult(mode="scan", target=" ".join(settings.paths))
    found = walk_files(list(settings.paths), options, report)
    files = (f for f in found if not setup.is_own_file(f.origin.path if isinstance(f, Blob) else f[1]))
    folders = [p for p in settings.paths if p != "-" and os.path.isdir(p)]
    scan_files(setup.engine, files, result, scan_options(setup), settings.size_cap, folders)
    result.skipped.extend(report.skipped)
    result.ignored.extend(report.ignored)
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
        max_bytes=settings.size_cap,
        exclude=settings.exclude_commits,
    )
    skip = skipper(repo, setup.own_files, settings.excludes)
    scanning = scan_options(setup)
    # Blobs stream from git (a warm result cache drops those it knows clean before they are read); only
    # --since/--max-commits list them first (history.plan).
    known_clean = scanning.cache.clean_among if scanning.cache else None
    work = history.plan(repo, options, result, skip, known_clean, walk=True)
    if not settings.jobs:
        # Streamed, workers read git themselves and join only a long audit (stream.py): all cores. Listed,
        # contents travel to workers pickled while git's reader keeps a core busy: scan with the others.
        scanning.jobs = default_jobs() if not work.listed else max(1, default_jobs() - 1)
    cache = scanning.cache
    known = cache.clean_among if cache is not None and cache.warm else None  # for the progress totals
    with start_walks(work) as walks:  # git walks the history for attribution while we scan
        with display(work, known) if display is not None else nullcontext() as progress:
            scan_history(setup.engine, work, result, scanning, walks.introductions, progress)
        attribute(work, result, walks)
    result.commits_scanned = len(work.ages)
    result.repository = repository(settings, repo)  # a URL's clone is gone by the time the report is made
    if not work.tips and not work.blobs:
        result.warnings.append("nothing was scanned: the repository has no commits")
    elif not (result.blobs_scanned or result.findings or result.skipped or result.errors) and not (
        cache is not None and cache.hits  # all known clean from an earlier run
    ):
        result.warnings.append(
            "nothing was scanned: no commit selected (check --since, --max-commits, --branch)"
        )
    return result


def scan_staged(setup: Setup, work: StagedScan) -> ScanResult:
    """What is about to be committed, judged on the lines the commit adds, less every secret HEAD already
    held (a renamed, copied or reindented old secret is not new)."""
    from scanner.filters.added import keep_added
    from scanner.filters.ignored import drop_ignored
    from scanner.sources import staged

    settings = setup.settings
    options = ScanOptions(jobs=settings.jobs, explain=settings.explain)
    result = ScanResult(mode="staged", target="staged changes")
    skip, ignored = _skippers(setup, work.root)
    blobs = staged.blobs(work, result, settings.size_cap, skip, ignored)
    scan_blobs(setup.engine, blobs, result, options)
    keep_added(result, work.added, settings.explain)
    drop_ignored(result, ignored, settings.explain)
    if any(f.origin.kind == "staged" for f in result.findings):
        # A file named with nothing staged is scanned whole on purpose: its findings are not judged.
        bases = staged.bases(work)
        where = f"the last commit ({bases[0][:12]})" if bases else ""
        base = (work.root, bases, where)
        _drop_preexisting(setup, options, base, result, _is_staged, checked_out=True, early=work.early)
    staged.stop_search(work)  # unread when nothing was found: no need to wait for it
    return result


def _skippers(setup: Setup, root: Path) -> tuple[PathTest, PathTest]:
    """For a change: the scanner's own files, never scanned; and what the project ignores, scanned all the
    same so that what it hides is counted (filters/ignored.py)."""
    from scanner.sources.common import skipper

    return skipper(root, setup.own_files, (), ignore_file=False), skipper(
        root, frozenset(), setup.settings.excludes
    )


def _is_staged(finding: Finding) -> bool:
    return finding.origin.kind == "staged"


def scan_range(setup: Setup, work: RangeScan) -> ScanResult:
    """The lines the commits of a pull request add, less every secret the merge base already held."""
    result = ScanResult(mode="diff", target=f"{setup.settings.base}...{setup.settings.head}")
    where = f"the base branch (merge base {work.merge_base[:12]})"
    return _scan_commits(setup, (work.repo, work.diffs, work.added), result, ([work.merge_base], where))


def scan_push(setup: Setup, work: PushScan) -> ScanResult:
    """The lines the commits of a push add, less every secret the commits it builds on already held."""
    result = ScanResult(mode="pre-receive", target=", ".join(u.ref for u in work.updates))
    result.skipped.extend(work.skipped)
    changes = (work.repo, work.diffs, work.added)
    return _scan_commits(setup, changes, result, (work.bases, "the repository before this push"))


def _scan_commits(
    setup: Setup,
    changes: tuple[Path, list[CommitDiff], AddedLookup],
    result: ScanResult,
    base: tuple[list[str], str],
) -> ScanResult:
    """Scan what commits change; keep what they add, less what the project ignores and what the `base`
    commits (described for --explain) already held."""
    from scanner.filters.added import keep_added
    from scanner.filters.ignored import drop_ignored
    from scanner.sources.common import read_changes

    settings = setup.settings
    repo, diffs, added = changes
    result.commits_scanned = len(diffs)
    skip, ignored = _skippers(setup, repo)
    blobs = read_changes(repo, diffs, result, settings.size_cap, "blob", skip)
    options = scan_options(setup)
    scan_blobs(setup.engine, blobs, result, options)
    keep_added(result, added, settings.explain)
    drop_ignored(result, ignored, settings.explain)
    _drop_preexisting(setup, options, (repo, *base), result)
    return result


def _drop_preexisting(
    setup: Setup,
    options: ScanOptions,
    base: tuple[Path, list[str], str],
    result: ScanResult,
    judged: Callable[[Finding], bool] = lambda finding: True,
    checked_out: bool = False,
    early: TreeSearch | None = None,
) -> None:
    """Drop the findings whose secrets the base commits already held (filters/preexisting.py), scanning
    the base files with this run's engine. `base`: the repository, its base commits, what they are;
    `checked_out`: the first is the commit checked out in its work tree, which `early` already searches."""
    from scanner.filters.preexisting import drop_preexisting

    repo, bases, where = base

    def scan_base(blobs: Iterator[Blob]) -> list[Finding]:
        scanned = ScanResult()
        scan_blobs(setup.engine, blobs, scanned, options)
        return scanned.findings

    explain = setup.settings.explain
    drop_preexisting(repo, bases, result, scan_base, explain, where, judged, checked_out, early)
