"""`secretscan pre-receive`: a real bare server repository with the hook installed, pushed to by real
`git push` (issue 15 §3)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli, secretscan_command
from tests.helpers.gitrepo import (
    ENGINE,
    KEY_ID,
    KEY_ID_2,
    aws_config,
    build,
    git,
    key_line,
    private_key,
    secret_key,
)

OLD = {"id_rsa": private_key(1), "aws.ini": aws_config(KEY_ID, secret_key(1)), "README.md": "hi\n"}


def install(server: Path, *args: str) -> None:
    hook = server / "hooks" / "pre-receive"
    command = shlex.join([*secretscan_command(), "pre-receive", *ENGINE, *args])
    hook.write_text(f"#!/bin/sh\nexec {command}\n")
    hook.chmod(0o755)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A work repository whose main (holding old secrets) a bare server with the hook already has."""
    work = tmp_path / "work"
    build(work, [(OLD, "old secrets, pushed before the hook")])
    server = tmp_path / "server.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(server)], check=True)
    git(work, "remote", "add", "origin", str(server))
    git(work, "fetch", "-q", "origin")
    install(server)
    return work, server


def push(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(work), "push", "origin", *args], capture_output=True, text=True, check=False
    )


def branch(work: Path, name: str, files: dict[str, str | None], start: str = "main") -> None:
    git(work, "checkout", "-q", "-B", name, start)
    build(work, [(files, name)], start=1)


def test_a_new_branch_with_a_secret_is_rejected_and_one_without_passes(pair: tuple[Path, Path]) -> None:
    work, server = pair
    branch(work, "leak", {"app.py": key_line(KEY_ID_2)})
    rejected = push(work, "leak")
    assert rejected.returncode != 0
    assert (
        "app.py" in rejected.stderr and "Push rejected" in rejected.stderr and "rebase -i" in rejected.stderr
    )
    assert KEY_ID_2 not in rejected.stderr
    assert git(server, "branch", "--list", "leak") == ""
    branch(work, "clean", {"app.py": "print('hello')\n"})
    passed = push(work, "clean")
    assert passed.returncode == 0, passed.stderr


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"id_rsa": private_key(2)}, id="regenerated-private-key"),
        pytest.param({"aws.ini": aws_config(KEY_ID, secret_key(2))}, id="new-secret-beside-old-key-id"),
    ],
)
def test_a_changed_secret_on_an_unchanged_line_is_rejected(
    pair: tuple[Path, Path], files: dict[str, str]
) -> None:
    work, _ = pair
    branch(work, "rotate", files)
    assert push(work, "rotate").returncode != 0


def test_moved_old_secrets_pass(pair: tuple[Path, Path]) -> None:
    work, _ = pair
    git(work, "checkout", "-q", "-b", "move")
    git(work, "mv", "aws.ini", "creds.ini")
    git(work, "mv", "id_rsa", "id_rsa.old")
    build(work, [({"copy/id_rsa": OLD["id_rsa"]}, "move and copy")], start=1)
    passed = push(work, "move")
    assert passed.returncode == 0, passed.stderr


def test_markers_are_refused_when_the_server_says_so(pair: tuple[Path, Path]) -> None:
    work, server = pair
    marked = f"id = '{KEY_ID_2}'  # secretscan:allow\nsecret = '{secret_key(3)}'  # secretscan:allow\n"
    branch(work, "marked", {"creds.py": marked})
    passed = push(work, "marked")
    assert passed.returncode == 0 and "2 suppressed (2 by inline marker)" in passed.stderr
    install(server, "--no-inline-allow")
    branch(work, "marked2", {"creds2.py": marked.replace("id =", "key_id =")})
    assert push(work, "marked2").returncode != 0


def test_deletions_tags_and_force_pushes(pair: tuple[Path, Path]) -> None:
    work, server = pair
    branch(work, "topic", {"notes.txt": "fine\n"})
    assert push(work, "topic").returncode == 0
    git(work, "tag", "-a", "v1", "-m", "release")
    assert push(work, "v1").returncode == 0  # an annotated tag of known commits brings nothing new
    # A force push that rewrites the branch: only its new commit is scanned, and it adds a secret.
    branch(work, "topic", {"leak.txt": key_line(KEY_ID_2)})
    assert push(work, "--force", "topic").returncode != 0
    # A tag of a new commit holding a secret is rejected too.
    git(work, "tag", "-a", "v2", "-m", "leaky release")
    assert push(work, "v2").returncode != 0
    assert push(work, "--delete", "topic").returncode == 0
    assert git(server, "branch", "--list", "topic") == ""


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    build(tmp_path, [({"a": "b\n"}, "init")])
    proc = run_cli("pre-receive", *ENGINE, cwd=tmp_path, stdin="not a ref update\n")
    assert proc.returncode == 2 and "old-id" in proc.stderr
