"""Full-history audit source: every blob reachable from the requested refs, read once and scanned once.

Enumeration never reads a diff's contents (PERF-NOTES §1). By default, the one `git log --raw` walk that
attribution needs anyway names each blob as the commit that adds it goes by (named_blobs(), tagged()), and
the scheduler's `cat-file --batch` reads it at once (scheduler/stream.py): contents flow from the first
moment, with no wait for a full listing. When --since/--max-commits cut the history, the plan instead lists
the blobs (`rev-list --objects`: what the commits hold, not just what they change) and sizes them first (one
`cat-file --batch-check` pass). Commit messages are scanned too. Only after the scan are the few blobs with
findings traced to the commit that introduced them (filters/attribution.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scanner import git
from scanner.errors import GitError, UsageError
from scanner.git.objects import BatchReader, ObjectReader
from scanner.git.parse import raw_additions, unquote
from scanner.model import Blob, Commit, Origin, ScanResult, Skipped, blob_id
from scanner.sources import DEFAULT_MAX_BYTES
from scanner.sources.common import PathTest, never, text_of

Named = tuple[str, str]  # (blob id, path)
KnownClean = Callable[[list[str]], set[str]]  # blob ids -> those a result cache knows clean
Progress = Callable[[int, int], None]  # (blobs, bytes) just done
# Blob id -> the (quoted) paths at which the walk named it again. Tuples, not sets: most blobs come again (at
# the same path, in a merge's diff), and a set is one more object for the collector to walk at every full
# collection for the rest of the audit, where a tuple of bytes drops out of its sight once first collected.
Copies = dict[str, tuple[bytes, ...]]

MESSAGE_PATH = "(commit message)"
TAG_PATH = "(tag message)"


@dataclass(frozen=True, slots=True)
class HistoryOptions:
    branches: tuple[str, ...] = ()  # empty: every ref, plus every stash entry
    since: str | None = None  # a date, or a revision whose history is excluded
    max_commits: int | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    exclude: tuple[str, ...] = ()  # commits whose history is left out (a fleet's incremental audit)


@dataclass(slots=True)
class Plan:
    """What one audit will read, worked out before any content is read."""

    repo: Path
    tips: list[str] = field(default_factory=list)  # positive revisions: --all and stashes, or branches
    limits: list[str] = field(default_factory=list)  # --since / ^REV / --max-count
    head: str | None = None  # where "still present" is judged: HEAD, or the first --branch
    records: list[git.CommitRecord] = field(default_factory=list)  # each commit and message, oldest first
    listed: bool = False  # blobs listed and sized up front; else streamed (and `blobs` stays empty)
    blobs: list[tuple[str, str]] = field(default_factory=list)  # (blob id, path) to read
    copies: dict[str, list[str]] = field(default_factory=dict)  # listed blob id -> its other paths
    unique_messages: int = 0  # distinct non-empty messages: what the scan will read besides blobs
    total_bytes: int = 0  # of the unique messages and listed blobs
    max_bytes: int = DEFAULT_MAX_BYTES
    skip: PathTest = never

    ages: dict[str, int] = field(default_factory=dict)  # commit sha -> position, oldest first
    # The walk of the history that names the blobs as it goes and attribution reads (started by plan() when
    # asked; start_walks() takes it over).
    walk: git.BlobLog | None = None
    # Listings git makes while the scan runs (start_listings()), read when first needed (load(), head_tree(),
    # first_parents(), tags(), tagged_blobs()).
    listings_started: bool = False
    commit_listing: git.Running | None = None
    head_entries: git.Later[list[git.TreeEntry]] | None = None
    chain: git.Later[dict[str, int]] | None = None
    # An audit of every ref: the refs that name a blob or tree (refs()), and the annotated tags' messages.
    pointed: list[git.Pointed] = field(default_factory=list)
    tag_listing: git.Later[list[tuple[Commit, bytes]]] | None = None

    @property
    def revs(self) -> list[str]:
        return self.tips + self.limits

    @property
    def loaded(self) -> bool:
        """Whether the commit listing is read (load())."""
        return self.listings_started and self.commit_listing is None

    def start_listings(self) -> None:
        """Start git listing the commits, the head's tree and first-parent chain and, in an audit of every
        ref, what refs name besides commits (once). A streamed audit starts them once the walk has said its
        first words: run beside it from the start, they took the cores it needs to say them (numpy's 20,714
        refs: 0.5 -> 0.9 s before the first blob is named)."""
        if self.listings_started or not self.tips:
            return
        self.listings_started = True
        repo = self.repo
        self.commit_listing = git.start_commit_messages(repo, self.revs)
        if self.head:
            self.head_entries = git.Later(git.start_tree(repo, self.head), git.tree_entries)
            self.chain = git.Later(git.start_first_parent_chain(repo, self.head), git.first_parent_chain)
        if "--all" in self.tips:
            self.tag_listing = git.Later(git.start_tag_messages(repo), git.tag_messages_of)

    def load(self) -> None:
        """Read the commit listing (once): messages, ages, unique message count."""
        self.start_listings()
        if self.commit_listing is None:
            return
        listing, self.commit_listing = self.commit_listing, None
        self.records = git.commit_records(listing)[::-1]
        self.ages = {header.partition(b"\x1f")[0].decode(): i for i, (header, _) in enumerate(self.records)}
        unique = {message for _, message in self.records if message.strip()}
        self.unique_messages = len(unique)
        self.total_bytes += sum(map(len, unique))

    def head_tree(self) -> list[git.TreeEntry]:
        """Every entry of the head's tree (empty without a head)."""
        self.start_listings()
        return self.head_entries.get() if self.head_entries is not None else []

    def first_parents(self) -> dict[str, int]:
        """The head's first-parent chain: commit -> position, oldest first (empty without a head)."""
        self.start_listings()
        return self.chain.get() if self.chain is not None else {}

    def tags(self) -> list[tuple[Commit, bytes]]:
        """In an audit of every ref, each annotated tag with its message (else none)."""
        if "--all" not in self.tips:
            return []
        self.start_listings()
        return self.tag_listing.get() if self.tag_listing is not None else []

    def tagged_blobs(self) -> list[tuple[str, str]]:
        """In an audit of every ref, the blobs refs name without a commit (else none)."""
        if "--all" not in self.tips:
            return []
        return git.tagged_blobs(self.repo, self.pointed)

    def commit(self, sha: str) -> Commit | None:
        """The commit `sha` if the listing holds it (load() first)."""
        at = self.ages.get(sha)
        return None if at is None else git.commit_of(self.records[at][0])

    def age(self, sha: str) -> int:
        """Position of a commit in the audited history, oldest first (unknown commits sort last)."""
        self.load()
        return self.ages.get(sha, len(self.ages))


