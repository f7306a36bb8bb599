"""Strict rule validation: each error names the file and the rule id; the CLI exits 2."""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import RuleError
from scanner.rules import Rule, builtin_rules_dir, load_rules
from tests.helpers.cli import run_cli

GOOD = """\
  - id: demo-token
    name: Demo token
    severity: high
    pattern: 'demo_([a-z0-9]{12})'
    keywords: [demo_]
    examples: ['demo_abcdef123456']
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text("rules:\n" + body)
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD + "    colour: red\n", "rule 'demo-token': unknown key(s): colour"),
        (GOOD + GOOD, "rule 'demo-token': duplicate id"),
        (
            GOOD.replace("demo_([a-z0-9]{12})", "demo_([a-z0-9]{12}"),
            "rule 'demo-token': pattern: invalid regex",
        ),
        (GOOD + "    secret_group: 2\n", "rule 'demo-token': secret_group 2 out of range"),
        (GOOD.replace("    examples: ['demo_abcdef123456']\n", "    examples: []\n"), "at least one example"),
        (GOOD.replace("    examples: ['demo_abcdef123456']\n", ""), "missing required key 'examples'"),
        (GOOD.replace("severity: high", "severity: dire"), "severity must be one of"),
        (GOOD + "    validator: nope\n", "unknown validator 'nope'"),
        (GOOD + "    allowlist: {regexes: ['(']}\n", "allowlist.regexes: invalid regex"),
        (GOOD + "    prefilter: 'demo_('\n", "rule 'demo-token': prefilter: invalid regex"),
        ("  - id: x\n   bad: [yaml\n", "invalid YAML"),
    ],
)
def test_invalid_rules_name_file_and_rule(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(RuleError) as excinfo:
        load_rules([path], builtin=False)
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


def test_cli_reports_rule_error_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "    colour: red\n")
    proc = run_cli("scan", str(tmp_path), "--rules", str(path))
    assert proc.returncode == 2
    assert str(path) in proc.stderr and "demo-token" in proc.stderr and "colour" in proc.stderr


def test_custom_rule_ids_may_not_shadow_builtins(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("demo-token", "aws-access-key-id"))
    with pytest.raises(RuleError, match="duplicate id"):
        load_rules([path])


def test_rules_check_passes_on_every_shipped_rule() -> None:
    proc = run_cli("rules", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all pass" in proc.stdout


def test_rules_check_fails_on_a_custom_rule_whose_example_does_not_match(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace("'demo_abcdef123456'", "'demo_ABC'") + "    negative_examples: ['x']\n"
    )
    proc = run_cli("rules", "check", str(path))
    assert proc.returncode == 1
    assert "FAIL demo-token: missed example" in proc.stdout


def test_rules_list_shows_what_is_loaded(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    proc = run_cli("rules", "list", "--rules", str(path))
    assert proc.returncode == 0
    assert "demo-token" in proc.stdout and "aws-access-key-id" in proc.stdout


def test_builtin_rules_are_found() -> None:
    assert any(builtin_rules_dir().glob("*.yaml"))
    ids = {r.id for r in load_rules()}
    assert {"aws-access-key-id", "aws-secret-access-key", "aws-session-token", "aws-mws-auth-token"} <= ids


def test_validated_rule_cache_never_serves_a_stale_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    first = load_rules([path], builtin=False)
    assert load_rules([path], builtin=False) == first  # served from the cache
    path.write_text("rules:\n" + GOOD.replace("severity: high", "severity: low"))
    assert load_rules([path], builtin=False)[0].severity == "low"
    path.write_text("rules:\n" + GOOD + "    colour: red\n")
    with pytest.raises(RuleError, match="colour"):
        load_rules([path], builtin=False)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-7],  # truncated
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # a flipped bit
        lambda data: b"",
        lambda data: data[:20] + b"\0" * 32 + data[52:],  # another digest
    ],
)
def test_a_damaged_rule_cache_file_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, GOOD)
    first = load_rules([path], builtin=False)
    (cached,) = (tmp_path / "cache" / "secretscan").glob("rules-*")
    cached.write_bytes(damage(cached.read_bytes()))
    assert load_rules([path], builtin=False) == first
    assert load_rules([path], builtin=False) == first  # stored again whole


def test_a_rule_cache_file_of_another_shape_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole file whose data is not rules (another version's, or planted with a valid digest)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, GOOD)
    first = load_rules([path], builtin=False)
    (cached,) = (tmp_path / "cache" / "secretscan").glob("rules-*")
    magic = cached.read_bytes().split(b"\n", 1)[0] + b"\n"
    width = len(fields(Rule))
    for body in ([("demo-token",)], {"id": "demo-token"}, [tuple(range(width))], [("x",) * width], "rules"):
        data = marshal.dumps(body)
        cached.write_bytes(magic + hashlib.sha256(data).digest() + data)
        assert load_rules([path], builtin=False) == first
