"""The benchmark kit (bench/): the synthetic repository holds what its manifest says, and bench.py runs end to
end at the smallest size. No timing assertions: speed is measured by the benchmark, not asserted by tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def build(tmp_path: Path, seed: int = 1) -> tuple[Path, dict[str, Any]]:
    repo = tmp_path / f"repo-{seed}"
    subprocess.run(
        [sys.executable, str(BENCH / "synth.py"), str(repo), "--size", "tiny", "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    manifest = json.loads((tmp_path / f"repo-{seed}.manifest.json").read_text())
    return repo, manifest


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def one_cache_for_the_module(isolated_env: None, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the benchmark kit, not caching: let every secretscan run here share one cache
    folder, so the rule set is compiled once for the module rather than once per test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return build(tmp_path_factory.mktemp("synth"))


def all_blob_text(repo: Path) -> str:
    """Every blob reachable from any ref, concatenated (the history a scanner must read)."""
    done = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo, check=True, capture_output=True
    )
    return done.stdout.decode("utf-8", "replace")


def test_history_holds_every_planted_credential(synthetic: tuple[Path, dict[str, Any]]) -> None:
    repo, manifest = synthetic
    planted = manifest["planted"]
    history = all_blob_text(repo)
    assert planted
    for item in planted:
        for value in item["values"]:
            assert value in history, item["kind"]
    assert {p["branch"] for p in planted} == {"main", "feature/old-experiment"}
    assert any(not p["head_paths"] for p in planted), "some credentials must live in history only"
    assert any(p["head_paths"] for p in planted if p["branch"] == "main")


def test_history_is_shaped_like_a_real_one(synthetic: tuple[Path, dict[str, Any]]) -> None:
    repo, manifest = synthetic
    assert int(git(repo, "rev-list", "--count", "main")) == manifest["spec"]["commits"]
    assert git(repo, "log", "--format=", "--diff-filter=D", "--name-only", "main").strip(), "no deletions"
    assert git(repo, "log", "-M", "--format=", "--diff-filter=R", "--name-only", "main").strip(), "no renames"
    extensions = {Path(p).suffix for p in git(repo, "ls-files").split()}
    assert len(extensions) >= 6
    assert git(repo, "status", "--porcelain") == ""  # checked out, clean


def test_head_paths_point_at_the_credential_lines(synthetic: tuple[Path, dict[str, Any]]) -> None:
    repo, manifest = synthetic
    for item in manifest["planted"]:
        if item["branch"] != "main":
            continue
        for path, line in item["head_paths"]:
            text = (repo / path).read_text().splitlines()[line - 1]
            assert item["values"][0] in text


def test_same_seed_gives_the_same_commits(tmp_path: Path) -> None:
    first, _ = build(tmp_path / "a", seed=1)
    again, _ = build(tmp_path / "b", seed=1)
    other, _ = build(tmp_path / "c", seed=2)
    assert git(first, "rev-parse", "main") == git(again, "rev-parse", "main")
    assert git(first, "rev-parse", "main") != git(other, "rev-parse", "main")


def test_secretscan_finds_the_credentials_planted_at_head(
    synthetic: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    repo, manifest = synthetic
    report = tmp_path / "tree.json"
    # The pure-Python engine finds the same as Hyperscan (the core's tests hold it to that) and compiles
    # nothing, so this check of the builder does not wait for a cold rule-set compilation.
    done = run_cli("scan", ".", "-q", "-f", "json", "-o", str(report), "--engine", "python", cwd=repo)
    assert done.returncode == 1, done.stderr
    found = {(f["path"], f["line"]) for f in json.loads(report.read_text())["findings"]}
    expected = {
        (path, line)
        for item in manifest["planted"]
        if item["branch"] == "main" and not item["decoy"]
        for path, line in item["head_paths"]
    }
    assert expected
    # A planted pair is one finding at the key id's line or the secret's (the line just after it).
    missed = {(p, n) for p, n in expected if (p, n) not in found and (p, n + 1) not in found}
    assert not missed


def test_bench_runs_end_to_end_quick(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "bench.py"),
            "--synthetic",
            "tiny",
            "--quick",
            "--no-peers",
            "--json",
            str(out),
            "--secretscan-args",
            "--engine python",  # as above: a smoke test of the kit, not of compilation
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "| working tree | secretscan" in done.stdout
    doc = json.loads(out.read_text())
    rows = {(r["work"], r["tool"]): r for r in doc["rows"]}
    tree = rows["tree", "secretscan"]
    assert tree["wall"] > 0 and tree["peak_kb"] and tree["cpu"] > 0
    assert tree["findings"] >= doc["context"]["synthetic"]["planted_at_head"] > 0
    found, planted = tree["planted"].split(",")[0].split("/")  # read from secretscan's own report
    assert found == planted == str(doc["context"]["synthetic"]["planted_at_head"])
    assert rows["tree", "floor: read every file (Python)"]["wall"] > 0
    assert rows["history", "floor: git cat-file --batch-all-objects"]["wall"] > 0
    assert rows["history", "floor: git rev-list --objects --all into cat-file --batch"]["wall"] > 0
    assert "| CPU (median) |" in done.stdout
    history = rows["history", "secretscan"]
    # Measured when `secretscan history` exists, else a note says why not; never a silent gap.
    assert (history["wall"] or 0) > 0 or "does not exist" in history["note"]
    assert all(r["kind"] != "peer" for r in doc["rows"])  # --no-peers


def test_evolve_builds_a_reproducible_history_from_a_real_folder(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for i in range(30):
        (source / f"pkg{i % 3}").mkdir(parents=True, exist_ok=True)
        (source / f"pkg{i % 3}" / f"mod{i}.py").write_text(
            "".join(f"value_{n} = {n * i}\n" for n in range(40))
        )
    (source / "logo.png").write_bytes(b"\x89PNG\0\0binary")

    def evolve(name: str, seed: int) -> Path:
        out = tmp_path / name
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "evolve.py"),
                str(source),
                str(out),
                "--commits",
                "40",
                "--seed",
                str(seed),
            ],
            check=True,
            capture_output=True,
        )
        return out

    first, again, other = evolve("a", 1), evolve("b", 1), evolve("c", 2)
    assert git(first, "rev-list", "--count", "main").strip() == "41"
    assert (
        git(first, "rev-parse", "main") == git(again, "rev-parse", "main") != git(other, "rev-parse", "main")
    )
    files = git(first, "ls-files").split()
    assert "pkg0/mod0.py" in files and "logo.png" not in files  # text files only
    # Edits touch a line or two: most of a file survives from one version to the next.
    changed = git(first, "log", "--format=", "--numstat", "main~40..main").split("\n")
    added = [int(line.split()[0]) for line in changed if line.strip() and line.split()[0].isdigit()]
    assert added and max(added) <= 41 and sum(added) / len(added) < 5


def test_a_bare_snapshot_is_completed_and_checked_out_for_the_tree(
    synthetic: tuple[Path, Any], tmp_path: Path
) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import bench

    repo, _ = synthetic
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    assert bench.completed(bare, work) == bare  # nothing missing: used as it is
    tree = bench.checkout(bare, work)
    assert tree != bare and (tree / "README.md").exists() == (repo / "README.md").exists()
    assert {p.name for p in tree.iterdir()} == {p.name for p in repo.iterdir()}
    assert bench.checkout(repo, work) == repo  # a work tree is its own tree


def test_a_run_is_timed_to_its_end_and_a_late_one_killed() -> None:
    from bench.measure import run_once

    done = run_once(["true"], Path("."), timeout=30)
    assert done.code == 0 and not done.timed_out
    late = run_once(["sleep", "30"], Path("."), timeout=0.3)
    assert late.timed_out and late.wall < 10
