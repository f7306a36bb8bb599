"""git.list_blobs: every path of every blob a listed audit reads, names as git stores them; the commit
listing an audit reads its messages from."""

from __future__ import annotations

from pathlib import Path

from scanner.git import commit_of, commit_records, list_blobs, start_commit_messages
from tests.helpers.gitrepo import build, git


def test_every_path_of_a_blob_is_listed_with_its_full_name(tmp_path: Path) -> None:
    # rev-list --objects names a blob once and cuts its name at a newline: a copy at an allowlisted
    # path then hid the others, and a file named "new\nline.env" was reported at "new".
    build(
        tmp_path,
        [
            ({"a/copy.env": "k=1\n", "b/copy.env": "k=1\n", "new\nline.env": "n=2\n"}, "one"),
            ({"c/copy.env": "k=1\n", "d/sub/x.txt": "x\n"}, "two"),
        ],
    )
    blobs, missing = list_blobs(tmp_path, ["--all"])
    same = git(tmp_path, "rev-parse", "HEAD:a/copy.env")
    assert sorted(p for oid, p in blobs if oid == same) == ["a/copy.env", "b/copy.env", "c/copy.env"]
    assert "new\nline.env" in {p for _, p in blobs}
    assert "d/sub/x.txt" in {p for _, p in blobs}
    assert len(blobs) == len(set(blobs)) and missing == []


def test_a_missing_tree_is_named_and_the_rest_listed(tmp_path: Path) -> None:
    build(tmp_path, [({"keep.txt": "k\n", "sub/gone.txt": "g\n"}, "one")])
    tree = git(tmp_path, "rev-parse", "HEAD:sub")
    (tmp_path / ".git/objects" / tree[:2] / tree[2:]).unlink()
    blobs, missing = list_blobs(tmp_path, ["HEAD"])
    assert [p for _, p in blobs] == ["keep.txt"] and missing == [tree]


def test_a_limited_listing_holds_what_its_commits_hold(tmp_path: Path) -> None:
    build(tmp_path, [({"old.txt": "o\n"}, "one"), ({"new.txt": "n\n"}, "two")])
    blobs, _ = list_blobs(tmp_path, ["--max-count=1", "HEAD"])
    assert sorted(p for _, p in blobs) == ["new.txt", "old.txt"]  # the tree, not only the change


def test_each_commit_keeps_its_whole_message_and_is_parsed_when_asked(tmp_path: Path) -> None:
    # The listing separates fields with \x1f, which a message's body may hold too: it stays in the message.
    build(tmp_path, [({"a.txt": "a\n"}, "first"), ({"b.txt": "b\n"}, "subject\n\nbody \x1f key \x1f end")])
    records = commit_records(start_commit_messages(tmp_path, ["HEAD"]))
    assert [message.strip() for _, message in records] == [b"subject\n\nbody \x1f key \x1f end", b"first"]
    newest = commit_of(records[0][0])
    assert newest.sha == git(tmp_path, "rev-parse", "HEAD") and newest.summary == "subject"
