"""The one size parser: the command line and the config file accept and refuse the same text (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.cli import main
from scanner.settings import parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1", 1),
        ("500000", 500000),
        ("512k", 512 << 10),
        ("1.5M", int(1.5 * (1 << 20))),
        ("10MB", 10 << 20),
        ("2g", 2 << 30),
        (" 3 kb ", 3 << 10),
        (7, 7),
    ],
)
def test_sizes_parse(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["-5", "0", "0k", "0.0001k", "abc", "", "5 apples", "-1M", 0, -3, True])
def test_sizes_that_would_skip_everything_or_mean_nothing_are_refused(text: str | int) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


@pytest.mark.parametrize("flag", ["--max-file-size=-5", "--max-file-size=0"])
def test_a_negative_or_zero_flag_is_a_usage_error_not_a_clean_scan(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "creds").write_text("aws_access_key_id = AKIAYXMO5QKHBZ3DWT6R\n")
    assert main(["scan", str(tmp_path), flag, "-q"]) == 2
    assert "size" in capsys.readouterr().err


def test_the_config_file_refuses_the_same_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".secretscan.yaml").write_text("max_file_size: -5\n")
    assert main(["scan", str(tmp_path), "-q", "--no-cache"]) == 2
    assert "max_file_size" in capsys.readouterr().err
