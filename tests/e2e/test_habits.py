"""Command-line habits (issue 18 §5), on the installed command: options anywhere, `secretscan -` for stdin,
--verbose, "did you mean", each command's own usage in its errors, NO_COLOR/FORCE_COLOR, `version`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import __version__
from tests.helpers.cli import run_cli
from tests.helpers.gitrepo import ENGINE, build

KEY = "AKIAUJZDEGXDNCF32EPF"
SECRET = "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"
CREDS = f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    (tmp_path / "credentials").write_text(CREDS)
    (tmp_path / "clean.txt").write_text("nothing here\n")
    return tmp_path


def _paths(proc_stdout: str) -> set[str]:
    return {finding["path"] for finding in json.loads(proc_stdout)["findings"]}


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "-f", "json", "{dir}"),  # options before the path
        ("scan", "{dir}", "-f", "json"),  # after
        ("scan", "{dir}/clean.txt", "-f", "json", "{dir}/credentials"),  # between two paths
        ("{dir}", "--format=json", "-q"),  # the default command, options after
        ("-f", "json", "{dir}"),  # the default command, options first
        ("-fjson", "-j1", "{dir}"),  # short options with their values attached
    ],
)
def test_options_before_between_or_after_paths(leaky: Path, args: tuple[str, ...]) -> None:
    proc = run_cli(*(a.format(dir=leaky) for a in args), *ENGINE)
    assert proc.returncode == 1, proc.stderr
    assert any(path.endswith("credentials") for path in _paths(proc.stdout))


def test_history_takes_options_after_the_repository(tmp_path: Path) -> None:
    build(tmp_path, [({"a.cfg": CREDS}, "leak")])
    proc = run_cli("history", str(tmp_path), "-f", "json", "--quiet", *ENGINE)
    assert proc.returncode == 1 and _paths(proc.stdout) == {"a.cfg"}


def test_a_dash_alone_scans_stdin() -> None:
    proc = run_cli("-", "-f", "json", *ENGINE, stdin=CREDS)
    assert proc.returncode == 1, proc.stderr
    assert _paths(proc.stdout) == {"-"}
    assert run_cli("-", *ENGINE, stdin="nothing here\n").returncode == 0


def test_verbose_lists_what_was_left_out_and_why(leaky: Path) -> None:
    (leaky / "logo.png").write_bytes(b"\x89PNG\0\0binary")
    (leaky / "vendor").mkdir()
    (leaky / "vendor" / "lib.js").write_text("x\n")
    (leaky / ".secretscanignore").write_text("vendor/\n")
    quiet = run_cli("scan", ".", "-f", "json", *ENGINE, cwd=leaky)
    assert "not scanned" not in quiet.stderr
    proc = run_cli("scan", ".", "-f", "json", "-v", "--exclude", "clean.txt", *ENGINE, cwd=leaky)
    assert json.loads(proc.stdout)["findings"]  # the report on stdout is untouched
    lines = proc.stderr.splitlines()
    assert "secretscan: not scanned: logo.png: binary" in lines
    assert any(line.startswith("secretscan: not scanned: vendor/: ignored") for line in lines)
    assert any(line.startswith("secretscan: not scanned: clean.txt: excluded") for line in lines)


@pytest.mark.parametrize(
    ("args", "usage", "hint"),
    [
        (("scna", "."), "usage: secretscan ", "unknown command 'scna' (did you mean scan?)"),
        (("scan", ".", "--formt", "json"), "usage: secretscan scan ", "(did you mean --format?)"),
        (("scan", "-f", "jsn", "."), "usage: secretscan scan ", "(did you mean json?)"),
        (("history", "--qiuet"), "usage: secretscan history ", "(did you mean --quiet?)"),
        (("baseline", "create", "--forse"), "usage: secretscan baseline create ", "(did you mean --force?)"),
        (("rules", "lst"), "usage: secretscan rules ", "(did you mean list?)"),
        (("--verison",), "usage: secretscan ", "(did you mean --version?)"),
    ],
)
def test_a_near_miss_gets_its_command_usage_and_a_suggestion(
    tmp_path: Path, args: tuple[str, ...], usage: str, hint: str
) -> None:
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(usage), proc.stderr
    assert hint in proc.stderr.splitlines()[-1]
    assert proc.stdout == ""


def test_a_real_path_that_looks_like_a_command_is_scanned(tmp_path: Path) -> None:
    (tmp_path / "scna").write_text("nothing here\n")  # a file, not a typo of `scan`
    assert run_cli("scna", *ENGINE, cwd=tmp_path).returncode == 0


def test_no_suggestion_for_a_word_unlike_any(tmp_path: Path) -> None:
    proc = run_cli("scan", ".", "--zzzzzz", cwd=tmp_path)
    assert proc.returncode == 2 and "did you mean" not in proc.stderr


def _colored(leaky: Path, env: dict[str, str], *flags: str) -> bool:
    proc = run_cli("scan", str(leaky), *ENGINE, *flags, env=env)
    assert proc.returncode == 1
    return "\033[" in proc.stdout


def test_no_color_and_force_color(leaky: Path) -> None:
    plain = {"NO_COLOR": "", "FORCE_COLOR": ""}
    assert not _colored(leaky, plain)  # a pipe: no colour
    assert _colored(leaky, {**plain, "FORCE_COLOR": "1"})
    assert not _colored(leaky, {**plain, "FORCE_COLOR": "0"})
    assert not _colored(leaky, {"NO_COLOR": "1", "FORCE_COLOR": "1"})  # no-color.org wins
    assert not _colored(leaky, {**plain, "FORCE_COLOR": "1"}, "--no-color")
    forced = run_cli("scan", str(leaky), "-f", "json", *ENGINE, env={"FORCE_COLOR": "1"})
    assert "\033[" not in forced.stdout  # only the text format is painted


def test_version_command_and_flag() -> None:
    for args in (("version",), ("--version",)):
        proc = run_cli(*args)
        assert (proc.returncode, proc.stdout.strip()) == (0, f"secretscan {__version__}")


def test_github_annotations_warn_when_github_would_drop_some(tmp_path: Path) -> None:
    for i in range(12):  # an AWS key pair each: an error annotation or more each
        key_id = f"AKIA{'ABCDEFGHIJKLMNOP'[i]}UJZDEGXDNCF32E"
        (tmp_path / f"creds{i}").write_text(CREDS.replace(KEY, key_id))
    proc = run_cli("scan", str(tmp_path), "-f", "github", *ENGINE)
    assert proc.returncode == 1
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) > 10
    assert "GitHub shows only 10 of each kind per step" in proc.stderr
    assert "upload-sarif" in proc.stderr
    few = run_cli("scan", str(tmp_path / "creds0"), "-f", "github", *ENGINE)
    assert few.returncode == 1 and few.stderr == ""
