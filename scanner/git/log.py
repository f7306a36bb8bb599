"""Listings and walks of a history: commit messages, blobs, trees, staged and range diffs, the `log --raw`
walk the audit streams (BlobLog) and the head's first-parent chain."""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import GitError
from scanner.git.objects import ObjectReader
from scanner.git.parse import (
    COMMIT_FORMAT,
    MARK,
    CommitDiff,
    filter_raw_lines,
    filter_raw_log,
    lines_naming,
    parse_commit,
    parse_diffs,
)
from scanner.git.run import WALK_MEMORY, Running, run
from scanner.model import Commit

_CHUNK = 1 << 16
_DIFF_OPTS = ("--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")


def start_commit_messages(repo: Path, revs: Sequence[str]) -> Running:
    """Start listing every commit of `revs` with its full message: read it with commit_messages()."""
    return Running(repo, "log", "-z", f"--format={COMMIT_FORMAT}%x1f%B", *revs, "--")


def commit_messages(listing: Running) -> Iterator[tuple[Commit, bytes]]:
    """Every commit of a listing (newest first) with its full message."""
    for header, message in commit_records(listing):
        yield commit_of(header), message


CommitRecord = tuple[bytes, bytes]  # a commit's header (COMMIT_FORMAT, read by commit_of()) and message


def commit_records(listing: Running) -> list[CommitRecord]:
    """Every commit of a listing (newest first) with its full message, the commit left unparsed: an audit
    needs the Commit of the few whose message it reports (numpy's 75,182: 0.3 s to parse them all)."""
    records = []
    for record in listing.output().split(b"\0"):
        if record:  # the message may hold the separator; the first five fields cannot
            message = record.split(b"\x1f", 5)[-1]
            records.append((record[: len(record) - len(message) - 1], message))
    return records


def commit_of(header: bytes) -> Commit:
    return parse_commit(header.decode("utf-8", "replace"))


_TAG_FIELDS = "%(objecttype)%1f%(objectname)%1f%(taggername)%1f%(taggeremail:trim)%1f%(taggerdate:iso-strict)"
_TAG_ARGS = ("for-each-ref", f"--format={_TAG_FIELDS}%1f%(subject)%1f%(contents)%00", "refs/tags")


def start_tag_messages(repo: Path) -> Running:
    """Start listing every annotated tag's message (its object id, tagger and first line standing as the
    commit): a tag message is committed text as much as a commit message is (issue 14 §6). Read it with
    tag_messages_of()."""
    return Running(repo, *_TAG_ARGS)


def tag_messages_of(listing: Running) -> list[tuple[Commit, bytes]]:
    found = []
    for record in listing.output().split(b"\0"):
        parts = record.lstrip(b"\n").split(b"\x1f", 6)
        if len(parts) == 7 and parts[0] == b"tag":
            sha, tagger, email, date, subject = (p.decode("utf-8", "replace") for p in parts[1:6])
            found.append((Commit(sha, tagger, email, date, subject), parts[6]))
    return found


