"""How checks add up (issue 17): the merge of pair and owner results, the --fail-on gates, the next step, and
that every report format carries the next step and the evidence."""

from __future__ import annotations

import dataclasses
import json

import pytest

from scanner.model import Finding, Origin, Verification
from scanner.report import renderer
from scanner.verify import VerifyOptions, make_plan
from scanner.verify.canary import CANARY_ACCOUNTS, SOURCES
from scanner.verify.outcome import fails_gate, merge, next_step, with_next_step
from tests.helpers.report_samples import context, sample_result

STS = ("evidence", "STS GetCallerIdentity signed with the found pair")
IAM = ("evidence", "IAM lookup with your own credentials")
PAIR_OK = Verification("active", "STS accepted the signature", (("arn", "arn:aws:iam::1:user/a"), STS))
WRONG_SECRET = Verification("invalid", "SignatureDoesNotMatch", (("sts_error", "SignatureDoesNotMatch"), STS))
DEAD = Verification("invalid", "InvalidClientTokenId", (("sts_error", "InvalidClientTokenId"), STS))
NO_ANSWER = Verification("unknown", "no answer within 10 s", (STS,))
OWNER_ACTIVE = Verification(
    "active",
    "IAM: Active key of a",
    (("status", "Active"), ("age_days", "400"), ("last_used", "never"), IAM),
)
OWNER_INACTIVE = Verification("inactive", "IAM: Inactive key of a", (("status", "Inactive"), IAM))
NOT_FOUND = Verification("not-found", "no such access key", (IAM,))


@pytest.mark.parametrize(
    ("pair", "owner", "state", "evidence"),
    [
        (PAIR_OK, OWNER_ACTIVE, "active", "STS and IAM agree"),
        (PAIR_OK, OWNER_INACTIVE, "inactive", "IAM owner lookup (Inactive)"),
        (PAIR_OK, NOT_FOUND, "active", "STS accepted the found pair"),
        (WRONG_SECRET, OWNER_ACTIVE, "unknown", "IAM owner lookup (Active) against STS (invalid)"),
        (DEAD, OWNER_ACTIVE, "unknown", "IAM owner lookup (Active) against STS (invalid)"),
        (DEAD, OWNER_INACTIVE, "inactive", "IAM owner lookup (Inactive)"),
        (DEAD, NOT_FOUND, "invalid", "STS rejected the found pair"),
        (NO_ANSWER, OWNER_ACTIVE, "active", "IAM owner lookup (Active); STS could not be asked"),
        (NO_ANSWER, NOT_FOUND, "unknown", "neither check could tell"),
    ],
)
def test_merge_lets_the_stronger_evidence_win(
    pair: Verification, owner: Verification, state: str, evidence: str
) -> None:
    merged = merge(pair, owner)
    assert (merged.state, merged.detail("evidence")) == (state, evidence)
    assert [k for k, _ in merged.details].count("evidence") == 1


def test_one_reason_given_once() -> None:
    assert (
        merge(NO_ANSWER, Verification("unknown", "no answer within 10 s")).reason == "no answer within 10 s"
    )


def test_an_active_key_id_with_a_wrong_secret_fails_the_closed_gate_only() -> None:
    merged = with_next_step(merge(WRONG_SECRET, OWNER_ACTIVE))
    assert fails_gate(merged, "active") and not fails_gate(merged, "verified-active")
    assert "IAM says this key id is Active" in merged.reason
    assert merged.next_step.startswith("IAM says this key is Active: treat it as live. Rotate now")
    assert fails_gate(NO_ANSWER, "active") and not fails_gate(DEAD, "active")
    assert fails_gate(PAIR_OK, "verified-active") and not fails_gate(None, "active")
    foreign = Verification("foreign-account", "key of account 2, not yours (1): not looked up")
    assert fails_gate(foreign, "active") and not fails_gate(foreign, "verified-active")
    assert fails_gate(merge(NO_ANSWER, foreign), "active") and not fails_gate(merge(DEAD, foreign), "active")


def test_next_steps() -> None:
    assert "older than 90 days" in next_step(OWNER_ACTIVE) and "never used" in next_step(OWNER_ACTIVE)
    assert "--verify-owner" in next_step(PAIR_OK)  # no age known: say how to learn it
    assert "no rotation needed" in next_step(DEAD) and "purge" in next_step(DEAD)
    assert "real secret leaked elsewhere" in next_step(WRONG_SECRET)
    assert "aws sts get-caller-identity --profile" in next_step(NO_ANSWER)
    assert "aws iam get-access-key-last-used" in next_step(NO_ANSWER)
    assert "delete-access-key" in next_step(OWNER_INACTIVE)
    assert next_step(Verification("canary")).startswith("A canary tripwire")
    assert next_step(Verification("not-checked", "verification off")) == ""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html"])
def test_every_format_carries_the_next_step(fmt: str) -> None:
    result = sample_result()
    checked = with_next_step(merge(PAIR_OK, OWNER_ACTIVE))
    result.findings[1] = dataclasses.replace(result.findings[1], verification=checked)
    text = " ".join(renderer(fmt)(result, context()).split())  # the text report wraps long lines
    assert "Rotate now" in text and "deactivate the old key" in text and "400 days old" in text


def test_sarif_keeps_the_evidence() -> None:
    result = sample_result()
    checked = with_next_step(merge(PAIR_OK, OWNER_ACTIVE))
    result.findings[1] = dataclasses.replace(result.findings[1], verification=checked)
    doc = json.loads(renderer("sarif")(result, context()))
    props = next(
        r["properties"] for r in doc["runs"][0]["results"] if r["properties"]["verification"] == "active"
    )
    assert props["verificationReason"].startswith("STS accepted")
    details = props["verificationDetails"]
    assert details["arn"] == "arn:aws:iam::1:user/a" and details["age_days"] == "400"
    assert details["evidence"] == "STS and IAM agree" and props["nextStep"].startswith("Rotate now")


def test_every_canary_account_cites_a_public_list() -> None:
    """Issue 17 §3: ids checked against TruffleHog's and Kingfisher's lists; each keeps its source."""
    for account, canary in CANARY_ACCOUNTS.items():
        assert len(account) == 12 and account.isdigit()
        assert canary.sources and all(source in SOURCES for source in canary.sources), account
        assert canary.listed_by()
    for listed_upstream in ("893192397702", "251535659677", "528757803018", "538784191382", "729780141977"):
        assert listed_upstream in CANARY_ACCOUNTS
    assert "251728468475" not in CANARY_ACCOUNTS  # in no public list


def test_canary_and_skipped_accounts_are_never_contacted() -> None:
    pair = (("secret_access_key", "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"),)
    canary, own = finding("893192397702", pair), finding("111122223333", pair)
    plan = make_plan([canary, own], VerifyOptions(pair=True, skip_accounts=("111122223333",)))
    assert not plan.pairs
    assert plan.offline[0].state == "canary" and "TruffleHog" in (plan.offline[0].detail("listed_by") or "")
    assert plan.offline[1].state == "not-checked" and "verify.skip_accounts" in plan.offline[1].reason


def finding(account: str, companions: tuple[tuple[str, str], ...]) -> Finding:
    return Finding(
        "aws-access-key-id", "AWS access key ID", "high", "high", Origin("a.ini"), 2, 21, 41,
        "AKIAUJZDEGXDNCF32EPF", "", "fp", (("account_id", account),), companions,
    )  # fmt: skip