def plan(
    repo: Path,
    options: HistoryOptions,
    result: ScanResult,
    skip: PathTest = never,
    known_clean: Callable[[list[str]], set[str]] | None = None,
    *,
    listed: bool = False,
    walk: bool = False,
) -> Plan:
    """Select refs and start listing commits and the head's tree (read when needed: a streamed audit reads
    blobs meanwhile); with `listed`, also list and size the blobs (but `skip`ped paths and blobs
    `known_clean` from a result cache), and read the commits. With `walk`, a streamed plan also starts the
    walk that names its blobs (Plan.walk), and the other listings once that walk has named the first
    (start_listings()). Records warnings, skips and errors."""
    work = Plan(repo, max_bytes=options.max_bytes, skip=skip)
    if git.is_shallow(repo):
        result.warnings.append(
            "shallow clone: history is incomplete; commits before the shallow boundary were not scanned "
            "(run 'git fetch --unshallow' for a full audit)"
        )
    _limit(work, options)
    # A walk cut by --since/--max-commits names only what its commits change, while the audit reads all
    # they hold: such plans list their blobs (rev-list --objects) instead of streaming the walk's.
    listed = listed or bool(work.limits)
    streamed = walk and not listed
    _select(work, options, result, streamed)
    if not work.tips:
        return work  # an empty repository: nothing to scan is a clean scan
    if streamed and work.walk is None:
        work.walk = git.BlobLog(repo, work.revs, piped=True)
    if not streamed:
        work.start_listings()  # listing commits, the head's tree and the blobs: gits side by side
    if listed:
        _size(work, result, *git.list_blobs(repo, work.revs), known_clean)
        work.load()
    return work


def _size(
    work: Plan,
    result: ScanResult,
    listed: list[tuple[str, str]],
    missing: list[str],
    known_clean: Callable[[list[str]], set[str]] | None = None,
) -> None:
    """Keep the listed blobs to read: not skipped, not known clean, present, not oversized."""
    work.listed = True
    listed = [(oid, path) for oid, path in listed if not work.skip(path)]
    if known_clean is not None:  # clean in an earlier audit with the same rules: neither sized nor read
        clean = known_clean([oid for oid, _ in listed])
        listed = [(oid, path) for oid, path in listed if oid not in clean]
    result.errors.extend(f"object {oid} is missing or corrupt; not scanned" for oid in missing)
    paths: dict[str, str] = {}  # each blob is read once, at its first path; its other paths are copies
    for oid, path in listed:
        if oid in paths:
            work.copies.setdefault(oid, []).append(path)
        else:
            paths[oid] = path
    for info in ObjectReader(work.repo).infos(list(paths)):
        if info.kind == "missing":
            result.errors.append(f"blob {info.oid} ({paths[info.oid]}) is missing or corrupt; not scanned")
        elif info.size > work.max_bytes:
            result.skipped.append(oversized(paths[info.oid], info.oid, work.max_bytes))
        else:
            work.blobs.append((info.oid, paths[info.oid]))
            work.total_bytes += info.size


