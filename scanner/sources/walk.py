"""The history audit's source: batches of (blob id, path) that the walk names, and those refs point at
without a commit. Names only: the scheduler reads and scans them (scheduler/stream.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scanner import git
from scanner.git.objects import BatchReader
from scanner.git.parse import raw_additions, unquote
from scanner.sources.history import Plan

Named = tuple[str, str]  # (blob id, path)
KnownClean = Callable[[list[str]], set[str]]  # blob ids -> those a result cache knows clean
Progress = Callable[[int, int], None]  # (blobs, bytes) just done


def tagged(work: Plan, seen: set[str]) -> Iterator[list[Named]]:
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
        for oid, quoted in raw_additions(chunk):
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
