"""Verification without an emulator (issue 4): nothing is sent unless asked, the plan, the pure helpers."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scanner.model import Finding, Origin, Verification
from scanner.verify import VerifyOptions, make_plan, merge
from scanner.verify.replies import identity_details, owner_details, pair_failure
from tests.helpers.cli import run_cli
from tests.helpers.moto_server import QUIET_AWS, closed_port_url

KEY_ID = "AKIAUJZDEGXDNCF32EPF"  # pattern-valid fake key (rules/aws.yaml examples); decodes to 295889548742
SECRET = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
PAIR = f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"

# Loaded before the command runs: records every connect and name lookup the process attempts.
RECORD_SOCKETS = """
import os, sys
def _record(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        with open(os.environ["CONNECT_LOG"], "a") as log:
            log.write(f"{event} {args[1] if event == 'socket.connect' else args[0]}\\n")
sys.addaudithook(_record)
"""
NO_BOTOCORE = "import sys\nsys.modules['botocore'] = None  # as if the aws extra were not installed\n"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def quiet_aws(isolated_env: None, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))  # a cold rule cache costs seconds per run
    for name, value in QUIET_AWS.items():
        monkeypatch.setenv(name, value)


def run_with_site(tmp_path: Path, site: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command with a sitecustomize module loaded first."""
    site_dir = tmp_path / "site"
    site_dir.mkdir(exist_ok=True)
    (site_dir / "sitecustomize.py").write_text(site)
    return run_cli(*args, env={"PYTHONPATH": str(site_dir), "CONNECT_LOG": str(tmp_path / "connects.log")})


def connects(tmp_path: Path) -> list[str]:
    log = tmp_path / "connects.log"
    return log.read_text().splitlines() if log.exists() else []


def test_without_verify_no_socket_is_opened(tmp_path: Path) -> None:
    (tmp_path / "creds.ini").write_text(PAIR)
    proc = run_with_site(tmp_path, RECORD_SOCKETS, "scan", str(tmp_path / "creds.ini"), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    finding = next(f for f in json.loads(proc.stdout)["findings"] if f["rule_id"] == "aws-access-key-id")
    assert finding["verification"]["state"] == "not-checked"
    assert "verification off" in finding["verification"]["reason"]
    assert connects(tmp_path) == []
    # The recorder works: the same run with --verify does try to connect, to loopback only.
    url = closed_port_url()
    run_with_site(
        tmp_path, RECORD_SOCKETS, "scan", str(tmp_path / "creds.ini"), "--verify", "--endpoint-url", url
    )
    attempts = connects(tmp_path)
    assert attempts and all("127.0.0.1" in line for line in attempts)


def test_dry_run_lists_and_sends_nothing(tmp_path: Path) -> None:
    (tmp_path / "creds.ini").write_text(PAIR)
    url = closed_port_url()
    proc = run_with_site(
        tmp_path,
        RECORD_SOCKETS,
        "scan",
        str(tmp_path / "creds.ini"),
        "--verify-dry-run",
        "--endpoint-url",
        url,
        "-f",
        "json",
    )
    assert connects(tmp_path) == []
    assert f"would send 1 key pair(s) to STS at {url}" in proc.stderr
    assert "AKIA*****" in proc.stderr and "295889548742" in proc.stderr and "creds.ini:2" in proc.stderr
    assert "nothing was sent" in proc.stderr
    assert KEY_ID not in proc.stderr and SECRET not in proc.stderr
    states = [f["verification"]["state"] for f in json.loads(proc.stdout)["findings"] if f["verification"]]
    assert states == ["not-checked"]


def test_missing_botocore_tells_how_to_install(tmp_path: Path) -> None:
    (tmp_path / "creds.ini").write_text(PAIR)
    proc = run_with_site(tmp_path, NO_BOTOCORE, "scan", str(tmp_path / "creds.ini"), "--verify")
    assert proc.returncode == 2
    assert "pip install 'botocore>=1.31'" in proc.stderr
    plain = run_with_site(tmp_path, NO_BOTOCORE, "scan", str(tmp_path / "creds.ini"))
    assert plain.returncode == 1  # without --verify botocore is never needed


def test_fail_on_active_needs_verification(tmp_path: Path) -> None:
    (tmp_path / "creds.ini").write_text(PAIR)
    proc = run_cli("scan", str(tmp_path), "--fail-on", "active")
    assert proc.returncode == 2 and "--fail-on active needs --verify" in proc.stderr


def test_verify_command_rejects_bad_input() -> None:
    assert run_cli("verify", "AKIA-not-a-key").returncode == 2
    empty = run_cli("verify", KEY_ID, "--secret-stdin", stdin="")
    assert empty.returncode == 2 and "no secret access key on stdin" in empty.stderr


def finding(key_id: str = KEY_ID, companions: tuple[tuple[str, str], ...] = (), account: str = "") -> Finding:
    facts = (("account_id", account),) if account else ()
    return Finding(
        "aws-access-key-id",
        "AWS access key ID",
        "high",
        "high",
        Origin("a.ini"),
        2,
        21,
        41,
        key_id,
        "",
        "fp",
        facts,
        companions,
    )


def test_plan_reasons_and_dedup() -> None:
    pair = (("secret_access_key", SECRET),)
    findings = [
        finding(companions=pair),
        finding(companions=pair),
        finding(),
        finding("ASIAUJZDEGXDNCF32EPF", pair),
    ]
    off = make_plan(findings, VerifyOptions())
    assert [off.offline[i].state for i in range(4)] == ["not-checked"] * 4
    assert "--verify checks this pair" in off.offline[0].reason
    assert "--verify-owner" in off.offline[2].reason
    on = make_plan(findings, VerifyOptions(pair=True))
    assert list(on.pairs.values()) == [[0, 1]]  # one request for the same pair found twice
    assert "without its session token" in on.offline[3].reason
    owner = make_plan(findings, VerifyOptions(owner=True))
    assert list(owner.owners) == [KEY_ID] and owner.owners[KEY_ID] == [0, 1, 2]
    canary = make_plan([finding(companions=pair, account="052310077262")], VerifyOptions(pair=True))
    assert canary.offline[0].state == "canary" and not canary.pairs


def test_owner_details_flag_old_keys() -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    used = {"LastUsedDate": now - timedelta(days=3), "ServiceName": "s3", "Region": "eu-west-1"}
    old = dict(owner_details("1", "alice", "Active", now - timedelta(days=91), used, now))
    assert old["age_days"] == "91" and old["rotation"].startswith("overdue")
    assert (old["last_used"], old["last_used_service"]) == ("2025-12-29T00:00:00Z", "s3")
    fresh = dict(owner_details("1", "alice", "Active", now - timedelta(days=90), {}, now))
    assert "rotation" not in fresh and fresh["last_used"] == "never"


def test_identity_details_and_error_mapping() -> None:
    role = dict(identity_details({"Account": "1", "Arn": "arn:aws:sts::1:assumed-role/deploy/ci"}))
    assert (role["role"], role["session"]) == ("deploy", "ci")
    assert dict(identity_details({"Account": "1", "Arn": "arn:aws:iam::1:user/ops/bob"}))["user"] == "bob"
    assert pair_failure("InvalidClientTokenId", "", 403).state == "invalid"
    skew = pair_failure("SignatureDoesNotMatch", "Signature expired: 20260101T000000Z is now earlier", 403)
    assert skew.state == "unknown" and "clock skew" in skew.reason
    assert pair_failure("Throttling", "Rate exceeded", 400).reason.startswith("throttled")
    assert pair_failure("InternalFailure", "", 503).state == "unknown"


def test_merge_prefers_owner_inactive() -> None:
    pair = Verification("active", "STS accepted the signature", (("arn", "arn:aws:iam::1:user/a"),))
    owner = Verification("inactive", "IAM: Inactive key of a", (("status", "Inactive"),))
    merged = merge(pair, owner)
    assert merged.state == "inactive" and merged.detail("arn") and merged.detail("status") == "Inactive"
    assert merge(Verification("invalid"), owner).state == "inactive"  # IAM is the authority on status
