"""A time budget for the rules a user wrote (issue 14 §4): one that backtracks catastrophically gives up on
the blob, is named in the report's errors, and the scan goes on.

Python's `re` cannot be told to stop, but it checks for signals as it matches: a SIGALRM whose handler raises
ends the match. Only rules from outside the shipped set are timed (the shipped ones are tested), and only in
a main thread where SIGALRM exists; everywhere else a rule runs unbounded, as before.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

SECONDS = 2.0  # per rule and blob: a sane pattern takes milliseconds on the largest blob we read


class OutOfTime(BaseException):  # BaseException: the scan's own `except Exception` must not catch it
    """Raised in the middle of a match when its time is up."""


_armed = False


def _expire(_signum: int, _frame: object) -> None:
    if _armed:
        raise OutOfTime


def available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def limited(seconds: float = SECONDS) -> Iterator[None]:
    """Run the block with at most `seconds`; OutOfTime is raised inside it when they run out."""
    global _armed
    previous = signal.signal(signal.SIGALRM, _expire)
    _armed = True
    started = time.monotonic()
    delay, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if delay:  # someone else's timer (a test runner's timeout): set again, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(delay - (time.monotonic() - started), 0.001), interval)
