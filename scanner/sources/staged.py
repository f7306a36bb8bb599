"""Staged source (pre-commit): the index content of added and changed files, never the working tree, and
the lines the commit adds. Files named explicitly that have no staged change (`pre-commit run --files X`,
`--all-files`) are scanned whole from disk, as pre-commit users expect.

Kept light: plain git subprocesses, no GitPython, so the hook stays fast. Its one slow step in a large
repository, the search of the last commit for the secrets found (filters/preexisting.py), starts before
the scan, on what the added lines hold (searching).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scanner import git
from scanner.git.parse import CommitDiff
from scanner.model import Blob, Origin, ScanResult
from scanner.patterns import compiled
from scanner.sources.common import PathTest, Ranges, never, read_changes


@dataclass(slots=True)
class StagedScan:
    root: Path
    staged: CommitDiff
    whole_files: list[str] = field(default_factory=list)  # given, but with nothing staged: scanned whole
    terms: list[str] = field(default_factory=list)  # what a secret found on an added line may contain
    early: git.TreeSearch | None = None  # the last commit searched for `terms` (searching)

    def added(self, origin: Origin) -> Ranges | None:
        if origin.kind != "staged":
            return None  # a whole file: every line counts
        return self.staged.added.get(origin.path, [])


def plan(cwd: Path, files: Sequence[str]) -> StagedScan:
    root = git.toplevel(cwd)
    relative = [_relative(root, cwd, f) for f in files]
    inside = [rel for rel in relative if not rel.startswith("../")]
    staged, patch = git.staged_patch(root, inside) if inside or not files else (CommitDiff(None), b"")
    work = StagedScan(root, staged, terms=search_terms(patch))
    changed = {change.path for change in staged.changes}
    work.whole_files = [f for f, rel in zip(files, relative, strict=True) if rel not in changed]
    return work


def bases(work: StagedScan) -> list[str]:
    """The commits whose secrets a staged change does not add anew: HEAD, and during a merge the branch
    being merged (its secrets come with the merge, they are not written in it). Asked only when the scan
    found something, so a clean commit pays for no git call."""
    return [sha for sha in git.resolve_all(work.root, ("HEAD", "MERGE_HEAD")) if sha is not None]


# Runs of the characters most secrets are made of, long and mixed enough to be rare in a repository. A run
# inside a secret is in every file that holds the secret, so a search for the runs of the added lines finds
# every file holding a secret found on them whose value contains one; a secret that contains none (short,
# or written with other characters) is searched for itself once found. More runs than _MAX_TERMS (a
# lockfile's hashes) or a patch over _MAX_PATCH bytes: no early search, the one for the secrets found is
# cheaper than reading them all here.
_RUN = compiled(rb"[A-Za-z0-9+/]{16,}")
_ADDED = compiled(rb"^\+(?!\+\+ ).*", re.M)
_MIXED = compiled(rb"[0-9]").search, compiled(rb"[A-Za-z]").search
_MAX_TERMS = 64
_MAX_PATCH = 1 << 18


def search_terms(patch: bytes) -> list[str]:
    """What to search the last commit for before the scan: the runs of `patch`'s added lines (a line
    added with a leading "++" looks like a header and is passed by: its secrets are searched once found)."""
    if len(patch) > _MAX_PATCH:
        return []
    added = b"\n".join(_ADDED.findall(patch))
    runs = {run for run in _RUN.findall(added) if all(has(run) for has in _MIXED)}
    return sorted(run.decode("ascii") for run in runs) if len(runs) <= _MAX_TERMS else []


@contextmanager
def searching(work: StagedScan) -> Iterator[None]:
    """Search the last commit for `work.terms` while the rules load and the staged files are scanned:
    reading a large work tree is the hook's slowest step, and git does it on the other cores. Compared
    with HEAD, the commit bases() names first; stopped at the end if still running."""
    if work.terms:
        work.early = git.start_tree_search(work.root, "HEAD", work.terms)
    try:
        yield
    finally:
        stop_search(work)


def stop_search(work: StagedScan) -> None:
    if work.early is not None:
        work.early.close()
        work.early = None


def _relative(root: Path, cwd: Path, name: str) -> str:
    full = os.path.abspath(os.path.join(cwd, name))
    return Path(os.path.relpath(full, root)).as_posix()


def blobs(
    work: StagedScan, result: ScanResult, max_bytes: int, skip: PathTest = never, ignored: PathTest = never
) -> Iterator[Blob]:
    """The staged content of changed files but those `skip` names (the scanner's own files); files named
    with nothing staged are read whole unless `skip` or `ignored` (the project's excludes) names them."""
    yield from read_changes(work.root, [work.staged], result, max_bytes, "staged", skip)
    cwd = Path.cwd()
    whole = [f for f in work.whole_files if not (skip(rel := _relative(work.root, cwd, f)) or ignored(rel))]
    if whole:
        from scanner.sources.files import WalkOptions, WalkReport, walk

        report = WalkReport()
        yield from walk(whole, WalkOptions(max_bytes=max_bytes, use_gitignore=False), report)
        result.skipped.extend(report.skipped)
