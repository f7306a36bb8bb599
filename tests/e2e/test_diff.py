"""`secretscan diff --base`: only lines the PR's commits add; never a secret the base already had."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.cli import run_cli
from tests.helpers.gitrepo import (
    AWS_CONFIG,
    ENGINE,
    KEY_ID,
    KEY_ID_2,
    MORE_KEY_IDS,
    aws_config,
    build,
    git,
    key_line,
    private_key,
    secret_key,
)


def gate(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = run_cli("diff", "-f", "json", *ENGINE, *args, cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    doc.pop("provenance")  # when and how long: differs run to run
    return proc.returncode, doc


def pull_request(repo: Path) -> list[str]:
    """main holds an old leak; branch `pr` copies it, then adds a new one in its 2nd of 3 commits."""
    build(
        repo,
        [
            (
                {"settings.py": key_line(KEY_ID) + "DEBUG = False\n", "creds.ini": AWS_CONFIG},
                "base with old leaks",
            )
        ],
    )
    git(repo, "checkout", "-q", "-b", "pr")
    return build(
        repo,
        [
            (
                {"settings.py": f"KEY = '{KEY_ID}'\nDEBUG = True\n", "copy.ini": AWS_CONFIG},
                "rewrite old lines",
            ),
            ({"client.py": "token = 1\n" + key_line(KEY_ID_2)}, "add client"),
            ({"client.py": "token = 2\n" + key_line(KEY_ID_2)}, "tweak client"),
        ],
        start=1,
    )


def test_gate_ignores_old_secrets_and_finds_the_new_one_in_its_commit(tmp_path: Path) -> None:
    shas = pull_request(tmp_path)
    assert shas == [
        "80af3d984a4150700d131a037d55c7a6d0f59117",
        "98c5e94c674c5f3c3a36de6fb42a2de6114ba075",
        "bcc6e902eca17a488dc5830a54f65737333db045",
    ]
    code, doc = gate(tmp_path, "--base", "main", "--explain")
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["path"], finding["line"]) == ("client.py", 2)
    assert finding["commit"]["sha"] == shas[1]
    assert finding["commit"]["summary"] == "add client"
    reasons = sorted((d["path"], d["reason"]) for d in doc["dropped"] if d["rule_id"] == "aws-access-key-id")
    assert ("settings.py", "baseline") in reasons and ("copy.ini", "baseline") in reasons
    assert ("client.py", "not-added-line") in reasons  # commit 3 touches the file but not that line


def test_a_regenerated_key_and_a_new_secret_beside_an_old_key_id_are_new(tmp_path: Path) -> None:
    # Issue 15 §1: each finding is anchored on an unchanged line (BEGIN, the key id); its secret changed.
    build(tmp_path, [({"id_rsa": private_key(1), "aws.ini": aws_config(KEY_ID, secret_key(1))}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "pr")
    build(tmp_path, [({"id_rsa": private_key(2), "aws.ini": aws_config(KEY_ID, secret_key(2))}, "rotate")], 1)
    code, doc = gate(tmp_path, "--base", "main")
    assert code == 1
    assert sorted(f["rule_id"] for f in doc["findings"]) == ["aws-access-key-id", "private-key-rsa"]


def test_moved_old_secrets_are_not_new(tmp_path: Path) -> None:
    key, creds = private_key(1), aws_config(KEY_ID, secret_key(1))
    build(tmp_path, [({"keys/id_rsa": key, "aws.ini": creds}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "pr")
    git(tmp_path, "mv", "aws.ini", "creds.ini")
    reordered = "\n".join(reversed(creds.splitlines())) + "\n# moved\n"
    indented = "tls:\n  key: |\n" + "".join(f"    {line}\n" for line in key.splitlines())
    build(tmp_path, [({"creds.ini": reordered, "deploy.yaml": indented, "copy/id_rsa": key}, "move")], 1)
    assert gate(tmp_path, "--base", "main")[1]["findings"] == []


def test_markers_under_no_inline_allow_are_reported(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hi\n"}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "pr")
    marked = f"id = '{KEY_ID}'  # secretscan:allow\nsecret = '{secret_key(3)}'  # gitleaks:allow\n"
    build(tmp_path, [({"creds.py": marked}, "marked pair")], 1)
    code, doc = gate(tmp_path, "--base", "main")
    assert (code, doc["summary"]["suppressed"]) == (0, {"inline-marker": 2})
    code, doc = gate(tmp_path, "--base", "main", "--no-inline-allow")
    assert code == 1 and [list(f["companions"]) for f in doc["findings"]] == [["secret_access_key"]]


def test_secret_added_then_removed_inside_the_pr_is_still_reported(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hi\n"}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "pr")
    shas = build(tmp_path, [({"a.txt": key_line(KEY_ID)}, "oops"), ({"a.txt": None}, "remove")], start=1)
    code, doc = gate(tmp_path, "--base", "main")
    assert code == 1
    assert [f["commit"]["sha"] for f in doc["findings"]] == [shas[0]]


def test_merge_base_not_base_tip_and_explicit_head(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hi\n"}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "pr")
    build(tmp_path, [({"pr.txt": "clean\n"}, "pr work")], start=1)
    git(tmp_path, "checkout", "-q", "main")
    # main moves on after the branch point: its new secret is not the PR's doing.
    build(tmp_path, [({"main.txt": key_line(MORE_KEY_IDS[0])}, "main leak")], start=2)
    assert gate(tmp_path, "--base", "main", "--head", "pr") == (
        0,
        gate(tmp_path, "--base", "main", "--head", "pr")[1],
    )
    assert gate(tmp_path, "--base", "main", "--head", "pr")[1]["findings"] == []
    # ...and from the other side, the main leak is new relative to pr.
    code, doc = gate(tmp_path, "--base", "pr", "--head", "main")
    assert code == 1 and [f["path"] for f in doc["findings"]] == ["main.txt"]


def test_unknown_base_is_a_usage_error(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hi\n"}, "init")])
    proc = run_cli("diff", "--base", "origin/nope", *ENGINE, cwd=tmp_path)
    assert proc.returncode == 2
    assert "origin/nope" in proc.stderr and "fetch-depth" in proc.stderr


def test_parse_diffs_reads_paths_hunks_and_raw_entries() -> None:
    from scanner.git.parse import MARK, parse_diffs, unquote

    assert unquote(b'"tab\\there \\303\\274.txt"') == "tab\there ü.txt"
    assert unquote(b"plain name.txt") == "plain name.txt"
    header = f"{MARK}{'a' * 40}\x1fAnn\x1fann@example.com\x1f2024-01-01T00:00:00+00:00\x1fsubject"
    raw = f":100644 100644 {'1' * 40} {'2' * 40} R087\told name\tnew name"
    patch = (
        "diff --git a/old name b/new name\n--- a/old name\t\n+++ b/new name\t\n"
        "@@ -1,0 +2,3 @@\n+++ not a header\n+x\n+y\n@@ -9 +12 @@\n-old\n+new\n"
    )
    (diff,) = parse_diffs(f"{header}\n{raw}\n\n{patch}".encode())
    assert diff.commit is not None and diff.commit.summary == "subject"
    assert [(c.status, c.path, c.new_oid) for c in diff.changes] == [("R", "new name", "2" * 40)]
    assert diff.added == {"new name": [(2, 3), (12, 1)]}


def test_shallow_clone_without_the_merge_base_says_to_fetch_more(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    build(origin, [({"README.md": "hi\n"}, "init"), ({"a.txt": "a\n"}, "two")])
    git(origin, "checkout", "-q", "-b", "pr")
    build(origin, [({"pr.txt": key_line(KEY_ID)}, "pr")], start=2)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{origin}", str(clone))
    proc = run_cli("diff", "--base", "origin/main", "--head", "origin/pr", *ENGINE, cwd=clone)
    assert proc.returncode == 2
    assert "no common ancestor" in proc.stderr and "fetch-depth: 0" in proc.stderr


def test_filter_raw_log_keeps_only_commits_touching_the_asked_blobs() -> None:
    from scanner.git.parse import MARK, filter_raw_lines, filter_raw_log, lines_naming

    def header(sha: str, subject: str) -> bytes:
        return (
            f"{MARK}{sha * 40}\x1fAnn\x1fann@example.com\x1f2024-01-01T00:00:00+00:00\x1f{subject}\n".encode()
        )

    wanted, other = "a" * 40, "b" * 40
    log = [
        header("1", "adds it"),
        b"\n",
        f":000000 100644 {'0' * 40} {wanted} A\tsecret.env\n".encode(),
        f":000000 100644 {'0' * 40} {other} A\tREADME\n".encode(),
        header("2", "unrelated"),
        f":100644 100644 {other} {'c' * 40} M\tREADME\n".encode(),
        header("3", "removes it"),
        f':100644 000000 {wanted} {"0" * 40} D\t"odd\\tname.env"\n'.encode(),
        header("5", f"mentions {wanted} in its subject only"),
        f":100644 100644 {other} {'e' * 40} M\tREADME\n".encode(),
        header("4", "odd mode layout"),
        f":40000 100644 {'d' * 40} {wanted} T\tdir".encode(),  # the log's last line: no newline
    ]
    diffs = list(filter_raw_log(log, {wanted.encode()}))
    assert [d.commit.summary for d in diffs if d.commit] == ["adds it", "removes it", "odd mode layout"]
    assert [(c.status, c.path) for d in diffs for c in d.changes] == [
        ("A", "secret.env"),
        ("D", "odd\tname.env"),
        ("T", "dir"),
    ]
    # The same, finding the lines that name the blob first (Hyperscan) and reading only those.
    whole = b"".join(log)
    starts = lines_naming(whole, {wanted.encode()})
    if starts is not None:
        assert list(filter_raw_lines(whole, starts, {wanted.encode()})) == diffs


def test_a_history_walk_that_fails_names_git_and_its_message(tmp_path: Path) -> None:
    import pytest

    from scanner.errors import GitError
    from scanner.git import BlobLog

    build(tmp_path, [({"a.txt": "a\n"}, "one")])
    with BlobLog(tmp_path, ["no-such-ref"]) as log, pytest.raises(GitError, match="git log failed"):
        log.diffs(["a" * 40])
