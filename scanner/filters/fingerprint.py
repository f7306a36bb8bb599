"""Keyed fingerprints (issue 14 §3): a report must not let its reader confirm a guessed secret.

A plain hash of rule + secret + path would: hash a guessed password, compare. So every fingerprint a report
shows is HMAC-SHA256 under a key the report does not hold. The key must also stay the same from run to run,
or code scanning would close and reopen every alert on each fresh CI runner. In order:

1. `SECRETSCAN_FINGERPRINT_KEY`: set it from a CI secret for identities no repository reader can recompute;
2. the baseline's key, when a baseline is in use (the file is committed, so every runner shares it);
3. a key derived from the repository's root commits: stable on every clone, and knowable only to those who
   can read the repository, who can read its secrets anyway;
4. outside a repository, a random key kept in this user's private cache folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
from pathlib import Path

from scanner.cachedir import private_or_none, user_cache
from scanner.engine import fingerprint
from scanner.errors import GitError
from scanner.git.run import run
from scanner.model import Finding, ScanResult

ENV_KEY = "SECRETSCAN_FINGERPRINT_KEY"
_DOMAIN = b"secretscan fingerprint key v1\0"


def rekey(result: ScanResult, key: bytes) -> None:
    """Replace every finding's fingerprint by the keyed one, the baseline's triaged findings' too (reports
    show them)."""

    def keyed(f: Finding) -> Finding:
        return dataclasses.replace(f, fingerprint=fingerprint(f.rule_id, f.secret, f.path, key))

    result.findings = [keyed(f) for f in result.findings]
    result.triaged = [dataclasses.replace(t, finding=keyed(t.finding)) for t in result.triaged]


def fingerprint_key(root: Path, baseline_key: bytes | None) -> bytes:
    """The key for this run's fingerprints, by the order in the module's docstring."""
    if env := os.environ.get(ENV_KEY):
        return hashlib.sha256(_DOMAIN + env.encode("utf-8", "surrogateescape")).digest()
    if baseline_key:
        return hashlib.sha256(_DOMAIN + baseline_key).digest()
    roots = _root_commits(root)
    if roots:
        return hashlib.sha256(_DOMAIN + "\0".join(roots).encode()).digest()
    return _machine_key()


def _root_commits(root: Path) -> list[str]:
    """The parentless commits HEAD reaches, sorted; none outside a repository or in an empty one."""
    try:
        out = run(root, "rev-list", "--max-parents=0", "HEAD", "--")
    except GitError:
        return []
    return sorted(out.decode().split())


def _machine_key() -> bytes:
    """A random key kept in the user's cache folder (private, 0600); a fresh one per run where none can
    be kept: fingerprints then change between runs, but never become plain hashes."""
    folder = private_or_none(user_cache())
    if folder is None:
        return secrets.token_bytes(32)
    path = folder / "fingerprint.key"
    kept = _read_key(path)
    if kept is not None:
        return kept
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run wrote it meanwhile: use theirs
        return _read_key(path) or key
    except OSError:
        return key
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex())
    return key


def _read_key(path: Path) -> bytes | None:
    """The kept key, or None when there is none, it cannot be read, or it is empty (an empty key would
    make fingerprints plain hashes again)."""
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip()) or None
    except (OSError, ValueError):
        return None
