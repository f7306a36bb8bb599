"""One share of a repository's blobs, for a fleet that splits a big repository over several tasks (issue 20):
each task walks the whole history (so attribution sees all of it) but reads and scans only the blobs whose
id falls in its shard. The result cache's seam does that: blobs of the other shards are "known clean" here,
so every source skips them the way it skips blobs an earlier run found clean."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.scheduler.cache import ResultCache


def in_shard(blob_id: str, index: int, count: int) -> bool:
    """Whether blob (or message) `blob_id` belongs to shard `index` of `count`: ids are uniform hashes."""
    return int(blob_id[:8], 16) % count == index


class ShardCache(ResultCache):
    """A result cache (or none) that also calls every blob outside shard `index` of `count` clean."""

    def __init__(self, inner: ResultCache | None, index: int, count: int) -> None:
        # No database of its own: the inner cache (if any) keeps what this shard finds clean.
        self._inner = inner
        self._index, self._count = index, count
        self.hits = 0

    @property
    def warm(self) -> bool:
        return True  # other shards' blobs are always known: sources must ask

    def parts(self) -> tuple[ResultCache | None, int, int]:
        """The inner cache, this shard's index and the count: what a worker opens the same cache from."""
        return self._inner, self._index, self._count

    def _mine(self, blob_id: str) -> bool:
        return in_shard(blob_id, self._index, self._count)

    def is_clean(self, blob_id: str) -> bool:
        if not self._mine(blob_id):
            self.hits += 1
            return True
        return self._inner is not None and self._inner.is_clean(blob_id)

    def clean_among(self, blob_ids: Iterable[str]) -> set[str]:
        ids = list(blob_ids)
        others = {oid for oid in ids if not self._mine(oid)}
        self.hits += len(others)
        if self._inner is None:
            return others
        return others | self._inner.clean_among([oid for oid in ids if oid not in others])

    def mark_clean(self, blob_id: str) -> None:
        if self._inner is not None:
            self._inner.mark_clean(blob_id)

    def flush(self) -> None:
        if self._inner is not None:
            self._inner.flush()

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
