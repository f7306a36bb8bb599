"""The state file: plain JSON, written atomically, refused clearly when it is not ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.fleet.state import State, load, save
from scanner.fleet.task import Outcome
from scanner.model import ScanResult, Skipped
from tests.fleet.test_transit import finding


def test_round_trip_and_prior(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    state = load(path)  # no file yet: a new state with a fresh key
    result = ScanResult(findings=[finding()], skipped=[Skipped("big.bin", "binary")], target="r")
    state.record(Outcome("r", "audited", {"HEAD": "c" * 40}, "recipe"), result, ["k1"], keep=True)
    save(state, path)
    again = load(path)
    assert again.key == state.key
    prior = again.prior("r")
    assert prior is not None and prior.tips == {"HEAD": "c" * 40} and prior.recipe == "recipe"
    assert prior.present == (("a" * 40, "config/aws.ini"),)
    stored, keys = again.stored("r")
    assert keys == ["k1"] and stored.skipped == result.skipped and stored.findings[0].path == "config/aws.ini"
    assert not list(tmp_path.glob(".state.json.*"))  # the file written beside it was renamed over it


def test_findings_with_raw_secrets_are_never_stored(tmp_path: Path) -> None:
    state = State()
    result = ScanResult(findings=[finding()])
    state.record(Outcome("r", "audited", {"HEAD": "c" * 40}, "recipe"), result, ["k1"], keep=False)
    save(state, tmp_path / "s.json")
    assert "AKIA" not in (tmp_path / "s.json").read_text()
    assert load(tmp_path / "s.json").prior("r") is None  # nothing to reuse: audited again


@pytest.mark.parametrize("text", ["{", "[]", json.dumps({"format": "other", "version": 1})])
def test_not_a_state_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(text)
    with pytest.raises(UsageError, match="not a fleet state file"):
        load(path)
