"""Verification against a real AWS emulator (moto's server on 127.0.0.1, signatures enforced): issue 4.

Keys are created in the emulator, committed into throwaway repositories, and the installed command scans them
with --verify / --verify-owner against that endpoint.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.iam.utils import generate_access_key_id_from_account_id

from scanner.validators.aws import account_id
from scanner.verify.canary import CANARY_ACCOUNTS
from tests.helpers.cli import run_cli
from tests.helpers.moto_server import ACCOUNT, QUIET_AWS, MotoAws, closed_port_url


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoAws]:
    server = MotoAws()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def no_host_aws(isolated_env: None, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One cache for this module's runs: a cold rule cache costs seconds per run, and is not what we test here.
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_IAM",
    ):
        monkeypatch.delenv(name, raising=False)


def repo_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A throwaway git repository with `files` committed."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for name, text in files.items():
        (repo / name).write_text(text)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "add config"], check=True)
    return repo


def pair_file(key_id: str, secret: str, token: str | None = None) -> str:
    text = f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    return text + (f"aws_session_token = {token}\n" if token else "")


def scan(
    repo: Path, *flags: str, env: dict[str, str] | None = None
) -> tuple[Any, subprocess.CompletedProcess[str]]:
    proc = run_cli("scan", str(repo), "-f", "json", *flags, env={**QUIET_AWS, **(env or {})})
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc


def by_key(doc: Any) -> dict[str, dict[str, Any]]:
    """Verification of each AWS key-id finding, by the finding's path."""
    return {
        f["path"].rsplit("/", 1)[-1]: f["verification"]
        for f in doc["findings"]
        if f["rule_id"] == "aws-access-key-id"
    }


def owner_env(moto: MotoAws) -> dict[str, str]:
    """The user's own credentials (moto's admin) through the standard environment variables."""
    return {"AWS_ACCESS_KEY_ID": moto.admin.key_id, "AWS_SECRET_ACCESS_KEY": moto.admin.secret}


def assert_no_secret(proc: subprocess.CompletedProcess[str], *secrets: str) -> None:
    for secret in secrets:
        assert secret not in proc.stdout and secret not in proc.stderr


