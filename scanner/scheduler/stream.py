"""The history audit's blobs, read and scanned where they are scanned (issue 6).

The walk (a piped `git log --raw`, newest commit first) names each blob as the last commit that adds it goes
by (sources/history.py turns it into batches of blob ids). Whoever scans a batch reads it from a `git
cat-file --batch` of its own: this process and, once the audit proves long, worker processes. So blob contents
cross one pipe, from git to the process that scans them, and are never pickled between processes (a pool fed
with contents spent 0.6 s of CPU in pickling on a 110 MB history). This process asks for its next batch before
scanning the current one, so git reads while Python scans.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from scanner import git
from scanner.engine import Engine
from scanner.git.objects import BatchReader
from scanner.model import ScanResult
from scanner.scheduler import pool
from scanner.scheduler.blobs import Progress, ScanOptions, cleared_by_matcher, scan_blobs
from scanner.scheduler.lanes import OURS, THEIRS, Lanes
from scanner.scheduler.pool import default_jobs
from scanner.scheduler.work import Named, Read, Verdict, reads, scan_named
from scanner.sources import history
from scanner.sources.history import Plan, binary, oversized

if TYPE_CHECKING:
    import concurrent.futures as cf

# Workers join once this process has scanned this much: a pool pays on a long audit, where this process alone
# is the bottleneck (a 850 MB history: 2.81 -> 2.56 s on 2 cores), not on a short one, where git and this
# process already fill the cores and the pool's start and hand-offs are a loss (110 MB: 0.68 -> 0.76 s, with
# workers from the start). After 128 MB, requests' history (284 MB) was half over before they joined; after
# 32 MB, its audit took 2.4-2.6 s instead of 2.7-3.4 s, for no more CPU.
POOL_AFTER = 32 * 1024 * 1024
# Once shared, blobs are dealt in batches of this many (the walk's own end with each chunk of its output, and
# are about as small): a worker's last batches are what the audit waits for at its end. A side short of work
# takes over the other's oldest blobs once this many wait for the other: a bound on the names held, loose
# enough that folders rarely change sides.
LANE_BATCH = BatchReader.MAX_BATCH // 4
LANE_BACKLOG = 32 * LANE_BATCH


def scan_history(
    engine: Engine,
    work: Plan,
    result: ScanResult,
    options: ScanOptions,
    walk: git.BlobLog | None = None,
    progress: Progress | None = None,
) -> None:
    """Scan a plan's commit messages and blobs. A streamed plan reads the blobs `walk` names (attribution's
    piped walk over `work.revs`; else a walk of its own)."""
    if not work.tips:
        scan_blobs(engine, history.blobs(work, result), result, options, progress)
    else:
        with _Workers(engine, work, options) as workers:
            if work.listed:
                _listed(engine, work, result, options, progress, workers)
            else:
                _stream(engine, work, result, options, walk, progress, workers)
    history.note_submodules(work, result)


class _Workers:
    """An audit's worker pool: started once the audit proves long (POOL_AFTER), then kept to its end, so the
    messages are scanned beside it rather than by a second pool forked at the end (numpy: two more
    processes of 150 MB each, at the audit's peak of memory)."""

    def __init__(self, engine: Engine, work: Plan, options: ScanOptions) -> None:
        self.engine, self.work, self.explain = engine, work, options.explain
        self.count = (options.jobs or default_jobs()) - 1
        self.executor: cf.ProcessPoolExecutor | None = None
        self._stack = ExitStack()

    def start(self, fork_ok: bool) -> cf.ProcessPoolExecutor:
        if self.executor is None:
            # What exists now (the engine, the plan) lives as long as the audit: frozen, the collector never
            # walks it again, here or in a forked worker (whose pages of it then stay shared with ours).
            gc.freeze()
            self._stack.callback(gc.unfreeze)
            started = pool.start(
                self.engine,
                self.explain,
                self.count,
                repo=self.work.repo,
                max_bytes=self.work.max_bytes,
                fork_ok=fork_ok,
            )
            self.executor = self._stack.enter_context(started)
        return self.executor

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)


