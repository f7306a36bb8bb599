"""Where tasks run: in this process (-j 1), a local process pool (the default), or a Dask cluster
(cluster.py). Each yields outcomes as tasks finish, keeps at most one task per slot in flight (so a task's
time limit counts from its start and memory stays bounded), and turns a task past its time limit into a
failed outcome while the rest go on."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from scanner.fleet.task import Outcome, Task, run


class Executor(Protocol):
    """What a backend offers: submit a task, wait for some, drop one that overran, stop."""

    slots: int

    def submit(self, task: Task) -> Any: ...

    def wait(self, handles: list[Any], timeout: float) -> list[Any]: ...

    def result(self, handle: Any) -> Outcome: ...

    def cancel(self, handle: Any) -> None: ...


def outcomes(executor: Executor, tasks: list[Task], limit: float | None) -> Iterator[Outcome]:
    """Run every task; yield each outcome as it comes (a task past `limit` seconds: a failed one)."""
    pending = list(reversed(tasks))
    running: dict[Any, tuple[Task, float]] = {}
    while pending or running:
        while pending and len(running) < executor.slots:
            task = pending.pop()
            running[executor.submit(task)] = (task, time.monotonic())
        for handle in executor.wait(list(running), _poll(running, limit)):
            task, started = running.pop(handle)
            yield _result(executor, handle, task, started)
        if limit is not None:
            now = time.monotonic()
            for handle, (task, started) in list(running.items()):
                if now - started > limit:
                    executor.cancel(handle)
                    running.pop(handle)
                    error = f"timed out after {limit:g} s (--timeout); not audited"
                    yield Outcome(
                        task.spec.name, "failed", error=error, seconds=now - started, shard=task.shard
                    )


def _result(executor: Executor, handle: Any, task: Task, started: float) -> Outcome:
    try:
        return executor.result(handle)
    except Exception as exc:  # a worker that died, a task the cluster lost: that repository fails
        error = f"the task was lost: {type(exc).__name__}: {exc}"
        return Outcome(
            task.spec.name, "failed", error=error, seconds=time.monotonic() - started, shard=task.shard
        )


def _poll(running: dict[Any, tuple[Task, float]], limit: float | None) -> float:
    if limit is None or not running:
        return 1.0
    first = min(started for _, started in running.values())
    return max(0.05, min(1.0, first + limit - time.monotonic()))


class Inline:
    """Each task in this process, one after the other (-j 1): nothing to start, nothing to pickle."""

    slots = 1

    def __init__(self, work: Callable[[Task], Outcome] = run) -> None:
        self._work = work
        self._done: dict[int, Outcome | Exception] = {}
        self._count = 0

    def submit(self, task: Task) -> Any:
        self._count += 1
        try:
            self._done[self._count] = self._work(task)
        except Exception as exc:  # a bug: that repository fails, as it would in a worker process
            self._done[self._count] = exc
        return self._count

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        return handles

    def result(self, handle: Any) -> Outcome:
        done = self._done.pop(handle)
        if isinstance(done, Exception):
            raise done
        return done

    def cancel(self, handle: Any) -> None:  # pragma: no cover - an inline task is never overdue
        self._done.pop(handle, None)

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *_: object) -> None:
        pass


class LocalPool:
    """A pool of worker processes on this machine, one repository each at a time."""

    def __init__(self, jobs: int) -> None:
        import concurrent.futures as cf

        from scanner.scheduler.pool import worker_context

        self.slots = jobs
        self._cf = cf
        self._pool = cf.ProcessPoolExecutor(jobs, mp_context=worker_context())
        self._overrun = False

    def submit(self, task: Task) -> Any:
        return self._pool.submit(run, task)

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        done, _ = self._cf.wait(handles, timeout, return_when=self._cf.FIRST_COMPLETED)
        return list(done)

    def result(self, handle: Any) -> Outcome:
        outcome: Outcome = handle.result()
        return outcome

    def cancel(self, handle: Any) -> None:
        # A process cannot be stopped in the middle of one task: it is ended with the pool, at the end.
        handle.cancel()
        self._overrun = True

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        from scanner.scheduler.pool import terminate

        if exc_type is None and not self._overrun:
            self._pool.shutdown(wait=True)
        else:  # Ctrl-C, an error, or a task still running past its limit: never wait for a worker
            terminate(self._pool)
