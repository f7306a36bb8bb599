"""Records whose methods come from the code cache behave as those dataclasses compiles itself, and a damaged
or foreign cache file is never used."""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from scanner.startup import records
from scanner.startup.records import CodeCache

SOURCE = '''
from __future__ import annotations
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Point:
    """A record of ours."""

    x: int
    y: tuple[str, ...] = ()
    z: list[int] = field(default_factory=list, repr=False, hash=False, compare=False)
'''


def make(name: str, monkeypatch: pytest.MonkeyPatch, cache: CodeCache | None) -> Any:
    """The record of SOURCE, defined in a module `name`, its methods compiled through `cache` (or not)."""
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)
    with monkeypatch.context() as patch:
        if cache is None:
            patch.delattr(dataclasses, "exec", raising=False)
        else:
            patch.setattr(dataclasses, "exec", cache.exec, raising=False)
        exec(SOURCE, module.__dict__)
    return module.Point


def methods(cls: Any) -> list[Any]:
    return [
        (getattr(cls, name).__code__.co_code, getattr(cls, name).__annotations__)
        for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")
    ]


def test_a_record_from_cached_code_is_the_record_dataclasses_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = make("scanner.fake_plain", monkeypatch, None)
    first = CodeCache(tmp_path / "records.bin")
    compiled = make("scanner.fake_first", monkeypatch, first)
    first.save()
    again = CodeCache(tmp_path / "records.bin")
    served = make("scanner.fake_again", monkeypatch, again)
    assert again._made == {} and again._known  # every method came from the file
    for cls in (compiled, served):
        assert methods(cls) == methods(plain)  # annotations are objects, not strings: no __future__ leaks
        point = cls(1, ("a",), [2])
        assert repr(point) == "Point(x=1, y=('a',))" and point == cls(1, ("a",), [2])
        assert point == cls(1, ("a",), [3]) and hash(point) == hash(cls(1, ("a",))) == hash(plain(1, ("a",)))
        with pytest.raises(dataclasses.FrozenInstanceError):
            point.x = 2  # type: ignore[misc]


def test_records_of_other_modules_are_compiled_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = CodeCache(tmp_path / "records.bin")
    point = make("elsewhere", monkeypatch, cache)
    assert point(1) == point(1)
    assert cache._made == {}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-5],
        lambda data: data[:-1] + bytes([data[-1] ^ 8]),
        lambda data: data[:30] + bytes([data[30] ^ 1]) + data[31:],  # the digest
    ],
)
def test_a_damaged_file_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Any) -> None:
    path = tmp_path / "records.bin"
    first = CodeCache(path)
    make("scanner.fake_first", monkeypatch, first)
    first.save()
    path.write_bytes(damage(path.read_bytes()))
    again = CodeCache(path)
    point = make("scanner.fake_again", monkeypatch, again)
    assert again._made and point(1) == point(1)  # compiled anew


def test_a_file_holding_anything_but_texts_and_code_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "records.bin"
    for known in ({"def f(): pass": "not code"}, {1: compile("1", "<string>", "exec")}, ["text"]):
        body = marshal.dumps(known)
        path.write_bytes(b"secretscan-records-1\n" + hashlib.sha256(body).digest() + body)
        assert records._read(path) == {}


def test_installed_once_and_not_without_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = getattr(dataclasses, "exec", None)
    assert isinstance(installed, types.MethodType)  # by `import scanner`, under the test session's cache
    records.install()
    assert dataclasses.exec is installed  # type: ignore[attr-defined]
    monkeypatch.delattr(dataclasses, "exec")
    monkeypatch.setenv("SECRETSCAN_NO_RULE_CACHE", "1")
    records.install()
    assert not hasattr(dataclasses, "exec")
