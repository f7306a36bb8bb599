"""--cluster without the optional extra: a clear error naming what to install."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scanner import cli


def test_missing_distributed_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{tmp_path}\n")
    code = cli.main(["fleet", str(listing), "--cluster", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "pip install 'secretscan[fleet]'" in capsys.readouterr().err


def test_live_checks_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{tmp_path}\n")
    assert cli.main(["fleet", str(listing), "--verify"]) == 2
    assert "secretscan verify" in capsys.readouterr().err
