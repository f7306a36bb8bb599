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

import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import tempfile
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
    """The parentless commits HEAD reaches, sorted; none outside a repository or in an empty one.

    Finding them walks the whole history (moto's 10,800 commits: 40 ms of a hook's run), so they are kept
    per commit in the cache folder: a commit's ancestry never changes. A commit's roots are its parents';
    else those of the commits git walks from HEAD to the last commit kept, and that commit's (_roots_since).
    Not in a shallow clone, whose roots move as it deepens."""
    try:
        out = run(root, "rev-parse", "--is-shallow-repository", "HEAD", "HEAD^@", "--").decode().split()
    except GitError:
        return []
    shallow, head, parents = out[0] == "true", out[1], [p for p in out[2:] if p != "--"]
    kept = {} if shallow else _kept_roots()
    roots = kept.get(head)
    if roots is not None:
        return roots
    if not parents:
        roots = [head]
    elif all(parent in kept for parent in parents):
        roots = sorted({r for parent in parents for r in kept[parent]})
    elif kept:
        with contextlib.suppress(GitError):  # then the whole walk, as below
            roots = _roots_since(root, *next(iter(kept.items())))
    if roots is None:
        try:
            roots = sorted(run(root, "rev-list", "--max-parents=0", "HEAD", "--").decode().split())
        except GitError:
            return []
    if not shallow:
        _keep_roots(kept, head, roots)
    return roots


def _roots_since(root: Path, known: str, known_roots: list[str]) -> list[str] | None:
    """HEAD's roots from those of a commit `known` (None when they cannot be told apart without the whole
    walk). git lists the commits HEAD reaches and `known` does not, and the boundary: commits `known`
    reaches that they stand on. HEAD's roots are the parentless commits listed, and those of the boundary:
    all of `known`'s when it is itself on the boundary (HEAD reaches it), or when it has a single root
    (every commit it reaches has that root too)."""
    # The cache serves every repository: a commit of another one is ignored, and all of HEAD's is listed.
    args = ("--parents", "--boundary", "--ignore-missing", "HEAD", "--not", known, "--")
    out = run(root, "rev-list", *args).decode().splitlines()
    listed = [line.split() for line in out if line and not line.startswith("-")]
    boundary = {line.split()[0][1:] for line in out if line.startswith("-")}
    roots = {shas[0] for shas in listed if len(shas) == 1}
    if listed and not boundary:  # no history in common
        return sorted(roots)
    if known in boundary or len(known_roots) == 1:  # (nothing listed: `known` reaches HEAD)
        return sorted(roots | set(known_roots))
    return None


_ROOTS_FILE = "roots.json"
_ROOTS_KEPT = 64  # commits remembered, the latest first: a hook needs only the HEAD of the last commit


def _kept_roots() -> dict[str, list[str]]:
    folder = private_or_none(user_cache())
    if folder is None:
        return {}
    try:
        data = json.loads((folder / _ROOTS_FILE).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        head: roots
        for head, roots in data.items()
        if isinstance(roots, list) and roots and all(isinstance(r, str) and r.isalnum() for r in roots)
    }


def _keep_roots(kept: dict[str, list[str]], head: str, roots: list[str]) -> None:
    """Remember `roots` for `head` (the file replaced whole: a concurrent run loses an entry at worst)."""
    folder = private_or_none(user_cache())
    if folder is None:
        return
    latest = {head: roots, **{h: r for h, r in kept.items() if h != head}}
    data = json.dumps(dict(list(latest.items())[:_ROOTS_KEPT]))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".roots-")
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(data)
        os.replace(tmp, folder / _ROOTS_FILE)
    except OSError:
        pass  # a read-only cache: the next run walks again


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
