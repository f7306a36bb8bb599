"""One-line rules: the anchor derived from the pattern, and searching only anchored lines finds every match."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from scanner.engine import Engine
from scanner.engine.anchors import LineMemo, anchored_secrets, matches_near, read_horizon
from scanner.engine.examples import check_rules
from scanner.engine.matcher import max_width
from scanner.errors import RuleError
from scanner.model import Blob, Origin
from scanner.rules import Example, Rule, load_rules
from scanner.rules.anchor import line_anchor


@pytest.mark.parametrize(
    ("pattern", "group", "anchor"),
    [
        (r"(?i)pass(?:word)?\s*=\s*([a-z0-9]{8,})", 1, r"(?i)pass(?:word)?\s*=\s*"),
        (r"(?<=x)token[(\]]=(?P<value>\w+)", "value", r"(?<=x)token[(\]]="),
        (r"\(key\)=(k)(\w+)", 2, r"\(key\)=(k)"),
        (r"[^]()]key=(\w+)", 1, r"[^]()]key="),
        (r"(?:a|(b))=(\w+)", 2, r"(?:a|(b))="),
    ],
)
def test_the_anchor_is_the_pattern_before_a_top_level_secret_group(
    pattern: str, group: int | str, anchor: str
) -> None:
    assert line_anchor(pattern, group) == anchor


@pytest.mark.parametrize(
    ("pattern", "group"),
    [
        (r"(?:key=(\w+)|token=(\w+))", 1),  # the group sits inside an alternation: no common prefix
        (r"(\w+)@example", 1),  # nothing before the group
    ],
)
def test_no_anchor_where_the_group_is_nested_or_first(pattern: str, group: int) -> None:
    assert line_anchor(pattern, group) is None


def test_searching_anchored_lines_finds_what_a_whole_search_finds() -> None:
    regex = re.compile(rb"(?m)(?:token|secret)[ \t]*=[ \t]*([A-Za-z0-9]{6,})[ \t]*$")
    anchor = re.compile(rb"(?:token|secret)[ \t]*=[ \t]*")
    data = b"\n".join(
        [
            b"token = abc",
            b"x = 1",
            b"secret=Q9zK2mXr",
            b"token = token = ZZ9911aa",
            b"",
            b"a secret = 77kkLLpp",
        ]
    )
    ends = [m.end() for m in anchor.finditer(data)]
    whole = [(m.start(1), m.group(1)) for m in regex.finditer(data)]
    memo: LineMemo = {}
    assert whole and list(anchored_secrets(regex, 1, data, ends, memo)) == whole
    assert list(anchored_secrets(regex, 1, data, ends[:1], memo)) == []  # only the first line was asked for
    # The same lines elsewhere (in another version of the file) come from the memo, at their own offsets.
    moved = b"# header\n" + data
    shifted = [(start + len(b"# header\n"), secret) for start, secret in whole]
    searched = len(memo)
    assert list(anchored_secrets(regex, 1, moved, [e + len(b"# header\n") for e in ends], memo)) == shifted
    assert len(memo) == searched + 1  # only the first line, no longer at the start of the blob, was new


def _rule(tmp_path: Path, extra: str, pattern: str = r"pw=([a-z0-9]{8})") -> list[Rule]:
    path = tmp_path / "custom.yaml"
    path.write_text(
        "rules:\n  - id: demo-pw\n    name: Demo\n    severity: high\n"
        f"    pattern: '{pattern}'\n    keywords: [pw]\n    examples: ['pw=abcd1234']\n{extra}"
    )
    return load_rules([path], builtin=False)


def test_one_line_is_validated_at_load(tmp_path: Path) -> None:
    assert _rule(tmp_path, "    one_line: true\n")[0].anchor == "pw="
    with pytest.raises(RuleError, match="rule 'demo-pw': 'one_line' must be true or false"):
        _rule(tmp_path, "    one_line: yes please\n")
    with pytest.raises(RuleError, match="rule 'demo-pw': one_line needs the secret group at the top level"):
        _rule(tmp_path, "    one_line: true\n", pattern=r"(?:pw=([a-z0-9]{8})|x)")


def test_rules_check_catches_a_one_line_rule_whose_match_crosses_lines(tmp_path: Path) -> None:
    (rule,) = _rule(tmp_path, "    one_line: true\n", pattern=r"pw=\s*([a-z0-9]{8})")
    rule = dataclasses.replace(rule, examples=(Example("pw=\nabcd1234"),))
    failures = check_rules([rule], Engine([rule]))
    assert [(f.kind, f.detail) for f in failures if f.kind == "one_line broken"] == [
        ("one_line broken", "a match crosses a line")
    ]


def test_rules_check_catches_a_prefilter_that_a_match_does_not_hold(tmp_path: Path) -> None:
    """The native database searches for a rule's prefilter instead of its pattern: a match without one
    would never be nominated there, and would go missing with Hyperscan only."""
    (rule,) = _rule(tmp_path, "    prefilter: 'pw=[a-z]'\n", pattern=r"pw=\s*([a-z0-9]{8})")
    assert check_rules([rule], Engine([rule])) == []
    rule = dataclasses.replace(rule, examples=(*rule.examples, Example("pw=12345678")))
    failures = check_rules([rule], Engine([rule], backend="python"))
    assert [(f.kind, f.example.text) for f in failures] == [("prefilter broken", "pw=12345678")]
    pytest.importorskip("hyperscan")
    assert [f.kind for f in check_rules([rule], Engine([rule], backend="hyperscan"))] == [
        "missed example",
        "prefilter broken",
    ]


def test_a_one_line_rules_prefilter_names_its_lines_in_the_native_database(tmp_path: Path) -> None:
    """A one-line rule with a prefilter: the database looks for the prefilter, not the anchor, and its hits
    (inside each match, so on its line) are the lines searched."""
    pytest.importorskip("hyperscan")
    from scanner.engine.matcher import HyperscanMatcher

    (rule,) = _rule(
        tmp_path, "    one_line: true\n    prefilter: '=[a-z0-9]{8}'\n", pattern=r"\bpw=([a-z0-9]{8})"
    )
    assert rule.anchor is not None
    data = b"pw=\nx pw=abcd1234\nhttp=abcd1234 pw=\n"
    (lines,) = HyperscanMatcher([rule]).candidates(data).values()
    # the anchor `\bpw=` ends at 3, 9 and 35; the prefilter at 17 and 31 only
    assert lines == [17, 31]
    blob = Blob.from_bytes(data, Origin("run.sh"))
    native, python = Engine([rule], backend="hyperscan"), Engine([rule], backend="python")
    found = [(f.line, f.secret) for f in native.scan(blob).findings]
    assert found == [(f.line, f.secret) for f in python.scan(blob).findings] == [(2, "abcd1234")]


def test_both_backends_agree_on_a_blob_with_many_generic_assignments() -> None:
    rules = load_rules()
    assert any(r.anchor for r in rules)
    lines = [f"token_{i} = get_token({i})" for i in range(200)]
    lines[150] = 'db_password = "Xq7#pL2vR9mK"'
    lines[199] = "API_KEY=R7kL2mQ9xT4vP8zN3wY6"
    blob = Blob.from_bytes("\n".join(lines).encode(), Origin("settings.py"))
    native, python = Engine(rules, backend="hyperscan"), Engine(rules, backend="python")
    found = [(f.rule_id, f.line) for f in native.scan(blob).findings]
    assert found == [(f.rule_id, f.line) for f in python.scan(blob).findings]
    assert ("generic-secret-assignment", 151) in found and ("generic-secret-assignment", 200) in found


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (rb"(?<![A-Za-z0-9+/])(AQ[A-Za-z0-9+/]{6}==)", b"x AQabcdef== AQxyzxyz== zAQabcdef== " * 3),
        (rb"ab|b", b"aab ab b abab"),
        (rb"a{2,3}", b"aaaaaaa a aa"),
        (rb"x?", b"xx yx"),  # empty matches: finditer's own stepping
    ],
)
def test_matches_near_finds_what_a_search_from_the_first_hit_finds(pattern: bytes, text: bytes) -> None:
    regex = re.compile(pattern)
    ends = sorted({m.end() for start in range(len(text)) if (m := regex.match(text, start))})
    width = 10
    big = text + b" " * 100_000  # long enough that trying starts beats a search
    expected = [m.span() for m in regex.finditer(big, max(0, ends[0] - width))]
    assert [m.span() for m in matches_near(regex, big, ends, width)] == expected


def test_a_long_line_is_searched_near_its_anchor_hits_only() -> None:
    regex = re.compile(rb"(?i)(?<![a-z])pass(?:word)?[ \t]*=[ \t]*([a-z0-9]{8,})")
    anchor = re.compile(rb"(?i)(?<![a-z])pass(?:word)?[ \t]*=[ \t]*")
    filler = b"x = [" + b"1, " * 2000
    line = filler + b"password = hunter2hunter2, bypass=aaaaaaaaaa, pass=QzKq7mXr1 " + filler
    data = b"head\n" + line + b"\n" + line
    ends = [m.end() for m in anchor.finditer(data)]
    whole = [(m.start(1), m.group(1)) for m in regex.finditer(data)]
    assert len(whole) == 4
    assert list(anchored_secrets(regex, 1, data, ends, {}, width=20)) == whole
    memo: LineMemo = {}
    assert list(anchored_secrets(regex, 1, data, ends, memo, width=None)) == whole  # unbounded: every byte
    assert len(memo) == 1  # the second copy of the long line came from the memo, by its digest


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (
            rb"(?<![A-Za-z0-9+/])(AQ[A-Za-z0-9+/]{6}==)(?![A-Za-z0-9+/=])",
            b"x AQabcdef== AQxyzxyz== zAQabcdef==a",
        ),
        (rb"ab|b", b"aab ab b abab"),
        (rb"a{2,3}", b"aaaaaaa a aa"),
        (rb"x?", b"xx yx"),  # empty matches: finditer's own stepping
        (rb"(?m)k=(\w{2,4})$", b"k=ab\nk=abcdef\nk=abc\n"),  # `$` asks what lies one byte past
        (rb"k=(\w{2,4})\b", b"k=abcde k=ab k=a_"),
        (
            rb"(?i:[\"']?(?:name|key)[\"']?[ \t]{0,4}[:=][ \t]{0,4})[\"']?([^\s\"',;]{3,8})",
            b'"Name": "abc", key=QQQ',
        ),
    ],
)
def test_searching_stretches_near_the_hits_finds_what_a_whole_search_finds(
    pattern: bytes, text: bytes
) -> None:
    regex = re.compile(pattern)
    horizon = read_horizon(regex)
    assert horizon is not None
    ends = sorted({m.end() for start in range(len(text)) if (m := regex.match(text, start))})
    width = max_width(pattern.decode())
    assert width is not None
    for gap in (
        0,
        3,
        5_000,
    ):  # hits close together, then far apart: a search per stretch beats one to the end
        big = b" " * gap + text + b" " * gap + text + b" " * 100_000
        hits = [gap + end for end in ends] + [2 * gap + len(text) + end for end in ends]
        expected = [m.span() for m in regex.finditer(big, max(0, hits[0] - width))]
        assert [m.span() for m in matches_near(regex, big, hits, width, horizon=horizon)] == expected
        for cut in range(len(text) - 1, len(big), 4_001):  # an endpos cutting a match short, or none
            expected = [m.span() for m in regex.finditer(big, max(0, hits[0] - width), cut)]
            assert [m.span() for m in matches_near(regex, big, hits, width, endpos=cut, horizon=horizon)] == (
                expected
            )


def test_a_long_line_is_searched_in_stretches_near_its_anchor_hits() -> None:
    regex = re.compile(rb"(?i)(?<![a-z])pass(?:word)?[ \t]{0,4}=[ \t]{0,4}([a-z0-9]{8,12})(?![a-z0-9])")
    anchor = re.compile(rb"(?i)(?<![a-z])pass(?:word)?[ \t]{0,4}=")
    filler = b"x = [" + b"1, " * 2000
    line = filler + b"password = hunter2hunter2, bypass=aaaaaaaaaa, pass=QzKq7mXr1 " + filler
    data = b"head\n" + line + b"\n" + line + b" pass=abcdefghijklmnop pass=abcdefgh"
    ends = [m.end() for m in anchor.finditer(data)]
    whole = [(m.start(1), m.group(1)) for m in regex.finditer(data)]
    assert len(whole) == 3
    width, horizon = max_width(regex.pattern.decode()), read_horizon(regex)
    assert width is not None and horizon is not None
    assert list(anchored_secrets(regex, 1, data, ends, {}, width=width, horizon=horizon)) == whole


@pytest.mark.parametrize(
    ("pattern", "horizon"),
    [
        (rb"abc", 5),  # the match, and two bytes `$` and `\b` may look at
        (rb"a(?=b{2})c?", 6),  # a lookahead reads past where it stands
        (rb"(?<=x)ab", 5),  # a lookbehind reads before
        (rb"a(?=b+)", None),
        (rb"(a)\1", None),
        (rb"a+", None),
    ],
)
def test_read_horizon(pattern: bytes, horizon: int | None) -> None:
    assert read_horizon(re.compile(pattern)) == horizon
