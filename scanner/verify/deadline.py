"""Hard time limits for live checks (issue 17 §6): the checks of one key at most --verify-timeout, all of them
together at most --verify-budget, whatever the endpoint does.

botocore's timeouts are per connect and per socket read, and its retries multiply them; an endpoint that
trickles bytes never trips a read timeout at all. So each check runs in a daemon thread that the caller stops
waiting for at its deadline: the thread may finish in the background, but it never holds up the report or the
process's exit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class CheckTimeout(Exception):
    """A check did not finish in time; the message says which limit ran out."""


class Budget:
    """`per_key` seconds spent on one key id (its pair checks and its owner lookup together, waiting in the
    queue not counted), at most `total` seconds for everything."""

    def __init__(self, per_key: float, total: float) -> None:
        self.per_key = per_key
        self.total = total
        self._end = time.monotonic() + total
        self._spent: dict[str, float] = {}
        self._lock = threading.Lock()

    def call(self, check: Callable[[], T], key: str = "") -> T:
        """`check()`'s result or exception, or CheckTimeout once the key's or the whole budget is spent."""
        started = time.monotonic()
        with self._lock:
            key_left = self.per_key - self._spent.get(key, 0.0)
        left = self._end - started
        if left <= 0:
            raise CheckTimeout(
                f"not checked: the verification budget of {self.total:g} s (--verify-budget) was spent first"
            )
        if key_left <= 0:
            raise CheckTimeout(f"not checked: this key's {self.per_key:g} s (--verify-timeout) were spent")
        limit = min(key_left, left)
        box: _Box[T] = _Box()
        thread = threading.Thread(target=box.fill, args=(check,), daemon=True, name="verify-check")
        thread.start()
        thread.join(limit)
        if key:
            with self._lock:
                self._spent[key] = self._spent.get(key, 0.0) + time.monotonic() - started
        if not box.done:
            flag = "--verify-budget" if limit == left else "--verify-timeout"
            raise CheckTimeout(
                f"no answer within {limit:g} s ({flag}): the endpoint hangs or the network is unreachable"
            )
        if box.error is not None:
            raise box.error
        return box.value  # type: ignore[return-value]  # set whenever done without error


class _Box(Generic[T]):
    def __init__(self) -> None:
        self.done = False
        self.value: T | None = None
        self.error: BaseException | None = None

    def fill(self, check: Callable[[], T]) -> None:
        try:
            self.value = check()
        except BaseException as exc:  # the waiting caller re-raises it
            self.error = exc
        self.done = True
