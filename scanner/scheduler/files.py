"""Scan the files a folder walk admits, each read where it is scanned (issue 19): once the walk has listed
enough bytes, this process only walks and sends batches of paths; a worker reads each file, identifies it
(its blob id), asks the result cache, scans, and sends back only what the scan found. No file's bytes cross
a pipe.

Small inputs (a few files) are read and scanned here, the same way, and no pool starts.
Deduplication keeps blobs.py's semantics: a copy of a content (same id, another path) reuses the first
copy's outcome, moved to its own path, unless the outcome held for its own path only (a path allowlist):
then the copy is scanned at its path. Each process does so for the copies it meets; copies that two
workers meet are each scanned, with the same result, and counted once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from typing import TYPE_CHECKING

from scanner.engine import Engine, ScanOutcome
from scanner.git.index import IndexIds
from scanner.model import Blob, ScanResult, Skipped
from scanner.scheduler import blobs, pool
from scanner.scheduler.blobs import ScanOptions, reorigin
from scanner.scheduler.pool import default_jobs
from scanner.scheduler.work import safe_scan
from scanner.sources.files import FileEntry, read_file

if TYPE_CHECKING:  # imported lazily: the pre-commit path never starts a pool nor opens a cache
    import concurrent.futures as cf

    from scanner.scheduler.cache import ResultCache

BATCH_BYTES = 2 * 1024 * 1024  # small batches: two workers share a tree's last files evenly
BATCH_FILES = 256
# How a worker opens the run's result cache itself: (folder, engine digest, shard index, shard count).
CacheKey = tuple[str, str, int, int]


@dataclass(frozen=True, slots=True)
class FileRead:
    """What became of one file: skipped (`skipped` says why), known clean to the cache, or scanned
    (`outcome` None when clean)."""

    path: str
    skipped: str = ""
    oid: str = ""
    size: int = 0  # bytes scanned (wide text: decoded)
    known: bool = False
    outcome: ScanOutcome | None = None

    def __reduce__(self) -> tuple[type[FileRead], tuple[str, str, str, int, bool, ScanOutcome | None]]:
        # Every file's read crosses the pipe: one constructor call each end, not the frozen dataclass's
        # field-by-field state (pickling and unpickling a tree's reads took under half the time).
        return FileRead, (self.path, self.skipped, self.oid, self.size, self.known, self.outcome)


@dataclass(slots=True)
class _Reader:
    """One process's reading and scanning of files, with the outcomes of the contents it has met."""

    engine: Engine
    explain: bool
    max_bytes: int
    cache: ResultCache | None
    met: dict[str, ScanOutcome | None] = field(default_factory=dict)  # None: clean

    def read(self, entry: FileEntry) -> FileRead:
        path, display, _, _ = entry
        blob = read_file(path, display, self.max_bytes)
        if isinstance(blob, Skipped):
            return FileRead(display, skipped=blob.reason)
        size = len(blob.data)
        if blob.id in self.met:
            return FileRead(display, oid=blob.id, size=size, outcome=self._copy(blob, self.met[blob.id]))
        if self.cache is not None and self.cache.is_clean(blob.id):
            self.met[blob.id] = None
            return FileRead(display, oid=blob.id, size=size, known=True)
        outcome = safe_scan(self.engine, blob, self.explain)
        kept = outcome if _noteworthy(outcome) else None
        self.met[blob.id] = kept
        return FileRead(display, oid=blob.id, size=size, outcome=kept)

    def _copy(self, blob: Blob, outcome: ScanOutcome | None) -> ScanOutcome | None:
        if outcome is None:
            return None
        if outcome.path_dependent:  # held for the first copy's path only: scanned at this one
            rescanned = safe_scan(self.engine, blob, self.explain)
            return rescanned if _noteworthy(rescanned) else None
        return replace(reorigin(outcome, blob.origin), rule_errors=outcome.rule_errors)


def _noteworthy(outcome: ScanOutcome) -> bool:
    return bool(
        outcome.findings or outcome.dropped or outcome.error or outcome.path_dependent or outcome.rule_errors
    )


def scan_files(
    engine: Engine,
    entries: Iterable[FileEntry | Blob],
    result: ScanResult,
    options: ScanOptions,
    max_bytes: int,
    roots: Sequence[str] = (),
) -> None:
    """Read and scan every file of `entries` (a blob: read already, as standard input is) and add findings,
    drops, skips and errors to `result`. With a warm cache, what git's index says of the work tree holding
    the first of `roots` spares reading files known clean."""
    reader = _Reader(engine, options.explain, max_bytes, options.cache)
    tally = _Tally(result, options.cache)
    cache = options.cache
    if cache is not None and cache.warm and roots:
        index = IndexIds(roots[0])
        try:
            for read in _reads(reader, _unknown(iter(entries), index, cache), options):
                tally.add(read)
        finally:
            index.close()
    else:
        for read in _reads(reader, iter(entries), options):
            tally.add(read)
    if cache is not None:
        cache.flush()


def _unknown(
    entries: Iterator[FileEntry | Blob], index: IndexIds, cache: ResultCache
) -> Iterator[FileEntry | Blob]:
    """`entries` less the tracked files whose content git's index vouches for and the cache knows clean:
    a warm re-scan reads only what changed (or was never found clean)."""
    vouched = index.vouched()
    if vouched is None:
        yield from entries
        return
    top, known = vouched
    folders: dict[str, str] = {}
    while chunk := list(islice(entries, 512)):
        ids: dict[int, str] = {}
        for at, entry in enumerate(chunk):
            if isinstance(entry, Blob):
                continue
            path, _, size, (mtime, ctime, inode) = entry
            folder, name = os.path.split(path)
            if folder not in folders:
                folders[folder] = _relative(folder, top)
            held = known.get(folders[folder] + name)
            if held is not None and held[1:] == (size & 0xFFFFFFFF, mtime, ctime, inode & 0xFFFFFFFF):
                ids[at] = held[0]
        clean = cache.clean_among(ids.values()) if ids else set()
        yield from (e for at, e in enumerate(chunk) if ids.get(at) not in clean)


