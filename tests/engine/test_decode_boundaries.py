"""The limits of decoding, pinned on each side (issue 21 §1): how short a base64 value is decoded, how many
escapes make a line worth rewriting, how long a line may be, and when a decoded finding replaces the encoded
one."""

from __future__ import annotations

import base64

import pytest

from scanner.engine import Engine, decode
from scanner.model import Blob, Finding, Origin
from scanner.rules import load_rules

SECRET = "q8Zt3Lm9Rv2XkP7wN4bY"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules(), backend="python")


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def scan(engine: Engine, text: str, path: str) -> list[tuple[str, str, str | None]]:
    outcome = engine.scan(Blob.from_bytes(text.encode(), Origin(path)))
    return [(f.rule_id, f.secret, f.fact("encoding")) for f in outcome.findings]


def encodings(data: bytes, path: str = "x.yaml", kube: bool = True) -> list[tuple[bytes, str]]:
    return [(span[2], span[3]) for span in decode._encoded_spans(data, path, [], kube)]


def k8s_secret(value: str) -> str:
    return f"apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  password: {value}\n"


@pytest.mark.parametrize(
    ("value", "decoded", "why"),
    [
        ("WHE3I3BM", b"Xq7#pL", "8 base64 characters, 6 bytes: the shortest decoded"),
        ("WHE3I3A=", None, "5 bytes decoded: too short to hold a secret"),
        ("WHE3I3B", None, "7 base64 characters: under the 8 the value pattern needs"),
        ("WHE3I3BMMg", b"Xq7#pL2", "unpadded base64 is padded before decoding"),
        (b64(b"\x89PNG\r\n\x1a\n0123"), None, "binary bytes: not text"),
        ("WHE3I3BM-_", None, "url-safe characters are not in a Kubernetes value's alphabet"),
    ],
)
def test_short_kubernetes_values(value: str, decoded: bytes | None, why: str) -> None:
    data = k8s_secret(value).encode()
    assert encodings(data) == ([] if decoded is None else [(decoded, "base64")]), why


def test_kubernetes_values_are_decoded_only_in_manifests_that_say_secret() -> None:
    data = k8s_secret(b64("Xq7#pL2vR9mK")).encode()
    assert encodings(data, kube=False) == []
    assert encodings(data, path="notes.txt") == []
    assert encodings(data, path="-") == [(b"Xq7#pL2vR9mK", "base64")]  # standard input
    assert encodings(data, path="x.json") == [(b"Xq7#pL2vR9mK", "base64")]


def test_a_ten_character_password_in_a_kubernetes_secret_is_reported(engine: Engine) -> None:
    found = scan(engine, k8s_secret(b64("Zx9Kq2Lm4N")), "deploy/secret.yaml")
    assert found == [("generic-secret-assignment", "Zx9Kq2Lm4N", "base64")]


@pytest.mark.parametrize(
    ("line", "decoded", "why"),
    [
        ("q=api_key%3A%20" + SECRET, True, "two escapes: the line is decoded"),
        ("q=api_key%3A " + SECRET, False, "one escape is common in URLs: left alone"),
        ("q=api_key%3A%0A" + SECRET, False, "%0A is not a printable escape: one counted"),
        ("q=api_key%7E%20" + SECRET, True, "%7E is the last printable escape counted"),
        ("q=api_key%1F%20" + SECRET, False, "%1F is under the printable range"),
    ],
)
def test_percent_escapes_a_line_needs(line: str, decoded: bool, why: str) -> None:
    kinds = {kind for _, kind in encodings(line.encode(), "a.log", kube=False)}
    assert (kinds == {"percent"}) is decoded, why


def test_a_percent_encoded_assignment_is_found_with_two_escapes_only(engine: Engine) -> None:
    assert scan(engine, f"GET /x?q=api_key%3A%20{SECRET}\n", "a.log") == [
        ("generic-secret-assignment", SECRET, "percent")
    ]
    # One escape: the line is not decoded, and `api_key%3A` is no assignment: a known limit, not a goal.
    assert scan(engine, f"GET /x?q=api_key%3A {SECRET}\n", "a.log") == []


@pytest.mark.parametrize(
    ("line", "count", "why"),
    [
        (b'"a\\u0022b"', 1, "one \\u00XX escape is enough: only JSON writers produce it"),
        (b'"a\\/b"', 1, "an escaped slash"),
        (b'"a\\\\/b"', 0, "an escaped backslash, then a slash"),
        (b'"a\\\\\\/b"', 1, "an escaped backslash, then an escaped slash"),
        (b'"a\\u0100b"', 0, "outside the printable range of the gate"),
    ],
)
def test_escapes_a_line_needs(line: bytes, count: int, why: str) -> None:
    found = [kind for _, kind in encodings(line, "a.json", kube=False)]
    assert (found.count("escape") >= 1) is (count >= 1), why


