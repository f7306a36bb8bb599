"""Walk folders and files: honour .gitignore files and exclude globs, skip binary and oversized files.

Never follows a symlink loop; an unreadable file is reported and the walk goes on. pathspec lives here.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from scanner.model import Blob, Origin, Skipped

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_BINARY_PROBE = 8000  # bytes; git's own heuristic looks for a NUL byte in the first 8000
# Never scanned: version-control internals, and our own config and baseline (they hold hashes and patterns).
ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})
OWN_FILES = frozenset(
    {".secretscan.yaml", ".secretscan.yml", ".secretscan-baseline.json", ".secretscanignore"}
)


@dataclass(slots=True)
class WalkOptions:
    excludes: Sequence[str] = ()  # gitignore-style patterns, relative to each root
    max_bytes: int = DEFAULT_MAX_BYTES
    use_gitignore: bool = True
    follow_symlinks: bool = False  # directories; symlinked files are read through (their content is deduped)
    extra_ignore_files: Sequence[str] = (".secretscanignore",)


@dataclass(slots=True)
class WalkReport:
    skipped: list[Skipped] = field(default_factory=list)
    files_seen: int = 0


def is_binary(head: bytes) -> bool:
    return b"\0" in head[:_BINARY_PROBE]


def read_stdin(report: WalkReport, options: WalkOptions) -> Iterator[Blob]:
    data = sys.stdin.buffer.read(options.max_bytes + 1)
    report.files_seen += 1
    if len(data) > options.max_bytes:
        report.skipped.append(Skipped("-", f"larger than {options.max_bytes} bytes"))
        return
    yield Blob.from_bytes(data, Origin("-", kind="stdin"))


def walk(roots: Sequence[str], options: WalkOptions, report: WalkReport) -> Iterator[Blob]:
    """Yield a blob for every scannable file under `roots`, recording what was skipped and why."""
    for root in roots:
        if root == "-":
            yield from read_stdin(report, options)
            continue
        path = Path(root)
        try:
            st = path.stat()
        except OSError as exc:
            report.skipped.append(Skipped(root, f"cannot access: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(path, options, report)
        else:
            blob = _read_file(path, root, options, report)
            if blob is not None:
                yield blob


def _walk_dir(root: Path, options: WalkOptions, report: WalkReport) -> Iterator[Blob]:
    excludes = pathspec.GitIgnoreSpec.from_lines(options.excludes)
    visited: set[tuple[int, int]] = set()
    # Stack of (directory, ignore specs in force: (base dir relative to root, spec)).
    stack: list[tuple[Path, tuple[tuple[str, pathspec.GitIgnoreSpec], ...]]] = [(root, ())]
    while stack:
        directory, specs = stack.pop()
        try:
            st = directory.stat()
        except OSError as exc:
            report.skipped.append(Skipped(str(directory), f"cannot access: {exc.strerror or exc}"))
            continue
        if (st.st_dev, st.st_ino) in visited:
            report.skipped.append(Skipped(str(directory), "symlink loop: directory already visited"))
            continue
        visited.add((st.st_dev, st.st_ino))
        rel_dir = "" if directory == root else directory.relative_to(root).as_posix() + "/"
        specs = specs + _ignore_specs(directory, rel_dir, options, report)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            report.skipped.append(Skipped(str(directory), f"cannot list: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            rel = rel_dir + entry.name
            is_dir = _is_dir(entry)
            if is_dir and entry.name in ALWAYS_SKIP_DIRS:
                continue
            if not is_dir and entry.name in OWN_FILES:
                continue
            probe = rel + "/" if is_dir else rel
            if excludes.match_file(probe) or _ignored(probe, specs):
                continue
            if is_dir:
                if entry.is_symlink() and not options.follow_symlinks:
                    continue
                subdirs.append((Path(entry.path), specs))
                continue
            blob = _read_file(Path(entry.path), _display(root, rel), options, report)
            if blob is not None:
                yield blob
        stack.extend(reversed(subdirs))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symlinks: a link to a folder counts as a folder
    except OSError:
        return False


def _display(root: Path, rel: str) -> str:
    return rel if str(root) == "." else (root / rel).as_posix()


def _ignore_specs(
    directory: Path, rel_dir: str, options: WalkOptions, report: WalkReport
) -> tuple[tuple[str, pathspec.GitIgnoreSpec], ...]:
    names = ([".gitignore"] if options.use_gitignore else []) + list(options.extra_ignore_files)
    out = []
    for name in names:
        file = directory / name
        if not file.is_file():
            continue
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            report.skipped.append(Skipped(str(file), f"cannot read ignore file: {exc.strerror or exc}"))
            continue
        out.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
    return tuple(out)


def _ignored(rel: str, specs: tuple[tuple[str, pathspec.GitIgnoreSpec], ...]) -> bool:
    return any(rel.startswith(base) and spec.match_file(rel[len(base) :]) for base, spec in specs)


def _read_file(path: Path, display: str, options: WalkOptions, report: WalkReport) -> Blob | None:
    report.files_seen += 1
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            report.skipped.append(Skipped(display, "not a regular file"))
            return None
        if st.st_size > options.max_bytes:
            report.skipped.append(Skipped(display, f"larger than {options.max_bytes} bytes ({st.st_size})"))
            return None
        with open(path, "rb") as handle:
            data = handle.read(options.max_bytes + 1)
    except OSError as exc:
        report.skipped.append(Skipped(display, f"unreadable: {exc.strerror or exc}"))
        return None
    if len(data) > options.max_bytes:
        report.skipped.append(Skipped(display, f"larger than {options.max_bytes} bytes"))
        return None
    if is_binary(data):
        report.skipped.append(Skipped(display, "binary"))
        return None
    return Blob.from_bytes(data, Origin(display))
