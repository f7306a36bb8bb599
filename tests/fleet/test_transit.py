"""Sealed findings: what crosses the wire and reaches the state file holds no raw secret, yet every reporter
prints exactly what it prints for the real finding."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.fleet.transit import digest, finding_from_json, finding_to_json, placeholder, seal
from scanner.model import Commit, Finding, Origin, ScanResult, Verification
from scanner.redact import redact
from scanner.report import ReportContext, renderer

SECRET = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
KEY_ID = "AKIAUJZDEGXDNCF32EPF"


def finding(secret: str = KEY_ID, **changes: object) -> Finding:
    commit = Commit("a" * 40, "Ann", "ann@example.com", "2024-01-01T00:00:00+00:00", f"add {KEY_ID}")
    base = Finding(
        rule_id="aws-access-key-id",
        rule_name="AWS access key ID",
        severity="critical",
        confidence="high",
        origin=Origin("config/aws.ini", commit, "blob"),
        line=2,
        column=21,
        end_column=41,
        secret=secret,
        line_text=f"aws_access_key_id = {secret}  # also {SECRET[:20]}",
        fingerprint="f" * 32,
        facts=(("key_type", "long-term access key"),),
        companions=(("secret_access_key", SECRET),),
        verification=Verification("not-checked", "verification off"),
        present_at_head=True,
        line_secrets=(SECRET[:20],),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@given(st.text(max_size=60))
def test_a_placeholder_redacts_as_its_secret(secret: str) -> None:
    assert redact(placeholder(secret)) == redact(secret)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "markdown", "html"])
@pytest.mark.parametrize("secret", [KEY_ID, "Nope", "NoPe1234"])  # short ones: a prefix kept, a mask after
def test_every_format_prints_the_same_for_a_sealed_finding(fmt: str, secret: str) -> None:
    from scanner.report.printable import hidden_summaries

    result = ScanResult(findings=[finding(secret)], mode="history", target="repo")
    context = ReportContext(tool_version="1")
    expected = renderer(fmt)(result, context)
    sealed = seal(hidden_summaries(ScanResult(findings=[finding(secret)], mode="history", target="repo")))
    assert renderer(fmt)(sealed, context) == expected
    text = repr(finding_to_json(sealed.findings[0]))
    assert secret not in text and SECRET not in text and SECRET[:20] not in text


def test_digest_is_keyed_and_ignores_whitespace() -> None:
    one, two = b"1" * 32, b"2" * 32
    assert digest(one, finding()) == digest(one, finding(secret=f" {KEY_ID}\n"))
    assert digest(one, finding()) != digest(two, finding())
    assert digest(one, finding()) != digest(one, finding(companions=(("secret_access_key", "x" * 40),)))


def test_json_round_trip() -> None:
    original = finding(removed_in=Commit("b" * 40, "Bo", "bo@example.com", "2024-02-01T00:00:00+00:00"))
    assert finding_from_json(finding_to_json(original)) == original
