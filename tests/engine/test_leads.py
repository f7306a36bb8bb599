"""A caseless rule searched from a blob's start is tried only where its leading literal occurs."""

from __future__ import annotations

import re

import pytest

from scanner.engine import Engine
from scanner.engine.leads import caseless_lead, lead_matches
from scanner.model import Blob, Origin
from scanner.rules import load_rules


@pytest.mark.parametrize(
    ("pattern", "lead"),
    [
        (r"(?i)Authorization[:=]\s+Basic\s+(\w+)", b"authorization"),
        (r"(?i)[Interface]", None),  # a class, not a literal
        (r"(?i)\[Interface\]\s+(\w+)", b"[interface]"),
        (r"Authorization:\s+(\w+)", None),  # case-sensitive: `re` finds its prefix by itself
        (r"(?i)ab(\w+)", None),  # too short to pay
        (r"(?i)abc(\w+)|xyz(\w+)", None),  # not every match begins with it
        (r"(?i)(?:abc)+(\w+)", None),
    ],
)
def test_the_lead_is_the_caseless_literal_every_match_begins_with(pattern: str, lead: bytes | None) -> None:
    assert caseless_lead(pattern) == lead


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (
            rb"(?i)Authorization[\x22\x27]?\s{0,3}[:=]\s{0,3}Basic\s+(\w{4,})",
            b"AUTHORIZATION: basic abcd\n" * 3,
        ),
        (rb"(?i)key=(\w+)", b"KEY=a key=b xkey=key=c keY=dd"),  # adjacent and overlapping leads
        (rb"(?i)key(?<!akey)=(\w+)", b"akey=1 Key=2 .KEY=3"),  # a lookbehind sees before the lead
        (rb"(?i)tok\b", b"tok tokx TOK"),
    ],
)
def test_lead_matches_finds_what_a_search_finds(pattern: bytes, text: bytes) -> None:
    regex = re.compile(pattern)
    lead = caseless_lead(pattern.decode())
    assert lead is not None
    for pos in range(len(text)):
        expected = [m.span() for m in regex.finditer(text, pos)]
        assert [m.span() for m in lead_matches(regex, text, text.lower(), lead, pos)] == expected


def test_both_backends_agree_on_a_basic_auth_header_far_into_a_blob() -> None:
    header = b'headers = {"Authorization": "Basic Y2k6S3FrTHd2dTR0Y0RpbzRZWDZGU20="}\n'
    blob = Blob.from_bytes(b"authorization = None\n" * 5000 + header, Origin("client.py"))
    rules = [r for r in load_rules() if r.id == "http-basic-auth-header"]
    native, python = Engine(rules, backend="hyperscan"), Engine(rules, backend="python")
    found = [(f.rule_id, f.line) for f in native.scan(blob).findings]
    assert found == [("http-basic-auth-header", 5001)]
    assert found == [(f.rule_id, f.line) for f in python.scan(blob).findings]
