"""Cache folders: old compiled files are pruned, the most recently used kept (issue 19)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.cachedir import prune, read_sealed, read_used, write_sealed


def make(folder: Path, name: str, age: int) -> Path:
    path = folder / name
    path.write_bytes(name.encode())
    os.utime(path, (1_000_000 - age, 1_000_000 - age))
    return path


def test_prune_keeps_the_most_recently_used_of_one_kind(tmp_path: Path) -> None:
    for age in range(6):
        make(tmp_path, f"hsdb-{age}.bin", age)
    make(tmp_path, "rules-old.json", 100)
    make(tmp_path, "fingerprint.key", 100)
    assert read_used(tmp_path / "hsdb-5.bin") == b"hsdb-5.bin"  # the oldest, used now
    prune(tmp_path, "hsdb-", 3)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["fingerprint.key", "hsdb-0.bin", "hsdb-1.bin", "hsdb-5.bin", "rules-old.json"]


def test_prune_of_a_missing_folder_or_a_file_gone_meanwhile_is_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prune(tmp_path / "absent", "hsdb-", 1)
    make(tmp_path, "hsdb-a.bin", 1)
    make(tmp_path, "hsdb-b.bin", 2)
    real_remove = os.remove

    def raced(path: str) -> None:
        real_remove(path)
        real_remove(path)  # a concurrent run removed it first: FileNotFoundError

    monkeypatch.setattr(os, "remove", raced)
    prune(tmp_path, "hsdb-", 1)
    assert [p.name for p in tmp_path.iterdir()] == ["hsdb-a.bin"]


def test_a_new_compiled_database_prunes_the_least_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hyperscan")
    from scanner.engine import matcher
    from scanner.rules import load_rules

    monkeypatch.setattr(matcher, "KEEP_DATABASES", 3)
    for age in range(5):
        make(tmp_path, f"hsdb-stale{age}.bin", age + 10)
    rules = load_rules()[:3]
    matcher.HyperscanMatcher(rules, tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 3 and "hsdb-stale0.bin" in left and "hsdb-stale2.bin" not in left
    again = matcher.HyperscanMatcher(rules, tmp_path)  # loaded, not compiled: nothing more removed
    assert sorted(p.name for p in tmp_path.iterdir()) == left
    assert again is not None


def test_a_sealed_file_reads_back_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "facts-abc.bin"
    write_sealed(path, b"magic\n", b"body" * 100, keep=2)
    assert read_sealed(path, b"magic\n") == b"body" * 100
    assert read_sealed(path, b"other\n") is None
    data = path.read_bytes()
    for damaged in (data[:-1], data[:-1] + b"x", data[:10] + b"\0" + data[11:], b""):
        path.write_bytes(damaged)
        assert read_sealed(path, b"magic\n") is None
    assert read_sealed(tmp_path / "absent.bin", b"magic\n") is None
    for name in ("facts-1.bin", "facts-2.bin", "facts-3.bin"):
        write_sealed(tmp_path / name, b"magic\n", b"", keep=2)
    assert len(list(tmp_path.glob("facts-*"))) == 2  # the most recently used of their kind
