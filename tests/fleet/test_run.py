"""A fleet run in this process: what the state keeps when a run is interrupted, how a rerun resumes, a task
past its time limit, and a split repository merged back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.fleet import task as fleet_task
from scanner.fleet.backends import Inline, outcomes
from scanner.fleet.repos import RepoSpec, read
from scanner.fleet.run import FleetOptions, audit
from scanner.fleet.task import Outcome, Task
from scanner.settings import Settings
from tests.helpers.fleet import make_fleet

SETTINGS = Settings(command="history", backend="python", no_cache=True, verification=True)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> list[RepoSpec]:
    root = tmp_path_factory.mktemp("fleet")
    listing = root / "repos.txt"
    listing.write_text("\n".join(make_fleet(root / "repos")) + "\n")
    return read(listing)


def test_interrupted_run_resumes(fleet: list[RepoSpec], tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    options = FleetOptions(state=state)
    calls = 0

    def interrupted(task: Task) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyboardInterrupt  # Ctrl-C while the fourth repository is audited
        return fleet_task.run(task)

    with pytest.raises(KeyboardInterrupt):
        audit(fleet, SETTINGS, options, Inline(interrupted))
    kept = json.loads(state.read_text())["repositories"]
    assert sorted(kept) == sorted(spec.name for spec in fleet[:3])
    results = audit(fleet, SETTINGS, options, Inline())
    statuses = {r.spec.name: r.status for r in results}
    assert [statuses[s.name] for s in fleet[:3]] == ["unchanged"] * 3
    assert statuses[fleet[3].name] == "audited"
    assert statuses[fleet[-1].name] == "failed"  # the missing one: reported, and the rest went on
    again = audit(fleet, SETTINGS, options, Inline())
    assert {r.status for r in again} == {"unchanged", "failed"}
    assert [len(r.result.findings) for r in again] == [len(r.result.findings) for r in results]


def test_a_split_repository_merges_as_one_audit(fleet: list[RepoSpec]) -> None:
    big = next(spec for spec in fleet if spec.name == "big")
    whole = audit([RepoSpec(big.source, "whole")], SETTINGS, FleetOptions(), Inline())[0]
    for count in (2, 3):
        split = audit([RepoSpec(big.source, "split", split=count)], SETTINGS, FleetOptions(), Inline())[0]
        assert split.result.findings == whole.result.findings
        assert split.result.blobs_scanned == whole.result.blobs_scanned


class _Stuck:
    """A backend on which the second task never finishes."""

    slots = 2

    def submit(self, task: Task) -> Any:
        return task

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        return [h for h in handles if h.spec.name != "slow"]

    def result(self, handle: Any) -> Outcome:
        if handle.spec.name == "broken":
            raise RuntimeError("worker died")
        return Outcome(handle.spec.name, "audited")

    def cancel(self, handle: Any) -> None:
        pass


def test_time_limit_and_lost_tasks_fail_only_their_repository() -> None:
    tasks = [Task(RepoSpec(name, name), SETTINGS, b"k") for name in ("fast", "slow", "broken", "last")]
    got = {o.name: o for o in outcomes(_Stuck(), tasks, limit=0.2)}
    assert got["fast"].status == got["last"].status == "audited"
    assert got["slow"].status == "failed" and "timed out" in got["slow"].error
    assert got["broken"].status == "failed" and "worker died" in got["broken"].error


def test_fleet_baseline_covers_findings_in_any_repository(fleet: list[RepoSpec], tmp_path: Path) -> None:
    import subprocess
    import sys

    from scanner.baseline import load

    at_head = next(spec for spec in fleet if spec.name.endswith("at_head"))
    made = tmp_path / "fleet-baseline.json"
    subprocess.run(
        [sys.executable, "-m", "scanner", "baseline", "create", at_head.source, "--history", "-o", str(made)],
        capture_output=True,
        check=True,
    )
    before = audit([at_head], SETTINGS, FleetOptions(), Inline())[0]
    # As `history --baseline FILE` reads it: paths relative to the file's folder.
    options = FleetOptions(baseline=load(made), baseline_path=str(made))
    after = audit([at_head], SETTINGS, options, Inline())[0]
    assert before.result.findings and not after.result.findings
    assert after.result.suppressed == {"baseline": len(before.result.findings)}
    # One baseline for repositories wherever they are: paths relative to each repository's root.
    local = Path(at_head.source) / ".secretscan-baseline.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner",
            "baseline",
            "create",
            at_head.source,
            "--history",
            "-o",
            str(local),
        ],
        capture_output=True,
        check=True,
    )
    moved = tmp_path / "elsewhere.json"
    moved.write_text(local.read_text())
    local.unlink()
    options = FleetOptions(baseline=load(moved), baseline_path=str(moved))
    assert not audit([at_head], SETTINGS, options, Inline())[0].result.findings