def list_blobs(repo: Path, revs: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(blob id, path) for every path at which a blob sits in a commit of `revs`, each pair once, a blob's
    pairs in walk order; and the ids of trees found missing or unreadable (reported, never fatal:
    PERF-NOTES §5). Every path, not one per blob (`rev-list --objects` names a blob once, and cuts a name
    at a newline): a copy at an allowlisted or excluded path must not hide the others (issue 14 §1, §2)."""
    out = run(repo, "rev-list", "--no-commit-header", "--format=%T", *revs, "--", config=WALK_MEMORY)
    level = list(dict.fromkeys((tree, b"") for tree in out.decode().split()))
    seen = set(level)
    pairs: dict[tuple[str, bytes], None] = {}
    missing: list[str] = []
    reader = ObjectReader(repo)
    while level:  # breadth first: one cat-file per depth, each (tree, folder) read once
        folders: dict[str, list[bytes]] = {}
        for tree, prefix in level:
            folders.setdefault(tree, []).append(prefix)
        below: list[tuple[str, bytes]] = []
        for info, data in reader.contents(list(folders), max_bytes=1 << 62):
            if data is None or info.kind != "tree":
                missing.append(info.oid)
                continue
            for mode, name, oid in _tree_entries(data, len(info.oid) // 2):
                for prefix in folders[info.oid]:
                    if mode == b"40000":
                        key = (oid, prefix + name + b"/")
                        if key not in seen:
                            seen.add(key)
                            below.append(key)
                    elif mode != b"160000":  # a gitlink names another repository's commit
                        pairs[(oid, prefix + name)] = None
        level = below
    return [(oid, path.decode("utf-8", "surrogateescape")) for oid, path in pairs], missing


def _tree_entries(data: bytes, raw: int) -> Iterator[tuple[bytes, bytes, str]]:
    """(mode, name, object id) of each entry of a tree object: `mode SP name NUL id`, the id `raw` bytes."""
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        yield data[at:space], data[space + 1 : nul], data[nul + 1 : nul + 1 + raw].hex()
        at = nul + 1 + raw


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str
    kind: str  # blob | tree | commit (a submodule gitlink)
    oid: str
    path: str


Counted = list[tuple[str, int, str]]  # (blob id, size, a path or "") of each blob counted


class BlobCensus:
    """The blobs an audit of `revs` will go by, and their sizes, counted beside a streamed audit: the totals
    of its progress. Exact: the blobs reachable from `revs` (`rev-list --objects` names them, one `cat-file
    --batch-check` sizes them; neither reads a blob), which takes a walk of every tree: seconds of CPU on a
    long history, a minute of waiting on a busy machine. So with `whole_database` a first count comes from
    the object database in a moment (~1 µs an object), every blob in it: a bound (unreachable objects,
    refs not audited), within 1 % of the reachable blobs in a fresh clone of every ref."""

    def __init__(self, repo: Path, revs: Sequence[str], *, whole_database: bool = False) -> None:
        self.final = False  # the last count returned was the exact one
        self._repo = repo
        self._revs = list(revs)
        self._database: Running | None = None
        self._listing: Running | None = None
        self._sizing: Running | None = None
        # With the database's bound at hand, the exact count only refines it (by 1 % in a fresh clone), at the
        # cost of a walk of every tree (numpy: 3.2 s of CPU, a tenth of the audit's): it runs on the cores
        # the audit leaves idle, and is dropped if the audit ends first.
        self._refining = whole_database
        if whole_database:
            check = "--batch-check=%(objecttype) %(objectname) %(objectsize)"
            self._database = Running(repo, "cat-file", "--batch-all-objects", "--unordered", check)
        else:
            self._list()

    def _list(self) -> None:
        self._listing = Running(
            self._repo,
            "rev-list", "--objects", "--filter=object:type=blob", "--filter-provided-objects",
            "--missing=allow-any", *self._revs, "--",
            config=WALK_MEMORY,
        )  # fmt: skip
        if self._refining:
            self._listing.yield_cores()

    def poll(self) -> Counted | None:
        """A count not returned before, once git has made it: the database's first (with
        `whole_database`), then the exact one (`final`; the database's is dropped if it comes later).
        None while git counts, after the exact count, or if git failed. Never blocks."""
        exact = self._exact()
        if exact is not None:
            self.close()
            self.final = True
            return exact
        if self._database is not None and self._database.ended():
            database, self._database = self._database, None
            self._list()  # the exact count next: after the quick one, not competing with it for a core
            try:
                out = database.output()
            except GitError:
                return None
            return [_blob_entry(line) for line in out.split(b"\n") if line.startswith(b"blob ")]
        return None

    def _exact(self) -> Counted | None:
        if self._listing is not None and self._listing.ended():
            listing, self._listing = self._listing, None
            if listing.failure() is None:
                listing.spool.seek(0)
                # %(rest): cat-file splits each "id path" line at the first space and echoes the path.
                check = "--batch-check=%(objectname) %(objectsize) %(rest)"
                self._sizing = Running(self._repo, "cat-file", check, stdin=listing.spool)
                if self._refining:
                    self._sizing.yield_cores()
            listing.close()
        if self._sizing is None or not self._sizing.ended():
            return None
        sizing, self._sizing = self._sizing, None
        try:
            return [_sized(line) for line in sizing.output().split(b"\n") if line]
        except GitError:
            return None

    def close(self) -> None:
        for running in (self._database, self._listing, self._sizing):
            if running is not None:
                running.close()
        self._database = self._listing = self._sizing = None


def _blob_entry(line: bytes) -> tuple[str, int, str]:
    _, oid, size = line.split(b" ")
    return oid.decode(), int(size), ""


def _sized(line: bytes) -> tuple[str, int, str]:
    oid, _, rest = line.partition(b" ")
    size, _, path = rest.partition(b" ")
    return oid.decode(), (int(size) if size.isdigit() else 0), path.decode("utf-8", "surrogateescape")


def start_tree(repo: Path, rev: str) -> Running:
    """Start listing the tree of `rev`: read it with tree_entries()."""
    return Running(repo, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev)


def tree(repo: Path, rev: str) -> list[TreeEntry]:
    """Every entry of the tree of `rev`, recursively."""
    return tree_entries(start_tree(repo, rev))


def tree_entries(listing: Running) -> list[TreeEntry]:
    out = listing.output()
    entries = []
    for record in out.split(b"\0"):
        if record:
            meta, path = record.split(b"\t", 1)
            mode, kind, oid = meta.decode().split(" ")
            entries.append(TreeEntry(mode, kind, oid, path.decode("utf-8", "surrogateescape")))
    return entries


def staged_diff(repo: Path, paths: Sequence[str] = ()) -> CommitDiff:
    """What the next commit adds: index versus HEAD (or the empty tree before the first commit). Given
    `paths` (the pre-commit framework passes only a renamed file's new path), the diff also reads the
    paths they were renamed or copied from, so git pairs them, then keeps only `paths` (issue 15 §1)."""
    return staged_patch(repo, paths)[0]


def staged_patch(repo: Path, paths: Sequence[str] = ()) -> tuple[CommitDiff, bytes]:
    """staged_diff, and the patch it was parsed from (`-U0`: its `+` lines are the lines added)."""
    wanted = list(paths)
    if wanted:
        wanted += _staged_sources(repo, set(wanted))
    out = run(
        repo,
        "diff", "--cached", "--raw", "-p", "-U0", "--no-abbrev", "-M", "-C", "--diff-filter=ACMRT",
        *_DIFF_OPTS, "--", *wanted,
    )  # fmt: skip
    diff = next(parse_diffs(out), CommitDiff(None))
    if paths:
        keep = set(paths)
        diff.changes = [c for c in diff.changes if c.path in keep]
        diff.added = {path: lines for path, lines in diff.added.items() if path in keep}
    return diff, out


def _staged_sources(repo: Path, paths: set[str]) -> list[str]:
    """The paths that staged renames and copies of `paths` come from (one raw diff, no contents)."""
    out = run(repo, "diff", "--cached", "--raw", "-z", "--no-abbrev", "-M", "-C", "--diff-filter=RC")
    fields = out.split(b"\0")
    sources = []
    for i in range(0, len(fields) - 2, 3):  # ":meta", source, target: each entry renames or copies
        source, target = (f.decode("utf-8", "surrogateescape") for f in fields[i + 1 : i + 3])
        if target in paths and source not in paths:
            sources.append(source)
    return sources


def range_diffs(repo: Path, revs: Sequence[str]) -> list[CommitDiff]:
    """Per commit of `revs`, oldest first: changed files and the lines each commit adds; a renamed or
    copied file adds only the lines it changes."""
    out = run(
        repo,
        "log", "--reverse", f"--format={MARK}{COMMIT_FORMAT}", "--raw", "-p", "-U0", "--no-abbrev",
        "--root", "-M", "-C", "--diff-filter=ACMRT", *_DIFF_OPTS, *revs, "--",
    )  # fmt: skip
    return list(parse_diffs(out))


class BlobLog:
    """`git log --raw` over `revs`: per commit, newest first, which blobs its diff adds and removes (no
    patches, so no file contents are read). Renames show as delete + add. A merge shows its diff against its
    first parent only: every blob of a merge is in a parent (and so added by a commit before it) or new in
    the merge, and then in that diff too. Diffs against every parent (-m) cost 2.2 x the lines and 1.5 x the
    time on a history of pull requests (4,545 merges), for nothing new.

    Started as soon as it is known to be likely needed, with its output spooled to a temporary file: the walk
    runs on another core while this process scans, and costs no wall time of its own (issue 6). `diffs()`
    later keeps the commits that touch the blobs asked for. A `piped` walk is also read as it runs
    (`chunks()`): the history audit learns from it which blobs to read, so one walk serves both.

    Newest first, because git stores a file's older versions as deltas of its newer ones: blobs asked for in
    that order find their bases in git's cache. Oldest first, git read the blobs of a history of large,
    often edited files (850 MB) in 1.62 s instead of 0.75 s; on histories of small files the two orders are
    within 15% of each other. It also lets git write its first commit at once, where --reverse makes it
    list every commit first.
    """

    def __init__(
        self, repo: Path, revs: Sequence[str], *, first_parent: bool = False, piped: bool = False
    ) -> None:
        walk = ["--first-parent"] if first_parent else ["--diff-merges=first-parent"]
        self._run: Running | None = Running(
            repo,
            "log", f"--format={MARK}{COMMIT_FORMAT}", "--raw", "--no-abbrev", "--no-renames",
            "--root", "--no-relative", *walk, *revs, "--",
            config=WALK_MEMORY,
            piped=piped,
        )  # fmt: skip
        self._unread = piped  # piped output not yet copied to the spool

    def chunks(self) -> Iterator[bytes]:
        """A piped walk's output as git writes it, in chunks of whole lines, each kept for diffs(). Read it
        once, to the end, before diffs()."""
        assert self._run is not None, "chunks() after close()"
        pipe, spool, rest = self._run.pipe, self._run.spool, b""
        while chunk := pipe.read1(_CHUNK):
            spool.write(chunk)
            cut = chunk.rfind(b"\n") + 1
            if cut:
                yield rest + chunk[:cut]
                rest = chunk[cut:]
            else:
                rest += chunk
        if rest:
            yield rest
        self._unread = False

    def failure(self) -> str | None:
        """Once the walk has ended: git's message if it failed, else None."""
        assert self._run is not None, "failure() after close()"
        if self._unread:
            for _ in self.chunks():
                pass
        return self._run.failure()

    def diffs(self, objects: Iterable[str], partial: bool = False) -> list[CommitDiff]:
        """The commits whose diff adds or removes one of `objects`, oldest first, each with only those
        changes. If git failed part way: a GitError, or with `partial`, what it walked before."""
        message = self.failure()
        if message is not None and not partial:
            raise GitError(f"git log failed: {message}")
        assert self._run is not None
        spool, wanted = self._run.spool, {oid.encode() for oid in objects}
        spool.flush()
        if os.fstat(spool.fileno()).st_size:  # mapped, not read: the log of a long history is large
            with mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ) as log:
                starts = lines_naming(log, wanted)
                if starts is not None:
                    return list(filter_raw_lines(log, starts, wanted))[::-1]
        spool.seek(0)
        return list(filter_raw_log(spool, wanted))[::-1]

    def close(self) -> None:
        """Stop the walk if it still runs (nothing was found to trace) and drop its output."""
        if self._run is not None:
            self._run.close()
            self._run = None

    def __enter__(self) -> BlobLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def blob_log(
    repo: Path, revs: Sequence[str], objects: Iterable[str], *, first_parent: bool = False
) -> list[CommitDiff]:
    """BlobLog, run now: oldest first, the commits of `revs` whose diff touches one of `objects`."""
    with BlobLog(repo, revs, first_parent=first_parent) as log:
        return log.diffs(objects)


def start_ancestry_path(repo: Path, start: str, head: str) -> Running:
    """Start listing the commits that descend from `start` and lead to `head` (start excluded): read them
    with `.output().decode().split()`."""
    return Running(repo, "rev-list", "--ancestry-path", f"{start}..{head}", "--")


def start_first_parent_chain(repo: Path, head: str) -> Running:
    """Start listing HEAD's first-parent chain: read it with first_parent_chain()."""
    return Running(repo, "rev-list", "--first-parent", "--reverse", head, "--")


def first_parent_chain(listing: Running) -> dict[str, int]:
    """HEAD's first-parent chain: commit -> position, oldest first."""
    return {sha: i for i, sha in enumerate(listing.output().decode().split())}