def oversized(path: str, oid: str, max_bytes: int) -> Skipped:
    return Skipped(f"{path}@{oid[:12]}", f"larger than {max_bytes} bytes")


def binary(path: str, oid: str) -> Skipped:
    return Skipped(f"{path}@{oid[:12]}", "binary")


def _select(work: Plan, options: HistoryOptions, result: ScanResult, walk: bool = False) -> None:
    """The tips and head to audit; with `walk`, the walk of every ref starts as soon as it can (Plan.walk)."""
    repo = work.repo
    if options.branches:
        for branch in options.branches:
            sha = git.resolve(repo, branch)
            if sha is None:
                raise GitError(f"no such branch or revision: {branch}")
            work.tips.append(sha)
        work.head = work.tips[0]
        return
    stashes = git.stash_commits(repo)
    # The walk reads every ref, as listing them does (numpy's 20,714: 0.45 s): it starts now, beside the
    # listing, which only serves to leave out broken refs; in the rare repository that has one, it starts
    # again without it.
    started = git.BlobLog(repo, ["--all", *stashes], piped=True) if walk else None
    try:
        refs, broken, work.pointed = git.refs(repo)
    except GitError:
        if started is not None:
            started.close()
        raise
    work.head = git.resolve(repo, "HEAD")
    for ref in broken:
        result.warnings.append(
            f"ref {ref} is broken (it names no object the repository holds): not audited; the other refs were"
        )
    if refs or work.head:
        # --exclude: a broken ref would end the walk of --all, and with it the audit of the good ones.
        work.tips = [*(f"--exclude={ref}" for ref in broken), "--all", *stashes]
    if started is not None and (broken or not work.tips):
        started.close()
        started = None
    work.walk = started


def _limit(work: Plan, options: HistoryOptions) -> None:
    """--since, the commits excluded, --max-commits."""
    repo = work.repo
    if options.since:
        since = git.resolve(repo, options.since)
        if since is None:
            _check_date(repo, options.since)
        work.limits.append(f"^{since}" if since else f"--since={options.since}")
    work.limits.extend(f"^{sha}" for sha in options.exclude)
    if options.max_commits is not None:
        work.limits.append(f"--max-count={options.max_commits}")


def _check_date(repo: Path, text: str) -> None:
    """A --since that names no revision must be a date: git reads anything it cannot parse as "now", and an
    audit of nothing would pass (issue 14 §5)."""
    out = git.run(repo, "rev-parse", f"--since={text}").decode().strip()
    stamp = out.rpartition("=")[2]
    guessed_now = stamp.isdigit() and abs(int(stamp) - time.time()) < 60
    if guessed_now and text.strip().lower() not in ("now", "today"):
        raise UsageError(f"--since {text!r}: neither a revision nor a date (2024-01-31, '2 weeks ago')")


def note_submodules(work: Plan, result: ScanResult) -> None:
    """Name each submodule at the head as skipped: its history is another repository's."""
    for entry in work.head_tree():
        if entry.mode == git.GITLINK_MODE:
            result.skipped.append(
                Skipped(entry.path, f"submodule (commit {entry.oid[:12]}); scan it separately")
            )


def messages(
    work: Plan, seen: set[str], needs_scan: Callable[[bytes], bool] = lambda _: True
) -> Iterator[Blob]:
    """Each distinct commit message, and in an audit of every ref each annotated tag's message, once (ids
    added to `seen`): those `needs_scan` keeps. What it declines (it has accounted for them) is never made a
    Blob, nor its commit parsed: most messages of a history (numpy's 65,000: 0.3 s)."""
    work.load()
    named: list[tuple[str, Commit | bytes, bytes]] = [(MESSAGE_PATH, h, m) for h, m in work.records]
    named += [(TAG_PATH, c, m) for c, m in work.tags()]
    for path, commit, message in named:
        if not message.strip():
            continue
        oid = blob_id(message)
        if oid not in seen:
            seen.add(oid)
            if needs_scan(message):
                made = commit if isinstance(commit, Commit) else git.commit_of(commit)
                yield Blob(oid, message, Origin(path, made, "commit-message"))


def blobs(work: Plan, result: ScanResult) -> Iterator[Blob]:
    """A listed plan's commit messages, then its blobs: each unique content yielded once."""
    seen: set[str] = set()
    yield from messages(work, seen)
    yield from _listed(work, result, seen)


