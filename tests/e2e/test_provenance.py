"""Every report says how it was made (issue 18 §1): repository, branch, HEAD, when, how long, which tool and
rules, the options that change results, and what was read, skipped and suppressed; never a credential."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scanner.engine import fingerprint
from tests.helpers.cli import run_cli
from tests.helpers.gitrepo import AWS_CONFIG, ENGINE, KEY_ID, build, git

TOKEN = "ghp_notarealtokenbutsecretanyway0000"
REMOTE = f"https://deploy:{TOKEN}@git.example.com/acme/shop.git"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "shop"
    build(
        repo,
        [
            ({"README.md": "# shop\n", "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary"}, "init"),
            ({"deploy/aws.ini": AWS_CONFIG, "dump.sql": "-- data\n" * 400}, "add deploy config"),
        ],
    )
    git(repo, "remote", "add", "origin", REMOTE)
    return repo


def _json(repo: Path, *args: str) -> dict[str, object]:
    proc = run_cli("history", ".", "-f", "json", *ENGINE, *args, cwd=repo)
    assert proc.returncode == 1, proc.stderr
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


def test_json_provenance_of_a_history_audit(repo: Path) -> None:
    doc = _json(repo, "--max-blob-size", "1k", "--branch", "main")
    assert doc["schema_version"] == "1.1"
    provenance = doc["provenance"]
    assert isinstance(provenance, dict)
    assert provenance["repository"] == {
        "location": str(repo),
        "remote": "https://git.example.com/acme/shop.git",  # userinfo removed
        "branch": "main",
        "commit": git(repo, "rev-parse", "HEAD"),
    }
    assert provenance["started"].endswith("Z") and provenance["duration_seconds"] >= 0
    assert provenance["rules"]["digest"].startswith("sha256:") and provenance["rules"]["count"] > 100
    assert provenance["options"] == {
        "min_confidence": "medium",
        "baseline": None,
        "inline_markers": True,
        "show_secrets": False,
        "verification": "off",
        "scope": {"branch": "main"},
    }
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert summary["commits_scanned"] == 2
    assert summary["skipped_by_reason"] == {"binary": 1, "too large": 1}


def test_options_that_change_results_are_recorded(repo: Path) -> None:
    options = _json(repo, "--no-inline-allow", "--min-confidence", "low", "--max-commits", "1")["provenance"]
    assert isinstance(options, dict)
    assert options["options"]["inline_markers"] is False
    assert options["options"]["min_confidence"] == "low"
    assert options["options"]["scope"] == {"max-commits": "1"}


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "junit", "markdown", "html", "github"])
def test_no_format_prints_the_remote_credential(repo: Path, fmt: str) -> None:
    proc = run_cli("history", ".", "-f", fmt, *ENGINE, cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr and "deploy:" not in proc.stdout
    if fmt in ("text", "markdown", "html", "junit", "json", "sarif"):
        assert "git.example.com/acme/shop.git" in proc.stdout, fmt


def test_text_junit_and_markdown_say_how_the_scan_was_made(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    text = run_cli("history", ".", *ENGINE, cwd=repo).stdout
    assert f"on main at {head[:12]} · 2 commit(s)" in text
    assert "min confidence medium, no baseline, inline markers honoured, secrets redacted" in text
    assert text.rstrip().splitlines()[-1].startswith("1 finding(s)")  # the summary stays last
    junit = ET.fromstring(run_cli("history", ".", "-f", "junit", *ENGINE, cwd=repo).stdout)
    suite = junit.find("testsuite")
    assert suite is not None and suite.get("timestamp") and suite.get("time")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert f"at {head[:12]}" in (properties["repository"] or "")
    assert (properties["skipped"] or "").startswith("1 (1 binary)")
    markdown = run_cli("history", ".", "-f", "markdown", *ENGINE, cwd=repo).stdout
    assert "<summary>How this scan was made</summary>" in markdown
    assert "| Rules | " in markdown and "sha256:" in markdown


def test_a_folder_scan_names_its_repository(repo: Path) -> None:
    proc = run_cli("scan", "deploy", "-f", "json", *ENGINE, cwd=repo)
    repository = json.loads(proc.stdout)["provenance"]["repository"]
    assert repository["location"] == str(repo) and repository["branch"] == "main"


def test_stdin_has_no_repository(tmp_path: Path) -> None:
    proc = run_cli("scan", "-", "-f", "json", *ENGINE, cwd=tmp_path, stdin=AWS_CONFIG)
    doc = json.loads(proc.stdout)
    assert doc["provenance"]["repository"] is None and doc["summary"]["commits_scanned"] is None


def test_triaged_findings_are_counted_labelled_and_keyed(repo: Path) -> None:
    assert run_cli("baseline", "create", ".", *ENGINE, cwd=repo).returncode == 0
    label = ("baseline", "label", "deploy/aws.ini", "--as", "accepted-risk", "--note", "SEC-9")
    assert run_cli(*label, cwd=repo).returncode == 0
    proc = run_cli("history", ".", "-f", "json", *ENGINE, cwd=repo)
    assert proc.returncode == 0, proc.stderr  # triaged: shown, never failing the scan
    doc = json.loads(proc.stdout)
    assert doc["summary"]["triaged"] == {"accepted-risk": 1} and doc["findings"] == []
    (triaged,) = doc["triaged"]
    assert (triaged["label"], triaged["note"], triaged["path"]) == (
        "accepted-risk",
        "SEC-9",
        "deploy/aws.ini",
    )
    assert triaged["secret"] == "AKIA*****"
    # Keyed like every finding's (issue 14 §3): the plain hash would confirm a guessed secret.
    plain = fingerprint(triaged["rule_id"], KEY_ID, triaged["path"])
    assert triaged["fingerprint"] != plain and len(triaged["fingerprint"]) == len(plain)
