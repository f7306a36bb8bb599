"""Each threshold of the randomness judge, pinned by a value on each side of it (issue 21 §1).

At the default `--min-confidence medium` a generic finding is reported when the judge says high or medium and
hidden when it says low or rejects the value, so every row states what the default run does with it. The
values are written to sit exactly at, or one step past, one threshold while passing every other test; the
`why` column says which threshold. When a threshold moves on purpose (issue 16), update its rows.
"""

from __future__ import annotations

import pytest

from scanner.model import Confidence
from scanner.validators.generic import JWS_REASON, PREFIX_REASON, generic_secret
from scanner.validators.randomness import (
    char_classes,
    dictionary_made,
    judge,
    longest_run,
    period,
    rejected_shape,
    shannon_entropy,
    uncovered_chars,
)

REPORTED: frozenset[Confidence | None] = frozenset({"high", "medium"})  # at the default confidence

# (value, confidence the judge gives (None: rejected), why the value sits where it does)
BOUNDARIES: list[tuple[str, Confidence | None, str]] = [
    # high: 16 characters or more, three classes, entropy 3.5 or more, under a quarter dictionary words
    ("aB3dE5gH9jK1mN2p", "high", "16 characters: the shortest high"),
    ("aB3dE5gH9jK1mN2", "medium", "15 characters: one short of high"),
    ("qZxkVjwPfhTdRmNb", "medium", "two classes: one short of high"),
    ("aB3dE5gHJkLmMLkQ", "high", "entropy 3.625, above the high floor"),
    ("aB3dE5gHHJkkLMLJ", "high", "entropy 3.5 exactly: the floor is inclusive"),
    ("aB3dE5gHHJJkkLLd", "medium", "entropy 3.375: under the high floor"),
    ("Zx9Kq2Lm4Nbk7Wcat", "high", "3 of 17 characters are a word: under a quarter"),
    ("Zx9Kq2Lm4Nkey7Wcat", "medium", "6 of 18 characters are words: a quarter or more"),
    # medium: 10 characters or more, two classes, entropy 3.0 or more, not mostly words
    ("qzxkvjwpf4", "medium", "10 characters of two classes: the shortest medium"),
    ("qzxkvjwp4", "low", "9 characters of two classes: one short of medium"),
    ("Zx9Kq2Lm", "medium", "8 characters of three classes: a person's password (issue 16)"),
    ("Zx9Kq2L", "low", "7 characters: one short of a person's password"),
    ("qzxkvjwpfht4", "medium", "two classes (lower case and a digit)"),
    ("qzxkvjwpfhtd", "low", "one class: lower-case letters only"),
    ("aB3dE5gHHg5Ed3Ba", "medium", "entropy 3.0 exactly: the floor is inclusive"),
    ("a3d5g8k2k8g5d3a2", "medium", "two classes, entropy 3.0 exactly: no password rule catches it below"),
    ("aB3dE5gHHg5Ed3Bd", None, "entropy 2.95 with 16 characters: under min(3.0, 0.8 log2 16)"),
    ("zx9azx9bq7", "low", "entropy 2.72 on 10 characters: above 0.8 log2 10, under the medium floor"),
    ("mysecretkey99", "low", "9 of 13 characters are words: more covered than not"),
    ("Zx9Qkey7Wcat", "medium", "6 of 12 characters are words: as many covered as not"),
    ("Zx#Qkey%Wcat", "medium", "symbols count as uncovered, as digits do: as many covered as not"),
    ("zx9qkey7wcat", "medium", "two classes, 6 of 12 covered: as many covered as not"),
    ("zx#qkey%wcat", "medium", "two classes: symbols count as uncovered, as digits do"),
    # dictionary words: three other characters at most, and half the value or more covered
    ("Password12!", "low", "words, a digit and a symbol around a test word: a default password, hidden"),
    ("Password123!", "low", "words and four other characters: a human-chosen password, hidden"),
    ("P@ssw0rd1!", "low", "l33t undone: password and two other characters, a default password"),
    ("secretpass1", None, "words and a digit, no symbol: not built as a password"),
    ("pass-_-9Zx", "low", "a word of 4 in 10 characters and 3 others: under half covered, so not words"),
    # runs: a repeated or sequential stretch of max(4, length // 3) characters rejects
    ("Zx9Kq2L888mN", "medium", "a run of three in 12 characters"),
    ("Zx9Kq2L8888m", None, "a run of four in 12 characters"),
    ("Zx9Kq2Lm4Nabcd", None, "a sequence of four (abcd)"),
    ("Zx9Kq2Lm4Nabc", "medium", "a sequence of three (abc)"),
    ("Zx9Kq2Lm4N99999", None, "a run of 5 in 15 characters: 15 // 3 is 5"),
    ("Zx9Kq2Lm4Np7R99999", "medium", "a run of 5 in 18 characters: 18 // 3 is 6"),
    ("Zx9Kq2Lm4Np7Rvwxyz", "high", "a sequence of five in 18 characters: under six, not a dummy"),
    ("Zx9Kq2Lm4Np7RbGtuvwxyz", None, "a sequence of six: a typed-in dummy wherever it stands"),
    # periods: a unit repeated twice or more (letter case aside)
    ("aB3dE5gHaB3dE5gH", None, "8 characters repeated twice"),
    ("aB3dE5gHAb3De5Gh", None, "the same unit in the other letter case"),
    ("aB3dE5gHjaB3dE5gH", "medium", "a unit of 9 in 17 characters: not a repetition"),
    ("aB3dE5gHaB3dE5gX", "medium", "the unit comes back but for the last character: not a repetition"),
    # hex: medium from 20 characters with entropy 3.3 or more, else low (hidden)
    ("3f9a1c7e5b2d80463f9a", "medium", "20 hex digits: the shortest medium hex"),
    ("3f9a1c7e5b2d80463f9", "low", "19 hex digits: one short"),
    ("3f9a1c7e5b2d80463f9a1c7e", "medium", "24 hex digits (a key of 12 bytes)"),
    ("3F9A1C7E5B2D80463F9A1C7E", "medium", "24 upper-case hex digits"),
    ("9b2e4f7a1c8d3e6f0a5b7c9d2e4f6a8b", "medium", "32 hex digits (an MD5-sized key)"),
    ("9b2e4f7a1c8d3e6f0a5b7c9d2e4f6a8b1c3d5e7f", "medium", "40 hex digits (a SHA-1-sized key)"),
    (
        "9b2e4f7a1c8d3e6f0a5b7c9d2e4f6a8b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e2f",
        "medium",
        "64 hex digits (a 256-bit key)",
    ),
    ("a81ca9f570f89c531370", "medium", "20 hex digits, entropy 3.32: just above 3.3"),
    ("c930a9f58008ac731571", "low", "20 hex digits, entropy 3.28: under 3.3"),
    ("3f9a1c7E5b2d80463f9a", "high", "mixed-case hex is not hex: judged as random text"),
    # base64 and other alphabets
    ("q8Zt3Lm9/Rv2XkP7+wN4bY==", "high", "base64 with / and + and padding"),
    ("q8Zt/3Lm9Rv2XkP7wN4b", "high", "base64 with a slash: mixed case, so not a path"),
    ("Zx9Kq2Lm4Np7.Rv2XkP7wN4bYc", "high", "a dot inside a random value"),
    ("ak_Zx9Kq2Lm4Np7Rv2XkP7wN4", "high", "an unknown prefix with an underscore"),
    ("j#8Lq!2vR@9m", "medium", "a symbol-heavy password"),
    ("4!nmmYzwl9#Tq", "medium", "a symbol-heavy password of 13 characters"),
    # shapes that lower a value to low: hidden at the default confidence
    ("8c9e5f3a-1b2d-4e6f-9a7b-3c5d8e1f2a4b", "medium", "a UUID: many providers issue UUID keys (issue 16)"),
    ("handler-5757", "low", "a word and a counter"),
    ("Zx9Kq2Lm4Nñé", "medium", "two letters outside ASCII"),
    ("Zx9Kq2Lm4Nñéü", "low", "three letters outside ASCII"),
    ("$2b$12$Zx9Kq2Lm4Np7Rv2XkP7wN.", None, "a bcrypt hash: a cracking target, not a working password"),
]


