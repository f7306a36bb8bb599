"""pipeline.finish: the exit code of a run (in process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import ScanResult, Skipped
from scanner.pipeline import finish, prepare
from scanner.settings import Settings


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (ScanResult(), 0),
        (ScanResult(skipped=[Skipped("big.bin", "larger than 10 bytes")]), 0),  # a rule, not a fault
        (ScanResult(skipped=[Skipped("locked.env", "unreadable: Permission denied")]), 2),
        (ScanResult(errors=["blob 1234 is missing or corrupt; not scanned"]), 2),
    ],
)
def test_fail_on_error_fails_on_faults_only(
    tmp_path: Path, result: ScanResult, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(paths=(str(tmp_path),), backend="python", no_cache=True)  # failing is the default
    assert finish(prepare(settings), result) == code
    assert ("--no-fail-on-error" in capsys.readouterr().err) == bool(code)
    told = Settings(paths=(str(tmp_path),), backend="python", no_cache=True, fail_on_error=False)
    assert finish(prepare(told), result) == 0
