"""Progress of a history audit for whoever waits on it, and never on stdout: tqdm bars on a terminal (tqdm
only here), and without one (a CI log) a one-line heartbeat on stderr every HEARTBEAT_SECONDS."""

from __future__ import annotations

import bisect
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from scanner import git
from scanner.scheduler.stream import POOL_AFTER

if TYPE_CHECKING:
    from scanner.sources.history import Plan

Advance = Callable[[int, int], None]  # (blobs, bytes) just done
KnownClean = Callable[[list[str]], set[str]]  # blob ids -> those the result cache knows clean
Display = Callable[["Plan", KnownClean | None], AbstractContextManager[Advance | None]]

HEARTBEAT_SECONDS = 30.0
HEARTBEAT_ENV = "SECRETSCAN_HEARTBEAT_SECONDS"  # tests shorten the interval
_POLL_SECONDS = 0.2  # how often the census is asked whether git is done (a poll is a system call)
_SAMPLE_SECONDS = 0.25  # how often the rate is sampled


def display(quiet: bool) -> Display | None:
    """Bars for a person at a terminal, heartbeats for a log, nothing with --quiet."""
    if quiet:
        return None
    return history_bars if sys.stderr.isatty() else heartbeats


class Tally:
    """What an audit has done and has to do, in blobs (commit messages included) and bytes.

    A listed plan knows its totals up front. A streamed one learns them from a census git makes beside the
    walk (git.BlobCensus): for an audit of every ref, a `provisional` count of the object database in a
    moment, then the exact count of the blobs the audited revisions reach; till then they are None. The
    commit messages join the totals when the scan reads them (last, once git has listed them). Blobs at
    skipped paths, and blobs a result cache knows clean, are counted as blobs the audit goes by, but their
    bytes are no work: left out of the bytes to read, or a warm cache would make the rest look slow."""

    def __init__(self, work: Plan, known_clean: KnownClean | None = None) -> None:
        self.work = work
        self._known_clean = known_clean
        self.blobs = 0
        self.bytes = 0
        self.total_blobs: int | None = None
        self.total_bytes: int | None = None
        self.provisional = False  # the totals are the object database's bound: the exact ones are to come
        self._times: list[float] = []  # when, and bytes done then: samples of the rate
        self._done: list[int] = []
        self._census: git.BlobCensus | None = None
        self._blob_totals: tuple[int, int] | None = None  # the latest census: blobs, bytes to read
        self._messages_known = False
        self._next_poll = 0.0
        if work.listed or not work.tips:
            self.total_blobs, self.total_bytes = len(work.blobs) + work.unique_messages, work.total_bytes
            self._messages_known = True
        else:
            self._census = git.BlobCensus(work.repo, work.revs, whole_database="--all" in work.tips)

    def add(self, count: int, nbytes: int) -> bool:
        """Count work done; True when this call learnt totals (or better ones)."""
        now = time.monotonic()
        self.blobs += count
        self.bytes += nbytes
        if nbytes and (not self._times or now - self._times[-1] >= _SAMPLE_SECONDS):
            self._times.append(now)  # samples from the first content done on: the rate starts there
            self._done.append(self.bytes)
        if (self._census is None and self._messages_known) or now < self._next_poll:
            return False
        self._next_poll = now + _POLL_SECONDS
        return self._poll()

    def _poll(self) -> bool:
        learnt = False
        if self._census is not None:
            counted = self._census.poll()
            if counted is not None:
                self._blob_totals, learnt = self._blobs(counted), True
                if self._census.final:
                    self._census = None
        # The messages join the totals once the scan has read the commit listing (Plan.load): reading it
        # here stalled the scan (75,000 commits of numpy: 5 s) for the sake of 1 % of the bytes.
        if not self._messages_known and self.work.loaded:
            self._messages_known = learnt = True
        if not learnt or self._blob_totals is None:
            return False
        blobs, size = self._blob_totals
        if self._messages_known:
            blobs, size = blobs + self.work.unique_messages, size + self.work.total_bytes
        self.total_blobs, self.total_bytes = blobs, size
        self.provisional = self._census is not None
        return True

    def _blobs(self, counted: git.Counted) -> tuple[int, int]:
        """(blobs, bytes to read) of a census."""
        read = {oid: size for oid, size, path in counted if not (path and self.work.skip(path))}
        clean = self._known_clean(list(read)) if self._known_clean is not None and read else set()
        return len(counted), sum(size for oid, size in read.items() if oid not in clean)

    def seconds_left(self) -> float | None:
        """Bytes left over the rate of the later half of the scan so far; None before a rate is known.

        Not the mean since the start: an audit starts slow (git walks from every ref, caches are cold, the
        machine is shared) and that start weighed on the mean for the whole run (a 113-second audit of
        numpy on a busy machine: 237 s left said at a fifth of the run, 86 s true; the later half: 130 s).
        The later half forgets the start as the run goes on. And on a long audit not before workers join
        (POOL_AFTER): the rate of one process alone said 3 to 5 times the time left."""
        floor = POOL_AFTER if self.total_bytes is not None and self.total_bytes > 4 * POOL_AFTER else 0
        first = bisect.bisect_left(self._done, floor)
        if first == len(self._times) or self.total_bytes is None:
            return None
        now = time.monotonic()
        if now - self._times[first] < 1:
            return None
        mid = bisect.bisect_left(self._times, (self._times[first] + now) / 2, lo=first)
        since, at = self._times[mid], self._done[mid]
        if now <= since or self.bytes <= at:
            return None
        return max(0, self.total_bytes - self.bytes) * (now - since) / (self.bytes - at)

    def close(self) -> None:
        if self._census is not None:
            self._census.close()


