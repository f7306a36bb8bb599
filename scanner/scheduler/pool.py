"""The one worker pool of every mode. Each worker holds the engine for its whole life (forked: shared, never
pickled; spawned: the Hyperscan database travels serialized, never recompiled) and, for a history audit, a
`cat-file` of its own, so blob contents are never pickled between processes either."""

from __future__ import annotations

import multiprocessing.util
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.engine import Engine, ScanOutcome
from scanner.git.objects import BatchReader
from scanner.model import Blob, Origin
from scanner.scheduler.work import Named, Verdict, safe_scan, scan_named

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

    class Pool(cf.ProcessPoolExecutor):
        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool | None:
            if exc_type is None:
                return super().__exit__(exc_type, exc, tb)
            terminate(self)  # Ctrl-C, SIGTERM, an error: never wait for a worker (it may spin in a regex)
            return None

    return Pool(workers, mp_context=context, initializer=_init, initargs=(setup,))


def terminate(executor: cf.ProcessPoolExecutor) -> None:
    """End the pool now: queued work dropped, every worker stopped (killed if it does not stop at once)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(1)
        if process.is_alive():
            process.kill()
            process.join(1)


# Per worker process, set once by the pool initializer (a worker runs one engine for its whole life).
_worker: tuple[_Setup, BatchReader | None] | None = None


def _init(setup: _Setup) -> None:
    global _worker
    # A forked worker inherits the command's handlers, which raise Terminated: a worker ends at SIGTERM, and
    # with its parent (Linux), never outliving it (issue 14 §4). Ctrl-C is the parent's to handle.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    reader = BatchReader(setup.repo, setup.max_bytes) if setup.repo is not None else None
    if reader is not None:
        # Stopped and waited for as the worker exits (multiprocessing runs its finalizers then, not atexit's):
        # left to exit on its own, the reader's git was nobody's child to wait for, so the CPU it spent was
        # missing from the audit's (bench.py's CPU of numpy's audit: 20.5 s, 25 s sampled from /proc).
        multiprocessing.util.Finalize(reader, reader.close, exitpriority=10)
    _worker = (setup, reader)


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent's handlers still end us
        pass


def worker_engine() -> tuple[Engine, bool]:
    """In a worker: the engine it was set up with, and whether to explain."""
    assert _worker is not None
    return _worker[0].engine, _worker[0].explain


def scan_contents(items: list[tuple[bytes, Origin]]) -> list[ScanOutcome]:
    """In a worker: scan contents sent from the main process (files, staged and range blobs)."""
    assert _worker is not None
    setup, _ = _worker
    return [safe_scan(setup.engine, Blob("", data, origin), setup.explain) for data, origin in items]


def read_and_scan(batch: list[Named], ahead: list[Named] | None = None) -> list[Verdict]:
    """In a worker: read a batch of named blobs from the worker's own cat-file and scan them; what became of
    each (work.reads() names them again). The batch this worker gets next, if known (`ahead`), is asked of
    git now, so git reads it while this one is scanned."""
    assert _worker is not None
    setup, reader = _worker
    assert reader is not None
    oids = [oid for oid, _ in batch]
    if not reader.asked(oids):
        reader.forget()
        reader.ask(oids)
    if ahead:
        reader.ask([oid for oid, _ in ahead])
    return [read.verdict() for read in scan_named(setup.engine, setup.explain, batch, reader.answers())]
