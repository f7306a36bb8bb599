"""What the sources share: which paths to skip, binary content, and the new content of changed files (the
staged and pull-request sources)."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from scanner import git
from scanner.git.objects import ObjectReader
from scanner.git.parse import Change, CommitDiff
from scanner.model import Blob, Origin, ScanResult, Skipped
from scanner.patterns import compiled

Ranges = list[tuple[int, int]]  # (first line, count) of added lines, ascending
# Where a finding's added lines are looked up; None means every line of the content counts as added.
AddedLookup = Callable[[Origin], "Ranges | None"]
PathTest = Callable[[str], bool]
BINARY_PROBE = 8000  # bytes; git's own heuristic looks for a NUL byte in the first 8000


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_PROBE]


# Byte order marks, UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (b"\xff\xfe\0\0", "utf-32-le"),
    (b"\0\0\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def wide_encoding(head: bytes) -> tuple[str, int] | None:
    """The encoding and byte-order-mark length of UTF-16 or UTF-32 text (issue 14 §5): a mark, or, without
    one, bytes that decode strictly in one of them into text that reads as text (a quarter or more of it
    printable ASCII, at most a tenth control characters). None for anything else: a binary rarely decodes
    strictly, and then into controls (its small integers) or NULs (its padding)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    for name in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        try:  # the probe may end inside a character: incremental, not final
            text = codecs.getincrementaldecoder(name)("strict").decode(head[:BINARY_PROBE], final=False)
        except UnicodeDecodeError:
            continue
        if (
            text
            and len(_ASCII_TEXT.findall(text)) * 4 >= len(text)
            and len(_CONTROLS.findall(text)) * 10 <= len(text)
        ):
            return name, 0
    return None


_ASCII_TEXT = compiled("[\t\n\r -~]")
_CONTROLS = compiled("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_of(data: bytes) -> bytes | None:
    """`data` as the engine reads it: itself when it is text, UTF-8 when it is UTF-16 or UTF-32 text (lines
    and columns of a finding are then those of the decoded text), None when it is binary."""
    if not is_binary(data):
        return data
    wide = wide_encoding(data[:BINARY_PROBE])
    if wide is None:
        return None
    name, bom = wide
    return data[bom:].decode(name, "replace").encode("utf-8")


# pathspec's Hyperscan backend (picked when hyperscan is installed) encodes names as strict UTF-8 and fails on
# a surrogate-escaped one; the simple backend matches them (issue 14 §1).
PATHSPEC_BACKEND = "simple"
_DIR_MARK = "(?P<ps_d>/)"  # the one named group pathspec's gitignore patterns hold


def ignore_matcher(lines: Sequence[str]) -> PathTest:
    """Whether gitignore-style `lines` drop a path (pathspec's answer). pathspec tries each pattern's regex
    in turn for every name a walk meets; one regex joining them all first says whether any can match, and
    almost no name does."""
    import pathspec
    from pathspec.util import normalize_file

    spec = pathspec.GitIgnoreSpec.from_lines(lines, backend=PATHSPEC_BACKEND)
    joined = _any_pattern(spec.patterns)
    if joined is None:
        return spec.match_file
    search = joined.search

    def match(path: str) -> bool:
        return search(normalize_file(path)) is not None and spec.match_file(path)

    return match


def _any_pattern(patterns: Sequence[object]) -> re.Pattern[str] | None:
    """One regex matching what any of pathspec's `patterns` matches (as each pattern's own regex.search),
    or None when they cannot be joined: flags differ, or a named group other than the directory mark."""
    regexes = [
        regex
        for pattern in patterns
        if getattr(pattern, "include", None) is not None
        and isinstance(regex := getattr(pattern, "regex", None), re.Pattern)
    ]
    texts = [r.pattern.replace(_DIR_MARK, "(?:/)") if isinstance(r.pattern, str) else "(?P" for r in regexes]
    flags = {r.flags for r in regexes}
    if len(flags) != 1 or any("(?P" in text for text in texts):
        return None
    try:
        return re.compile("|".join(f"(?:{text})" for text in texts), flags.pop())
    except re.error:
        return None


def ignore_lines(data: bytes) -> list[str]:
    """An ignore file's patterns: bytes, as the names they match, so a non-UTF-8 name can be listed."""
    # Lines end at LF only (a CR before it dropped), as git reads them: str.splitlines() would also split a
    # name at the form feeds and separators it may hold.
    return [line.removesuffix("\r") for line in data.decode("utf-8", "surrogateescape").split("\n")]


def never(path: str) -> bool:
    return False


def skipper(root: Path, own: frozenset[str], excludes: Sequence[str], ignore_file: bool = True) -> PathTest:
    """For repository-relative paths: True for the scanner's own config and baseline (`own`: absolute
    paths, folders ending with a separator; never scanned), for the project config's exclude globs, and for
    the patterns of the `.secretscanignore` at the repository root (gitignore syntax), as the file walk does
    (without `ignore_file`: only `own` and `excludes`).
    A history asks this of every blob's path: it compares strings, never builds a path."""
    patterns = list(excludes) + (_ignore_file_lines(root / ".secretscanignore") if ignore_file else [])
    spec = ignore_matcher(patterns) if patterns else None  # pathspec only when the project excludes
    base = os.path.join(os.path.abspath(root), "")
    inside = [o[len(base) :].replace(os.sep, "/") for o in own if o.startswith(base)]
    files = {o for o in inside if not o.endswith("/")}
    folders = tuple(o for o in inside if o.endswith("/"))

    def skip(path: str) -> bool:
        return path in files or path.startswith(folders) or (spec is not None and spec(path))

    return skip


def _ignore_file_lines(path: Path) -> list[str]:
    try:
        return ignore_lines(path.read_bytes())
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
        elif (text := text_of(data)) is None:
            result.skipped.append(Skipped(change.path, "binary"))
        else:
            if text is not data and change.path not in diff.added:
                # git diffs UTF-16/UTF-32 text as binary, naming no line: every decoded line counts as added
                diff.added[change.path] = [(1, text.count(b"\n") + 1)]
            yield Blob(change.new_oid, text, Origin(change.path, diff.commit, kind))  # type: ignore[arg-type]
