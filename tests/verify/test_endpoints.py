"""Verification against small fake endpoints on 127.0.0.1 (issue 17): a hang, a 500, a 200 that is not STS, an
STS that knows a key only in GovCloud. Fail closed, bounded in time, never an unexpected-error exit."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from scanner import __version__
from scanner.cli import main
from tests.helpers.fake_sts import fake_endpoint
from tests.helpers.moto_server import QUIET_AWS

KEY_ID = "AKIAUJZDEGXDNCF32EPF"  # pattern-valid fake keys (rules/aws.yaml examples)
SECRET = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
OTHER_KEYS = ("AKIAQYLPMN5HHHFPZAM2", "AKIAZ4LR7IG5TEMVH2OA")


@pytest.fixture(autouse=True)
def quiet_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in QUIET_AWS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(name, raising=False)


def pair_file(folder: Path, key_id: str = KEY_ID, name: str = "creds.ini") -> Path:
    (folder / name).write_text(f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {SECRET}\n")
    return folder


def scan(folder: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, Any, str]:
    code = main(["scan", str(folder), "-f", "json", "-q", *flags])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.startswith("{") else None), err


def warm(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scan without verification first, so a timed run does not also time building the rule cache."""
    scan(folder, capsys)


def states(doc: Any) -> list[dict[str, Any]]:
    return [f["verification"] for f in doc["findings"] if f["rule_id"] == "aws-access-key-id"]


def test_hanging_endpoint_costs_one_timeout_and_fails_closed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warm(pair_file(tmp_path), capsys)
    with fake_endpoint("hang") as hang:
        started = time.monotonic()
        code, doc, _ = scan(
            pair_file(tmp_path), capsys, "--verify", "--endpoint-url", hang.url, "--verify-timeout", "1.5",
            "--fail-on", "active",
        )  # fmt: skip
        elapsed = time.monotonic() - started
    (state,) = states(doc)
    assert state["state"] == "unknown" and "no answer within 1.5 s (--verify-timeout)" in state["reason"]
    assert code == 1  # could be live, not proven dead: the gate fails closed
    assert elapsed < 4  # botocore alone: three attempts of 1.5 s each, plus backoff
    assert "aws sts get-caller-identity" in state["next_step"]


def test_verified_active_keeps_the_narrow_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_endpoint("hang") as hang:
        flags = ("--verify", "--endpoint-url", hang.url, "--verify-timeout", "0.5")
        code, _, _ = scan(pair_file(tmp_path), capsys, *flags, "--fail-on", "verified-active")
    assert code == 0


def test_budget_bounds_the_whole_verification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i, key_id in enumerate((KEY_ID, *OTHER_KEYS)):
        pair_file(tmp_path, key_id, f"creds{i}.ini")
    with fake_endpoint("hang") as hang:
        code, doc, _ = scan(
            tmp_path, capsys, "--verify", "--endpoint-url", hang.url, "--verify-timeout", "1",
            "--verify-budget", "1.5", "--verify-concurrency", "1", "--fail-on", "active",
        )  # fmt: skip
    reasons = [s["reason"] for s in states(doc)]
    assert len(reasons) == 3 and code == 1
    assert any("--verify-budget" in r for r in reasons), reasons


@pytest.mark.parametrize(("mode", "said"), [("error500", "server error 500"), ("throttle", "throttled")])
def test_server_error_and_throttling_are_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, said: str
) -> None:
    with fake_endpoint(mode) as failing:
        code, doc, _ = scan(
            pair_file(tmp_path), capsys, "--verify", "--endpoint-url", failing.url, "--fail-on", "active"
        )
    (state,) = states(doc)
    assert state["state"] == "unknown" and said in state["reason"] and code == 1


def test_a_200_that_is_not_sts_is_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_endpoint("not-sts") as page:
        code, doc, _ = scan(
            pair_file(tmp_path), capsys, "--verify", "--endpoint-url", page.url, "--fail-on", "active"
        )
    (state,) = states(doc)
    assert state["state"] == "unknown" and code == 1, state
    assert "is not an STS answer" in state["reason"] and "nginx" not in state["reason"]


