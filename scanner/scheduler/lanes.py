"""Which scanning process reads which blob of a history audit: the versions of one folder's files go to one.

Each scanning process reads its blobs from a `git cat-file` of its own, and git rebuilds a blob from a chain
of deltas, keeping the bases it inflated last (core.deltaBaseCacheLimit) for the next one. The versions of a
folder's files are stored as deltas of one another far more often than of anything else, so a reader given
whole folders finds its bases in its cache where one given every other batch rebuilds them (moto's audit,
its blobs read by two `cat-file --batch` to /dev/null: dealt batch by batch 5.44 s of CPU, by folder 4.95 s).

A folder is not bound to a process up front: a static split leaves one core idle whenever the two halves
differ in size. It goes to the process that asks for work when the walk first names it, so the process that
scans faster takes on more folders; and a process with nothing of its own takes over the other's oldest
blobs (and their folders) once those pile up, or once the walk has ended.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from scanner.scheduler.work import Named

OURS, THEIRS = 0, 1  # this process's lane; its workers'
_LAST = 8  # the smallest batch dealt at the end of the walk


class Lanes:
    """Deals a stream of batches of named blobs to two lanes, each folder to one lane. Until `split()`, a
    lane takes the stream's batches as they come (this process scans alone)."""

    def __init__(self, batches: Iterator[list[Named]], size: int, backlog: int) -> None:
        self._batches: Iterator[list[Named]] | None = batches
        self._size = size  # blobs in a batch taken once split
        self._backlog = backlog  # blobs a lane may wait with before the other lane takes them over
        self._split = False
        self._owner: dict[str, int] = {}  # folder -> the lane that reads it
        self._waiting: tuple[deque[Named], deque[Named]] = (deque(), deque())

    def split(self) -> None:
        self._split = True

    def take(self, lane: int) -> list[Named] | None:
        """The lane's next batch; None once every blob is dealt."""
        if not self._split:
            return self._pull()
        own, other = self._waiting[lane], self._waiting[1 - lane]
        while len(own) < self._size and len(other) < self._backlog and self._deal(lane):
            pass
        size = self._size
        if self._batches is None:  # the walk has ended: batches shrink with what is left, so neither side
            size = min(size, max(_LAST, (len(own) + len(other)) // 8))  # waits long for the other's last
        batch = [own.popleft() for _ in range(min(size, len(own)))]
        if len(batch) < size and (self._batches is None or len(other) >= self._backlog):
            # Short of its own: it takes over the other lane's oldest blobs, and their folders from now on.
            taken = [other.popleft() for _ in range(min(size - len(batch), len(other)))]
            self._owner.update((_folder(path), lane) for _, path in taken)
            batch += taken
        return batch or None

    def _pull(self) -> list[Named] | None:
        batch = next(self._batches, None) if self._batches is not None else None
        if batch is None:
            self._batches = None
        return batch

    def _deal(self, lane: int) -> bool:
        """Deal the stream's next batch, its new folders to `lane`; False once the stream has ended."""
        batch = self._pull()
        if batch is None:
            return False
        owner, waiting = self._owner, self._waiting
        for named in batch:
            waiting[owner.setdefault(_folder(named[1]), lane)].append(named)
        return True


def _folder(path: str) -> str:
    return path.rpartition("/")[0]
