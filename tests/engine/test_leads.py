"""A rule is tried only where the literal its every match begins with occurs."""

from __future__ import annotations

import re

import pytest

from scanner.engine import Engine
from scanner.engine.anchors import matches_near
from scanner.engine.leads import Lead, lead_matches, leading_literal
from scanner.model import Blob, Origin
from scanner.rules import load_rules


@pytest.mark.parametrize(
    ("pattern", "lead"),
    [
        (
            r"(?i)Authorization[:=]\s+Basic\s+(\w+)",
            Lead((b"authorization:", b"authorization="), caseless=True),
        ),
        (r"(?i)[Inter]", Lead((b"e", b"i", b"n", b"r", b"t"), caseless=True)),  # a class of literals
        (r"(?i)\[Interface\]\s+(\w+)", Lead((b"[interface]",), caseless=True)),
        (r"Authorization:\s+(\w+)", Lead((b"Authorization:",), caseless=False)),
        (r"(?<![A-Za-z0-9])\bxoxb-(\d+)", Lead((b"xoxb-",), caseless=False)),  # after zero-width assertions
        (r"://(?<=[a-z]://)[^:]+:(\w+)@", Lead((b"://",), caseless=False)),
        (
            r"(?i)(?:(?:aws|amazon)_secret|secret_access)=(\w+)",
            Lead((b"amazon", b"aws", b"secret_access"), caseless=True),
        ),
        (r"(?<![a-z])(xox[bp]|xapp)-\d", Lead((b"xapp", b"xoxb", b"xoxp"), caseless=False)),
        (r"abc(\w+)|x?yz(\w+)", None),  # not every match begins with a literal
        (r"(?:abc)+(\w+)", None),
        (r"é(\w+)", None),  # two bytes in the bytes pattern
    ],
)
def test_the_lead_is_the_literal_every_match_begins_with(pattern: str, lead: Lead | None) -> None:
    assert leading_literal(pattern) == lead


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
        (
            rb"(?i)(?:aws|amazon|secret)_?key=(\w+)",
            b"AWS_KEY=1 amazonkey=2 aws_secret_key=3 secretkey=4 awsawskey=5",
        ),
    ],
)
def test_lead_matches_finds_what_a_search_finds(pattern: bytes, text: bytes) -> None:
    regex = re.compile(pattern)
    lead = leading_literal(pattern.decode())
    assert lead is not None and lead.caseless
    for pos in range(len(text)):
        expected = [m.span() for m in regex.finditer(text, pos)]
        assert [m.span() for m in lead_matches(regex, text, text.lower(), lead.texts, pos)] == expected


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (
            rb"://(?<=[a-z]://)[^:@/\s]{1,20}:([^@/\s]{3,20})@[a-z.]{3,30}",
            b"x https://u:pw1@h.io ftp://a:bbb@c.de " * 4,
        ),
        (rb"(?i)key=(\w{1,5})", b"KEY=abcdefgh key=b xkey=key=c keY=dd"),
        (rb"(?<![a-z])ab(?:ab)?", b"abab ab xab abababab"),  # a match's lead ends past a hit inside it
        (rb"(?:xox[bp]|xapp)-(\d+)", b"xoxb-1 xapp-22 xoxp-x xoxp-3xapp-4"),
    ],
)
def test_matches_near_with_a_lead_finds_what_it_finds_without(pattern: bytes, text: bytes) -> None:
    regex = re.compile(pattern)
    found = leading_literal(pattern.decode())
    assert found is not None
    haystack = text.lower() if found.caseless else text
    ends = sorted({m.end() for start in range(len(text)) if (m := regex.match(text, start))})
    # each hit as a prefilter's: at a match's end, or inside it (one byte in)
    for hits in (ends, sorted({e - 1 for e in ends} | set(ends))):
        expected = [m.span() for m in matches_near(regex, text, hits, 60)]
        assert [
            m.span() for m in matches_near(regex, text, hits, 60, lead=(found.texts, haystack))
        ] == expected


def test_both_backends_agree_on_a_basic_auth_header_far_into_a_blob() -> None:
    header = b'headers = {"Authorization": "Basic Y2k6S3FrTHd2dTR0Y0RpbzRZWDZGU20="}\n'
    blob = Blob.from_bytes(b"authorization = None\n" * 5000 + header, Origin("client.py"))
    rules = [r for r in load_rules() if r.id == "http-basic-auth-header"]
    native, python = Engine(rules, backend="hyperscan"), Engine(rules, backend="python")
    found = [(f.rule_id, f.line) for f in native.scan(blob).findings]
    assert found == [("http-basic-auth-header", 5001)]
    assert found == [(f.rule_id, f.line) for f in python.scan(blob).findings]
