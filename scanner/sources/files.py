"""Walk folders and files: honour .gitignore files and exclude globs, skip binary and oversized files.

Never follows a symlink loop; an unreadable file is reported and the walk goes on. Ignore files are matched by
sources/common.ignore_matcher (pathspec).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from scanner.model import Blob, Origin, Skipped
from scanner.sources import DEFAULT_MAX_BYTES
from scanner.sources.common import (
    BINARY_PROBE,
    PathTest,
    ignore_lines,
    ignore_matcher,
    is_binary,
    text_of,
    wide_encoding,
)

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
    # Left out on purpose (an exclude glob, an ignore file): not a skip a report counts, but what --verbose
    # lists when a person asks why a file was not scanned. A left-out folder is one entry.
    ignored: list[Skipped] = field(default_factory=list)


def read_stdin(report: WalkReport, options: WalkOptions) -> Iterator[Blob]:
    data = sys.stdin.buffer.read(options.max_bytes + 1)
    report.files_seen += 1
    if len(data) > options.max_bytes:
        report.skipped.append(Skipped("-", f"larger than {options.max_bytes} bytes"))
        return
    yield Blob.from_bytes(data, Origin("-", kind="stdin"))


def walk(roots: Sequence[str], options: WalkOptions, report: WalkReport) -> Iterator[Blob]:
    """Yield a blob for every scannable file under `roots`, recording what was skipped and why."""
    for item in walk_files(roots, options, report):
        if isinstance(item, Blob):
            yield item
            continue
        read = read_file(item[0], item[1], options.max_bytes)
        if isinstance(read, Skipped):
            report.skipped.append(read)
        else:
            yield read


# A file the walk admits, not yet read: (the path to open, the path to report, its size when listed, and
# its (mtime ns, ctime ns, inode), which say whether git's index vouches for its content).
FileEntry = tuple[str, str, int, tuple[int, int, int]]


def walk_files(roots: Sequence[str], options: WalkOptions, report: WalkReport) -> Iterator[FileEntry | Blob]:
    """Every regular file under `roots` within the size cap, unread (a scan reads it where it scans it), and
    standard input read whole; what was skipped and why goes to `report`."""
    for root in roots:
        if root == "-":
            yield from read_stdin(report, options)
            continue
        try:
            st = os.stat(root)
        except OSError as exc:
            report.skipped.append(Skipped(root, f"cannot access: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_dir(root, options, report)
        else:
            report.files_seen += 1
            if _admitted(root, st, options, report):
                yield root, root, st.st_size, _stamp(st)


# (folder relative to the root, its ignore rules, whether they come from a .gitignore)
Specs = tuple[tuple[str, PathTest, bool], ...]


def _walk_dir(root: str, options: WalkOptions, report: WalkReport) -> Iterator[FileEntry]:
    # Plain strings and os.scandir, not pathlib: on a 20,000-file tree pathlib alone cost ~0.5 s.
    excludes = ignore_matcher(options.excludes) if options.excludes else None
    prefix = "" if os.path.normpath(root) == "." else root.rstrip("/") + "/"
    tracked = Tracked(root)
    visited: set[tuple[int, int]] = set()
    stack: list[tuple[str, Specs]] = [("", ())]
    while stack:
        rel_dir, specs = stack.pop()
        directory = os.path.join(root, rel_dir) if rel_dir else root
        try:
            st = os.stat(directory)
        except OSError as exc:
            report.skipped.append(Skipped(prefix + rel_dir, f"cannot access: {exc.strerror or exc}"))
            continue
        if (st.st_dev, st.st_ino) in visited:
            report.skipped.append(Skipped(prefix + rel_dir, "symlink loop: directory already visited"))
            continue
        visited.add((st.st_dev, st.st_ino))
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            report.skipped.append(Skipped(prefix + rel_dir, f"cannot list: {exc.strerror or exc}"))
            continue
        present = {e.name for e in entries} & set(_ignore_names(options))
        if present:
            specs = specs + _ignore_specs(directory, rel_dir, sorted(present), report)
        subdirs = []
        for entry in entries:
            rel = rel_dir + entry.name
            is_dir = _is_dir(entry)
            if entry.name in (ALWAYS_SKIP_DIRS if is_dir else OWN_FILES):
                continue
            probe = rel + "/" if is_dir else rel
            if excludes is not None and excludes(probe):
                report.ignored.append(Skipped(prefix + probe, "excluded (--exclude or the config)"))
                continue
            if _ignored(probe, specs, tracked):
                report.ignored.append(Skipped(prefix + probe, "ignored (.gitignore or .secretscanignore)"))
                continue
            if is_dir:
                if options.follow_symlinks or not entry.is_symlink():
                    subdirs.append((rel + "/", specs))
                continue
            report.files_seen += 1
            try:
                entry_stat = entry.stat()
            except OSError as exc:
                # A link to nothing holds no content to lose: a skip, not a scan error (the run still passes).
                broken = entry.is_symlink() and exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR)
                why = "broken symbolic link" if broken else "unreadable"
                report.skipped.append(Skipped(prefix + rel, f"{why}: {exc.strerror or exc}"))
                continue
            if _admitted(prefix + rel, entry_stat, options, report):
                yield entry.path, prefix + rel, entry_stat.st_size, _stamp(entry_stat)
        stack.extend(reversed(subdirs))


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symlinks: a link to a folder counts as a folder
    except OSError:
        return False


def _ignore_names(options: WalkOptions) -> list[str]:
    return ([".gitignore"] if options.use_gitignore else []) + list(options.extra_ignore_files)


def _ignore_specs(directory: str, rel_dir: str, names: list[str], report: WalkReport) -> Specs:
    out = []
    for name in names:
        file = os.path.join(directory, name)
        try:
            with open(file, "rb") as handle:
                lines = ignore_lines(handle.read())
        except OSError as exc:
            report.skipped.append(Skipped(file, f"cannot read ignore file: {exc.strerror or exc}"))
            continue
        out.append((rel_dir, ignore_matcher(lines), name == ".gitignore"))
    return tuple(out)


def _ignored(rel: str, specs: Specs, tracked: Tracked) -> bool:
    """Whether an ignore file drops `rel`. A .gitignore only hides untracked files, as in git: a file git
    tracks (a committed `.env.example` that a later pattern matches) is scanned, and so is a folder holding
    one. `.secretscanignore` drops whatever it names."""
    hits = [gitignore for base, drops, gitignore in specs if rel.startswith(base) and drops(rel[len(base) :])]
    if not hits:
        return False
    return not all(hits) or not tracked.holds(rel)


class Tracked:
    """The files git tracks under a scanned folder, listed once and only if a .gitignore matched something."""

    def __init__(self, root: str) -> None:
        self._root = root
        self._paths: frozenset[str] | None = None

    def holds(self, rel: str) -> bool:
        """Whether `rel` (a file, or a folder ending in '/') is tracked, or a folder holds a tracked file."""
        if self._paths is None:
            from scanner import git  # a folder scan that matches no .gitignore never starts git

            listed = git.tracked_files(self._root)
            self._paths = frozenset(listed) | _folders(listed)
        return rel in self._paths


def _read_at(fd: int, limit: int, size: int) -> bytes:
    """Up to `limit` bytes of `fd` from its start, to the end of the file. `size` (what the file held when
    opened) sizes the first read, one byte more to see the end there; a file that grew since is read on."""
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, min(limit, size + 1))
    parts = [data]
    read = len(data)
    while data and read < limit and (data := os.read(fd, min(limit - read, 1 << 20))):
        parts.append(data)
        read += len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _folders(paths: list[str]) -> frozenset[str]:
    """Every folder holding one of `paths`, each ending in '/' (a folder already met ends the climb)."""
    found: set[str] = set()
    for path in paths:
        end = path.rfind("/")
        while end >= 0 and (folder := path[: end + 1]) not in found:
            found.add(folder)
            end = path.rfind("/", 0, end)
    return frozenset(found)


def _admitted(display: str, st: os.stat_result, options: WalkOptions, report: WalkReport) -> bool:
    """Whether the walk's stat of a file lets it be read: a regular file within the size cap."""
    if not stat.S_ISREG(st.st_mode):
        report.skipped.append(Skipped(display, "not a regular file"))
        return False
    if st.st_size > options.max_bytes:
        report.skipped.append(Skipped(display, f"larger than {options.max_bytes} bytes ({st.st_size})"))
        return False
    return True


def read_file(path: str, display: str, max_bytes: int) -> Blob | Skipped:
    """The content of a file the walk admitted, as the engine reads it (wide text decoded), or why it cannot
    be scanned. Safe in a worker process: it only reads `path`."""
    try:
        # Opened without blocking and checked again once open: a FIFO put in place since the stat would block
        # the walk for ever (issue 14 §4).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                return Skipped(display, "not a regular file")
            head = _read_at(fd, BINARY_PROBE, opened.st_size)
            # Decided on the first 8000 bytes: a binary is never read whole; UTF-16 and UTF-32 text is.
            wide = is_binary(head)
            if wide and wide_encoding(head) is None:
                return Skipped(display, "binary")
            # Read again from the start, in one call the size of the file: head + rest would copy every byte.
            whole = len(head) == BINARY_PROBE
            data = _read_at(fd, max_bytes + 1, opened.st_size) if whole else head
        finally:
            os.close(fd)
    except OSError as exc:
        return Skipped(display, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return Skipped(display, f"larger than {max_bytes} bytes")
    if wide:
        text = text_of(data)
        if text is None:
            return Skipped(display, "binary")
        data = text
    return Blob.from_bytes(data, Origin(display))