def test_json_unicode_escapes_hide_an_assignment(engine: Engine) -> None:
    text = '{"api_key\\u0022: \\u0022' + SECRET + '"}\n'
    assert scan(engine, text, "a.json") == [("generic-secret-assignment", SECRET, "escape")]


@pytest.mark.parametrize(("extra", "decoded"), [(0, True), (1, False)])
def test_the_longest_line_rewritten(extra: int, decoded: bool) -> None:
    body = "q=%22%22"
    line = (body + "a" * (decode.MAX_LINE - len(body) + extra)).encode()
    assert len(line) == decode.MAX_LINE + extra
    assert bool(encodings(line, "a.log", kube=False)) is decoded


@pytest.mark.parametrize(("extra", "decoded"), [(0, True), (1, False)])
def test_the_longest_base64_value_decoded(extra: int, decoded: bool) -> None:
    value = b64("k" * (decode.MAX_LINE * 3 // 4)).encode() + b"QUJD" * extra
    assert (decode._base64_text(value[: decode.MAX_LINE + extra]) is not None) is decoded


def test_the_decoded_budget_stops_decoding() -> None:
    # Each value decodes to 48,000 bytes (under MAX_LINE encoded); the budget admits values while any of it
    # is left, so the one that crosses it is decoded and the next is not.
    size = 48_000
    admitted = -(-decode.MAX_DECODED // size)  # values until the budget is spent
    lines = "".join(f"  k{i}: {b64(chr(65 + i) * size)}\n" for i in range(admitted + 1))
    data = f"kind: Secret\ndata:\n{lines}".encode()
    assert len(decode._encoded_spans(data, "s.yaml", [], True)) == admitted


# ---- when a decoded finding replaces the one at the encoded text (decode._add) ----


def finding(rule_id: str, secret: str, column: int = 5, end: int = 30) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=rule_id,
        severity="high",
        confidence="high",
        origin=Origin("s.yaml"),
        line=3,
        column=column,
        end_column=end,
        secret=secret,
        line_text="",
        fingerprint=rule_id,
    )


def is_generic(rule_id: str) -> bool:
    return rule_id.startswith("generic-")


TOKEN = "glpat-x7Rk2mQ9tLz4vP8nW3bY"


@pytest.mark.parametrize(
    ("kept", "mapped", "result", "why"),
    [
        (
            finding("generic-secret-assignment", b64(f"TOKEN={TOKEN}")),
            finding("gitlab-pat", TOKEN),
            ["gitlab-pat"],
            "a provider rule in the decoded text replaces the encoded finding that hides it",
        ),
        (
            finding("npm-auth", b64(f"user:{SECRET}")),
            finding("generic-secret-assignment", SECRET),
            ["npm-auth"],
            "a generic decoded finding never replaces a rule that understood the encoding",
        ),
        (
            finding("other-rule", b64("nothing to see here")),
            finding("gitlab-pat", TOKEN),
            ["other-rule"],
            "the encoded finding does not decode to the decoded secret: both stand for different text",
        ),
        (
            finding("other-rule", b64(f"x: {b64(f'TOKEN={TOKEN}')}")),
            finding("gitlab-pat", TOKEN),
            ["gitlab-pat"],
            "nested once: still hidden by the encoded finding",
        ),
        (
            finding("other-rule", SECRET, column=40, end=60),
            finding("gitlab-pat", TOKEN),
            ["other-rule", "gitlab-pat"],
            "elsewhere on the line: both kept",
        ),
        (
            finding("generic-secret-assignment", SECRET, column=40, end=60),
            finding("generic-secret-assignment", TOKEN),
            ["generic-secret-assignment", "generic-secret-assignment"],
            "a generic decoded finding in a place nobody reported is added",
        ),
    ],
)
def test_replacement(kept: Finding, mapped: Finding, result: list[str], why: str) -> None:
    merged = decode._add([kept], mapped, is_generic)
    assert [f.rule_id for f in merged] == result, why


def test_nested_three_deep_is_not_hidden() -> None:
    # MAX_DEPTH bounds the search as it bounds decoding: three levels down is not looked at.
    inner = b64("TOKEN=" + TOKEN)
    for name in ("y", "x"):
        inner = b64(f"{name}: {inner}")
    kept = finding("other-rule", inner)
    assert [f.rule_id for f in decode._add([kept], finding("gitlab-pat", TOKEN), is_generic)] == [
        "other-rule"
    ]