def _stream(
    engine: Engine,
    work: Plan,
    result: ScanResult,
    options: ScanOptions,
    walk: git.BlobLog | None,
    progress: Progress | None,
    workers: _Workers,
) -> None:
    seen: set[str] = set()  # blob ids named (read or left out), then message ids
    cache = options.cache
    known_clean = cache.clean_among if cache is not None and cache.warm else None
    with ExitStack() as own:
        log = walk or own.enter_context(git.BlobLog(work.repo, work.revs, piped=True))
        copies: history.Copies = {}
        dependent: dict[str, str] = {}
        named = history.named_blobs(work, log, seen, known_clean, progress, copies)
        scan_batches(engine, work, named, result, options, progress, dependent, workers)
        failure = log.failure()
    _after_blobs(engine, work, result, options, progress, seen, copies, dependent, workers)
    if failure is not None:
        result.errors.append(f"git log stopped part way ({failure}); the blobs it left out were listed")
        scan_blobs(engine, history.unread(work, result, seen), result, options, progress)
    # Messages last: git listed them while the blobs were read.
    messages = history.messages(work, seen, cleared_by_matcher(engine, result, progress))
    scan_blobs(engine, messages, result, options, progress, workers.executor, workers.count)


def _listed(
    engine: Engine,
    work: Plan,
    result: ScanResult,
    options: ScanOptions,
    progress: Progress | None,
    workers: _Workers,
) -> None:
    """A listed plan: its blobs, then as a stream does, the copies whose verdict depended on the path, the
    blobs refs point at, and the messages."""
    seen = {oid for oid, _ in work.blobs}
    dependent: dict[str, str] = {}
    listed = history.listed_batches(work)
    scan_batches(engine, work, listed, result, options, progress, dependent, workers)
    _after_blobs(engine, work, result, options, progress, seen, {}, dependent, workers)
    messages = history.messages(work, seen, cleared_by_matcher(engine, result, progress))
    scan_blobs(engine, messages, result, options, progress, workers.executor, workers.count)


def _after_blobs(
    engine: Engine,
    work: Plan,
    result: ScanResult,
    options: ScanOptions,
    progress: Progress | None,
    seen: set[str],
    copies: history.Copies,
    dependent: dict[str, str],
    workers: _Workers,
) -> None:
    """What an audit reads once the walk's or the listing's blobs are scanned."""
    # A verdict the path took part in (a path allowlist) holds for that path only: the blob's other paths
    # are scanned too, or an allowlisted copy would hide the same secret elsewhere (issue 14 §2).
    again = history.copies_to_rescan(work, copies, dependent)
    size = BatchReader.MAX_BATCH
    batches = (again[i : i + size] for i in range(0, len(again), size))
    scan_batches(engine, work, batches, result, options, workers=workers)
    if "--all" in work.tips:
        scan_batches(engine, work, history.tagged(work, seen), result, options, progress, workers=workers)


def scan_batches(
    engine: Engine,
    work: Plan,
    batches: Iterator[list[Named]],
    result: ScanResult,
    options: ScanOptions,
    progress: Progress | None = None,
    dependent: dict[str, str] | None = None,
    workers: _Workers | None = None,
) -> None:
    """Read and scan every named blob; record findings, drops, skips and errors in `result`, and in
    `dependent` the path of each blob whose verdict depended on it."""
    with ExitStack() as own:
        workers = workers or own.enter_context(_Workers(engine, work, options))
        for read in _shared(engine, work, batches, workers, options):
            _record(result, options, work, read)
            if dependent is not None and read.outcome is not None and read.outcome.path_dependent:
                dependent[read.oid] = read.path
            if progress is not None:
                progress(1, read.size)
    if options.cache is not None:
        options.cache.flush()


def _record(result: ScanResult, options: ScanOptions, work: Plan, read: Read) -> None:
    if read.status == "missing":
        result.errors.append(f"blob {read.oid} ({read.path}) is missing or corrupt; not scanned")
    elif read.status == "oversized":
        result.skipped.append(oversized(read.path, read.oid, work.max_bytes))
    elif read.status == "binary":
        result.skipped.append(binary(read.path, read.oid))
    elif read.outcome is not None and read.outcome.error:
        result.errors.append(f"{read.path}: not scanned: {read.outcome.error}")
    else:
        result.blobs_scanned += 1
        result.bytes_scanned += read.size
        if read.outcome is not None:
            result.errors.extend(read.outcome.rule_errors)
            if read.outcome.path_allowlisted:
                result.path_bound.add(read.oid)
            result.findings.extend(read.outcome.findings)
            result.dropped.extend(read.outcome.dropped)
        elif options.cache is not None:
            options.cache.mark_clean(read.oid)


class _Local:
    """A batch this process scans: its place in the order of results, filled once scanned."""

    __slots__ = ("batch", "reads")

    def __init__(self, batch: list[Named]) -> None:
        self.batch = batch
        self.reads: list[Read] | None = None


class _Remote:
    """A batch a worker scans: its place in the order of results, and its future once handed out."""

    __slots__ = ("batch", "future")

    def __init__(self, batch: list[Named]) -> None:
        self.batch = batch
        self.future: cf.Future[list[Verdict]] | None = None

    def done(self) -> bool:
        return self.future is not None and self.future.done()