def test_owner_mode_behind_a_page_that_is_not_aws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAQYLPMN5HHHFPZAM2")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    with fake_endpoint("not-sts") as page:
        code, doc, _ = scan(
            pair_file(tmp_path), capsys, "--verify-owner", "--endpoint-url", page.url, "--fail-on", "active"
        )
    (state,) = states(doc)
    assert state["state"] == "unknown" and "is not an STS answer" in state["reason"] and code == 1
    assert any(w.startswith("--verify-owner: the reply of") for w in doc["warnings"]), doc["warnings"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--verify-dry-run", "--fail-on", "active"), "without --verify-dry-run"),
        (("--endpoint-url", "localhost:4566"), "--endpoint-url: not an http(s) URL"),
        (("--verify-timeout", "0"), "positive number of seconds"),
        (("--verify-budget", "nan"), "positive number of seconds"),
    ],
)
def test_bad_settings_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], message: str
) -> None:
    code, _, err = scan(pair_file(tmp_path), capsys, "--verify", *flags)
    assert code == 2 and message in err


def test_missing_aws_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    with fake_endpoint("region:us-east-1") as sts:
        code, doc, _ = scan(pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url)
        assert code == 1 and states(doc)[0]["state"] == "active"  # a pair check needs no profile
        code, _, err = scan(pair_file(tmp_path), capsys, "--verify-owner", "--endpoint-url", sts.url)
    assert code == 2 and "AWS_PROFILE" in err and "nosuch" in err


def test_govcloud_key_is_active_in_its_partition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_endpoint("region:us-gov-west-1") as sts:
        code, doc, err = scan(pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url)
        (state,) = states(doc)
        assert state["state"] == "active" and code == 1
        assert state["details"]["partition"] == "aws-us-gov" and state["details"]["unknown_in"] == "aws"
        assert state["details"]["arn"].startswith("arn:aws-us-gov:")
        assert "GovCloud (US)" in err and "China" in err  # the fallback is announced
        _, only, _ = scan(
            pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url, "--partition", "aws"
        )
    (state,) = states(only)
    assert state["state"] == "invalid" and "InvalidClientTokenId" in state["reason"]
    assert "no rotation needed" in state["next_step"]


def test_other_partitions_refusing_the_scope_say_nothing_about_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warm(pair_file(tmp_path), capsys)
    with fake_endpoint("commercial-only") as sts:
        started = time.monotonic()
        _, doc, _ = scan(pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url)
    (state,) = states(doc)
    assert state["state"] == "invalid" and state["details"]["unknown_in"] == "aws"
    assert state["details"]["refused_in"] == "aws-us-gov, aws-cn"
    assert "no rotation needed" in state["next_step"]
    assert time.monotonic() - started < 2  # no second attempt after a pause: the scope error is not retried


def test_no_partition_served_is_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_endpoint("commercial-only") as sts:
        code, doc, _ = scan(
            pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url, "--partition", "aws-cn",
            "--fail-on", "active",
        )  # fmt: skip
    (state,) = states(doc)
    assert state["state"] == "unknown" and "no partition's STS took the request" in state["reason"]
    assert code == 1


def test_requests_say_who_sends_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_endpoint("region:us-east-1") as sts:
        _, doc, err = scan(pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url)
    assert all(f"secretscan/{__version__}" in h["User-Agent"] for h in sts.headers)
    assert "CloudTrail" in err and "last used" in err
    (state,) = states(doc)
    assert state["next_step"].startswith("Rotate now") and "--verify-owner" in state["next_step"]


def test_config_skip_accounts_are_never_contacted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".secretscan.yaml").write_text('verify:\n  skip_accounts: ["295889548742"]\n')  # KEY_ID's
    with fake_endpoint("region:us-east-1") as sts:
        code, doc, err = scan(pair_file(tmp_path), capsys, "--verify", "--endpoint-url", sts.url)
    (state,) = states(doc)
    assert state["state"] == "not-checked" and "verify.skip_accounts" in state["reason"]
    assert sts.headers == [] and "sending" not in err
    (tmp_path / ".secretscan.yaml").write_text("verify:\n  skip_accounts: [295889548742]\n")
    code, _, err = scan(tmp_path, capsys, "--verify")
    assert code == 2 and "verify" in err
