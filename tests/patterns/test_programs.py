"""Compiled patterns kept as data rebuild exactly what re.compile builds, or are compiled anew."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from scanner.patterns import PYTHON, program, programs, rebuild
from scanner.rules import load_rules

PATTERNS: list[tuple[Any, int]] = [
    (rb"demo_([a-z0-9]{12})", 0),
    (rb"(?i)(?P<key>aws|amazon)[_-]?secret\s*[:=]\s*([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", 0),
    (rb"^\+(?!\+\+ ).*", re.M),
    (r"(?:^|/)node_modules/|\.min\.js$", 0),
    (r"[\w.-]+@example\.(?:com|org)", re.IGNORECASE),
]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_program_rebuilds_the_pattern_re_compiles(pattern: Any, flags: int) -> None:
    compiled = re.compile(pattern, flags)
    made = program(compiled)
    assert made is not None
    rebuilt = rebuild(pattern, flags, made)
    assert rebuilt == compiled  # patterns compare by their compiled code
    assert rebuilt.groupindex == compiled.groupindex and rebuilt.groups == compiled.groups


def test_every_shipped_pattern_has_a_program() -> None:
    for rule in load_rules():
        compiled = re.compile(rule.pattern.encode())
        made = program(compiled)
        assert made is not None, rule.id
        assert rebuild(compiled.pattern, 0, made) == compiled, rule.id


@pytest.mark.parametrize(
    "damage",
    [
        lambda made: None,
        lambda made: "not a program",
        lambda made: made[:3],
        lambda made: (made[0], [*made[1][:-3], 999_999, 0, 0], *made[2:]),  # code _sre refuses
        lambda made: (made[0], made[1], made[2] + 5, *made[3:]),  # groups the code does not have
    ],
)
def test_a_damaged_program_is_compiled_anew(damage: Any) -> None:
    """What `_sre` refuses (its validation of a program) or what is no program; the caches storing programs
    check the digest of their body besides, so a program is never altered in any other way."""
    pattern = rb"token=([A-Za-z0-9]{20})(?P<tail>x)?"
    compiled = re.compile(pattern)
    made = program(compiled)
    assert made is not None
    rebuilt = rebuild(pattern, 0, damage(made))
    assert rebuilt == compiled
    assert rebuilt.match(b"token=abcdefghij0123456789x").group(1) == b"abcdefghij0123456789"  # type: ignore[union-attr]


def test_without_the_internals_patterns_are_compiled_by_re(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another Python (or one whose private compiler moved): no program is made, and none is trusted."""
    compiled = re.compile(rb"demo_([a-z0-9]{12})")
    made = program(compiled)
    monkeypatch.setattr(programs, "internals", lambda: None)
    assert program(compiled) is None
    assert rebuild(compiled.pattern, 0, made) == compiled


def test_programs_are_keyed_by_the_exact_python() -> None:
    assert sys.version in PYTHON and str(sys.hexversion) in PYTHON
