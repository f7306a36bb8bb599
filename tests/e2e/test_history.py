"""`secretscan history`: repositories built from recipes with fixed dates, so commit SHAs are asserted exactly."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import termios
import time
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import default_sigint, run_cli, secretscan_command
from tests.helpers.gitrepo import (
    AWS_CONFIG,
    ENGINE,
    KEY_ID,
    KEY_ID_2,
    MORE_KEY_IDS,
    SECRET_KEY,
    aws_config,
    build,
    commit,
    git,
    init,
    key_line,
    private_key,
    secret_key,
)


def history(repo: Path | str, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    proc = run_cli("history", str(repo), "-f", "json", *ENGINE, *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def by_secret_prefix(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["secret"]: f for f in doc["findings"]}


def only(doc: dict[str, Any]) -> dict[str, Any]:
    assert len(doc["findings"]) == 1, doc["findings"]
    finding: dict[str, Any] = doc["findings"][0]
    return finding


def test_added_then_deleted_is_found_with_both_commits(tmp_path: Path) -> None:
    shas = build(
        tmp_path,
        [
            ({"README.md": "hello\n"}, "init"),
            ({"conf/aws.ini": AWS_CONFIG}, "add config"),
            ({"conf/aws.ini": None}, "remove config"),
            ({"README.md": "hello again\n"}, "docs"),
        ],
    )
    assert shas[1] == "5c08806abffe2edaf2ebe02f4662a272cbaacaac"
    assert shas[2] == "7e0e42524996daf8cdd17bb83924857976591fef"
    code, doc = history(tmp_path)
    assert code == 1
    finding = only(doc)
    assert finding["path"] == "conf/aws.ini"
    assert finding["companions"] == {"secret_access_key": "v5ZJ*****"}
    assert finding["commit"]["sha"] == shas[1]
    assert finding["commit"]["author"] == "Test Author"
    assert finding["commit"]["date"] == "2024-01-02T12:00:00+00:00"
    assert finding["present_at_head"] is False
    assert finding["removed_in"]["sha"] == shas[2]
    assert SECRET_KEY not in json.dumps(doc)


def test_a_new_secret_beside_an_old_key_id_is_a_leak_of_its_own(tmp_path: Path) -> None:
    # Issue 15 §1: the pair is one finding; changing its secret key leaks a new credential.
    recipe = [
        ({"aws.ini": aws_config(KEY_ID, secret_key(1)), "id_rsa": private_key(1)}, "one"),
        ({"aws.ini": aws_config(KEY_ID, secret_key(2)), "id_rsa": private_key(2)}, "rotated"),
    ]
    shas = build(tmp_path, recipe)
    _, doc = history(tmp_path)
    found = {(f["rule_id"], f["commit"]["sha"], (f["removed_in"] or {}).get("sha")) for f in doc["findings"]}
    assert found == {
        ("aws-access-key-id", shas[0], shas[1]),
        ("aws-access-key-id", shas[1], None),
        ("private-key-rsa", shas[0], shas[1]),
        ("private-key-rsa", shas[1], None),
    }


def test_annotated_tags_and_limits_give_no_spurious_errors_and_real_ones_can_fail(tmp_path: Path) -> None:
    # Issue 15 §6: a listed walk (--since/--max-commits) took an annotated tag for a blob it could not read.
    shas = build(tmp_path, [({"a.txt": "x\n"}, "one"), ({"b.txt": key_line(KEY_ID)}, "two")])
    git(tmp_path, "tag", "-a", "v1", "-m", "release", shas[0])
    for limit in (("--max-commits", "5"), ("--since", "2023-12-01")):
        code, doc = history(tmp_path, *limit, "--fail-on-error")
        assert (code, doc["errors"], len(doc["findings"])) == (1, [], 1), limit
    blob = git(tmp_path, "rev-parse", f"{shas[0]}:a.txt")
    (tmp_path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # a corrupt repository
    code, doc = history(tmp_path, "--max-commits", "5", "--no-fail-on-error")
    assert code == 1 and doc["errors"]
    proc = run_cli("history", str(tmp_path), *ENGINE, "--max-commits", "5")
    assert proc.returncode == 2 and "--no-fail-on-error" in proc.stderr
    (tmp_path / ".secretscan.yaml").write_text("fail_on_error: false\n")
    assert run_cli("history", str(tmp_path), *ENGINE, cwd=tmp_path).returncode == 1
    assert run_cli("history", str(tmp_path), *ENGINE, "--fail-on-error", cwd=tmp_path).returncode == 2


def test_a_removal_on_a_side_branch_names_the_remover_and_its_merge(tmp_path: Path) -> None:
    # Issue 15 §4: a secret no longer at HEAD always names where it left.
    build(tmp_path, [({"main.txt": key_line(MORE_KEY_IDS[0])}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "side")
    side = build(
        tmp_path,
        [
            ({"a.txt": key_line(KEY_ID), "main.txt": "cleaned\n"}, "leak on side, clean main's"),
            ({"a.txt": "clean\n"}, "clean on side"),
        ],
        start=1,
    )
    git(tmp_path, "checkout", "-q", "-b", "dead", "main")
    dead = build(tmp_path, [({"d.txt": key_line(KEY_ID_2)}, "leak"), ({"d.txt": None}, "rm")], start=3)
    git(tmp_path, "checkout", "-q", "main")
    build(tmp_path, [({"b.txt": "y\n"}, "main work")], start=5)
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "merge side", "side", date=6)
    merge = git(tmp_path, "rev-parse", "HEAD")
    for limit in ((), ("--max-commits", "50")):
        _, doc = history(tmp_path, *limit)
        found = {
            f["path"]: (f["removed_in"]["sha"], (f["removal_merged_in"] or {}).get("sha"))
            for f in doc["findings"]
        }
        assert found == {
            "main.txt": (side[0], merge),  # on the main line, removed on the side branch
            "a.txt": (side[1], merge),  # never on the main line
            "d.txt": (dead[1], None),  # on a branch never merged
        }, limit


def test_a_key_id_later_paired_is_reported_with_the_pair(tmp_path: Path) -> None:
    shas = build(
        tmp_path,
        [({"aws.ini": key_line(KEY_ID)}, "key id"), ({"aws.ini": aws_config(KEY_ID, secret_key(6))}, "pair")],
    )
    finding = only(history(tmp_path)[1])
    assert (finding["commit"]["sha"], finding["present_at_head"]) == (shas[1], True)
    assert finding["companions"] and finding["facts"]["first_commit"] == shas[0]


def test_a_reindented_key_is_the_same_leak(tmp_path: Path) -> None:
    key = private_key(5)
    indented = "tls:\n  key: |\n" + "".join(f"    {line}\n" for line in key.splitlines())
    shas = build(tmp_path, [({"id_rsa": key}, "add"), ({"id_rsa": None, "deploy.yaml": indented}, "move")])
    finding = only(history(tmp_path)[1])
    assert (finding["commit"]["sha"], finding["path"], finding["present_at_head"]) == (
        shas[0],
        "id_rsa",
        True,
    )


def test_still_present_at_head(tmp_path: Path) -> None:
    shas = build(tmp_path, [({"a.txt": "x\n"}, "one"), ({"a.txt": key_line(KEY_ID)}, "leak")])
    _, doc = history(tmp_path)
    finding = only(doc)
    assert (finding["commit"]["sha"], finding["present_at_head"], finding["removed_in"]) == (
        shas[1],
        True,
        None,
    )


def test_same_blob_in_many_commits_and_paths_is_scanned_once(tmp_path: Path) -> None:
    leaky = key_line(KEY_ID)
    shas = build(
        tmp_path,
        [
            ({"a/creds.txt": leaky}, "first copy"),
            ({"b/creds.txt": leaky, "c/creds.txt": leaky}, "two more copies"),
            ({"a/creds.txt": None, "d/creds.txt": leaky}, "move one"),
            ({"notes.txt": "unrelated\n"}, "notes"),
        ],
    )
    code, doc = history(tmp_path)
    assert code == 1
    # 4 commit messages + 2 unique blobs (creds, notes), however many paths and commits hold the creds blob.
    assert doc["summary"]["blobs_scanned"] == 6
    finding = only(doc)
    assert (finding["path"], finding["commit"]["sha"]) == ("a/creds.txt", shas[0])
    assert finding["present_at_head"] is True


def test_secrets_on_other_branch_tag_stash_and_commit_message(tmp_path: Path) -> None:
    k_branch, k_tag, k_stash, k_message = MORE_KEY_IDS
    main = build(tmp_path, [({"README.md": "hello\n"}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "feature")
    feature = commit(tmp_path, {"feature.txt": key_line(k_branch)}, "feature work", 1)
    git(tmp_path, "checkout", "-q", "--orphan", "release")
    tagged = commit(tmp_path, {"release.txt": key_line(k_tag)}, "release", 2)
    git(tmp_path, "tag", "-a", "v1", "-m", "v1", date=2)
    git(tmp_path, "checkout", "-q", "-f", "main")
    git(tmp_path, "branch", "-D", "release")
    (tmp_path / "README.md").write_text(key_line(k_stash))
    git(tmp_path, "stash", "push", "-q", "-m", "wip", date=3)
    message = commit(tmp_path, {}, f"rotate {k_message} later", 4)
    code, doc = history(tmp_path)
    assert code == 1
    found = {f["fact_key"] if "fact_key" in f else f["line_text"]: f for f in doc["findings"]}
    assert len(doc["findings"]) == 4, found
    by_commit = {f["commit"]["sha"]: f for f in doc["findings"]}
    assert by_commit[feature]["path"] == "feature.txt"
    assert by_commit[tagged]["path"] == "release.txt"
    assert by_commit[message]["path"] == "(commit message)"
    stash = git(tmp_path, "rev-parse", "stash@{0}")
    stash_finding = next(f for f in doc["findings"] if f["commit"]["sha"] not in (feature, tagged, message))
    assert stash_finding["path"] == "README.md"
    assert stash_finding["commit"]["sha"] in (stash, git(tmp_path, "rev-parse", "stash@{0}^2"))
    assert main[0] not in by_commit
    # --branch main sees only the commit message (main is otherwise clean).
    _, narrowed = history(tmp_path, "--branch", "main")
    assert [f["path"] for f in narrowed["findings"]] == ["(commit message)"]


def test_rename_keeps_the_introducing_commit(tmp_path: Path) -> None:
    shas = build(
        tmp_path,
        [
            ({"old/name.cfg": AWS_CONFIG}, "add"),
            ({"old/name.cfg": None, "new/name.cfg": AWS_CONFIG}, "rename"),
        ],
    )
    finding = only(history(tmp_path)[1])
    assert (finding["path"], finding["commit"]["sha"], finding["present_at_head"]) == (
        "old/name.cfg",
        shas[0],
        True,
    )


def test_binary_blobs_are_skipped_and_reported(tmp_path: Path) -> None:
    build(tmp_path, [({"img.bin": b"\x89PNG\0\0" + KEY_ID.encode(), "ok.txt": key_line(KEY_ID_2)}, "mixed")])
    _, doc = history(tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["ok.txt"]
    assert [s["reason"] for s in doc["skipped"] if s["path"].startswith("img.bin@")] == ["binary"]


def test_oversized_blobs_are_skipped(tmp_path: Path) -> None:
    build(tmp_path, [({"big.txt": key_line(KEY_ID) + "x" * 5000}, "big")])
    _, doc = history(tmp_path, "--max-blob-size", "1k")
    assert doc["findings"] == []
    assert [s["reason"] for s in doc["skipped"]] == ["larger than 1024 bytes"]


def test_shallow_clone_warns_and_still_scans(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    shas = build(origin, [({"a.txt": key_line(KEY_ID)}, "leak"), ({"b.txt": "clean\n"}, "more")])
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)],
        check=True,
        capture_output=True,
    )
    code, doc = history(clone)
    assert code == 1
    assert any("shallow" in w for w in doc["warnings"])
    # The boundary commit is all the history there is: it holds the leak.
    assert only(doc)["commit"]["sha"] == shas[1]


def test_empty_repository_is_clean(tmp_path: Path) -> None:
    init(tmp_path)
    code, doc = history(tmp_path)
    assert code == 0
    assert (doc["findings"], doc["errors"], doc["summary"]["blobs_scanned"]) == ([], [], 0)


def test_a_broken_ref_is_named_and_every_other_ref_is_still_audited(tmp_path: Path) -> None:
    """The walk of every ref starts before the refs are listed; a ref git cannot read would end it, so it
    starts again without that ref."""
    build(tmp_path, [({"app.cfg": key_line(KEY_ID) + secret_key(SECRET_KEY)}, "init")])
    git(tmp_path, "branch", "side")
    git(tmp_path, "checkout", "-q", "side")
    commit(tmp_path, {"side.cfg": key_line(MORE_KEY_IDS[0])}, "on side", date=2)
    (tmp_path / ".git/refs/heads/broken").write_text("not an object name\n")
    code, doc = history(tmp_path)
    assert code == 1
    assert doc["warnings"] == [
        "ref refs/heads/broken is broken (it names no object the repository holds): not audited; the other refs were"
    ]
    assert {f["path"] for f in doc["findings"]} == {"app.cfg", "side.cfg"}
    assert doc["errors"] == []


def test_a_sha256_repository_names_the_commits_that_added_and_removed_a_secret(tmp_path: Path) -> None:
    """Its raw lines hold 64-digit ids, where 40-digit ones are looked for first: attribution must still
    find the lines that name a blob."""
    init(tmp_path, "--object-format=sha256")
    added, removed = build(
        tmp_path,
        [({"app.cfg": key_line(KEY_ID) + secret_key(SECRET_KEY)}, "add"), ({"app.cfg": "clean\n"}, "clean")],
    )
    assert len(added) == 64
    _, doc = history(tmp_path)
    assert doc["findings"] and doc["errors"] == []
    for finding in doc["findings"]:
        assert finding["commit"]["sha"] == added
        assert finding["present_at_head"] is False and finding["removed_in"]["sha"] == removed


def test_submodule_is_reported_as_skipped(tmp_path: Path) -> None:
    sha = build(tmp_path, [({"a.txt": "x\n"}, "init")])[0]
    git(tmp_path, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
    git(tmp_path, "commit", "-q", "-m", "add submodule", date=1)
    _, doc = history(tmp_path)
    assert {"path": "vendor/lib", "reason": f"submodule (commit {sha[:12]}); scan it separately"} in doc[
        "skipped"
    ]


def break_objects(repo: Path) -> tuple[str, str]:
    """Delete the loose object of HEAD:gone.txt and garble that of HEAD:bad.txt; return both ids."""
    gone = git(repo, "rev-parse", "HEAD:gone.txt")
    bad = git(repo, "rev-parse", "HEAD:bad.txt")
    (repo / ".git/objects" / gone[:2] / gone[2:]).unlink()
    rotten = repo / ".git/objects" / bad[:2] / bad[2:]
    rotten.chmod(0o644)
    rotten.write_bytes(b"not zlib at all")
    return gone, bad


def test_missing_and_corrupt_objects_are_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    build(
        tmp_path,
        [({"gone.txt": "will vanish\n", "bad.txt": "will rot\n", "leak.txt": key_line(KEY_ID)}, "init")],
    )
    gone, bad = break_objects(tmp_path)
    code, doc = history(tmp_path, "--no-fail-on-error")  # errors reported, findings decide
    assert code == 1
    assert [f["path"] for f in doc["findings"]] == ["leak.txt"]
    errors = " ".join(doc["errors"])
    assert gone in errors and bad in errors


def test_a_missing_tree_is_reported_and_every_readable_blob_is_still_scanned(tmp_path: Path) -> None:
    """git log dies at a tree it cannot read; rev-list lists around it, so no readable blob is lost."""
    build(
        tmp_path,
        [
            ({"sub/old.txt": "one\n", "leak.txt": key_line(KEY_ID)}, "first"),
            ({"sub/old.txt": "two\n", "new.txt": key_line(KEY_ID_2)}, "second"),
        ],
    )
    tree = git(tmp_path, "rev-parse", "HEAD~1:sub")
    (tmp_path / ".git/objects" / tree[:2] / tree[2:]).unlink()
    code, doc = history(tmp_path, "--show-secrets", "--no-fail-on-error")
    assert code == 1
    assert sorted(f["secret"] for f in doc["findings"]) == sorted([KEY_ID, KEY_ID_2])
    assert any("git log stopped part way" in e for e in doc["errors"])
    assert any(tree in e for e in doc["errors"])


def test_paths_git_quotes_come_back_as_they_are(tmp_path: Path) -> None:
    """git quotes paths with spaces, tabs, quotes or non-ASCII letters in its walk; findings name them as
    they are, in the streamed and in the listed audit."""
    names = ["dir with space/ключ.txt", 'odd\tname "quoted".cfg', "plain.txt"]
    build(tmp_path, [({name: key_line(KEY_ID) + f"# {i}\n"}, f"add {i}") for i, name in enumerate(names)])
    _, doc = history(tmp_path)
    assert [f["path"] for f in doc["findings"]] == [names[0]]  # one key: reported where it came first
    streamed = _read_all(tmp_path, listed=False)
    assert streamed == _read_all(tmp_path, listed=True)
    assert sorted(path for _, path in streamed[0] if path != "(commit message)") == sorted(names)


def test_blobs_that_tags_point_at_without_a_commit_are_audited(tmp_path: Path) -> None:
    """A tag may point at a blob or a tree directly (git's own repository tags a key that way): no commit
    holds them, and a walk of commits never meets them."""
    build(tmp_path, [({"a.txt": "hello\n"}, "init")])
    blob = git(tmp_path, "hash-object", "-w", "--stdin", stdin=key_line(KEY_ID))
    git(tmp_path, "tag", "loose-key", blob)
    inner = git(tmp_path, "hash-object", "-w", "--stdin", stdin=key_line(KEY_ID_2))
    tree = git(tmp_path, "mktree", stdin=f"100644 blob {inner}\tcreds.ini\n")
    git(tmp_path, "tag", "-a", "-m", "a tree", "loose-tree", tree)
    # A tag of a tag of a blob: peeled to the end.
    again = git(tmp_path, "hash-object", "-w", "--stdin", stdin=key_line(MORE_KEY_IDS[0]))
    git(tmp_path, "tag", "-a", "-m", "a blob", "inner-tag", again)
    git(tmp_path, "tag", "-a", "-m", "a tag", "outer-tag", "inner-tag")
    _, doc = history(tmp_path, "--show-secrets")
    assert sorted((f["path"], f["secret"]) for f in doc["findings"]) == [
        ("inner-tag", MORE_KEY_IDS[0]),
        ("loose-key", KEY_ID),
        ("loose-tree:creds.ini", KEY_ID_2),
    ]
    # Refs naming an object the repository lacks, directly or through a tag: named, left out, and the
    # tagged blobs still audited.
    missing = "1234567890" * 4
    (tmp_path / ".git/refs/heads/gone").write_text(missing + "\n")
    tag = f"object {missing}\ntype commit\ntag dangling\ntagger A <a@example.com> 0 +0000\n\nx\n"
    dangling = git(tmp_path, "hash-object", "-t", "tag", "-w", "--stdin", "--literally", stdin=tag)
    (tmp_path / ".git/refs/tags/dangling").write_text(dangling + "\n")
    code, doc = history(tmp_path, "--show-secrets")
    assert code == 1 and doc["errors"] == []
    assert sorted(doc["warnings"]) == [
        f"ref refs/{ref} is broken (it names no object the repository holds): not audited; the other refs were"
        for ref in ("heads/gone", "tags/dangling")
    ]
    assert len(doc["findings"]) == 3


def test_what_depends_on_a_path_is_judged_at_the_path_in_history(tmp_path: Path) -> None:
    """A path allowlist drops a key at its path only; the base64 values of a Kubernetes secret are decoded
    in a manifest only; a blob no ref reaches is never reported. Streamed and listed audits agree."""
    token = "glpat-" + "x7Rk2mQ9tLz4vP8nW3bY"
    settings = f"[gitlab]\nurl = https://gitlab.example\nhandle = {token}\n"
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n"
        f"  settings.ini: {base64.b64encode(settings.encode()).decode()}\n"
    )
    files: dict[str, str | bytes | None] = {
        ".secretscan.yml": "rule_allowlists:\n  aws-access-key-id:\n    paths: ['\\.sql$']\n",
        "dump.sql": key_line(KEY_ID),
        "dump.txt": key_line(KEY_ID_2),
        "deploy/app.yaml": manifest,
        "notes/app.txt": manifest + "# a copy, not a manifest\n",
    }
    build(tmp_path, [(files, "one")])
    git(tmp_path, "hash-object", "-w", "--stdin", stdin=key_line(MORE_KEY_IDS[0]))  # dangling
    for args in ((), ("--max-commits", "5")):
        _, doc = history(tmp_path, "--show-secrets", *args, cwd=tmp_path)
        assert sorted((f["path"], f["secret"]) for f in doc["findings"]) == [
            ("deploy/app.yaml", token),
            ("dump.txt", KEY_ID_2),
        ], args
        assert doc["summary"]["blobs_scanned"] == 5, args


def test_blobs_are_read_newest_first(tmp_path: Path) -> None:
    """git stores a file's older versions as deltas of its newer ones: asked for newest first, each blob
    finds its base in git's cache (on a history of large, often edited files, twice as fast as oldest
    first). Attribution still sees the walk oldest first."""
    from scanner import git as gitlib
    from scanner.sources.history import Plan, named_blobs

    build(tmp_path, [({"a.txt": f"version {i}\n"}, f"edit {i}") for i in range(3)])
    versions = [git(tmp_path, "rev-parse", f"HEAD~{n}:a.txt") for n in range(3)]  # newest first
    with gitlib.BlobLog(tmp_path, ["--all"], piped=True) as walk:
        named = [oid for batch in named_blobs(Plan(tmp_path), walk, set()) for oid, _ in batch]
        assert named == versions
        diffs = walk.diffs(versions)
    assert [d.changes[-1].new_oid for d in diffs] == versions[::-1]


def test_reading_never_waits_on_git_while_git_waits_on_us_with_small_pipes(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Linux pipes hold 64 kB; others may hold 4 kB. With such pipes, git blocks writing answers we have not
    read yet and stops reading requests: a reader that wrote its requests itself would wait forever."""
    import threading

    from scanner.git import objects as gitobjects

    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("pipe sizes are set on Linux only")
    files = {f"f{i}.txt": sha256(str(i).encode()).hexdigest() * 60 + "\n" for i in range(700)}
    build(tmp_path, [(files, "many files")])
    opened = gitobjects.BatchReader._process

    def small_pipes(self: Any) -> Any:
        fresh = self._proc is None
        proc = opened(self)
        if fresh:
            for pipe in (proc.stdin, proc.stdout):
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 4096)
        return proc

    monkeypatch.setattr(gitobjects.BatchReader, "_process", small_pipes)
    monkeypatch.setattr(gitobjects, "_widen_pipe", lambda stream: 4096)  # what such a pipe holds
    done: list[Any] = []

    def audit() -> None:
        done.append(_read_all(tmp_path, listed=False, max_bytes=100_000))

    worker = threading.Thread(target=audit, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done, "the audit hung"
    assert done[0][3] == 700 + 1  # every file, and the message


def test_url_is_cloned_into_a_temporary_mirror_that_is_removed(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    shas = build(origin, [({"a.txt": key_line(KEY_ID)}, "leak")])
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = run_cli("history", f"file://{origin}", "-f", "json", *ENGINE, env={"TMPDIR": str(scratch)})
    assert proc.returncode == 1, proc.stderr
    assert only(json.loads(proc.stdout))["commit"]["sha"] == shas[0]
    assert list(scratch.iterdir()) == []


def test_bare_repository_path(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    shas = build(origin, [({"a.txt": key_line(KEY_ID)}, "leak")])
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(origin), str(bare)], check=True)
    assert only(history(bare)[1])["commit"]["sha"] == shas[0]


def test_since_and_max_commits_narrow_the_scan(tmp_path: Path) -> None:
    shas = build(
        tmp_path,
        [({"old.txt": key_line(KEY_ID)}, "old"), ({"old.txt": None}, "drop"), ({"new.txt": "x\n"}, "new")],
    )
    assert history(tmp_path, "--max-commits", "1")[1]["findings"] == []
    assert history(tmp_path, "--since", shas[1])[1]["findings"] == []
    assert history(tmp_path, "--since", "2024-01-02T00:00:00Z")[1]["findings"] == []
    assert len(history(tmp_path, "--since", "2023-12-01")[1]["findings"]) == 1


def _stderr_on_a_terminal(*args: str) -> str:
    """Run secretscan with stderr on a pseudo-terminal (stdout piped) and return what the terminal got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 wide
    proc = subprocess.run([*secretscan_command(), *args], stderr=slave, stdout=subprocess.PIPE, check=False)
    os.close(slave)
    assert proc.returncode == 0
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    build(tmp_path, [({"a.txt": "x\n"}, "init")])
    piped = run_cli("history", *ENGINE, str(tmp_path))
    assert piped.returncode == 0 and piped.stderr == ""
    bar = _stderr_on_a_terminal("history", *ENGINE, str(tmp_path))
    assert "blobs" in bar and "2/2" in bar and "bytes" in bar
    assert _stderr_on_a_terminal("history", *ENGINE, "--quiet", str(tmp_path)) == ""


def test_not_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("history", str(tmp_path))
    assert proc.returncode == 2
    assert "git" in proc.stderr and "Traceback" not in proc.stderr


def test_merged_branch_is_attributed_to_its_own_commit_and_removal_on_main(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "topic")
    leak = commit(tmp_path, {"topic.cfg": AWS_CONFIG}, "topic leak", 1)
    git(tmp_path, "checkout", "-q", "main")
    commit(tmp_path, {"main.txt": "main work\n"}, "main work", 2)
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "merge topic", "topic", date=3)
    removal = commit(tmp_path, {"topic.cfg": None}, "drop topic config", 4)
    finding = only(history(tmp_path)[1])
    assert (finding["commit"]["sha"], finding["removed_in"]["sha"]) == (leak, removal)
    assert finding["present_at_head"] is False


def test_a_merge_that_brings_a_deletion_is_where_main_lost_the_secret(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    leak = commit(tmp_path, {"leak.cfg": AWS_CONFIG}, "leak on main", 1)
    git(tmp_path, "checkout", "-q", "-b", "cleanup")
    removal = commit(tmp_path, {"leak.cfg": None}, "delete it on a branch", 2)
    git(tmp_path, "checkout", "-q", "main")
    commit(tmp_path, {"main.txt": "main work\n"}, "main work", 3)
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "merge cleanup", "cleanup", date=4)
    merge = git(tmp_path, "rev-parse", "HEAD")
    finding = only(history(tmp_path)[1])
    # On main's first-parent chain the secret left with the merge: both the branch's own commit that
    # removed it and that merge are named (issue 15 §4).
    assert (finding["commit"]["sha"], finding["removed_in"]["sha"]) == (leak, removal)
    assert finding["removal_merged_in"]["sha"] == merge
    assert finding["present_at_head"] is False


def test_ctrl_c_removes_the_temporary_mirror(tmp_path: Path) -> None:
    origin = init(tmp_path / "origin")
    stream = "".join(
        f"blob\nmark :{i}\ndata <<EOF\n" + f"value {i}\n" * 200 + "EOF\n" for i in range(1, 3001)
    )
    tree = "".join(f"M 100644 :{i} f{i}.txt\n" for i in range(1, 3001))
    commit_cmd = "commit refs/heads/main\ncommitter A <a@example.com> 1700000000 +0000\ndata 4\nbulk\n"
    subprocess.run(
        ["git", "-C", str(origin), "fast-import", "--quiet"],
        input=stream + commit_cmd + tree,
        text=True,
        check=True,
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen(
        [*secretscan_command(), "history", "-q", *ENGINE, "-j", "1", f"file://{origin}"],
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 60
    while not any(scratch.glob("*/mirror.git/objects")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # let the scan start
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert list(scratch.iterdir()) == []


def test_project_config_excludes_and_own_files_are_not_scanned(tmp_path: Path) -> None:
    config = "exclude:\n  - fixtures/\nmax_file_size: 2k\n"
    build(
        tmp_path,
        [
            (
                {
                    ".secretscan.yaml": config + f"# {KEY_ID_2} is a fixture\n",
                    "fixtures/sample.txt": key_line(KEY_ID_2),
                    "src/app.cfg": key_line(KEY_ID),
                    "src/big.txt": key_line(MORE_KEY_IDS[0]) + "x" * 3000,
                },
                "init",
            )
        ],
    )
    _, doc = history(tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["src/app.cfg"]
    assert [s["reason"] for s in doc["skipped"]] == ["larger than 2048 bytes"]


def test_result_cache_skips_clean_blobs_on_a_second_audit(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    build(
        repo,
        [
            ({"a.txt": "one\n", "b.txt": "two\n"}, "clean files"),
            ({"creds.ini": AWS_CONFIG}, "add credentials"),
        ],
    )
    _, first = history(repo, "--cache", str(cache))
    assert first["summary"]["blobs_scanned"] == 5  # 2 messages + 3 blobs
    commit(repo, {"c.txt": "three\n"}, "one more", date=5)
    _, second = history(repo, "--cache", str(cache))
    # Only what is new (a message, a blob) and the blob with findings are read again.
    assert second["summary"]["blobs_scanned"] == 3
    assert [f["secret"] for f in second["findings"]] == [f["secret"] for f in first["findings"]]


def test_secret_committed_alone_then_paired_is_one_finding(tmp_path: Path) -> None:
    shas = build(
        tmp_path,
        [
            ({"app.env": f"AWS_SECRET_ACCESS_KEY={SECRET_KEY}\n"}, "the secret alone"),
            ({"app.env": f"AWS_ACCESS_KEY_ID={KEY_ID}\nAWS_SECRET_ACCESS_KEY={SECRET_KEY}\n"}, "its key id"),
        ],
    )
    _, doc = history(tmp_path)
    finding = only(doc)
    assert finding["rule_id"] == "aws-access-key-id"
    assert finding["commit"]["sha"] == shas[1]
    assert finding["facts"]["secret_first_commit"] == shas[0]


def test_secretscanignore_at_the_root_applies_to_history(tmp_path: Path) -> None:
    build(
        tmp_path,
        [
            ({"fixtures/fake.ini": key_line(KEY_ID), "app.ini": key_line(KEY_ID_2)}, "two keys"),
            ({".secretscanignore": "fixtures/\n"}, "ignore the fixtures"),
        ],
    )
    _, doc = history(tmp_path, "--show-secrets")
    assert [f["secret"] for f in doc["findings"]] == [KEY_ID_2]


def _read_all(
    repo: Path, listed: bool, max_bytes: int = 1000, jobs: int = 1
) -> tuple[list[tuple[str, str]], list[str], list[str], int]:
    """(blob id, path) of every blob and message the audit scans in this process, its errors and skips,
    and how many blobs and messages it scanned in all (worker processes included)."""
    from scanner.engine import Engine
    from scanner.model import Blob, ScanResult
    from scanner.rules import load_rules
    from scanner.scheduler import ScanOptions, scan_history
    from scanner.sources import history as source

    read: list[tuple[str, str]] = []

    class Recording(Engine):
        def scan(self, blob: Blob, explain: bool = False, depth: int = 0) -> Any:
            if depth == 0:
                read.append((blob.id, blob.origin.path))
            return super().scan(blob, explain, depth)

    result = ScanResult()
    work = source.plan(repo, source.HistoryOptions(max_bytes=max_bytes), result, listed=listed)
    scan_history(Recording(load_rules(), backend="python"), work, result, ScanOptions(jobs=jobs))
    assert jobs > 1 or len(read) == result.blobs_scanned
    return sorted(read), sorted(result.errors), sorted(s.path for s in result.skipped), result.blobs_scanned


def test_streamed_and_listed_audits_read_the_same_blobs_and_report_the_same_problems(tmp_path: Path) -> None:
    build(
        tmp_path,
        [
            ({"a.txt": "one\n", "img.bin": "\0\1\2", "big.txt": "x" * 5000}, "first"),
            ({"a.txt": "two\n", "b/c.txt": key_line(KEY_ID)}, "second"),
            ({"gone.txt": "will vanish\n", "bad.txt": "will rot\n"}, "third"),
        ],
    )
    clean = _read_all(tmp_path, listed=False)
    assert clean == _read_all(tmp_path, listed=True)
    paths = [path for _, path in clean[0]]
    assert "a.txt" in paths and "b/c.txt" in paths and "big.txt" not in paths and "img.bin" not in paths
    assert any(s.startswith("big.txt@") for s in clean[2]) and any(s.startswith("img.bin@") for s in clean[2])

    gone, bad = break_objects(tmp_path)
    streamed, listed = _read_all(tmp_path, listed=False), _read_all(tmp_path, listed=True)
    assert streamed[0] == listed[0] and len(streamed[0]) == len(clean[0]) - 2
    for errors in (streamed[1], listed[1]):
        assert len(errors) == 2 and any(gone in e for e in errors) and any(bad in e for e in errors)


def _corrupt_in_pack(repo: Path, rev: str) -> str:
    """Repack, then garble the compressed data of `rev`'s blob inside the pack (git dies reading it)."""
    git(repo, "repack", "-adq")
    oid = git(repo, "rev-parse", rev)
    pack = next((repo / ".git/objects/pack").glob("*.pack"))
    listing = git(repo, "verify-pack", "-v", str(pack.with_suffix(".idx")))
    offset = int(next(line for line in listing.splitlines() if line.startswith(oid)).split()[4])
    data = bytearray(pack.read_bytes())
    for i in range(offset + 10, offset + 40):
        data[i] ^= 0xFF
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    return oid


def test_a_corrupt_packed_blob_is_reported_and_every_other_blob_is_still_read(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """cat-file dies at a corrupt packed object: the reader names it and a fresh git reads the rest, in this
    process and in worker processes alike."""
    from scanner.scheduler import stream

    monkeypatch.setattr(stream, "POOL_AFTER", 0)  # hand batches to workers from the first one
    # Unrelated contents, so no blob is stored as a delta of the corrupt one (which would be lost with it).
    files = {
        f"f{i}.txt": "".join(sha256(f"{i}.{j}".encode()).hexdigest() for j in range(50)) for i in range(6)
    }
    build(tmp_path, [(files, "one"), ({"f0.txt": "new\n"}, "two")])
    bad = _corrupt_in_pack(tmp_path, "HEAD:f3.txt")
    for listed in (False, True):
        for jobs in (1, 2):
            _, errors, _, scanned = _read_all(tmp_path, listed=listed, max_bytes=100_000, jobs=jobs)
            assert scanned == 2 + 6, (listed, jobs)  # two messages, seven blobs less the corrupt one
            assert len(errors) == 1 and bad in errors[0], (listed, jobs)
