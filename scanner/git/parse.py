"""Parsing git's output formats (no git is run here: scanner/git.py runs it): C-quoted paths, commit headers,
and `--raw -p -U0` diffs into the files each commit changes and the lines it adds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from scanner.model import Commit

if TYPE_CHECKING:
    import mmap

    Buffer = bytes | mmap.mmap

FIELD = "\x1f"
COMMIT_FORMAT = "%H%x1f%an%x1f%ae%x1f%aI%x1f%s"  # parse_commit reads it back
MARK = "\x1e"  # starts each commit header in log output: never the first byte of a diff or raw line


def unquote(raw: bytes) -> str:
    """A path as git prints it: C-quoted ("a\\tb", octal bytes) when it holds special characters."""
    if not raw.startswith(b'"'):
        return raw.decode("utf-8", "surrogateescape")
    body = raw[1:-1]
    out = bytearray()
    i = 0
    simple = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8}
    simple.update({ord("f"): 12, ord("r"): 13, ord("v"): 11})
    while i < len(body):
        if body[i] == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
            continue
        out.append(body[i])
        i += 1
    return out.decode("utf-8", "surrogateescape")


def parse_commit(header: str) -> Commit:
    sha, author, email, date, summary = header.split(FIELD, 4)
    return Commit(sha, author, email, date, summary)


@dataclass(frozen=True, slots=True)
class Change:
    """One file in a commit's (or the index's) raw diff."""

    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    status: str  # A, M, D, T, R, C
    path: str  # the new path (the old one for D)


@dataclass(slots=True)
class CommitDiff:
    commit: Commit | None  # None for the index
    changes: list[Change] = field(default_factory=list)
    added: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # path -> [(first, count)]


def _raw(line: bytes) -> Change:
    meta, *paths = line[1:].split(b"\t")
    old_mode, new_mode, old_oid, new_oid, status = meta.decode().split(" ")
    return Change(old_mode, new_mode, old_oid, new_oid, status[:1], unquote(paths[-1]))


def filter_raw_log(lines: Iterable[bytes], objects: set[bytes]) -> Iterator[CommitDiff]:
    """From `log --raw` output (headers starting with MARK), the commits whose raw lines name one of
    `objects` as old or new blob, with only those lines. Built for speed: the log of a whole history is
    mostly lines about other blobs, tested here by slicing, never parsed."""
    mark = MARK.encode()
    header = b""
    current: CommitDiff | None = None
    for line in lines:
        if line[:1] == mark:
            if current is not None:
                yield current
            header, current = line, None
        elif _names(line, objects):
            if current is None:
                current = CommitDiff(parse_commit(header[1:].rstrip(b"\r\n").decode("utf-8", "replace")))
            current.changes.append(_raw(line.rstrip(b"\n")))
    if current is not None:
        yield current


# Most ids a literal database is compiled for; a history with more blobs to trace (a very leaky one) is read
# line by line, as without Hyperscan.
_NATIVE_IDS = 4096


def lines_naming(buffer: Buffer, objects: set[bytes]) -> list[int] | None:
    """Where each line of `buffer` that names one of `objects` starts, ascending, each once, found by a
    Hyperscan database of the ids (numpy's 77 MB log, 200 ids: 0.17 s, where reading it line by line in
    filter_raw_log() took 0.60 s). None where Hyperscan is not installed, or for too many ids."""
    if not objects or len(objects) > _NATIVE_IDS:
        return None
    try:
        import hyperscan
    except ImportError:  # pragma: no cover - a platform without its wheel
        return None
    ids = sorted(objects)  # hexadecimal: each its own literal pattern
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=ids, ids=list(range(len(ids))), elements=len(ids), flags=[0] * len(ids))
    ends: list[int] = []
    database.scan(
        cast(bytes, buffer), match_event_handler=lambda _id, _start, end, _flags, _context: ends.append(end)
    )
    return sorted({buffer.rfind(b"\n", 0, end) + 1 for end in ends})


def filter_raw_lines(buffer: Buffer, starts: list[int], objects: set[bytes]) -> Iterator[CommitDiff]:
    """filter_raw_log() of a whole log in `buffer`, reading only the lines that start at `starts` (every
    line naming one of `objects`: lines_naming()) and the headers of their commits."""
    mark = b"\n" + MARK.encode()
    at = -1  # where the header of `current` starts
    current: CommitDiff | None = None
    for start in starts:
        end = buffer.find(b"\n", start)
        line = bytes(buffer[start : end + 1 if end >= 0 else len(buffer)])
        if not _names(line, objects):
            continue
        after = buffer.rfind(mark, 0, start)  # the newline before the header's MARK
        header = after + 1 if after >= 0 else (0 if buffer[:1] == mark[1:] else -1)  # -1: no header
        if header != at or current is None:
            if current is not None:
                yield current
            at = header
            text = b"" if header < 0 else bytes(buffer[header : buffer.find(b"\n", header)])
            current = CommitDiff(parse_commit(text[1:].rstrip(b"\r\n").decode("utf-8", "replace")))
        current.changes.append(_raw(line.rstrip(b"\n")))
    if current is not None:
        yield current


def _names(line: bytes, objects: set[bytes]) -> bool:
    """Whether `line` is a raw line naming one of `objects` as its old or new blob."""
    return line[:1] == b":" and (line[15:55] in objects or line[56:96] in objects or _odd(line, objects))


def _odd(line: bytes, objects: set[bytes]) -> bool:
    """Slow path for a raw line whose fields are not where 6-digit modes and SHA-1 ids put them (a mode of
    another width; a SHA-256 repository's 64-digit ids)."""
    if line[7:8] == b" " and line[14:15] == b" " and line[55:56] == b" ":
        return False
    old_and_new = line.partition(b"\t")[0].split(b" ")[2:4]
    return any(oid in objects for oid in old_and_new)


def _patch_path(line: bytes) -> str | None:
    name = line[4:]
    if name.endswith(b"\t"):  # git appends a tab when the name has a space (for GNU patch)
        name = name[:-1]
    if name == b"/dev/null":
        return None
    return unquote(name)[2:]  # drop "b/"


def _hunk(line: bytes) -> tuple[int, int]:
    new = line.split(b" ")[2]  # "@@ -a,b +c,d @@"
    first, _, count = new[1:].partition(b",")
    return int(first), int(count) if count else 1


def parse_diffs(out: bytes) -> Iterator[CommitDiff]:
    """Parse `--raw -p -U0` output (several commits when headers start with MARK) into CommitDiffs."""
    current = CommitDiff(None)
    path: str | None = None
    header = False  # between "diff --git" and the first hunk: where "+++ b/path" names the file
    for line in out.split(b"\n"):
        if line.startswith(MARK.encode()):
            if current.commit is not None or current.changes:
                yield current
            current, path, header = CommitDiff(parse_commit(line[1:].decode("utf-8", "replace"))), None, False
        elif line.startswith(b":"):  # raw lines; patch content lines always start with "+", "-", " " or "\\"
            current.changes.append(_raw(line))
        elif line.startswith(b"diff --git "):
            path, header = None, True
        elif header and line.startswith(b"+++ "):
            path, header = _patch_path(line), False
        elif line.startswith(b"@@ ") and path is not None:
            first, count = _hunk(line)
            if count:
                current.added.setdefault(path, []).append((first, count))
    if current.commit is not None or current.changes:
        yield current


_GITLINK = b"160000"  # a submodule's commit: not a blob of this repository


def raw_additions(chunk: bytes) -> Iterator[tuple[str, bytes]]:
    """(blob id, quoted path) of each `log --raw` line in `chunk` that adds or changes a blob: not a
    deletion, not a submodule. The path stays quoted: most ids were seen before, and unquote() is dearer."""
    for line in chunk.split(b"\n"):
        if line[:1] != b":":
            continue
        meta, _, quoted = line.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) < 5 or fields[4][:1] == b"D" or fields[1] == _GITLINK:
            continue
        yield fields[3].decode(), quoted