def unread(work: Plan, result: ScanResult, seen: set[str]) -> Iterator[Blob]:
    """After a walk that failed part way: the blobs a listing finds that were not read yet."""
    listed, missing = git.list_blobs(work.repo, work.revs)
    _size(work, result, [(o, p) for o, p in listed if o not in seen], [o for o in missing if o not in seen])
    yield from _listed(work, result, seen)


def _listed(work: Plan, result: ScanResult, seen: set[str]) -> Iterator[Blob]:
    paths = dict(work.blobs)
    reader = ObjectReader(work.repo)
    for info, data in reader.contents([oid for oid, _ in work.blobs], max_bytes=1 << 62):
        path = paths[info.oid]
        if info.kind in ("tag", "commit", "tree"):
            continue  # `rev-list --objects` lists an annotated tag's object too: not content to read
        if data is None or info.kind != "blob":
            result.errors.append(f"blob {info.oid} ({path}) could not be read; not scanned")
        elif info.oid not in seen:
            seen.add(info.oid)
            yield from _blob(info.oid, path, data, result)


def _blob(oid: str, path: str, data: bytes, result: ScanResult) -> Iterator[Blob]:
    text = text_of(data)
    if text is None:
        result.skipped.append(binary(path, oid))
    else:
        yield Blob(oid, text, Origin(path, None, "blob", blob=oid))


def tagged(work: Plan, seen: set[str]) -> Iterator[list[Named]]:
    """Batches of the blobs refs point at without a commit (directly or through a tree): the walk of
    commits never meets them."""
    tagged = [(oid, path) for oid, path in work.tagged_blobs() if oid not in seen and not work.skip(path)]
    seen.update(oid for oid, _ in tagged)
    for start in range(0, len(tagged), BatchReader.MAX_BATCH):
        yield tagged[start : start + BatchReader.MAX_BATCH]


def named_blobs(
    work: Plan,
    walk: git.BlobLog,
    seen: set[str],
    known_clean: KnownClean | None = None,
    progress: Progress | None = None,
    copies: Copies | None = None,
) -> Iterator[list[Named]]:
    """Batches of the blobs `walk` adds, in walk order (newest first: the order git reads fastest; a blob is
    scanned at the path of the last commit that adds it): each blob once (ids in `seen`, blobs at skipped
    paths and blobs `known_clean` by a result cache left out, and counted as done on `progress`; a blob
    skipped at one path is still read when it comes again at another). The (quoted) paths at which a blob
    comes again go to `copies`: a verdict that depended on the path is made again at each of them."""
    batch: list[Named] = []
    for chunk in walk.chunks():
        work.start_listings()  # once the walk has said its first words (start_listings())
        for oid, quoted in raw_additions(chunk):
            if oid in seen:
                if copies is not None and quoted not in (known := copies.get(oid, ())):
                    copies[oid] = (*known, quoted)
                continue
            path = unquote(quoted)
            if work.skip(path):
                if progress is not None:
                    progress(1, 0)
                continue
            seen.add(oid)
            batch.append((oid, path))
            if len(batch) == BatchReader.MAX_BATCH:
                yield from _unknown(batch, known_clean, progress)
                batch = []
        if batch:  # a batch per chunk of the walk: git never waits for a batch to fill
            yield from _unknown(batch, known_clean, progress)
            batch = []


def copies_to_rescan(work: Plan, copies: Copies, scanned: dict[str, str]) -> list[Named]:
    """The other paths of each blob whose verdict at its `scanned` path depended on that path: those a walk
    saw (quoted, in `copies`) and those a listing found (in the plan)."""
    again = {(oid, unquote(quoted)) for oid in scanned for quoted in copies.get(oid, ())}
    again |= {(oid, path) for oid in scanned for path in work.copies.get(oid, ())}
    return sorted((oid, path) for oid, path in again if path != scanned[oid] and not work.skip(path))


def listed_batches(work: Plan) -> Iterator[list[Named]]:
    """A listed plan's blobs, in batches a reader takes."""
    size = BatchReader.MAX_BATCH
    for start in range(0, len(work.blobs), size):
        yield work.blobs[start : start + size]


def _unknown(
    batch: list[Named], known_clean: KnownClean | None, progress: Progress | None
) -> Iterator[list[Named]]:
    """The batch less what the result cache knows clean (one query), if anything is left."""
    if known_clean is not None:
        clean = known_clean([oid for oid, _ in batch])
        batch = [(oid, path) for oid, path in batch if oid not in clean]
        if clean and progress is not None:
            progress(len(clean), 0)
    if batch:
        yield batch