def test_real_pair_is_active_with_its_arn(moto: MotoAws, tmp_path: Path) -> None:
    key = moto.new_key("alice")
    repo = repo_with(tmp_path, {"alice.ini": pair_file(key.key_id, key.secret)})
    doc, proc = scan(repo, "--verify", "--endpoint-url", moto.url)
    state = by_key(doc)["alice.ini"]
    assert state["state"] == "active"
    assert state["details"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert state["details"]["account"] == ACCOUNT and state["details"]["user"] == "alice"
    assert f"sending 1 key pair(s) to STS at {moto.url}" in proc.stderr
    assert_no_secret(proc, key.secret)


def test_wrong_secret_is_invalid(moto: MotoAws, tmp_path: Path) -> None:
    key, other = moto.new_key("bob"), moto.new_key("bob-other")
    repo = repo_with(tmp_path, {"bob.ini": pair_file(key.key_id, other.secret)})
    state = by_key(scan(repo, "--verify", "--endpoint-url", moto.url)[0])["bob.ini"]
    assert state["state"] == "invalid"
    assert "SignatureDoesNotMatch" in state["reason"]


def test_deleted_key_is_invalid(moto: MotoAws, tmp_path: Path) -> None:
    key = moto.new_key("carol")
    moto.delete(key)
    repo = repo_with(tmp_path, {"carol.ini": pair_file(key.key_id, key.secret)})
    state = by_key(scan(repo, "--verify", "--endpoint-url", moto.url)[0])["carol.ini"]
    assert state["state"] == "invalid"
    assert "InvalidClientTokenId" in state["reason"]


def test_temporary_key_is_checked_with_its_session_token(moto: MotoAws, tmp_path: Path) -> None:
    key_id, secret, token = moto.assume_role("deployer")
    repo = repo_with(tmp_path, {"session.ini": pair_file(key_id, secret, token)})
    doc, proc = scan(repo, "--verify", "--endpoint-url", moto.url)
    state = by_key(doc)["session.ini"]
    assert state["state"] == "active", state
    assert state["details"]["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/leak"
    assert state["details"]["role"] == "deployer"
    assert_no_secret(proc, secret, token)


def test_debug_logging_never_writes_the_session_token(moto: MotoAws, tmp_path: Path) -> None:
    """Issue 17 §4: an environment that turns every logger to DEBUG must not get botocore's request dumps."""
    key_id, secret, token = moto.assume_role("logged")
    repo = repo_with(tmp_path, {"session.ini": pair_file(key_id, secret, token)})
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import logging\nlogging.basicConfig(level=logging.DEBUG)\n")
    doc, proc = scan(repo, "--verify", "--endpoint-url", moto.url, env={"PYTHONPATH": str(site)})
    assert by_key(doc)["session.ini"]["state"] == "active"
    assert "DEBUG" in proc.stderr  # the premise: debug logging is on in this process
    assert_no_secret(proc, secret, token)


def test_owner_mode_status_age_and_last_use(moto: MotoAws, tmp_path: Path) -> None:
    used, inactive, old = moto.new_key("dave"), moto.new_key("erin"), moto.new_key("frank")
    moto.use(used)
    moto.deactivate(inactive)
    moto.backdate(old, days=400)
    gone = moto.new_key("gina")
    moto.delete(gone)
    foreign = generate_access_key_id_from_account_id("210987654321", prefix="AKIA")
    assert account_id(foreign) == "210987654321"  # the premise: the account decodes offline
    files = {
        f"{name}.txt": f"key: {key.key_id}\n"
        for name, key in (("dave", used), ("erin", inactive), ("frank", old), ("gina", gone))
    }
    repo = repo_with(tmp_path, {**files, "foreign.txt": f"key: {foreign}\n"})
    doc, proc = scan(repo, "--verify-owner", "--endpoint-url", moto.url, env=owner_env(moto))
    states = by_key(doc)
    dave, erin, frank = states["dave.txt"], states["erin.txt"], states["frank.txt"]
    assert (dave["state"], dave["details"]["status"], dave["details"]["user"]) == ("active", "Active", "dave")
    assert dave["details"]["age_days"] == "0" and "rotation" not in dave["details"]
    assert dave["details"]["last_used_service"] == "sts" and dave["details"]["last_used"].endswith("Z")
    assert (erin["state"], erin["details"]["status"]) == ("inactive", "Inactive")
    assert frank["details"]["age_days"] == "400" and frank["details"]["last_used"] == "never"
    assert frank["details"]["rotation"] == "overdue: older than 90 days"
    assert states["gina.txt"]["state"] == "not-found"
    assert states["foreign.txt"]["state"] == "foreign-account"
    assert states["foreign.txt"]["details"]["account"] == "210987654321"
    assert "up to 5 key id(s) to IAM" in proc.stderr
    assert_no_secret(proc, moto.admin.secret)


def test_pair_and_owner_together_report_inactive(moto: MotoAws, tmp_path: Path) -> None:
    """moto's STS accepts an inactive key; the owner lookup tells the truth and wins."""
    key = moto.new_key("hank")
    moto.deactivate(key)
    repo = repo_with(tmp_path, {"hank.ini": pair_file(key.key_id, key.secret)})
    doc, _ = scan(repo, "--verify", "--verify-owner", "--endpoint-url", moto.url, env=owner_env(moto))
    state = by_key(doc)["hank.ini"]
    assert state["state"] == "inactive"
    assert state["details"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/hank"
    assert state["details"]["status"] == "Inactive"


def test_endpoint_down_is_unknown_and_every_finding_reported(moto: MotoAws, tmp_path: Path) -> None:
    key = moto.new_key("ivan")
    repo = repo_with(
        tmp_path, {"ivan.ini": pair_file(key.key_id, key.secret), "id.txt": "AKIAEUVW75EFR6EDT4SY"}
    )
    plain, _ = scan(repo)
    doc, proc = scan(repo, "--verify", "--endpoint-url", closed_port_url(), "--verify-timeout", "2")
    assert proc.returncode == 1
    assert len(doc["findings"]) == len(plain["findings"]) >= 2
    state = by_key(doc)["ivan.ini"]
    assert state["state"] == "unknown" and "network error" in state["reason"]
    assert by_key(doc)["id.txt"]["state"] == "not-checked"


def test_one_request_per_unique_pair(moto: MotoAws, tmp_path: Path) -> None:
    key = moto.new_key("judy")
    files = {f"copy{i}.ini": pair_file(key.key_id, key.secret) for i in range(3)}
    doc, proc = scan(repo_with(tmp_path, files), "--verify", "--endpoint-url", moto.url)
    assert [s["state"] for s in by_key(doc).values()] == ["active"] * 3
    assert "sending 1 key pair(s)" in proc.stderr


def test_fail_on_active(moto: MotoAws, tmp_path: Path) -> None:
    live, dead = moto.new_key("kim"), moto.new_key("lee")
    moto.delete(dead)
    dead_repo = repo_with(tmp_path / "dead", {"dead.ini": pair_file(dead.key_id, dead.secret)})
    live_repo = repo_with(tmp_path / "live", {"live.ini": pair_file(live.key_id, live.secret)})
    flags = ("--verify", "--endpoint-url", moto.url, "--fail-on", "active")
    assert scan(dead_repo, *flags)[1].returncode == 0
    assert scan(live_repo, *flags)[1].returncode == 1
    assert scan(dead_repo, "--verify", "--endpoint-url", moto.url)[1].returncode == 1  # default: any finding


def test_fail_on_active_fails_closed_on_an_active_key_with_a_wrong_secret(
    moto: MotoAws, tmp_path: Path
) -> None:
    """Issue 17 §1: IAM says the key id is Active, STS rejects the found secret: could be live, fails the gate."""
    key, other = moto.new_key("rita"), moto.new_key("rita-other")
    repo = repo_with(tmp_path, {"rita.ini": pair_file(key.key_id, other.secret)})
    flags = ("--verify", "--verify-owner", "--endpoint-url", moto.url, "--partition", "aws")
    doc, proc = scan(repo, *flags, "--fail-on", "active", env=owner_env(moto))
    state = by_key(doc)["rita.ini"]
    assert proc.returncode == 1 and state["state"] == "unknown", state
    assert state["details"]["status"] == "Active" and state["details"]["sts_error"] == "SignatureDoesNotMatch"
    assert state["details"]["evidence"] == "IAM owner lookup (Active) against STS (invalid)"
    assert "treat it as live. Rotate now" in state["next_step"]
    narrow = scan(repo, *flags, "--fail-on", "verified-active", env=owner_env(moto))[1]
    assert narrow.returncode == 0
    assert_no_secret(proc, other.secret, moto.admin.secret)


def test_canary_account_is_never_contacted(moto: MotoAws, tmp_path: Path) -> None:
    canary_account = next(iter(CANARY_ACCOUNTS))
    key_id = generate_access_key_id_from_account_id(canary_account, prefix="AKIA")
    assert account_id(key_id) == canary_account
    secret = moto.new_key("mia").secret  # any valid-looking secret
    repo = repo_with(tmp_path, {"canary.ini": pair_file(key_id, secret)})
    doc, proc = scan(repo, "--verify", "--endpoint-url", closed_port_url())
    state = by_key(doc)["canary.ini"]
    assert state["state"] == "canary" and "never contacted" in state["reason"]
    assert "sending" not in proc.stderr


def test_verify_command_reads_the_secret_from_stdin(moto: MotoAws) -> None:
    key = moto.new_key("nora")
    flags = ("--endpoint-url", moto.url, "-f", "json")
    live = run_cli("verify", key.key_id, "--secret-stdin", *flags, stdin=key.secret + "\n", env=QUIET_AWS)
    assert live.returncode == 1, live.stderr  # active: the key is live
    assert json.loads(live.stdout)["details"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/nora"
    assert json.loads(live.stdout)["next_step"].startswith("Rotate now")
    assert_no_secret(live, key.secret)
    wrong = run_cli("verify", key.key_id, "--secret-stdin", *flags, stdin="x" + key.secret[1:], env=QUIET_AWS)
    assert wrong.returncode == 0 and json.loads(wrong.stdout)["state"] == "invalid"
    owner = run_cli("verify", key.key_id, "--endpoint-url", moto.url, env={**QUIET_AWS, **owner_env(moto)})
    assert owner.returncode == 1 and "Active" in owner.stdout and "nora" in owner.stdout


def test_key_is_used_by_the_check(moto: MotoAws) -> None:
    """The pair check is a real signed request: IAM records the key's use by STS."""
    key = moto.new_key("olga")
    before = moto.iam.get_access_key_last_used(AccessKeyId=key.key_id)["AccessKeyLastUsed"]
    assert "LastUsedDate" not in before
    run_cli(
        "verify", key.key_id, "--secret-stdin", "--endpoint-url", moto.url, stdin=key.secret, env=QUIET_AWS
    )
    after = moto.iam.get_access_key_last_used(AccessKeyId=key.key_id)["AccessKeyLastUsed"]
    assert after["ServiceName"] == "sts"


def test_standard_endpoint_variable_is_honoured(moto: MotoAws, tmp_path: Path) -> None:
    key = moto.new_key("pia")
    repo = repo_with(tmp_path, {"pia.ini": pair_file(key.key_id, key.secret)})
    doc, proc = scan(repo, "--verify", env={"AWS_ENDPOINT_URL_STS": moto.url})
    assert by_key(doc)["pia.ini"]["state"] == "active"
    assert f"to STS at {moto.url}" in proc.stderr


def test_history_scan_verifies_a_pair_removed_from_head(moto: MotoAws, tmp_path: Path) -> None:
    """The done-when: a pair leaked in history, deleted since, is still found, and shown live with its owner."""
    key = moto.new_key("quinn")
    moto.use(key)
    repo = repo_with(tmp_path, {"deploy.ini": pair_file(key.key_id, key.secret)})
    (repo / "deploy.ini").write_text("[default]\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-am", "remove the key"], check=True)
    proc = run_cli(
        "history",
        str(repo),
        "-f",
        "json",
        "--verify",
        "--verify-owner",
        "--endpoint-url",
        moto.url,
        env={**QUIET_AWS, **owner_env(moto)},
    )
    assert proc.returncode == 1, proc.stderr
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule_id"] == "aws-access-key-id"]
    assert finding["present_at_head"] is False
    state = finding["verification"]
    assert state["state"] == "active" and state["details"]["arn"].endswith(":user/quinn")
    assert state["details"]["age_days"] == "0" and state["details"]["last_used_service"] == "sts"
    assert_no_secret(proc, key.secret, moto.admin.secret)
