"""AWS facts (key type, decoded account id) and the AWS rule pack on real-format keys in a dozen file types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.engine import Engine
from scanner.model import Blob, Origin
from scanner.rules import load_rules
from scanner.validators import aws
from tests.helpers.cli import run_cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize(
    ("key_id", "account"),
    [
        ("ASIAY34FZKBOKMUTVV7A", "609629065308"),
        ("ASIAVJ2E6QGR2WZILJFM", "364679954851"),
        ("AKIASP2TPHJSQH3FJRUX", "171436882533"),
        ("AKIA6RVFFB77AAAAAAAA", "999999999998"),
        ("AKIAIOSFODNN7EXAMPLE", None),
        ("AKIAJQABLZS4A3QDU576", None),
    ],
)
def test_account_id_decoded_from_published_pairs(key_id: str, account: str | None) -> None:
    assert aws.account_id(key_id) == account


@pytest.mark.parametrize(
    ("key_id", "kind"),
    [
        ("AKIAUJZDEGXDNCF32EPF", "long-term access key"),
        ("ASIA3DHODZDOCIS2JHTL", "temporary access key (STS)"),
        ("ABIAGMXGEDN73U55XTPL", "AWS STS service bearer token"),
        ("ACCAPFT7V4SEH2KVJ72C", "context-specific credential"),
        ("A3TXUJZDEGXDNCF32EPF", "legacy access key (A3T)"),
        ("AIDAJQABLZS4A3QDU576", "IAM user"),
    ],
)
def test_key_type_from_prefix(key_id: str, kind: str) -> None:
    assert aws.key_type(key_id) == kind


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules())


def scan_text(engine: Engine, text: str, path: str = "x.txt") -> list[tuple[str, str]]:
    outcome = engine.scan(Blob.from_bytes(text.encode(), Origin(path)))
    return [(f.rule_id, f.secret) for f in outcome.findings]


@pytest.mark.parametrize(
    "identifier",
    ["AIDAJQABLZS4A3QDU576Q", "AROA3XFRBF535PLBIFPI4", "AGPA3XFRBF535PLBIFPI4", "ANPAJ2UCCR6DPCEXAMPLE"],
)
def test_non_credential_identifiers_are_not_secrets(engine: Engine, identifier: str) -> None:
    assert scan_text(engine, f"id: {identifier}\n") == []


def test_every_finding_reports_key_type_and_account(engine: Engine) -> None:
    outcome = engine.scan(Blob.from_bytes(b"key = ASIAY34FZKBOKMUTVV7A\n", Origin("a.cfg")))
    (finding,) = outcome.findings
    assert finding.fact("key_type") == "temporary access key (STS)"
    assert finding.fact("account_id") == "609629065308"


def test_dozen_file_types_each_report_one_paired_credential() -> None:
    expected = json.loads((FIXTURES / "aws-expected.json").read_text())
    proc = run_cli("scan", str(FIXTURES / "aws"), "--format", "json", "--show-secrets")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    by_file = {Path(f["path"]).name: f for f in findings}
    assert len(findings) == len(expected) == 14
    for name, want in expected.items():
        got = by_file[name]
        assert got["rule_id"] == "aws-access-key-id"
        assert got["secret"] == want["key_id"]
        assert got["line"] == want["line"]
        assert got["companions"] == {"secret_access_key": want["secret"]}
        assert got["severity"] == "critical"
        assert got["facts"]["key_type"] in {"long-term access key", "temporary access key (STS)"}


def test_documentation_examples_are_never_reported() -> None:
    proc = run_cli("scan", str(FIXTURES / "aws-docs"), "--format", "json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["findings"] == []


def test_pairing_distance(engine: Engine) -> None:
    secret = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
    near = "id = AKIAUJZDEGXDNCF32EPF\n" + "\n" * 4 + f'"{secret}"\n'
    far = "id = AKIAUJZDEGXDNCF32EPF\n" + "\n" * 5 + f'"{secret}"\n'
    (paired,) = engine.scan(Blob.from_bytes(near.encode(), Origin("a"))).findings
    assert paired.companion("secret_access_key") == secret
    assert paired.fact("paired_secret_line") == "6"
    (alone,) = engine.scan(Blob.from_bytes(far.encode(), Origin("a"))).findings
    assert alone.companions == ()
    assert alone.severity == "high"


def test_named_secret_and_key_id_merge_into_one_finding(engine: Engine) -> None:
    text = "aws_access_key_id=AKIAUJZDEGXDNCF32EPF\naws_secret_access_key=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\n"
    findings = engine.scan(Blob.from_bytes(text.encode(), Origin("a"))).findings
    assert [f.rule_id for f in findings] == ["aws-access-key-id"]


def test_lone_secret_key_with_aws_name_is_reported(engine: Engine) -> None:
    found = scan_text(engine, "AWS_SECRET_ACCESS_KEY=v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi\n")
    assert found == [("aws-secret-access-key", "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi")]


def test_session_token_pairs_with_asia_key(engine: Engine) -> None:
    token = "IQoJb3JpZ2luX2VjEDnkHIfxIq2HZt+PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNAL5wIScGebcy8F5n3+YNBDRzrZSgqbjG3"
    text = (
        "[tmp]\naws_access_key_id = ASIA3DHODZDOCIS2JHTL\n"
        "aws_secret_access_key = v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi\n"
        f"aws_session_token = {token}\n"
    )
    (finding,) = engine.scan(Blob.from_bytes(text.encode(), Origin("credentials"))).findings
    assert finding.companion("session_token") == token
    assert finding.companion("secret_access_key") == "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
