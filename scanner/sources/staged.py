"""Staged source (pre-commit): the index content of added and changed files, never the working tree, and
the lines the commit adds. Files named explicitly that have no staged change (`pre-commit run --files X`,
`--all-files`) are scanned whole from disk, as pre-commit users expect.

Kept light: three git subprocesses at most and no GitPython, so the hook stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner import git
from scanner.git.parse import CommitDiff
from scanner.model import Blob, Origin, ScanResult
from scanner.sources.common import PathTest, Ranges, never, read_changes


@dataclass(slots=True)
class StagedScan:
    root: Path
    staged: CommitDiff
    whole_files: list[str] = field(default_factory=list)  # given, but with nothing staged: scanned whole

    def added(self, origin: Origin) -> Ranges | None:
        if origin.kind != "staged":
            return None  # a whole file: every line counts
        return self.staged.added.get(origin.path, [])


def plan(cwd: Path, files: Sequence[str]) -> StagedScan:
    root = git.toplevel(cwd)
    relative = [_relative(root, cwd, f) for f in files]
    inside = [rel for rel in relative if not rel.startswith("../")]
    staged = git.staged_diff(root, inside) if inside or not files else CommitDiff(None)
    work = StagedScan(root, staged)
    changed = {change.path for change in staged.changes}
    work.whole_files = [f for f, rel in zip(files, relative, strict=True) if rel not in changed]
    return work


def bases(work: StagedScan) -> list[str]:
    """The commits whose secrets a staged change does not add anew: HEAD, and during a merge the branch
    being merged (its secrets come with the merge, they are not written in it). Asked only when the scan
    found something, so a clean commit pays for no git call."""
    found = (git.resolve(work.root, name) for name in ("HEAD", "MERGE_HEAD"))
    return [sha for sha in found if sha is not None]


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
