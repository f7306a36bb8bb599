"""The facts the engine derives from patterns are the same read from the cache as derived, and a damaged
cache is never trusted."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from scanner.engine import Engine
from scanner.engine.facts import PatternFacts
from scanner.model import Blob, Origin
from scanner.rules import load_rules


def every_fact(facts: PatternFacts, count: int) -> list[object]:
    return [(facts.regex(i), facts.lead(i), facts.width(i), facts.horizon(i)) for i in range(count)]


@pytest.fixture(scope="module")
def derived() -> list[object]:
    """Every shipped rule's facts derived on first use, as without a cache."""
    rules = load_rules()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECRETSCAN_NO_RULE_CACHE", "1")
        return every_fact(PatternFacts(rules), len(rules))


def test_facts_from_the_cache_are_those_derived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, derived: list[object]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = load_rules()
    first = PatternFacts(rules)
    assert every_fact(first, len(rules)) == derived  # derived as asked
    first.save()  # at exit
    assert len(list((tmp_path / "secretscan").glob("facts-*"))) == 1
    again = PatternFacts(rules)
    assert again._stored == first._stored and not again._new
    assert every_fact(again, len(rules)) == derived  # read back
    assert not again._new


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-9],
        lambda data: data[:-1] + bytes([data[-1] ^ 4]),
        lambda data: data[:25] + bytes([data[25] ^ 1]) + data[26:],  # the digest
        lambda data: b"secretscan-facts-2\n",
    ],
)
def test_a_damaged_facts_file_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, derived: list[object], damage: object
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = load_rules()
    first = PatternFacts(rules)
    every_fact(first, len(rules))
    first.save()
    (cached,) = (tmp_path / "secretscan").glob("facts-*")
    cached.write_bytes(damage(cached.read_bytes()))  # type: ignore[operator]
    again = PatternFacts(rules)
    assert again._stored == [None] * len(rules)
    assert every_fact(again, len(rules)) == derived


def test_a_facts_file_of_other_rules_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule set's patterns name their own file: one rule more or less is another file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = load_rules()
    for some in (rules, rules[1:]):
        facts = PatternFacts(some)
        facts.regex(0)
        facts.save()
    assert len(list((tmp_path / "secretscan").glob("facts-*"))) == 2


def test_what_each_run_derives_is_added_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook run derives the facts of the few rules a commit nominates; later runs add theirs."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rules = load_rules()
    for index in (3, 7):
        facts = PatternFacts(rules)
        facts.lead(index)
        assert list(facts._new) == [index]
        facts.save()
    stored = PatternFacts(rules)._stored
    assert [i for i, entry in enumerate(stored) if entry is not None] == [3, 7]


def test_a_worker_gets_the_facts_but_no_compiled_pattern() -> None:
    rules = load_rules()
    engine = Engine(rules)
    data = b'aws_secret_access_key = "q8Zt3Lm9Rv2XkP7wN4bYq8Zt3Lm9Rv2XkP7wN4bY"\nAKIAQ3EGRIZ7LNN6KF4X\n'
    blob = Blob.from_bytes(data, Origin("settings.py", None, "file"))
    found = engine.scan(blob).findings
    assert found and engine._facts._regexes
    copy = pickle.loads(pickle.dumps(engine))
    assert not copy._facts._regexes
    assert copy.scan(blob).findings == found