@contextmanager
def tally(work: Plan, known_clean: KnownClean | None) -> Iterator[Tally]:
    counted = Tally(work, known_clean)
    try:
        yield counted
    finally:
        counted.close()


@contextmanager
def history_bars(work: Plan, known_clean: KnownClean | None = None) -> Iterator[Advance | None]:
    """Two tqdm bars on stderr: blobs (count, rate) and bytes (rate and time left: blobs differ too much in
    size to tell it, and tqdm's own estimate would count the setup before the scan; Tally.seconds_left)."""
    from tqdm import tqdm  # lazily: only interactive history scans pay for it

    tqdm.monitor_interval = 0  # no monitor thread: the scan may fork workers, which a thread makes unsafe
    with (
        tally(work, known_clean) as done,
        tqdm(unit="blob", desc="blobs", position=0, file=sys.stderr) as by_count,
        tqdm(
            unit="B", unit_scale=True, unit_divisor=1024, desc="bytes", position=1, file=sys.stderr
        ) as by_size,
    ):

        def totals() -> None:
            by_count.total, by_size.total = done.total_blobs, done.total_bytes
            counts = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}"
            by_count.bar_format = counts + " [{rate_fmt}]"
            by_size.bar_format = (
                counts + " [{elapsed}, {rate_fmt}{postfix}]"
            )  # tqdm puts ", " before a postfix

        def advance(count: int, nbytes: int) -> None:
            if done.add(count, nbytes):
                totals()
            left = done.seconds_left()
            by_size.postfix = f"about {_duration(left)} left" if left is not None else ""
            by_count.update(count)
            by_size.update(nbytes)

        if done.total_blobs is not None:
            totals()
        yield advance
        by_size.postfix = ""
        for bar in (by_count, by_size):  # done: unreachable or skipped work was counted, never done
            bar.total = bar.n
            bar.refresh()


@contextmanager
def heartbeats(work: Plan, known_clean: KnownClean | None = None) -> Iterator[Advance | None]:
    """A line on stderr every HEARTBEAT_SECONDS (SECRETSCAN_HEARTBEAT_SECONDS): a CI log that shows nothing
    for minutes looks hung. Written as work is done (no thread: the scan may fork workers)."""
    every = _interval()
    with tally(work, known_clean) as done:
        due = time.monotonic() + every

        def advance(count: int, nbytes: int) -> None:
            nonlocal due
            done.add(count, nbytes)
            if time.monotonic() >= due:
                due = time.monotonic() + every
                print(f"secretscan: {heartbeat(done)}", file=sys.stderr, flush=True)

        yield advance


def heartbeat(done: Tally) -> str:
    """One line: blobs, bytes, share done and time left, or what is known of them so far."""
    about = "~" if done.provisional else ""
    blobs = f"{done.blobs:,}" + (f"/{about}{done.total_blobs:,}" if done.total_blobs is not None else "")
    size = _size(done.bytes)
    size += f"/{about}{_size(done.total_bytes)}" if done.total_bytes is not None else ""
    line = f"history audit: {blobs} blobs, {size}"
    if done.total_bytes:
        line += f" ({min(100, 100 * done.bytes // done.total_bytes)}%)"
    left = done.seconds_left()
    return line + (f", about {_duration(left)} left" if left is not None else "")


def _interval() -> float:
    try:
        return max(0.0, float(os.environ.get(HEARTBEAT_ENV, HEARTBEAT_SECONDS)))
    except ValueError:
        return HEARTBEAT_SECONDS


def _size(nbytes: int) -> str:
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
