"""The shards of a split audit: every blob id falls in exactly one, and a shard's cache calls the others'
blobs clean so that no source reads them."""

from __future__ import annotations

from hashlib import sha1
from pathlib import Path

from scanner.scheduler.cache import ResultCache
from scanner.scheduler.shard import ShardCache, in_shard

IDS = [sha1(str(i).encode()).hexdigest() for i in range(300)]


def test_each_blob_in_exactly_one_shard() -> None:
    for count in (1, 2, 3, 7):
        for oid in IDS:
            assert sum(in_shard(oid, index, count) for index in range(count)) == 1


def test_other_shards_are_known_clean(tmp_path: Path) -> None:
    mine = [oid for oid in IDS if in_shard(oid, 0, 2)]
    theirs = [oid for oid in IDS if not in_shard(oid, 0, 2)]
    inner = ResultCache(tmp_path, "digest")
    inner.mark_clean(mine[0])
    inner.flush()
    shard = ShardCache(ResultCache(tmp_path, "digest"), 0, 2)  # the inner cache warm now
    assert shard.warm
    assert shard.clean_among(IDS) == {*theirs, mine[0]}
    assert shard.is_clean(theirs[0]) and shard.is_clean(mine[0]) and not shard.is_clean(mine[1])
    shard.mark_clean(mine[1])
    shard.close()
    assert ResultCache(tmp_path, "digest").is_clean(mine[1])  # what this shard found clean is kept


def test_without_a_result_cache() -> None:
    mine = [oid for oid in IDS if in_shard(oid, 1, 3)]
    alone = ShardCache(None, 1, 3)
    assert alone.clean_among(IDS) == set(IDS) - set(mine)
    assert not alone.is_clean(mine[0])
    alone.mark_clean(mine[0])
    alone.flush()
    alone.close()
    assert alone.hits == len(IDS) - len(mine)
