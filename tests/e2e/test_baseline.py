"""Baselines: round trip, stable file, line moves and reformatting, new secrets, unused entries, labels."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from scanner.baseline import Baseline, Entry, dumps, load
from scanner.filters.baseline import warn_unused
from scanner.model import ScanResult
from tests.helpers.cli import run_cli
from tests.helpers.cli import run_cli_python as cli
from tests.helpers.gitrepo import AWS_CONFIG, KEY_ID_2, build, commit, key_line

KEY = "AKIAUJZDEGXDNCF32EPF"
SECRET = "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"
OTHER_KEY = "AKIAEUVW75EFR6EDT4SY"
OTHER_SECRET = "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"
BASELINE = ".secretscan-baseline.json"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "prod.ini").write_text(
        f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
    )
    (tmp_path / "deploy.sh").write_text(f"export AWS_ACCESS_KEY_ID={OTHER_KEY}\n")
    return tmp_path


def scan_json(repo: Path, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, object]]:
    proc = cli("scan", *args, "-f", "json", cwd=cwd or repo)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def found(doc: dict[str, object]) -> list[tuple[str, str]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return sorted((f["path"], f["rule_id"]) for f in findings)


def create(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = cli("baseline", "create", *args, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_round_trip_and_stable_file(repo: Path) -> None:
    assert scan_json(repo, ".")[0] == 1
    create(repo)
    text = (repo / BASELINE).read_text()
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert [(e["path"], e["rule_id"]) for e in doc["entries"]] == [
        ("conf/prod.ini", "aws-access-key-id"),
        ("deploy.sh", "aws-access-key-id"),
    ]
    # Neither a secret nor a plain (unkeyed) hash of one is ever written.
    for value in (KEY, SECRET, OTHER_KEY, hashlib.sha256(KEY.encode()).hexdigest()[:16]):
        assert value not in text
    assert "line" not in json.dumps(doc["entries"])
    code, report = scan_json(repo, ".")
    assert code == 0 and report["findings"] == []
    assert dumps(load(repo / BASELINE)) == text
    # A rescan of unchanged code rewrites the very same bytes: the file diffs cleanly.
    assert cli("baseline", "update", cwd=repo).returncode == 0
    assert (repo / BASELINE).read_text() == text


def test_create_refuses_to_overwrite(repo: Path) -> None:
    create(repo)
    proc = cli("baseline", "create", cwd=repo)
    assert proc.returncode == 2 and "baseline update" in proc.stderr
    create(repo, "--force")


def test_line_moves_and_reformatting_stay_suppressed(repo: Path) -> None:
    create(repo)
    (repo / "conf" / "prod.ini").write_text(
        "# moved down by a header\n\n\n"
        f'aws:\n  secret_access_key: "{SECRET}"\n    # comment between\n  access_key_id: "{KEY}"\n'
    )
    (repo / "deploy.sh").write_text(f"#!/bin/sh\nset -e\n\n    AWS_ACCESS_KEY_ID='{OTHER_KEY}'  # indented\n")
    code, report = scan_json(repo, ".")
    assert (code, report["findings"]) == (0, [])


def test_new_secret_on_a_baselined_line_is_reported(repo: Path) -> None:
    create(repo)
    line = f"export AWS_ACCESS_KEY_ID={OTHER_KEY} BACKUP=AKIA3DHODZDOCIS2JHTL"
    (repo / "deploy.sh").write_text(line + "\n")
    code, report = scan_json(repo, ".", "--show-secrets")
    assert code == 1
    assert [(f["path"], f["secret"]) for f in report["findings"]] == [("deploy.sh", "AKIA3DHODZDOCIS2JHTL")]
    assert report["findings"][0]["column"] == line.index("AKIA3DHODZDOCIS2JHTL") + 1


def test_new_secret_key_paired_with_baselined_key_id_is_reported(repo: Path) -> None:
    create(repo)
    text = (repo / "conf" / "prod.ini").read_text().replace(SECRET, OTHER_SECRET)
    (repo / "conf" / "prod.ini").write_text(text)
    assert found(scan_json(repo, ".")[1]) == [("conf/prod.ini", "aws-access-key-id")]


def test_same_secret_in_another_file_is_reported(repo: Path) -> None:
    create(repo)
    (repo / "copy.sh").write_text(f"export AWS_ACCESS_KEY_ID={OTHER_KEY}\n")
    assert found(scan_json(repo, ".")[1]) == [("copy.sh", "aws-access-key-id")]


def test_paths_are_relative_to_the_baseline_folder(repo: Path) -> None:
    create(repo)
    code, report = scan_json(repo, "conf", cwd=repo)  # scanning a subfolder from the root
    assert (code, report["findings"]) == (0, [])
    code, report = scan_json(repo, ".", cwd=repo / "conf")  # scanning from inside the subfolder
    assert (code, report["findings"]) == (0, [])
    code, report = scan_json(repo, str(repo), cwd=repo.parent)  # absolute path from elsewhere
    assert (code, report["findings"]) == (0, [])


def test_unused_entries_are_reported(repo: Path) -> None:
    create(repo)
    (repo / "deploy.sh").write_text("export AWS_ACCESS_KEY_ID=$FROM_VAULT\n")
    code, report = scan_json(repo, ".")
    assert (code, report["warnings"]) == (0, [])
    code, report = scan_json(repo, ".", "--report-unused")
    assert code == 1 and report["findings"] == []
    assert len(report["warnings"]) == 1
    assert "unused baseline entry: deploy.sh (aws-access-key-id" in report["warnings"][0]
    proc = cli("scan", ".", "--report-unused", cwd=repo)
    assert proc.returncode == 1 and "warning: unused baseline entry: deploy.sh" in proc.stdout
    # A scan of a subfolder judges only the entries under it.
    code, report = scan_json(repo, "conf", "--report-unused")
    assert (code, report["warnings"]) == (0, [])


def test_update_keeps_labels_and_drops_gone_entries(repo: Path) -> None:
    create(repo)
    entries = load(repo / BASELINE).entries
    prod = next(e for e in entries if e.path == "conf/prod.ini")
    proc = run_cli(
        "baseline", "label", prod.secret_hash[:10], "--as", "accepted-risk", "--note", "T-12", cwd=repo
    )
    assert proc.returncode == 0, proc.stderr
    (repo / "deploy.sh").unlink()
    (repo / "new.env").write_text(f"AWS_ACCESS_KEY_ID={OTHER_KEY}\n")
    proc = cli("baseline", "update", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "1 new, 1 kept, 1 gone" in proc.stderr and "gone: deploy.sh" in proc.stderr
    after = {(e.path, e.label, e.note) for e in load(repo / BASELINE).entries}
    assert after == {("conf/prod.ini", "accepted-risk", "T-12"), ("new.env", None, "")}


def test_label_by_path_and_clear(repo: Path) -> None:
    create(repo)
    proc = run_cli("baseline", "label", "deploy.sh", "--as", "revoked", cwd=repo)
    assert proc.returncode == 0 and "labelled revoked: deploy.sh" in proc.stdout
    assert "revoked" in run_cli("baseline", "list", cwd=repo).stdout
    assert run_cli("baseline", "label", "deploy.sh", "--as", "none", cwd=repo).returncode == 0
    assert all(e.label is None for e in load(repo / BASELINE).entries)
    proc = run_cli("baseline", "label", "prod.ini", "--as", "false-positive", cwd=repo / "conf")
    assert proc.returncode == 0 and "labelled false-positive: conf/prod.ini" in proc.stdout
    proc = run_cli("baseline", "label", "nothing-here", "--as", "revoked", cwd=repo)
    assert proc.returncode == 2 and "no entry matches" in proc.stderr


def test_explicit_no_baseline_and_custom_file(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    create(repo)
    assert scan_json(repo, ".", "--no-baseline")[0] == 1
    elsewhere = tmp_path_factory.mktemp("ci") / "known.json"
    (repo / BASELINE).rename(elsewhere)
    assert scan_json(repo, ".")[0] == 1  # nothing found automatically any more
    # An explicit baseline maps paths relative to its own folder: here they no longer line up.
    assert scan_json(repo, ".", "--baseline", str(elsewhere))[0] == 1
    proc = cli("scan", ".", "--baseline", str(repo / "missing.json"), cwd=repo)
    assert proc.returncode == 2 and "missing.json: baseline file not found" in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"entries": []}', "not a secretscan baseline"),
        ('{"secretscan_baseline": 1, "hmac_key": "zz", "entries": []}', "'hmac_key' must be a hex string"),
        ('{"secretscan_baseline": 1, "hmac_key": "00", "entries": [{"path": "x"}]}', "entry #1: needs"),
        (
            '{"secretscan_baseline": 1, "hmac_key": "00", "entries": '
            '[{"path": "x", "rule_id": "r", "secret_hash": "h", "label": "fine"}]}',
            "entry #1: label must be one of",
        ),
    ],
)
def test_invalid_baseline_is_a_clear_error(repo: Path, content: str, message: str) -> None:
    (repo / BASELINE).write_text(content)
    proc = cli("scan", ".", cwd=repo)
    assert proc.returncode == 2
    assert BASELINE in proc.stderr and message in proc.stderr


def test_hash_is_keyed_per_baseline() -> None:
    from scanner.model import Finding, Origin

    finding = Finding(
        rule_id="aws-access-key-id",
        rule_name="AWS access key ID",
        severity="high",
        confidence="high",
        origin=Origin("a.txt"),
        line=1,
        column=1,
        end_column=21,
        secret=KEY,
        line_text=KEY,
        fingerprint="",
    )
    one, two = Baseline.new(), Baseline.new()
    assert one.secret_hash(finding) != two.secret_hash(finding)
    assert one.secret_hash(finding) == Baseline(one.hmac_key).secret_hash(finding)
    assert KEY not in repr(one) and one.hmac_key.hex() not in repr(one)


def test_report_unused_judges_only_full_scans() -> None:
    entry = Entry("aws-access-key-id", "a.txt", "00")
    staged = ScanResult(mode="staged")
    assert warn_unused(staged, [entry], lambda o: o.path, None) is False
    assert staged.warnings == ["--report-unused is ignored: a diff or staged scan sees only part of the tree"]
    history = ScanResult(mode="history")
    assert warn_unused(history, [entry], lambda o: o.path, None) is True
    assert history.warnings == ["unused baseline entry: a.txt (aws-access-key-id, 00)"]


def test_update_of_a_subfolder_keeps_entries_outside_it(repo: Path) -> None:
    create(repo)
    (repo / "conf" / "prod.ini").write_text("[default]\n")
    proc = cli("baseline", "update", "conf", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "0 new, 1 kept, 1 gone" in proc.stderr and "gone: conf/prod.ini" in proc.stderr
    assert [e.path for e in load(repo / BASELINE).entries] == ["deploy.sh"]


def test_history_baseline_suppresses_secrets_that_live_only_in_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    build(repo, [({"creds.ini": AWS_CONFIG}, "oops"), ({"creds.ini": None}, "remove the key")])
    created = run_cli("baseline", "create", "--history", str(repo))
    assert created.returncode == 0, created.stderr
    baseline = json.loads((repo / ".secretscan-baseline.json").read_text())
    assert [e["rule_id"] for e in baseline["entries"]] == ["aws-access-key-id"]
    clean = run_cli("history", str(repo), "-f", "json")
    assert clean.returncode == 0, clean.stdout
    commit(repo, {"new.ini": key_line(KEY_ID_2)}, "a new leak", date=3)
    proc = run_cli("history", str(repo), "-f", "json", "--show-secrets")
    assert proc.returncode == 1
    assert [f["secret"] for f in json.loads(proc.stdout)["findings"]] == [KEY_ID_2]
