"""Pairing of AWS key ids with secrets and session tokens, at the edges of PAIR_DISTANCE (issue 21 §1).

A bare 40-character secret (no AWS-like name next to it) is reported only as the companion of a key id within
PAIR_DISTANCE lines: one line further and it is not reported at all. A named secret is reported either way,
paired within the distance and on its own beyond it.
"""

from __future__ import annotations

import pytest

from scanner.engine import Engine
from scanner.engine.pairing import PAIR_DISTANCE
from scanner.model import Blob, Finding, Origin
from scanner.rules import load_rules

KEY_ID = "AKIASP2TPHJSQH3FJRUX"
SECRET = "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"
OTHER_SECRET = "Kq8mZ3vT1xR7pL4nW9bY2cF6hJ5dS0gA+eUoIiQk"
TOKEN = "IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQD" + "Zx9Kq2Lm4Np7Rv2XkP7wN4bYc6Ts" * 4


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules(), backend="python")


def scan(engine: Engine, lines: list[str]) -> list[Finding]:
    text = "\n".join(lines) + "\n"
    return engine.scan(Blob.from_bytes(text.encode(), Origin("deploy/creds.txt"))).findings


def layout(gap: int, secret_line: str, below: bool = True) -> list[str]:
    """The key id and `secret_line` `gap` lines apart (the secret below or above the key id)."""
    filler = ["# nothing here"] * (gap - 1)
    key = f"key_id = {KEY_ID}"
    return [key, *filler, secret_line] if below else [secret_line, *filler, key]


def summary(findings: list[Finding]) -> list[tuple[str, int, tuple[tuple[str, str], ...], str]]:
    return [(f.rule_id, f.line, f.companions, f.severity) for f in findings]


def test_the_distance_is_five_lines() -> None:
    assert PAIR_DISTANCE == 5  # the rows below are written for it


@pytest.mark.parametrize("below", [True, False], ids=["secret below", "secret above"])
@pytest.mark.parametrize(
    ("secret_line", "named"),
    [(f"x = {SECRET}", False), (f"aws_secret_access_key = {SECRET}", True)],
    ids=["bare", "named"],
)
def test_a_secret_at_the_distance_is_paired(
    engine: Engine, secret_line: str, named: bool, below: bool
) -> None:
    found = scan(engine, layout(PAIR_DISTANCE, secret_line, below))
    key_line = 1 if below else PAIR_DISTANCE + 1
    secret_line_no = PAIR_DISTANCE + 1 if below else 1
    assert summary(found) == [("aws-access-key-id", key_line, (("secret_access_key", SECRET),), "critical")]
    assert found[0].fact("paired_secret_line") == str(secret_line_no)


@pytest.mark.parametrize("below", [True, False], ids=["secret below", "secret above"])
def test_a_bare_secret_one_line_past_the_distance_is_not_reported(engine: Engine, below: bool) -> None:
    # Why: 40 base64 characters alone are as often a hash or an encoded blob; only the key id nearby says AWS.
    found = scan(engine, layout(PAIR_DISTANCE + 1, f"x = {SECRET}", below))
    assert summary(found) == [("aws-access-key-id", 1 if below else PAIR_DISTANCE + 2, (), "high")]


def test_a_named_secret_one_line_past_the_distance_is_reported_alone(engine: Engine) -> None:
    found = scan(engine, layout(PAIR_DISTANCE + 1, f"aws_secret_access_key = {SECRET}"))
    assert [(f.rule_id, f.line, f.companions) for f in found] == [
        ("aws-access-key-id", 1, ()),
        ("aws-secret-access-key", PAIR_DISTANCE + 2, ()),
    ]


def test_the_nearest_secret_wins_and_the_other_is_kept(engine: Engine) -> None:
    lines = [
        f"aws_secret_access_key = {OTHER_SECRET}",
        f"key_id = {KEY_ID}",
        "# nothing here",
        f"aws_secret_access_key = {SECRET}",
    ]
    assert [(f.rule_id, f.line, f.companions) for f in scan(engine, lines)] == [
        ("aws-access-key-id", 2, (("secret_access_key", OTHER_SECRET),)),
        ("aws-secret-access-key", 4, ()),
    ]


def test_equally_near_secrets_pair_the_one_above(engine: Engine) -> None:
    lines = [
        f"aws_secret_access_key = {OTHER_SECRET}",
        f"key_id = {KEY_ID}",
        f"aws_secret_access_key = {SECRET}",
    ]
    found = scan(engine, lines)
    assert [(f.line, f.companions) for f in found] == [
        (2, (("secret_access_key", OTHER_SECRET),)),
        (3, ()),
    ]


def test_the_nearest_bare_secret_wins(engine: Engine) -> None:
    lines = [f"key_id = {KEY_ID}", "# nothing", f"a = {OTHER_SECRET}", f"b = {SECRET}"]
    found = scan(engine, lines)
    assert summary(found) == [("aws-access-key-id", 1, (("secret_access_key", OTHER_SECRET),), "critical")]
    assert found[0].fact("paired_secret_line") == "3"


@pytest.mark.parametrize(
    ("value", "paired", "why"),
    [
        (
            "aB3dE5gHaB3dE5gHaB3dE5gH9jK1mN2p9jK1mN2p",
            False,
            "entropy 3.97: under the bare-secret floor of 4.0",
        ),
        ("aB3dE5aB3dE5aB3dE5gH9jK1mN2pQgH9jK1mN2pQ", True, "entropy 4.06: over the floor"),
        ("AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMn", False, "entropy 4.6 but no digit: not a generated key"),
        ("a" * 20 + "b" * 20, False, "entropy 1.0"),
    ],
)
def test_bare_secret_entropy_and_classes(engine: Engine, value: str, paired: bool, why: str) -> None:
    (key,) = scan(engine, [f"key_id = {KEY_ID}", f"x = {value}"])
    assert (key.companions == (("secret_access_key", value),)) is paired, why


@pytest.mark.parametrize(("gap", "paired"), [(PAIR_DISTANCE, True), (PAIR_DISTANCE + 1, False)])
def test_session_token_distance(engine: Engine, gap: int, paired: bool) -> None:
    found = scan(engine, layout(gap, f"aws_session_token = {TOKEN}"))
    key = next(f for f in found if f.rule_id == "aws-access-key-id")
    assert (("session_token", TOKEN) in key.companions) is paired
    # Paired or not, the token is reported: on the key id, or on its own.
    assert paired or any(f.rule_id == "aws-session-token" for f in found)
    assert key.severity == "high"  # a token without a secret does not make the pair critical


def test_a_generic_copy_of_a_paired_secret_is_dropped(engine: Engine) -> None:
    lines = [f"key_id = {KEY_ID}", f'secret_key = "{SECRET}"']
    found = scan(engine, lines)
    assert summary(found) == [("aws-access-key-id", 1, (("secret_access_key", SECRET),), "critical")]
