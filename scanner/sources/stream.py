"""The history audit's blobs, read and scanned where they are scanned (issue 6).

The walk (a piped `git log --raw`, newest commit first) names each blob as the last commit that adds it goes
by; this process parses it and hands out batches of blob ids. Whoever scans a batch reads it from a `git
cat-file --batch` of its own: this process and, once the audit proves long, worker processes. So blob contents
cross one pipe, from git to the process that scans them, and are never pickled between processes (a pool fed
with contents spent 0.6 s of CPU in pickling on a 110 MB history). This process asks for its next batch before
scanning the current one, so git reads while Python scans.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from scanner import git
from scanner.engine import Engine, ScanOutcome
from scanner.git.objects import BatchReader, ObjectInfo
from scanner.git.parse import unquote
from scanner.model import Blob, Origin, ScanResult
from scanner.scan import Progress, ScanOptions, default_jobs, safe_scan, scan_blobs, worker_context
from scanner.sources import history
from scanner.sources.diff import is_binary
from scanner.sources.history import Plan, binary, oversized, pending_commit

if TYPE_CHECKING:
    import concurrent.futures as cf

Named = tuple[str, str]  # (blob id, path)
KnownClean = Callable[[list[str]], set[str]]  # blob ids -> those a result cache knows clean
_GITLINK = git.GITLINK_MODE.encode()  # a submodule's commit: not a blob of this repository
_DELETED = b"D"
# Workers join once this process has scanned this much: a pool pays on a long audit, where this process alone
# is the bottleneck (a 850 MB history: 2.81 -> 2.56 s on 2 cores), not on a short one, where git and this
# process already fill the cores and the pool's start and hand-offs are a loss (110 MB: 0.68 -> 0.76 s).
POOL_AFTER = 128 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Read:
    """What became of one named blob: scanned (outcome None when clean), or why not."""

    oid: str
    path: str
    status: Literal["scanned", "missing", "oversized", "binary"]
    size: int
    outcome: ScanOutcome | None = None


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
    if work.listed or not work.tips:
        scan_blobs(engine, history.blobs(work, result), result, options, progress)
    else:
        _stream(engine, work, result, options, walk, progress)
    history.note_submodules(work, result)


def _stream(
    engine: Engine,
    work: Plan,
    result: ScanResult,
    options: ScanOptions,
    walk: git.BlobLog | None,
    progress: Progress | None,
) -> None:
    seen: set[str] = set()  # blob ids named (read or left out), then message ids
    cache = options.cache
    known_clean = cache.clean_among if cache is not None and cache.warm else None
    with ExitStack() as own:
        log = walk or own.enter_context(git.BlobLog(work.repo, work.revs, piped=True))
        named = named_blobs(work, log, seen, known_clean, progress)
        scan_named(engine, work, named, result, options, progress)
        failure = log.failure()
    if "--all" in work.tips:
        scan_named(engine, work, _tagged(work, seen), result, options, progress)
    if failure is not None:
        result.errors.append(f"git log stopped part way ({failure}); the blobs it left out were listed")
        scan_blobs(engine, history.unread(work, result, seen), result, options, progress)
    # Messages last: git listed them while the blobs were read.
    scan_blobs(engine, history.messages(work, seen), result, options, progress)


def _tagged(work: Plan, seen: set[str]) -> Iterator[list[Named]]:
    """Batches of the blobs refs point at without a commit (directly or through a tree): the walk of
    commits never meets them."""
    tagged = [
        (oid, path) for oid, path in git.tagged_blobs(work.repo) if oid not in seen and not work.skip(path)
    ]
    seen.update(oid for oid, _ in tagged)
    for start in range(0, len(tagged), BatchReader.MAX_BATCH):
        yield tagged[start : start + BatchReader.MAX_BATCH]


def named_blobs(
    work: Plan,
    walk: git.BlobLog,
    seen: set[str],
    known_clean: KnownClean | None = None,
    progress: Progress | None = None,
) -> Iterator[list[Named]]:
    """Batches of the blobs `walk` adds, in walk order (newest first: the order git reads fastest; a blob is
    scanned at the path of the last commit that adds it): each blob once (ids in `seen`, blobs at skipped
    paths and blobs `known_clean` by a result cache left out, and counted as done on `progress`; a blob
    skipped at one path is still read when it comes again at another)."""
    batch: list[Named] = []
    for chunk in walk.chunks():
        for line in chunk.split(b"\n"):
            if line[:1] != b":":
                continue
            meta, _, quoted = line.partition(b"\t")
            fields = meta.split(b" ")
            if len(fields) < 5 or fields[4][:1] == _DELETED or fields[1] == _GITLINK:
                continue
            oid = fields[3].decode()
            if oid in seen:
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


def scan_named(
    engine: Engine,
    work: Plan,
    batches: Iterator[list[Named]],
    result: ScanResult,
    options: ScanOptions,
    progress: Progress | None = None,
) -> None:
    """Read and scan every named blob; record findings, drops, skips and errors in `result`."""
    jobs = options.jobs or default_jobs()
    reads = _shared(engine, work, batches, jobs, options)
    for read in reads:
        _record(result, options, work, read)
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
            result.findings.extend(read.outcome.findings)
            result.dropped.extend(read.outcome.dropped)
        elif options.cache is not None:
            options.cache.mark_clean(read.oid)


def _scan_batch(
    engine: Engine, explain: bool, batch: list[Named], answers: Iterator[tuple[ObjectInfo, bytes | None]]
) -> Iterator[Read]:
    for (oid, path), (info, data) in zip(batch, answers, strict=True):
        if info.kind != "blob":
            yield Read(oid, path, "missing", 0)
        elif data is None:
            yield Read(oid, path, "oversized", info.size)
        elif is_binary(data):
            yield Read(oid, path, "binary", info.size)
        else:
            outcome = safe_scan(engine, Blob(oid, data, Origin(path, pending_commit(oid), "blob")), explain)
            kept = outcome if outcome.findings or outcome.dropped or outcome.error else None
            yield Read(oid, path, "scanned", info.size, kept)


class _Local:
    """A batch this process scans: its place in the order of results, filled once scanned."""

    __slots__ = ("batch", "reads")

    def __init__(self, batch: list[Named]) -> None:
        self.batch = batch
        self.reads: list[Read] | None = None


def _shared(
    engine: Engine, work: Plan, batches: Iterator[list[Named]], jobs: int, options: ScanOptions
) -> Iterator[Read]:
    """This process scans batches itself and, once the stream proves long (POOL_AFTER), hands batches to
    `jobs - 1` worker processes whenever one has room: the work balances itself, whatever share of the
    cores git takes. Each batch is asked of our git before the one before it is scanned, so git reads while
    Python scans. Results come in batch order."""
    with BatchReader(work.repo, work.max_bytes) as reader, ExitStack() as stack:
        pool: cf.ProcessPoolExecutor | None = None
        slots: deque[_Local | cf.Future[list[Read]]] = deque()  # every batch not yet reported, in order
        asked: _Local | None = None  # asked of our git, not scanned yet
        running: list[cf.Future[list[Read]]] = []  # batches in workers
        scanned = 0

        def scan(local: _Local) -> None:
            nonlocal scanned
            local.reads = list(_scan_batch(engine, options.explain, local.batch, reader.answers()))
            scanned += sum(read.size for read in local.reads)

        for batch in batches:
            if pool is None and jobs > 1 and scanned >= POOL_AFTER:
                pool = stack.enter_context(_pool(engine, work, jobs - 1, options, not reader.threaded))
            running = [future for future in running if not future.done()]
            if pool is not None and len(running) < 2 * (jobs - 1):
                running.append(pool.submit(_worker_scan, batch))
                slots.append(running[-1])
            else:
                reader.ask([oid for oid, _ in batch])
                if asked is not None:
                    scan(asked)
                asked = _Local(batch)
                slots.append(asked)
            while slots and (slots[0].reads is not None if isinstance(slots[0], _Local) else slots[0].done()):
                yield from _reads(slots.popleft())
        if asked is not None:
            scan(asked)
        while slots:
            yield from _reads(slots.popleft())


def _reads(slot: _Local | cf.Future[list[Read]]) -> list[Read]:
    if isinstance(slot, _Local):
        assert slot.reads is not None
        return slot.reads
    return slot.result()


def _pool(
    engine: Engine, work: Plan, workers: int, options: ScanOptions, fork_ok: bool
) -> cf.ProcessPoolExecutor:
    import concurrent.futures as cf

    setup = (engine, options.explain, work.repo, work.max_bytes)
    context = worker_context(fork_ok)
    return cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=setup)


# Per worker process: the engine and a cat-file of its own, set once by the pool initializer.
_worker: tuple[Engine, bool, BatchReader] | None = None


def _init_worker(engine: Engine, explain: bool, repo: Path, max_bytes: int) -> None:
    global _worker
    _worker = (engine, explain, BatchReader(repo, max_bytes))


def _worker_scan(batch: list[Named]) -> list[Read]:
    assert _worker is not None
    engine, explain, reader = _worker
    reader.ask([oid for oid, _ in batch])
    return list(_scan_batch(engine, explain, batch, reader.answers()))