@pytest.mark.parametrize(("value", "confidence", "why"), BOUNDARIES, ids=[row[2] for row in BOUNDARIES])
def test_judge_boundary(value: str, confidence: Confidence | None, why: str) -> None:
    judgement = judge(value)
    assert judgement.confidence == confidence, f"{why}: {judgement.reason}"
    verdict = generic_secret(value)
    assert verdict.ok is (confidence is not None)
    assert (verdict.confidence in REPORTED) is (confidence in REPORTED)


@pytest.mark.parametrize(
    ("value", "reason", "why"),
    [
        ("aGVsbG8gd29ybGQgdGhpcyBpcyB0ZXh0", "base64 of plain text", "decodes to printable text"),
        ("aGVsbG8gd29y", "base64 of plain text", "12 characters"),
        ("aGVsbG8gd28=", "base64 of plain text", "11 characters and a pad"),
        ("aGVsbG8h", "base64 of plain text", "8 characters: the shortest base64 read as text"),
        ("aGVsbG8=", None, "7 characters and a pad: under the 8 the shape needs, so judged"),
        ("aGVsbG8gd29ybGQ", None, "15 characters: not a whole number of base64 quads, so judged"),
        ("api/v1/users/token9", "path", "lower-case words between slashes"),
        ("Api/v1/Users/token9", None, "a capital breaks the path shape: base64 is mixed case"),
        ("secrets.db_password", "environment lookup", "a secrets. lookup"),
        ("Zx9Kq2Lm4Np7Rv2XkP7wN4bYc6T=", None, "length 28 with padding but not text: not base64 of text"),
    ],
)
def test_shape_boundary(value: str, reason: str | None, why: str) -> None:
    shape = rejected_shape(value)
    assert (shape is None) is (reason is None), why
    if reason is not None:
        assert shape is not None and reason in shape, why


