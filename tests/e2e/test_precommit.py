"""The hooks: the pre-commit framework running this repository's .pre-commit-hooks.yaml, and the plain git hook
written by `secretscan install-hook`. Real `git commit`s run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli
from tests.helpers.gitrepo import AWS_CONFIG, ENGINE, KEY_ID, build, git, init, key_line, write

PROJECT = Path(__file__).resolve().parents[2]
MANIFEST = PROJECT / ".pre-commit-hooks.yaml"


def tool_env(tmp_path: Path) -> dict[str, str]:
    """The installed secretscan on PATH; pre-commit's store inside the test's folder."""
    bindir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300)


def offline_language() -> str:
    """Run the hook with the secretscan installed in this environment instead of letting pre-commit build a
    virtualenv from PyPI: tests never leave 127.0.0.1. The manifest's id, entry and file passing are used."""
    from pre_commit.all_languages import languages

    return "unsupported" if "unsupported" in languages else "system"


def hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """A git repository holding this project's hook manifest, as pre-commit fetches it."""
    repo = tmp_path / "hookrepo"
    init(repo)
    shutil.copy(MANIFEST, repo / ".pre-commit-hooks.yaml")
    (sha,) = build(repo, [({}, "hooks")])
    return repo, sha


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    hooks, sha = hook_repository(tmp_path)
    repo = tmp_path / "project"
    config = (
        "repos:\n"
        f"  - repo: {hooks}\n"
        f"    rev: {sha}\n"
        "    hooks:\n"
        "      - id: secretscan\n"
        f"        language: {offline_language()}\n"
        f"        args: [{', '.join(ENGINE)}]\n"
    )
    build(repo, [({".pre-commit-config.yaml": config, "old.txt": key_line(KEY_ID)}, "init")])
    return repo


def test_manifest_is_valid() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_run_files_scans_the_named_file(user_repo: Path, tmp_path: Path) -> None:
    env = tool_env(tmp_path)
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "secretscan"]
    found = run([*pre_commit, "--files", "old.txt"], user_repo, env)
    assert found.returncode == 1, found.stdout + found.stderr
    assert "AWS access key ID" in found.stdout and "old.txt" in found.stdout
    assert KEY_ID not in found.stdout
    write(user_repo, {"clean.txt": "nothing to see\n"})
    clean = run([*pre_commit, "--files", "clean.txt"], user_repo, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_pre_commit_blocks_a_commit_that_adds_a_secret(user_repo: Path, tmp_path: Path) -> None:
    env = tool_env(tmp_path)
    installed = run([sys.executable, "-m", "pre_commit", "install"], user_repo, env)
    assert installed.returncode == 0, installed.stderr
    write(user_repo, {"creds.ini": AWS_CONFIG, "old.txt": key_line(KEY_ID) + "edited\n"})
    git(user_repo, "add", "-A")
    blocked = run(["git", "commit", "-m", "leak"], user_repo, env)
    assert blocked.returncode != 0
    shown = blocked.stdout + blocked.stderr  # git passes hook output on stderr
    assert "creds.ini" in shown and "secretscan:allow" in shown
    # The hint's command runs where the user is (issue 15 §5): here secretscan is on PATH.
    assert "baseline: secretscan baseline update" in shown and shutil.which("secretscan", path=env["PATH"])
    # The old secret in old.txt is on an unchanged line: only the new file is reported.
    assert "old.txt" not in shown
    git(user_repo, "rm", "-q", "--cached", "creds.ini")
    passed = run(["git", "commit", "-q", "-m", "edit only"], user_repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_pre_commit_lets_a_renamed_old_secret_through(user_repo: Path, tmp_path: Path) -> None:
    # pre-commit passes only the new path of a `git mv`: the old secret it holds is not new (issue 15 §1).
    env = tool_env(tmp_path)
    assert run([sys.executable, "-m", "pre_commit", "install"], user_repo, env).returncode == 0
    git(user_repo, "mv", "old.txt", "moved.txt")
    passed = run(["git", "commit", "-m", "rename"], user_repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_install_hook_blocks_commits_and_never_overwrites_silently(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    build(repo, [({"README.md": "hi\n"}, "init")])
    installed = run_cli("install-hook", "--", *ENGINE, cwd=repo)
    assert installed.returncode == 0, installed.stderr
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK) and "secretscan" in hook.read_text()
    write(repo, {"creds.ini": AWS_CONFIG})
    git(repo, "add", "-A")
    blocked = subprocess.run(["git", "commit", "-m", "leak"], cwd=repo, capture_output=True, text=True)
    assert blocked.returncode != 0 and "creds.ini" in blocked.stderr  # git shows hook output on stderr
    assert run_cli("install-hook", "--", *ENGINE, cwd=repo).returncode == 0  # same hook again: nothing to do

    hook.write_text("#!/bin/sh\necho mine\n")
    refused = run_cli("install-hook", cwd=repo)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    forced = run_cli("install-hook", "--force", "--", *ENGINE, cwd=repo)
    assert forced.returncode == 0 and "replaced" in forced.stderr
    assert "secretscan" in hook.read_text()


def test_install_hook_honours_core_hooks_path(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init(repo)
    git(repo, "config", "core.hooksPath", "githooks")
    assert run_cli("install-hook", cwd=repo).returncode == 0
    assert (repo / "githooks" / "pre-commit").is_file()


@pytest.mark.skipif(
    not os.environ.get("SECRETSCAN_NETWORK_TESTS"),
    reason="pre-commit builds the hook's virtualenv from PyPI; set SECRETSCAN_NETWORK_TESTS=1 to run",
)
def test_pre_commit_try_repo_installs_and_runs_the_real_hook(tmp_path: Path) -> None:
    clone = tmp_path / "secretscan"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
    repo = tmp_path / "project"
    build(repo, [({"leak.txt": key_line(KEY_ID)}, "init")])
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(clone), "secretscan"]
    found = run([*pre_commit, "--files", "leak.txt"], repo, env)
    assert found.returncode == 1 and "leak.txt" in found.stdout, found.stdout + found.stderr
