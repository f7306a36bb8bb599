"""The mutation list (bench/mutate.py) stays in step with the code: each mutation's old text is in its file
exactly once, so every mutant in the list really runs; and one mutant runs end to end against a copy."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate", ROOT / "bench" / "mutate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutate"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_every_mutation_applies_once(mutate: ModuleType) -> None:
    stale = [m.id for m in mutate.MUTATIONS if (ROOT / m.file).read_text(encoding="utf-8").count(m.old) != 1]
    assert stale == []
    assert len({m.id for m in mutate.MUTATIONS}) == len(mutate.MUTATIONS)
    assert all(m.old != m.new and "\n" not in m.old.rstrip("\n") for m in mutate.MUTATIONS)


def test_a_mutation_changes_the_copy_and_is_undone(mutate: ModuleType, tmp_path: Path) -> None:
    mutation = mutate.MUTATIONS[0]
    target = tmp_path / mutation.file
    target.parent.mkdir(parents=True)
    target.write_text((ROOT / mutation.file).read_text(encoding="utf-8"), encoding="utf-8")
    original = mutate.apply(tmp_path, mutation)
    assert original is not None and mutation.new in target.read_text(encoding="utf-8")
    assert mutate.apply(tmp_path, mutate.Mutation("x", mutation.file, "no such text", "y", "")) is None
    assert mutate.kill_rate([]) == 1.0
