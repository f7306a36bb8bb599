"""The store of the modules' own patterns: written at exit, read back, never trusted when damaged."""

from __future__ import annotations

import hashlib
import marshal
import re
from pathlib import Path
from typing import Any

import pytest

from scanner.patterns import store


def test_module_patterns_are_served_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = store._Store()
    pattern = r"(?i)^(?:my|your|the)\s+(\w+)$"
    assert first.compile(pattern, 0) == re.compile(pattern)
    assert first.compile(rb"^\+(?!\+\+ ).*", re.M) == re.compile(rb"^\+(?!\+\+ ).*", re.M)
    first._save()  # at exit
    (stored,) = (tmp_path / "secretscan").glob("regexes-*")
    again = store._Store()
    monkeypatch.setattr(store, "program", lambda regex: pytest.fail("compiled anew"))
    assert again.compile(pattern, 0) == re.compile(pattern)
    assert again.compile(rb"^\+(?!\+\+ ).*", re.M) == re.compile(rb"^\+(?!\+\+ ).*", re.M)
    assert stored.stat().st_size > 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-3],
        lambda data: data[:-1] + bytes([data[-1] ^ 2]),
        lambda data: (
            b"secretscan-regexes-1\n" + hashlib.sha256(marshal.dumps([1])).digest() + marshal.dumps([1])
        ),
    ],
)
def test_a_damaged_store_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Any) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = store._Store()
    first.compile(r"^[a-z]{3,}(?:[-_][a-z]{3,})+$", 0)
    first._save()
    (stored,) = (tmp_path / "secretscan").glob("regexes-*")
    stored.write_bytes(damage(stored.read_bytes()))
    again = store._Store()
    assert again.compile(r"^[a-z]{3,}(?:[-_][a-z]{3,})+$", 0) == re.compile(r"^[a-z]{3,}(?:[-_][a-z]{3,})+$")


def test_no_store_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("SECRETSCAN_NO_RULE_CACHE", "1")
    served = store._Store()
    assert served.compile(r"x+y", 0) == re.compile(r"x+y")
    served._save()
    assert not list(tmp_path.rglob("regexes-*"))
