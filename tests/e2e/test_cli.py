"""The installed command: exit codes, stdin, the default command, JSON schema and redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli

KEY = "AKIAUJZDEGXDNCF32EPF"
SECRET = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
CREDS = f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    (tmp_path / "credentials").write_text(CREDS)
    return tmp_path


def test_exit_codes(tmp_path: Path, leaky: Path) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.txt").write_text("nothing here\n")
    assert run_cli("scan", str(clean)).returncode == 0
    assert run_cli("scan", str(leaky)).returncode == 1
    assert run_cli("scan", str(leaky), "--no-such-flag").returncode == 2
    assert run_cli("scan", str(leaky), "--format", "yaml").returncode == 2
    assert run_cli().returncode == 2


def test_bare_path_means_scan(leaky: Path) -> None:
    proc = run_cli(str(leaky))
    assert proc.returncode == 1
    assert "AWS access key ID" in proc.stdout


def test_stdin(leaky: Path) -> None:
    proc = run_cli("scan", "-", "-f", "json", stdin=CREDS)
    assert proc.returncode == 1
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["path"] == "-" and finding["line"] == 2


def test_json_schema(leaky: Path) -> None:
    doc = json.loads(run_cli("scan", str(leaky), "-f", "json").stdout)
    assert doc["schema_version"] == "1.1"
    assert doc["tool"]["name"] == "secretscan"
    assert set(doc) >= {
        "mode",
        "target",
        "summary",
        "findings",
        "skipped",
        "errors",
        "warnings",
        "secrets_redacted",
    }
    (finding,) = doc["findings"]
    assert set(finding) >= {
        "rule_id", "rule_name", "severity", "confidence", "path", "line", "column", "end_column", "secret",
        "line_text", "fingerprint", "facts", "companions", "commit", "verification",
    }  # fmt: skip
    assert finding["facts"]["key_type"] == "long-term access key"
    assert finding["facts"]["account_id"] == "295889548742"
    assert (finding["line"], finding["column"]) == (2, 21)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_redacted_unless_asked(leaky: Path, fmt: str) -> None:
    redacted = run_cli("scan", str(leaky), "-f", fmt)
    assert KEY not in redacted.stdout and SECRET not in redacted.stdout
    assert "AKIA*****" in redacted.stdout
    shown = run_cli("scan", str(leaky), "-f", fmt, "--show-secrets")
    assert KEY in shown.stdout and SECRET in shown.stdout


def test_output_file(leaky: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_cli("scan", str(leaky), "-f", "json", "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 1
    bad = run_cli("scan", str(leaky), "-o", str(tmp_path / "no" / "dir" / "r.txt"))
    assert bad.returncode == 2 and "cannot write report" in bad.stderr


def test_missing_path_on_the_command_line_is_a_usage_error(leaky: Path, tmp_path: Path) -> None:
    proc = run_cli("scan", str(tmp_path / "nope"), str(leaky), "-f", "json")
    assert proc.returncode == 2
    assert f"no such file or folder: {tmp_path / 'nope'}" in proc.stderr
    assert proc.stdout == ""


def test_broken_symlink_inside_a_scan_is_reported_and_the_scan_goes_on(leaky: Path) -> None:
    (leaky / "dangling").symlink_to(leaky / "missing")
    proc = run_cli("scan", str(leaky), "-f", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["skipped"][0]["reason"].startswith("broken symbolic link")


def test_python_dash_m_works(leaky: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", str(leaky)], capture_output=True, text=True
    )
    assert proc.returncode == 1


def test_this_repository_scans_clean() -> None:
    """Dogfood: our code and docs raise no alarm (fake keys in rules/, fixtures/, tests/ are ignored by the
    repository's own .secretscanignore). A false alarm here is one users would see too."""
    root = Path(__file__).resolve().parents[2]
    proc = run_cli("scan", str(root), "--no-cache", "-q", cwd=root)
    assert proc.returncode == 0, proc.stdout


def test_the_main_module_runs_only_as_main(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes started by "spawn" (macOS, Windows) import `python -m scanner`'s main module again,
    as __mp_main__: it must not run the command a second time there."""
    import runpy

    monkeypatch.setattr("sys.argv", ["scanner", "--version"])
    runpy.run_module("scanner.__main__", run_name="__mp_main__")  # returns: the command did not run
    with pytest.raises(SystemExit) as ran:
        runpy.run_module("scanner.__main__", run_name="__main__")
    assert ran.value.code == 0


def test_the_installed_command_runs_exit_handlers_and_flushes_before_its_fast_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run` skips the interpreter's teardown, never what a user could see: exit handlers, buffered output,
    the exit code."""
    import atexit
    import os

    from scanner import cli

    ran: list[str] = []
    # Stood in for: the real handlers here are pytest's and coverage's, which must not run mid-session.
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: ran.append("handlers"))

    class Exited(Exception):
        pass

    def exit_now(code: int) -> None:
        ran.append(f"exit {code}")
        raise Exited

    monkeypatch.setattr("sys.argv", ["secretscan", "--version"])
    monkeypatch.setattr(os, "_exit", exit_now)
    with pytest.raises(Exited):
        cli.run()
    assert ran == ["handlers", "exit 0"]
    assert capsys.readouterr().out.strip()
