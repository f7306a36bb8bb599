from __future__ import annotations

from collections.abc import Iterator

from scanner.scheduler.lanes import OURS, THEIRS, Lanes
from scanner.scheduler.work import Named


def _stream(names: list[Named], size: int) -> Iterator[list[Named]]:
    for start in range(0, len(names), size):
        yield names[start : start + size]


def _names(folders: str, each: int) -> list[Named]:
    """`each` versions of a file in each folder, interleaved as a walk names them."""
    return [(f"{folder}{i}", f"{folder}/f.py") for i in range(each) for folder in folders]


def test_before_the_split_a_lane_takes_the_stream_as_it_comes() -> None:
    names = _names("ab", 3)
    lanes = Lanes(_stream(names, 4), size=2, backlog=8)
    assert lanes.take(OURS) == names[:4]
    assert lanes.take(THEIRS) == names[4:]
    assert lanes.take(OURS) is None


def test_each_folder_is_read_by_the_lane_that_first_took_it() -> None:
    names = _names("ab", 4)
    lanes = Lanes(_stream(names, 2), size=2, backlog=8)
    lanes.split()
    ours = lanes.take(OURS)
    assert ours is not None and {path for _, path in ours} == {"a/f.py", "b/f.py"}  # both new: both ours
    assert lanes.take(OURS) == names[2:4]
    # Every folder is ours: the rest waits for us, the walk ends, and they take over our oldest.
    assert lanes.take(THEIRS) == names[4:6]
    assert lanes.take(OURS) == names[6:]


def test_every_blob_is_dealt_once_whoever_asks() -> None:
    names = [*_names("abcdefg", 9), ("root", "setup.py")]
    lanes = Lanes(_stream(names, 5), size=3, backlog=6)
    dealt: list[Named] = []
    for turn in range(1000):
        if turn == 2:
            lanes.split()
        batch = lanes.take(OURS if turn % 3 else THEIRS)  # this process is asked twice as often
        if batch is None:
            break
        assert len(batch) <= 5
        dealt += batch
    assert sorted(dealt) == sorted(names)


def test_a_lane_short_of_work_takes_over_the_others_oldest_and_their_folders() -> None:
    names = [(f"a{i}", "a/f.py") for i in range(7)] + [("b0", "b/f.py")]
    lanes = Lanes(_stream(names, 1), size=2, backlog=4)
    lanes.split()
    assert lanes.take(OURS) == names[:2]  # folder a is ours
    # a's versions pile up for us up to the backlog: then they take over the oldest, and folder a.
    assert lanes.take(THEIRS) == names[2:4]
    assert lanes.take(THEIRS) == [("a6", "a/f.py"), ("b0", "b/f.py")]  # a is theirs now; b is new to them
    assert lanes.take(OURS) == names[4:6]  # what waited for us before stays ours
    assert lanes.take(OURS) is None and lanes.take(THEIRS) is None


def test_once_the_walk_has_ended_batches_shrink_with_what_is_left() -> None:
    names = _names("abcd", 50)
    lanes = Lanes(_stream(names, 200), size=32, backlog=1000)
    lanes.split()
    sizes = []
    while (batch := lanes.take(len(sizes) % 2)) is not None:
        sizes.append(len(batch))
    assert sum(sizes) == len(names)
    assert sizes[0] == 32 and sizes[-1] <= 8 and sizes == sorted(sizes, reverse=True)
