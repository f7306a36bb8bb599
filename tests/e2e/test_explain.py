"""--explain: every candidate that matched a pattern but was not reported comes with its reason."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli
from tests.helpers.cli import run_cli_python as cli

KEY = "AKIAUJZDEGXDNCF32EPF"
SECRET = "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"
APPSYNC = "da2-jcbhgkwjbbcicecexm8eygpnnh"


# (file content, project config, extra flags, rule id, drop reason, words expected in the detail)
CASES = {
    "entropy": (
        "aws_secret_access_key = " + "ab" * 20,
        "",
        (),
        "aws-secret-access-key",
        "entropy",
        "below the rule's minimum 3.5",
    ),
    "validator": (
        "aws_secret_access_key = 0123456789abcdef0123456789abcdef01234567",
        "",
        (),
        "aws-secret-access-key",
        "validator",
        "lacks the mix",
    ),
    "example credential": (
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "",
        (),
        "aws-access-key-id",
        "example-credential",
        "documentation example",
    ),
    "allowlist regex": (
        f"key = {KEY}",
        f"allowlist:\n  regexes: ['^{KEY[:8]}']\n",
        (),
        "aws-access-key-id",
        "allowlist-secret",
        f"global allowlist: secret matches '^{KEY[:8]}'",
    ),
    "per-rule line allowlist": (
        f"key = {KEY}  # rotated 2024-03",
        "rule_allowlists:\n  aws-access-key-id:\n    line_regexes: ['# rotated']\n",
        (),
        "aws-access-key-id",
        "allowlist-line",
        "rule allowlist: line matches '# rotated'",
    ),
    "path allowlist": (
        f"key = {KEY}",
        "allowlist:\n  paths: ['^leak\\.txt$']\n",
        (),
        "aws-access-key-id",
        "allowlist-path",
        "path matches",
    ),
    "stopword": (
        f"key = {KEY}",
        "allowlist:\n  stopwords: [xdncf]\n",
        (),
        "aws-access-key-id",
        "stopword",
        "stopword 'xdncf'",
    ),
    "secretscan marker": (
        f"key = {KEY}  # secretscan:allow",
        "",
        (),
        "aws-access-key-id",
        "inline-marker",
        "on the line",
    ),
    "gitleaks marker": (
        f"key = {KEY}  // gitleaks:allow",
        "",
        (),
        "aws-access-key-id",
        "inline-marker",
        "on the line",
    ),
    "detect-secrets marker": (
        f"key = {KEY}  # pragma: allowlist secret",
        "",
        (),
        "aws-access-key-id",
        "inline-marker",
        "on the line",
    ),
    "next-line marker": (
        f"# pragma: allowlist nextline secret\nkey = {KEY}",
        "",
        (),
        "aws-access-key-id",
        "inline-marker",
        "on the line above",
    ),
    "confidence": (
        f'const apiKey = "{APPSYNC}";',
        "",
        ("--min-confidence", "high"),
        "aws-appsync-api-key",
        "confidence",
        "confidence medium is below --min-confidence high",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_drop_cause_is_explained(tmp_path: Path, case: str) -> None:
    content, config, flags, rule_id, reason, detail = CASES[case]
    secret = content.split("= ")[-1].split()[0].strip('";')
    (tmp_path / "leak.txt").write_text(content + "\n")
    if config:
        (tmp_path / ".secretscan.yaml").write_text(config)
    proc = cli("scan", ".", "--explain", "-f", "json", *flags, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert not [f for f in doc["findings"] if f["rule_id"] == rule_id]
    drops = [d for d in doc["dropped"] if d["rule_id"] == rule_id]
    assert [(d["path"], d["reason"]) for d in drops] == [("leak.txt", reason)]
    assert detail in drops[0]["detail"]
    line_no = content.count("\n") + 1
    assert drops[0]["line"] == line_no
    text = cli("scan", ".", "--explain", *flags, cwd=tmp_path).stdout
    assert f"leak.txt:{line_no}:" in text and f"[{reason}] " in text
    assert secret not in text and secret not in proc.stdout  # explanations redact too


def test_baseline_drop_is_explained(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "leak.txt").write_text(f"key = {KEY}\n")
    assert cli("baseline", "create", cwd=tmp_path).returncode == 0
    proc = run_cli(
        "baseline", "label", "leak.txt", "--as", "revoked", "--note", "rotated in March", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(cli("scan", ".", "--explain", "-f", "json", cwd=tmp_path).stdout)
    assert doc["findings"] == []
    assert [(d["reason"], d["detail"]) for d in doc["dropped"]] == [
        ("baseline", "baseline entry (revoked): rotated in March")
    ]
    assert "[baseline] baseline entry (revoked)" in cli("scan", ".", "--explain", cwd=tmp_path).stdout


def test_drops_are_listed_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "leak.txt").write_text("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
    proc = cli("scan", ".", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0 and "dropped" not in json.loads(proc.stdout)
    assert "Dropped" not in cli("scan", ".", cwd=tmp_path).stdout
    shown = cli("scan", ".", "--explain", "--show-secrets", cwd=tmp_path).stdout
    assert "AKIAIOSFODNN7EXAMPLE" in shown and "[example-credential]" in shown
