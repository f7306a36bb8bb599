"""The staged source's early search: the last commit searched for what the added lines hold while the
scanner loads, used when it covers the secrets found, else searched again for them (filters/preexisting)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner import git
from scanner.cli import main
from scanner.sources.staged import search_terms
from tests.helpers import gitrepo
from tests.helpers.gitrepo import AWS_CONFIG, ENGINE, KEY_ID, KEY_ID_2, SECRET_KEY, build, secret_key, write

PATCH = b"""\
:000000 100644 0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 A\tnew.ini
diff --git a/new.ini b/new.ini
--- /dev/null
+++ b/new.ini
@@ -0,0 +1,3 @@
+aws_access_key_id = AKIAUJZDEGXDNCF32EPF
+token: "ghp_abcdefghijklmnop1234567890ABCDEFGHIJ" # see src/settings/local2_config
+AWS_SECRET_ACCESS_KEY_NAME = abcdefghijklmnopqrstuvwxyz
-removed = AKIAEUVW75EFR6EDT4SY
"""


def test_terms_are_the_long_mixed_runs_of_added_lines() -> None:
    assert search_terms(PATCH) == [
        KEY_ID,
        "abcdefghijklmnop1234567890ABCDEFGHIJ",  # inside the token: the run after its prefix
        "src/settings/local2",  # a path holds runs too: a few files more to read, never fewer
    ]
    many = b"".join(b"+k%d = %s\n" % (n, secret_key(n).encode()) for n in range(100))
    assert search_terms(many) == []  # a lockfile's worth: searched for the secrets found instead
    assert search_terms(PATCH + b"+" + b"x = 1 " * 50_000 + b"\n") == []  # too large to read here


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The terms of every search of the last commit's work tree, early or not."""
    started: list[list[str]] = []
    real = git.start_tree_search

    def start(repo: Path, rev: str, terms: list[str]) -> git.TreeSearch:
        started.append(sorted(terms))
        return real(repo, rev, terms)

    monkeypatch.setattr(git, "start_tree_search", start)
    return started


def hook(repo: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | None]) -> int:
    write(repo, files)
    gitrepo.git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    return main(["staged", "-q", *ENGINE])


def test_the_early_search_serves_when_it_covers_the_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[list[str]]
) -> None:
    build(tmp_path, [({"old.ini": AWS_CONFIG, "notes.txt": "hello\n"}, "init")])
    assert hook(tmp_path, monkeypatch, {"copy.ini": AWS_CONFIG}) == 0  # an old pair, copied
    assert searches == [sorted([KEY_ID, SECRET_KEY])]  # the early one only
    searches.clear()
    assert hook(tmp_path, monkeypatch, {"copy.ini": f"aws_access_key_id = {KEY_ID_2}\n"}) == 1  # new
    assert searches == [[KEY_ID_2]]


def test_a_secret_the_terms_miss_is_searched_for_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[list[str]]
) -> None:
    build(tmp_path, [({"old.ini": AWS_CONFIG}, "init")])
    # Added as "++ ...", the key id's line reads as a diff header: not a term, so the early search
    # cannot vouch for the pair; a second search for the pair itself finds the old file.
    moved = f"++ aws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
    assert hook(tmp_path, monkeypatch, {"moved.ini": moved}) == 0
    assert searches == [[SECRET_KEY], sorted([KEY_ID, SECRET_KEY])]


def test_a_commit_without_runs_starts_no_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: list[list[str]]
) -> None:
    build(tmp_path, [({"old.ini": AWS_CONFIG}, "init")])
    assert hook(tmp_path, monkeypatch, {"notes.txt": "nothing secret here\n"}) == 0
    assert searches == []


def test_during_a_merge_the_merged_branch_secrets_are_not_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    gitrepo.git(tmp_path, "checkout", "-q", "-b", "other")
    build(tmp_path, [({"other.ini": AWS_CONFIG}, "a secret on the other branch")], start=1)
    gitrepo.git(tmp_path, "checkout", "-q", "main")
    gitrepo.git(tmp_path, "merge", "-q", "--no-ff", "--no-commit", "other")
    assert git.resolve_all(tmp_path, ("HEAD", "MERGE_HEAD", "nothing")) == [
        gitrepo.git(tmp_path, "rev-parse", "main").strip(),
        gitrepo.git(tmp_path, "rev-parse", "other").strip(),
        None,
    ]
    assert hook(tmp_path, monkeypatch, {}) == 0  # the merge brings it: not written in the merge
    assert hook(tmp_path, monkeypatch, {"fix.txt": f"aws_access_key_id = {KEY_ID_2}\n"}) == 1
