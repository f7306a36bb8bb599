"""Keyed fingerprints: stable for a repository, never a plain hash a reader could confirm a guess with."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
from pathlib import Path

import pytest

from scanner.engine import fingerprint
from scanner.filters.fingerprint import ENV_KEY, fingerprint_key
from tests.helpers.gitrepo import build


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def plain(rule: str, secret: str, path: str) -> str:
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return hashlib.sha256(f"{rule}\0{digest}\0{path}".encode()).hexdigest()[:32]


def test_a_keyed_fingerprint_is_no_plain_hash_and_depends_on_the_key() -> None:
    assert fingerprint("r", "hunter2", "a.env") == plain("r", "hunter2", "a.env")  # the unkeyed form
    one, two = fingerprint("r", "hunter2", "a.env", b"k1"), fingerprint("r", "hunter2", "a.env", b"k2")
    assert one != plain("r", "hunter2", "a.env") and one != two
    assert one == fingerprint("r", "hunter2", "a.env", b"k1")


def test_every_clone_of_a_repository_keys_alike(tmp_path: Path) -> None:
    build(tmp_path / "repo", [({"a.txt": "a\n"}, "one"), ({"b.txt": "b\n"}, "two")])
    subprocess.run(["git", "clone", "-q", str(tmp_path / "repo"), str(tmp_path / "clone")], check=True)
    other = tmp_path / "other"
    build(other, [({"a.txt": "a\n"}, "elsewhere")], start=5)
    key = fingerprint_key(tmp_path / "repo", None)
    assert key == fingerprint_key(tmp_path / "clone", None) != fingerprint_key(other, None)


def test_the_environment_then_the_baseline_key_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(tmp_path / "repo", [({"a.txt": "a\n"}, "one")])
    repo_key = fingerprint_key(tmp_path / "repo", None)
    from_baseline = fingerprint_key(tmp_path / "repo", b"baseline key")
    assert from_baseline != repo_key
    monkeypatch.setenv(ENV_KEY, "from a CI secret")
    assert fingerprint_key(tmp_path / "repo", b"baseline key") not in (repo_key, from_baseline)


def test_outside_a_repository_a_private_key_file_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    key = fingerprint_key(folder, None)
    kept = tmp_path / "cache" / "secretscan" / "fingerprint.key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and bytes.fromhex(kept.read_text()) == key
    assert fingerprint_key(folder, None) == key


def test_an_empty_key_file_never_makes_fingerprints_plain(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    kept = tmp_path / "cache" / "secretscan" / "fingerprint.key"
    kept.parent.mkdir(parents=True, mode=0o700)
    kept.write_text("")
    assert len(fingerprint_key(folder, None)) == 32


def test_the_roots_are_kept_per_commit_and_a_new_commit_takes_its_parents(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    build(repo, [({"a.txt": "a\n"}, "one"), ({"b.txt": "b\n"}, "two")])
    key = fingerprint_key(repo, None)
    kept = tmp_path / "cache" / "secretscan" / "roots.json"
    assert len(json.loads(kept.read_text())) == 1
    build(repo, [({"c.txt": "c\n"}, "three")], start=2)  # known from its parent, no walk
    assert fingerprint_key(repo, None) == key
    # A second history merged in brings its root: the merge's parents are not both known.
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--orphan", "other"], check=True)
    build(repo, [({"d.txt": "d\n"}, "elsewhere")], start=5)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    merge = ["git", "-C", str(repo), "merge", "-q", "--allow-unrelated-histories", "-m", "m", "other"]
    subprocess.run(merge, check=True, capture_output=True)
    merged = fingerprint_key(repo, None)
    kept.unlink()
    assert merged == fingerprint_key(repo, None) != key


def test_kept_roots_always_match_a_full_walk_wherever_head_moves(tmp_path: Path) -> None:
    """Branches, a second root merged in, HEAD moved back: each answer from kept roots is the walk's."""
    from scanner.filters.fingerprint import _root_commits

    repo = tmp_path / "repo"

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)
        return done.stdout.strip()

    c1, c2, c3 = build(repo, [({"a": "1\n"}, "c1"), ({"a": "2\n"}, "c2"), ({"a": "3\n"}, "c3")])
    git("checkout", "-q", "-b", "side", c1)
    s1, s2 = build(repo, [({"s": "1\n"}, "s1"), ({"s": "2\n"}, "s2")], start=3)
    git("checkout", "-q", "--orphan", "other")
    git("rm", "-rfq", ".")
    o1, o2 = build(repo, [({"o": "1\n"}, "o1"), ({"o": "2\n"}, "o2")], start=5)
    git("checkout", "-q", "main")
    git("merge", "-q", "--allow-unrelated-histories", "-m", "m", "other")
    merged = git("rev-parse", "HEAD")
    for rev in (merged, s2, c3, o2, merged, c2, s1, o1, c1, merged, c3, s2, c2):
        git("checkout", "-q", "--detach", rev)
        assert _root_commits(repo) == sorted(git("rev-list", "--max-parents=0", "HEAD").split()), rev


def test_roots_kept_from_another_repository_are_no_error(tmp_path: Path) -> None:
    from scanner.filters.fingerprint import _root_commits

    one, two = tmp_path / "one", tmp_path / "two"
    (first,) = build(one, [({"a": "1\n"}, "one")])
    build(two, [({"b": "1\n"}, "two"), ({"b": "2\n"}, "three")], start=3)
    assert _root_commits(one) == [first]
    walk = subprocess.run(["git", "-C", str(two), "rev-list", "--max-parents=0", "HEAD"], capture_output=True)
    assert _root_commits(two) == walk.stdout.decode().split()
