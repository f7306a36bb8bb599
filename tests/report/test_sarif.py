"""SARIF: valid against the official 2.1.0 schema and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from scanner.report import renderer
from scanner.report.sarif import FINGERPRINT_KEY
from tests.helpers.cli import run_cli
from tests.helpers.report_samples import (
    FIRST,
    KEY_ID,
    NASTY_PATH,
    REPOSITORY,
    SECRET_KEY,
    context,
    paired_key,
    sample_result,
)

SCHEMA_NAME = "schemas/sarif-schema-2.1.0.json"


def _schema_path() -> Path | None:
    """The shared folder sits beside the clone in CI, or above a worktree in the workspace (issue 5)."""
    candidates = [parent / "shared" / SCHEMA_NAME for parent in Path(__file__).resolve().parents]
    candidates.append(Path("../shared") / SCHEMA_NAME)
    return next((p for p in candidates if p.is_file()), None)


def _validate(doc: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path = _schema_path()
    if path is None:
        pytest.skip("official SARIF schema not found beside the repository")
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_class(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def _sarif(show: bool = False, mode: str = "history") -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(renderer("sarif")(sample_result(mode), context(show=show)))
    return doc


def test_sample_validates_against_official_schema() -> None:
    _validate(_sarif())


def test_validation_catches_a_broken_document() -> None:
    doc = _sarif()
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(AssertionError, match="startLine"):
        _validate(doc)


def test_empty_scan_validates() -> None:
    result = sample_result("scan")
    result.findings = []
    _validate(json.loads(renderer("sarif")(result, context())))


def test_rules_carry_help_severity_and_cwe() -> None:
    run = _sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    rule = next(r for r in rules if r["id"] == "aws-access-key-id")
    assert "deactivate the old key" in rule["help"]["text"]
    assert "**Remediation:**" in rule["help"]["markdown"]
    assert "docs.aws.amazon.com" in rule["help"]["markdown"]
    assert rule["shortDescription"]["text"] == "AWS access key ID"
    assert {"security", "external/cwe/cwe-798"} <= set(rule["properties"]["tags"])
    assert rule["properties"]["precision"] == "high"
    # the paired finding is critical, so the rule's security severity is raised to critical
    assert float(rule["properties"]["security-severity"]) >= 9.0
    medium = next(r for r in rules if r["properties"]["severity"] == "medium")
    assert 4.0 <= float(medium["properties"]["security-severity"]) < 7.0


def test_result_location_fingerprint_and_redacted_message() -> None:
    run = _sarif()["runs"][0]
    key = run["results"][0]
    assert key["ruleId"] == "aws-access-key-id"
    assert key["level"] == "error"
    assert key["partialFingerprints"] == {FINGERPRINT_KEY: paired_key().fingerprint}
    location = key["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "config/creds.ini", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2, "startColumn": 21, "endColumn": 41}
    assert "AKIA*****" in key["message"]["text"] and "v5ZJ*****" in key["message"]["text"]
    assert KEY_ID not in json.dumps(run) and SECRET_KEY not in json.dumps(run)


def test_columns_count_characters_and_uri_is_encoded() -> None:
    history = _sarif()["runs"][0]["results"][1]
    location = history["locations"][0]["physicalLocation"]
    # "# clé «prod» ..." has three 2-byte characters before the secret: byte column 46, character column 43
    assert location["region"] == {"startLine": 7, "startColumn": 43, "endColumn": 83}
    uri = location["artifactLocation"]["uri"]
    assert " " not in uri and "<" not in uri
    assert unquote(uri) == NASTY_PATH


def test_history_commit_in_provenance_and_properties() -> None:
    run = _sarif()["runs"][0]
    provenance = run["versionControlProvenance"]
    # The repository as analysed first (HEAD, its branch), then each commit a secret entered by.
    assert [p["revisionId"] for p in provenance] == [REPOSITORY.commit, FIRST.sha]
    assert provenance[0]["branch"] == "main"
    assert provenance[0]["repositoryUri"] == REPOSITORY.remote
    assert provenance[1]["asOfTimeUtc"] == "2024-01-05T08:00:00Z"
    history = run["results"][1]
    assert history["properties"]["commit"]["sha"] == FIRST.sha
    assert history["properties"]["removedIn"]["sha"] == "2" * 40
    assert history["properties"]["verification"] == "active"


def test_repository_url_names_the_repository() -> None:
    result = sample_result()
    result.target = "https://example.com/org/repo.git"
    doc = json.loads(renderer("sarif")(result, context()))
    assert doc["runs"][0]["versionControlProvenance"][1]["repositoryUri"] == result.target
    _validate(doc)


def test_no_provenance_without_commits() -> None:
    result = sample_result("scan")
    result.findings = [paired_key()]
    run = json.loads(renderer("sarif")(result, replace(context(), provenance=None)))["runs"][0]
    assert "versionControlProvenance" not in run
    assert "commit" not in run["results"][0]["properties"]


def test_cli_writes_valid_sarif_file(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "creds.ini").write_text(
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    out = tmp_path / "report.sarif"
    # The pure-Python engine: a cold Hyperscan compile in the isolated cache takes ~20 s and is not under test.
    proc = run_cli("scan", str(folder), "--format", "sarif", "-o", str(out), "--engine", "python")
    assert proc.returncode == 1, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert KEY_ID not in text and SECRET_KEY not in text
    assert KEY_ID not in proc.stdout + proc.stderr
    doc = json.loads(text)
    _validate(doc)
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["aws-access-key-id"]
    assert "AKIA*****" in results[0]["message"]["text"]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_cli_history_scan_puts_real_commits_in_provenance(tmp_path: Path) -> None:
    pytest.importorskip("scanner.commands.history", reason="history command not in this build")
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
        return proc.stdout.strip()

    git("init", "-q", "-b", "main")
    (repo / "creds.ini").write_text(
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    git("add", "-A")
    git("commit", "-q", "-m", "add credentials")
    added = git("rev-parse", "HEAD")
    (repo / "creds.ini").unlink()
    git("commit", "-q", "-a", "-m", "remove credentials")
    out = tmp_path / "history.sarif"
    proc = run_cli("history", str(repo), "-f", "sarif", "-o", str(out), "--engine", "python", "-q")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    _validate(doc)
    run = doc["runs"][0]
    head = git("rev-parse", "HEAD")
    assert [p["revisionId"] for p in run["versionControlProvenance"]] == [head, added]
    assert run["versionControlProvenance"][0]["branch"] == "main"
    assert run["invocations"][0]["properties"]["minConfidence"] == "medium"
    assert run["properties"]["commitsScanned"] == 2
    (result,) = run["results"]
    assert result["properties"]["commit"]["sha"] == added
    assert result["properties"]["presentAtHead"] is False
    assert KEY_ID not in out.read_text(encoding="utf-8")