class _Sharing:
    """Hands out a stream of batches: to the workers while they have room, else to this process; once shared,
    the blobs of each folder to one side, so each side's git finds the bases of its deltas (lanes.py).

    Workers get a batch whenever one of theirs is done, checked between two blobs this process scans (not
    only between two of its batches: a worker that finishes while this process scans a batch of large blobs
    would wait for work). This process keeps one batch asked of its git beyond the one it scans, so git
    reads while Python scans; so does a lone worker (`ahead`): each batch handed to it names the one it
    gets next (with several workers, which one takes a batch is not known). Results come in batch order."""

    def __init__(self, batches: Iterator[list[Named]], reader: BatchReader, room: int, ahead: bool) -> None:
        self.lanes = Lanes(batches, LANE_BATCH, LANE_BACKLOG)
        self.reader = reader
        self.room = room  # batches the workers may hold
        self.ahead = ahead
        self.workers: cf.ProcessPoolExecutor | None = None
        self.slots: deque[_Local | _Remote] = deque()  # every batch not yet reported, in order
        self.local: deque[_Local] = deque()  # asked of our git, not scanned yet
        self.running: list[cf.Future[list[Verdict]]] = []  # batches in workers
        self.held: _Remote | None = None  # the workers' next batch, named to the last one handed out

    def start(self, workers: cf.ProcessPoolExecutor) -> None:
        """Share the rest of the stream with `workers`, each folder read by one side (lanes.py)."""
        self.workers = workers
        self.lanes.split()

    def _remote(self) -> _Remote | None:
        batch = self.lanes.take(THEIRS)
        if batch is None:
            return None
        remote = _Remote(batch)
        self.slots.append(remote)
        return remote

    def feed_workers(self) -> None:
        """Give the workers batches while they have room."""
        if self.workers is None:
            return
        self.running = [future for future in self.running if not future.done()]
        while len(self.running) < self.room and (remote := self.held or self._remote()) is not None:
            self.held = self._remote() if self.ahead else None
            self._hand(remote)

    def _hand(self, remote: _Remote) -> None:
        assert self.workers is not None
        ahead = self.held.batch if self.held is not None else None
        remote.future = self.workers.submit(pool.read_and_scan, remote.batch, ahead)
        self.running.append(remote.future)

    def next_local(self) -> _Local | None:
        """The next batch this process scans, with the one after it asked of our git already."""
        while len(self.local) < 2 and (batch := self.lanes.take(OURS)) is not None:
            self.reader.ask([oid for oid, _ in batch])
            self.local.append(_Local(batch))
            self.slots.append(self.local[-1])
        return self.local.popleft() if self.local else None

    def ready(self) -> Iterator[Read]:
        """The reads of the batches done, in order."""
        slots = self.slots
        while slots and (slots[0].reads is not None if isinstance(slots[0], _Local) else slots[0].done()):
            yield from self._reads(slots.popleft())

    def rest(self) -> Iterator[Read]:
        """Once every batch is handed out: the reads of all that are left, waiting for the workers."""
        if self.held is not None:
            remote, self.held = self.held, None
            self._hand(remote)
        while self.slots:
            yield from self._reads(self.slots.popleft())

    @staticmethod
    def _reads(slot: _Local | _Remote) -> list[Read]:
        if isinstance(slot, _Local):
            assert slot.reads is not None
            return slot.reads
        assert slot.future is not None
        return reads(slot.batch, slot.future.result())


def _shared(
    engine: Engine, work: Plan, batches: Iterator[list[Named]], workers: _Workers, options: ScanOptions
) -> Iterator[Read]:
    """This process scans batches itself and, once the stream proves long (POOL_AFTER), shares them with
    the audit's worker processes (_Sharing): the work balances itself, whatever share of the cores git
    takes."""
    with BatchReader(work.repo, work.max_bytes) as reader:
        sharing = _Sharing(batches, reader, 2 * workers.count, ahead=workers.count == 1)
        if workers.executor is not None:
            sharing.start(workers.executor)
        scanned = 0
        while (local := sharing.next_local()) is not None:
            reads = []
            for read in scan_named(engine, options.explain, local.batch, reader.answers()):
                reads.append(read)
                scanned += read.size
                if sharing.workers is None and workers.count and scanned >= POOL_AFTER:
                    sharing.start(workers.start(fork_ok=not reader.threaded))
                sharing.feed_workers()
            local.reads = reads
            yield from sharing.ready()
        yield from sharing.rest()