def _relative(folder: str, top: str) -> str:
    """`folder` as a prefix of paths relative to the work tree's top ('..' when outside: never found)."""
    rel = os.path.relpath(os.path.realpath(folder or "."), top)
    return "" if rel == "." else rel.replace(os.sep, "/") + "/"


class _Tally:
    """Records each file's read in the result: each content counted once, each copy's findings at its path."""

    def __init__(self, result: ScanResult, cache: ResultCache | None) -> None:
        self.result = result
        self.cache = cache
        self.seen: set[str] = set()

    def add(self, read: FileRead) -> None:
        result = self.result
        if read.skipped:
            result.skipped.append(Skipped(read.path, read.skipped))
            return
        first = read.oid not in self.seen
        self.seen.add(read.oid)
        outcome = read.outcome
        if first and not read.known:
            if outcome is None or not outcome.error:
                result.blobs_scanned += 1
                result.bytes_scanned += read.size
            if outcome is None and self.cache is not None:
                self.cache.mark_clean(read.oid)
        if outcome is None:
            return
        if outcome.error:  # every copy of a content that could not be scanned is named
            result.errors.append(f"{read.path}: not scanned: {outcome.error}")
            return
        result.errors.extend(outcome.rule_errors)
        result.findings.extend(outcome.findings)
        result.dropped.extend(outcome.dropped)


def _reads(reader: _Reader, entries: Iterator[FileEntry | Blob], options: ScanOptions) -> Iterator[FileRead]:
    """Each entry's read, in order: here when the walk lists fewer than blobs.INLINE_BYTES (by the sizes it
    saw), else all in the pool, started as soon as the walk has listed that much."""
    jobs = options.jobs or default_jobs()
    listed: list[FileEntry | Blob] = []
    size = 0
    if jobs > 1:
        for entry in entries:
            listed.append(entry)
            size += _size(entry)
            if size >= blobs.INLINE_BYTES:
                rest = chain(listed, entries)
                # A first run's matcher compiles its database once it has matched a little: here, once,
                # not in each forked worker.
                while reader.engine.backend == "auto" and (first := next(rest, None)) is not None:
                    yield _inline(reader, first)
                yield from _parallel(reader, rest, jobs, options)
                return
    for entry in chain(listed, entries):
        yield _inline(reader, entry)


def _size(entry: FileEntry | Blob) -> int:
    return len(entry.data) if isinstance(entry, Blob) else entry[2]


def _inline(reader: _Reader, entry: FileEntry | Blob) -> FileRead:
    if not isinstance(entry, Blob):
        return reader.read(entry)
    outcome = safe_scan(reader.engine, entry, reader.explain)  # standard input: one blob, never a copy
    kept = outcome if _noteworthy(outcome) else None
    return FileRead(entry.origin.path, oid=entry.id, size=len(entry.data), outcome=kept)


def _parallel(
    reader: _Reader, entries: Iterator[FileEntry | Blob], jobs: int, options: ScanOptions
) -> Iterator[FileRead]:
    key = _cache_key(options.cache)
    with pool.start(reader.engine, reader.explain, jobs) as workers:
        pending: list[cf.Future[list[FileRead]] | list[FileRead]] = []
        for batch in _batches(entries):
            files = [e for e in batch if not isinstance(e, Blob)]
            if len(files) == len(batch):
                pending.append(workers.submit(read_and_scan, files, reader.max_bytes, key))
            else:  # a blob read already (standard input among the roots) is scanned here
                pending.append([_inline(reader, e) for e in batch])
            while len(pending) > jobs * 2:  # bound memory: at most two batches per worker in flight
                yield from _done(pending.pop(0))
        for item in pending:
            yield from _done(item)


def _done(item: cf.Future[list[FileRead]] | list[FileRead]) -> list[FileRead]:
    return item if isinstance(item, list) else item.result()


def _batches(entries: Iterator[FileEntry | Blob]) -> Iterator[list[FileEntry | Blob]]:
    batch: list[FileEntry | Blob] = []
    size = 0
    for entry in entries:
        batch.append(entry)
        size += _size(entry)
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _cache_key(cache: ResultCache | None) -> CacheKey | None:
    from scanner.scheduler.shard import ShardCache

    if isinstance(cache, ShardCache):
        inner, index, count = cache.parts()
        return (
            (str(inner.folder), inner.digest, index, count) if inner is not None else ("", "", index, count)
        )
    if cache is not None:
        return (str(cache.folder), cache.digest, 0, 1)
    return None


# Per worker process: its reader, made at its first batch (the engine is the pool's).
_worker_reader: _Reader | None = None


def read_and_scan(entries: list[FileEntry], max_bytes: int, key: CacheKey | None) -> list[FileRead]:
    """In a worker: read, identify and scan a batch of files; only outcomes travel back."""
    global _worker_reader
    if _worker_reader is None:
        engine, explain = pool.worker_engine()
        _worker_reader = _Reader(engine, explain, max_bytes, _open_cache(key))
    return [_worker_reader.read(entry) for entry in entries]


def _open_cache(key: CacheKey | None) -> ResultCache | None:
    if key is None:
        return None
    from pathlib import Path

    from scanner.scheduler.cache import ResultCache
    from scanner.scheduler.shard import ShardCache

    folder, digest, index, count = key
    inner = ResultCache(Path(folder), digest) if folder else None
    return ShardCache(inner, index, count) if count > 1 else inner