def test_base64_of_binary_is_not_text() -> None:
    # Base64 of random bytes is a generated key, not text: it must stay reported.
    assert rejected_shape("3q2+7wABAgMEBQYHCAkKCw==") is None
    assert judge("3q2+7wABAgMEBQYHCAkKCw==").confidence == "high"


def test_measures_at_their_edges() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcdefgh") == 3.0
    assert shannon_entropy("ab") == 1.0
    assert [char_classes(v) for v in ("abc", "aB", "aB3", "aB3!", "!", "3")] == [1, 2, 3, 4, 1, 1]
    assert [longest_run(v) for v in ("", "a", "ab", "aab", "abcd", "dcba", "abab", "aaab", "abce")] == [
        0, 1, 2, 2, 4, 4, 2, 3, 3,
    ]  # fmt: skip
    assert longest_run("abcba") == 3  # the step changes direction: a new run of two starts at c
    assert [period(v) for v in ("abab", "abcabcab", "abcd", "AbAB")] == [2, 3, 4, 2]
    assert uncovered_chars("P@ssw0rd") == (0, 8)
    assert uncovered_chars("key_id-42") == (4, 3)  # separators count as neither
    assert uncovered_chars("zzkeyzz") == (4, 3)  # a word inside a run of letters
    assert uncovered_chars("ke") == (2, 0)  # two letters are never a word
    assert dictionary_made("somepassword")
    assert not dictionary_made("Zx9Kq2Lm4N")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", JWS_REASON),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", JWS_REASON),
        ("ghp_Zx9Kq2Lm4Np7Rv2XkP7wN4bYc6Ts", PREFIX_REASON),
    ],
)
def test_values_left_to_other_rules(value: str, reason: str) -> None:
    assert generic_secret(value).reason == reason


def test_a_prefix_its_provider_rule_refused_is_reported_low() -> None:
    # Issue 16: a Stripe-looking value the Stripe rule did not accept is still shown, at low.
    verdict = generic_secret("sk_live_Zx9Kq2Lm4Np7Rv2XkP7wN4bY")
    assert verdict.ok and verdict.confidence == "low"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("eyJZx9Kq2Lm4Np7Rv2XkP7wN", "eyJ without a dot is not a JWS: judged"),
        ("xghp_Zx9Kq2Lm4Np7Rv2XkP7wN4bY", "a prefix counts only at the start"),
    ],
)
def test_values_the_generic_judge_keeps(value: str, why: str) -> None:
    verdict = generic_secret(value)
    assert verdict.ok and verdict.confidence in REPORTED, why
