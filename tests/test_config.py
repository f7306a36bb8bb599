"""Project config (.secretscan.yaml, [tool.secretscan]), .secretscanignore, own files, config errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli_python as cli

KEY = "AKIAUJZDEGXDNCF32EPF"
OTHER_KEY = "AKIAEUVW75EFR6EDT4SY"
SECRET = "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"
APPSYNC = "da2-jcbhgkwjbbcicecexm8eygpnnh"
CUSTOM_RULE = """\
rules:
  - id: acme-token
    name: ACME token
    severity: high
    pattern: '(acme_[a-z0-9]{16})'
    keywords: [acme_]
    examples: ['token = acme_0123456789abcdef']
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    files = {
        "app/settings.py": f'AWS_ACCESS_KEY_ID = "{KEY}"\n',
        "app/appsync.js": f'const apiKey = "{APPSYNC}";\n',
        "tests/fixture.env": f"AWS_ACCESS_KEY_ID={OTHER_KEY}\n",
        "big/dump.sql": f"-- {KEY}\n" + "x" * 5000 + "\n",
        "plugin.txt": "token = acme_a1b2c3d4e5f6a7b8\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def scan(repo: Path, *args: str, cwd: Path | None = None) -> list[tuple[str, str]]:
    proc = cli("scan", *args, "-f", "json", cwd=cwd or repo)
    assert proc.returncode in (0, 1), proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    # The built-in generic rules also fire on some of these assignments; these tests are about the config.
    return sorted((f["path"], f["rule_id"]) for f in findings if not f["rule_id"].startswith("generic-"))


ALL = [
    ("app/appsync.js", "aws-appsync-api-key"),
    ("app/settings.py", "aws-access-key-id"),
    ("big/dump.sql", "aws-access-key-id"),
    ("tests/fixture.env", "aws-access-key-id"),
]


def test_no_config_reports_everything(repo: Path) -> None:
    assert scan(repo, ".") == ALL


def test_yaml_config_applies_every_key(repo: Path) -> None:
    (repo / "rules").mkdir()
    (repo / "rules" / "acme.yaml").write_text(CUSTOM_RULE)
    (repo / ".secretscan.yaml").write_text(
        "rules: [rules]\n"
        "disabled_rules: [aws-appsync-api-key]\n"
        "exclude: ['tests/']\n"
        "max_file_size: 1k\n"
        "allowlist:\n  paths: ['^nothing$']\n"
    )
    assert scan(repo, ".") == [("app/settings.py", "aws-access-key-id"), ("plugin.txt", "acme-token")]


def test_global_and_per_rule_allowlists(repo: Path) -> None:
    (repo / ".secretscan.yml").write_text(
        f"allowlist:\n  regexes: ['^{OTHER_KEY}$']\n"
        "rule_allowlists:\n  aws-access-key-id:\n    paths: ['\\.sql$']\n    line_regexes: ['AWS_ACCESS_KEY_ID = ']\n"
    )
    assert scan(repo, ".") == [("app/appsync.js", "aws-appsync-api-key")]


def test_pyproject_table_and_default_format(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.secretscan]\nformat = "json"\n'
        'disabled_rules = ["aws-appsync-api-key"]\n\n[tool.secretscan.rule_allowlists.aws-access-key-id]\n'
        'stopwords = ["ncf32"]\n'
    )
    proc = cli("scan", ".", cwd=repo)  # no -f: the config's format
    doc = json.loads(proc.stdout)
    assert sorted(f["path"] for f in doc["findings"] if f["rule_id"].startswith("aws-")) == [
        "tests/fixture.env"
    ]
    text = cli("scan", ".", "-f", "text", cwd=repo).stdout  # -f wins
    assert not text.startswith("{") and "finding(s)" in text


def test_yaml_wins_over_pyproject_and_config_flag_overrides(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (repo / "pyproject.toml").write_text('[tool.secretscan]\ndisabled_rules = ["aws-access-key-id"]\n')
    (repo / ".secretscan.yaml").write_text("disabled_rules: [aws-appsync-api-key]\n")
    assert ("app/appsync.js", "aws-appsync-api-key") not in scan(repo, ".")
    other = tmp_path_factory.mktemp("ci") / "strict.yml"
    other.write_text("exclude: [app/]\n")
    assert scan(repo, ".", "--config", str(other)) == ALL[2:]


def test_config_found_at_repository_root_not_above_it(repo: Path) -> None:
    (repo / ".secretscan.yaml").write_text("disabled_rules: [aws-access-key-id]\n")
    assert scan(repo, ".", cwd=repo / "app") == [("appsync.js", "aws-appsync-api-key")]
    assert scan(repo, "app") == [("app/appsync.js", "aws-appsync-api-key")]
    # A folder that is not a repository: only its own config counts, never one in a parent folder.
    (repo / "app" / ".git").mkdir()
    assert scan(repo, ".", cwd=repo / "app") == [
        ("appsync.js", "aws-appsync-api-key"),
        ("settings.py", "aws-access-key-id"),
    ]


def test_outside_a_repository_parent_config_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".secretscan.yaml").write_text("disabled_rules: [aws-access-key-id]\n")
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "a.env").write_text(f"AWS_ACCESS_KEY_ID={KEY}\n")
    assert scan(tmp_path, "child") == [("child/a.env", "aws-access-key-id")]
    assert scan(tmp_path, ".") == []


