"""Progress bars of a history audit (tqdm, only here): for a person watching a terminal, never on stdout."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scanner import git

if TYPE_CHECKING:
    from scanner.sources.history import Plan


def watched(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


@contextmanager
def history_bars(work: Plan) -> Iterator[Callable[[int, int], None] | None]:
    """Two tqdm bars on stderr (blobs, bytes) with rate and ETA; only for a person watching a terminal.

    A listed plan knows its totals. A streamed one learns them from a count of the blobs in the object
    database, which git makes in a moment beside the walk (reachable or not, so a bound: the bars close at
    what was done)."""
    from tqdm import tqdm  # lazily: only interactive history scans pay for it

    tqdm.monitor_interval = 0  # no monitor thread: the scan may fork workers, which a thread makes unsafe

    census = git.start_blob_census(work.repo) if not work.listed and work.tips else None
    known = work.listed or not work.tips
    blobs, size = (len(work.blobs) + work.unique_messages, work.total_bytes) if known else (None, None)
    with (
        tqdm(total=blobs, unit="blob", desc="blobs", position=0, file=sys.stderr) as by_count,
        tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="bytes",
            position=1,
            file=sys.stderr,
        ) as by_size,
    ):

        def advance(count: int, nbytes: int) -> None:
            nonlocal census
            by_count.update(count)
            by_size.update(nbytes)
            # Asked every 64 blobs: a poll of git per blob would cost 20 ms on a 20,000-blob history.
            if census is not None and by_count.n % 64 < count and census.ended():
                listing, census = census, None
                found, found_bytes = git.blob_census(listing)
                work.load()  # the commit listing, long done by now: its messages are scanned too
                by_count.total = found + work.unique_messages
                by_size.total = found_bytes + work.total_bytes
                by_count.refresh()
                by_size.refresh()

        yield advance
        for bar in (by_count, by_size):  # done: unreachable blobs were counted but never read
            bar.total = bar.n
            bar.refresh()
