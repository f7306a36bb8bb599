"""Recipes that build throwaway git repositories with stable SHAs: fixed identities and one fixed date per
commit, so tests can assert exact commit ids. Git is driven through subprocess, never through our code."""

from __future__ import annotations

import base64
import os
import random
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Pattern-valid fake AWS credentials (rules/aws.yaml examples): never real, always detected.
KEY_ID = "AKIAUJZDEGXDNCF32EPF"
SECRET_KEY = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
KEY_ID_2 = "AKIAEUVW75EFR6EDT4SY"
MORE_KEY_IDS = (
    "AKIA3DHODZDOCIS2JHTL",
    "AKIAGMXGEDN73U55XTPL",
    "AKIAPFT7V4SEH2KVJ72C",
    "AKIAWB5WKH7DNSIPZZ7F",
)
AWS_CONFIG = f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"

# These tests are about git, not pattern matching: the pure-Python engine starts at once, where a Hyperscan
# database must first be compiled (the matcher has its own tests).
ENGINE = ("--engine", "python")

Files = Mapping[str, "str | bytes | None"]  # path -> content, or None to delete


def private_key(seed: int) -> str:
    """A pattern-valid fake RSA private key block (random bytes in one DER sequence), one per seed: a
    "regenerated" key is the same seed + 1. Never a real key."""
    body = bytes([0x30, 0x82, 0x01, 0x00]) + random.Random(seed).randbytes(256)
    text = base64.b64encode(body).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"


def secret_key(seed: int) -> str:
    """A pattern-valid fake AWS secret access key (40 characters of the key alphabet), one per seed."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(40))


def aws_config(key_id: str, secret: str) -> str:
    return f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"


def key_line(key_id: str) -> str:
    return f"aws_access_key_id = {key_id}\n"


def git(repo: Path, *args: str, date: int = 0, stdin: str | None = None) -> str:
    """Run git in `repo` with author and committer dated 2024-01-(1 + date) so SHAs never vary."""
    stamp = f"2024-01-{1 + date:02d}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def init(repo: Path, *args: str) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", *args, str(repo)], check=True)
    return repo


def write(repo: Path, files: Files) -> None:
    for path, content in files.items():
        target = repo / path
        if content is None:
            target.unlink()
        elif isinstance(content, bytes):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)


def commit(repo: Path, files: Files, message: str, date: int) -> str:
    """Write `files`, stage everything, commit; return the new commit's SHA."""
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


def build(repo: Path, recipe: list[tuple[Files, str]], start: int = 0) -> list[str]:
    """Apply ordered commits of {path: content or None}; return their SHAs (one day apart)."""
    if not (repo / ".git").exists():
        init(repo)
    return [commit(repo, files, message, start + i) for i, (files, message) in enumerate(recipe)]
