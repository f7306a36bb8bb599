"""Putting a repository's audit back together: shards into one result, new commits onto a stored audit."""

from __future__ import annotations

import dataclasses

from scanner.fleet.merge import incremental, shards
from scanner.fleet.task import Outcome
from scanner.model import Commit, ScanResult, Skipped
from tests.fleet.test_transit import finding

OLD = Commit("1" * 40, "Ann", "ann@example.com", "2024-01-01T00:00:00+00:00")
MID = Commit("2" * 40, "Ann", "ann@example.com", "2024-01-02T00:00:00+00:00")
NEW = Commit("3" * 40, "Ann", "ann@example.com", "2024-01-03T00:00:00+00:00")


def at(commit: Commit, path: str = "a.ini", **changes: object) -> object:
    f = finding()
    return dataclasses.replace(f, origin=dataclasses.replace(f.origin, commit=commit, path=path), **changes)  # type: ignore[arg-type]


def part(findings: list[object], keys: list[str], ages: dict[str, int], blobs: int = 1) -> Outcome:
    result = ScanResult(findings=findings, blobs_scanned=blobs, skipped=[Skipped("x.bin", "binary")])  # type: ignore[arg-type]
    return Outcome("r", "audited", result=result, keys=keys, ages=ages)


def test_shards_keep_the_earliest_introduction_and_any_presence() -> None:
    ages = {OLD.sha: 1, MID.sha: 2, NEW.sha: 3}
    one = part([at(MID, "b.ini", present_at_head=False, removed_in=NEW)], ["k"], ages)
    two = part([at(OLD, "z.ini", present_at_head=True), at(NEW, "c.ini")], ["k", "other"], ages, blobs=2)
    merged, keys = shards([one, two])
    assert keys == ["other", "k"] and merged.blobs_scanned == 3 and len(merged.skipped) == 1  # by path
    first = merged.findings[1]
    assert (
        first.commit == OLD and first.path == "z.ini" and first.present_at_head and first.removed_in is None
    )


def test_shards_removed_where_the_last_copy_went() -> None:
    ages = {OLD.sha: 1, MID.sha: 2, NEW.sha: 3}
    one = part([at(OLD, present_at_head=False, removed_in=MID)], ["k"], ages)
    two = part([at(MID, "b.ini", present_at_head=False, removed_in=NEW)], ["k"], ages)
    merged, _ = shards([one, two])
    assert [(f.commit, f.removed_in) for f in merged.findings] == [(OLD, NEW)]


def test_incremental_keeps_the_record_and_takes_new_presence() -> None:
    stored = ScanResult(findings=[at(OLD, present_at_head=False, removed_in=MID)], warnings=["old"])  # type: ignore[list-item]
    fresh = ScanResult(
        findings=[at(NEW, "back.ini", present_at_head=True), at(NEW, "new.ini")],  # type: ignore[list-item]
        warnings=["nothing was scanned: no commit selected"],
    )
    merged, keys = incremental((stored, ["k"]), (fresh, ["k", "n"]))
    assert keys == ["k", "n"] and merged.warnings == []
    kept = merged.findings[0]
    assert kept.commit == OLD and kept.present_at_head and kept.removed_in is None
