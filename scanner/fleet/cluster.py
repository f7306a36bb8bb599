"""A Dask distributed cluster as the fleet's backend (--cluster ADDRESS): one task per repository (or shard),
submitted to the scheduler; workers open or clone the repository themselves and send back sealed outcomes.
The only module that imports `distributed` (the optional extra `fleet`)."""

from __future__ import annotations

import time
from typing import Any

from scanner.errors import DependencyError, UsageError
from scanner.fleet.task import Outcome, Task, run

INSTALL = "pip install 'secretscan[fleet]'"


class Cluster:
    """A client of the scheduler at `address`, with one slot per worker thread."""

    def __init__(self, address: str, connect_timeout: float = 30.0) -> None:
        try:
            import distributed  # untyped: used through Any
        except ImportError as exc:
            raise DependencyError(
                f"--cluster needs the Dask distributed package: {INSTALL} ({exc})"
            ) from None
        self._distributed: Any = distributed
        try:
            self._client: Any = self._distributed.Client(
                address, timeout=connect_timeout, set_as_default=False
            )
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--cluster {address}: cannot reach the Dask scheduler ({exc})") from None
        threads = sum(self._client.nthreads().values())
        self.slots = max(1, threads)

    def submit(self, task: Task) -> Any:
        shard = "" if task.shard is None else f"-{task.shard[0]}of{task.shard[1]}"
        # pure=False: a rerun of the same task must run again (the repository may have changed).
        return self._client.submit(
            run, task, pure=False, key=f"secretscan-{task.spec.name}{shard}-{id(task)}"
        )

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        # distributed.wait() needs a default client, and this one is not made the process's default.
        deadline = time.monotonic() + timeout
        while True:
            done = [handle for handle in handles if handle.done()]
            if done or time.monotonic() >= deadline:
                return done
            time.sleep(0.02)

    def result(self, handle: Any) -> Outcome:
        outcome: Outcome = handle.result()
        return outcome

    def cancel(self, handle: Any) -> None:
        handle.cancel()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_: object) -> None:
        self._client.close()
