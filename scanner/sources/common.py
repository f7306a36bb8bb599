"""What the sources share: which paths to skip, binary content, and the new content of changed files (the
staged and pull-request sources)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from scanner import git
from scanner.git.objects import ObjectReader
from scanner.git.parse import Change, CommitDiff
from scanner.model import Blob, Origin, ScanResult, Skipped

Ranges = list[tuple[int, int]]  # (first line, count) of added lines, ascending
# Where a finding's added lines are looked up; None means every line of the content counts as added.
AddedLookup = Callable[[Origin], "Ranges | None"]
PathTest = Callable[[str], bool]
_BINARY_PROBE = 8000  # as files.is_binary (git's own heuristic); not imported: files loads pathspec


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_PROBE]


def never(path: str) -> bool:
    return False


def skipper(root: Path, own: frozenset[str], excludes: Sequence[str], ignore_file: bool = True) -> PathTest:
    """For repository-relative paths: True for the scanner's own config and baseline (`own`: absolute
    paths, folders ending with a separator; never scanned), for the project config's exclude globs, and for
    the patterns of the `.secretscanignore` at the repository root (gitignore syntax), as the file walk does
    (without `ignore_file`: only `own` and `excludes`).
    A history asks this of every blob's path: it compares strings, never builds a path."""
    patterns = list(excludes) + (_ignore_file_lines(root / ".secretscanignore") if ignore_file else [])
    spec = None
    if patterns:
        import pathspec  # only when the project excludes something

        spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    base = os.path.join(os.path.abspath(root), "")
    inside = [o[len(base) :].replace(os.sep, "/") for o in own if o.startswith(base)]
    files = {o for o in inside if not o.endswith("/")}
    folders = tuple(o for o in inside if o.endswith("/"))

    def skip(path: str) -> bool:
        return path in files or path.startswith(folders) or (spec is not None and spec.match_file(path))

    return skip


def _ignore_file_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:  # absent (the usual case), or a bare repository without a work tree
        return []


def added_in_commits(diffs: list[CommitDiff], origin: Origin) -> Ranges:
    """The lines the commit of `origin` adds to its path (none when the commit is not among `diffs`)."""
    sha = origin.commit.sha if origin.commit is not None else None
    for diff in diffs:
        if diff.commit is not None and diff.commit.sha == sha:
            return diff.added.get(origin.path, [])
    return []


def read_changes(
    repo: Path,
    diffs: list[CommitDiff],
    result: ScanResult,
    max_bytes: int,
    kind: str,
    skip: PathTest = never,
) -> Iterator[Blob]:
    """The new content of each added or changed file of `diffs`, read through one cat-file process. A blob
    in several commits is yielded for each: the scan reads it once, and the added lines differ."""
    wanted: list[tuple[CommitDiff, Change]] = []
    for diff in diffs:
        for change in diff.changes:
            if skip(change.path):
                continue
            if change.new_mode == git.GITLINK_MODE:
                result.skipped.append(Skipped(change.path, "submodule; scan it separately"))
            else:
                wanted.append((diff, change))
    unique = list(dict.fromkeys(change.new_oid for _, change in wanted))
    found: dict[str, tuple[str, bytes | None]] = {}
    for name, (info, data) in zip(unique, ObjectReader(repo).contents(unique, max_bytes), strict=True):
        found[name] = (info.kind, data)
        if info.kind == "missing":
            result.errors.append(f"blob {name} is missing or corrupt; not scanned")
    for diff, change in wanted:
        kind_of, data = found[change.new_oid]
        if kind_of != "blob":
            continue
        if data is None:
            result.skipped.append(Skipped(change.path, f"larger than {max_bytes} bytes"))
        elif is_binary(data):
            result.skipped.append(Skipped(change.path, "binary"))
        else:
            yield Blob(change.new_oid, data, Origin(change.path, diff.commit, kind))  # type: ignore[arg-type]
