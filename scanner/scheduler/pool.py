"""The one worker pool of every mode. Each worker holds the engine for its whole life (forked: shared, never
pickled; spawned: the Hyperscan database travels serialized, never recompiled) and, for a history audit, a
`cat-file` of its own, so blob contents are never pickled between processes either."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.engine import Engine, ScanOutcome
from scanner.git.objects import BatchReader
from scanner.model import Blob, Origin
from scanner.scheduler.work import Named, Read, safe_scan, scan_named

if TYPE_CHECKING:  # imported lazily: the pre-commit path never starts a pool
    import concurrent.futures as cf
    from multiprocessing.context import BaseContext


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def worker_context(fork_ok: bool = True) -> BaseContext:
    """How worker processes start: forked where the platform forks and no thread of ours runs (the engine
    is then shared, never pickled), else spawned."""
    import multiprocessing

    forks = fork_ok and "fork" in multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if forks else "spawn")


@dataclass(frozen=True, slots=True)
class _Setup:
    engine: Engine
    explain: bool
    repo: Path | None  # a history audit's repository: workers read its blobs themselves
    max_bytes: int


def start(
    engine: Engine,
    explain: bool,
    workers: int,
    *,
    repo: Path | None = None,
    max_bytes: int = 0,
    fork_ok: bool = True,
) -> cf.ProcessPoolExecutor:
    """A pool of `workers` processes, each set up once with the engine (and `repo`'s reader)."""
    import concurrent.futures as cf

    setup = _Setup(engine, explain, repo, max_bytes)
    context = worker_context(fork_ok)
    return cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(setup,))


# Per worker process, set once by the pool initializer (a worker runs one engine for its whole life).
_worker: tuple[_Setup, BatchReader | None] | None = None


def _init(setup: _Setup) -> None:
    global _worker
    reader = BatchReader(setup.repo, setup.max_bytes) if setup.repo is not None else None
    _worker = (setup, reader)


def scan_contents(items: list[tuple[bytes, Origin]]) -> list[ScanOutcome]:
    """In a worker: scan contents sent from the main process (files, staged and range blobs)."""
    assert _worker is not None
    setup, _ = _worker
    return [safe_scan(setup.engine, Blob("", data, origin), setup.explain) for data, origin in items]


def read_and_scan(batch: list[Named]) -> list[Read]:
    """In a worker: read a batch of named blobs from the worker's own cat-file and scan them."""
    assert _worker is not None
    setup, reader = _worker
    assert reader is not None
    reader.ask([oid for oid, _ in batch])
    return list(scan_named(setup.engine, setup.explain, batch, reader.answers()))