def test_secretscanignore(repo: Path) -> None:
    (repo / ".secretscanignore").write_text("# generated dumps\n*.sql\n/tests/\n")
    (repo / "app" / ".secretscanignore").write_text("appsync.js\n")
    assert scan(repo, ".") == [("app/settings.py", "aws-access-key-id")]
    assert scan(repo, ".", "--no-gitignore") == [("app/settings.py", "aws-access-key-id")]
    (repo / ".secretscanignore").write_text("*.env\n!fixture.env\n/big\n")
    assert scan(repo, ".") == [
        ("app/settings.py", "aws-access-key-id"),
        ("tests/fixture.env", "aws-access-key-id"),
    ]


def test_own_files_are_never_scanned(repo: Path) -> None:
    pattern = f"allowlist:\n  regexes: ['^{KEY}$']  # {KEY} would be a finding in any other file\n"
    (repo / ".secretscan.yaml").write_text(pattern)
    (repo / "ci").mkdir()
    (repo / "ci" / "secretscan.yml").write_text(pattern + f"baseline: known-{OTHER_KEY}.json\n")
    (repo / "ci" / f"known-{OTHER_KEY}.json").write_text(
        json.dumps({"secretscan_baseline": 1, "hmac_key": "00", "entries": [], "x": KEY})
    )
    found = scan(repo, ".")
    assert ".secretscan.yaml" not in {p for p, _ in found}
    found = scan(repo, ".", "--config", "ci/secretscan.yml")
    assert not any(p.startswith("ci/") for p, _ in found)
    assert ("tests/fixture.env", "aws-access-key-id") in found


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (".secretscan.yaml", "colour: red\n", "unknown key(s) colour"),
        (".secretscan.yaml", "disabled_rules: aws-access-key-id\n", "key 'disabled_rules': must be a list"),
        (
            ".secretscan.yaml",
            "disabled_rules: [no-such-rule]\n",
            "key 'disabled_rules': unknown rule id(s) no-such",
        ),
        (
            ".secretscan.yaml",
            "rule_allowlists:\n  nope: {}\n",
            "key 'rule_allowlists': unknown rule id(s) nope",
        ),
        (".secretscan.yaml", "allowlist:\n  regexes: ['(']\n", "key 'allowlist'"),
        (".secretscan.yaml", "allowlist:\n  words: [x]\n", "unknown key(s): words"),
        (".secretscan.yaml", "max_file_size: lots\n", "key 'max_file_size': not a size"),
        (".secretscan.yaml", "format: yaml\n", "key 'format': unknown format 'yaml'"),
        (".secretscan.yaml", "rules: [missing-folder]\n", "key 'rules':"),
        (".secretscan.yaml", "exclude: [1, 2]\n", "key 'exclude': must be a list"),
        (".secretscan.yaml", "inline_allow: no-thanks\n", "key 'inline_allow': expected true or false"),
        (".secretscan.yaml", "fail_on_error: 1\n", "key 'fail_on_error': expected true or false"),
        (".secretscan.yaml", "rules: [\n", "invalid YAML"),
        (".secretscan.yml", "- a list\n", "must be a mapping"),
        ("pyproject.toml", "[tool.secretscan]\nexclude = 3\n", "[tool.secretscan]: key 'exclude'"),
        ("pyproject.toml", "[tool.secretscan\n", "invalid TOML"),
    ],
)
def test_invalid_config_is_a_clear_error(repo: Path, name: str, content: str, message: str) -> None:
    (repo / name).write_text(content)
    proc = cli("scan", ".", cwd=repo)
    assert proc.returncode == 2, proc.stdout
    assert f"{name}" in proc.stderr and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_config_flag_file(repo: Path) -> None:
    proc = cli("scan", ".", "--config", "nope.yaml", cwd=repo)
    assert proc.returncode == 2 and "nope.yaml: config file not found" in proc.stderr


def test_pyproject_without_our_table_is_not_a_config(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (repo / ".secretscanignore").write_text("tests/\nbig/\n")
    assert scan(repo, ".") == [
        ("app/appsync.js", "aws-appsync-api-key"),
        ("app/settings.py", "aws-access-key-id"),
    ]


def test_a_pyproject_that_never_names_us_is_not_parsed(tmp_path: Path) -> None:
    from scanner.config import find_config

    (tmp_path / "pyproject.toml").write_text("[tool.ruff\n")  # not TOML, and not about us: no error
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("# secretscan: see below\n[tool.ruff]\n")  # parsed: no table
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[tool."secretscan"]\nexclude = []\n')
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
