"""The repositories file: one path or clone URL per line, or a JSON object per line with options of its own
(`{"repo": "...", "branch": ["main"], "since": "v2.0", "max_commits": 500, "split": 4}`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import UsageError

_KEYS = {"repo", "name", "branch", "branches", "refs", "since", "max_commits", "max-commits", "split"}


@dataclass(frozen=True, slots=True)
class RepoSpec:
    """One repository to audit and the options of its audit."""

    source: str  # a path (absolute once read) or a clone URL
    name: str  # how reports and the state file name it: the line as written, or "name"
    branches: tuple[str, ...] = ()
    since: str | None = None
    max_commits: int | None = None
    split: int = 1  # tasks sharing the audit (scanner/fleet/shard.py)

    def options(self) -> dict[str, Any]:
        """What, besides the repository, decides its findings (the state file keys reuse on it)."""
        return {"branches": list(self.branches), "since": self.since, "max_commits": self.max_commits}


def read(path: Path) -> list[RepoSpec]:
    """Every repository `path` lists; blank lines and lines starting with # are skipped. Relative paths are
    read from the file's folder. Raises UsageError naming the line of a mistake."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read repositories file {path}: {exc}") from exc
    specs: list[RepoSpec] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            spec = _from_json(json.loads(line)) if line.startswith("{") else RepoSpec(line, _named(line))
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{path}:{number}: {exc}") from None
        specs.append(_anchored(spec, path.parent))
    names = [s.name for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"{path}: repositories listed twice (give each a distinct 'name'): {twice}")
    if not specs:
        raise UsageError(f"{path}: no repositories listed")
    return specs


def _from_json(doc: object) -> RepoSpec:
    if not isinstance(doc, dict):
        raise ValueError("a JSON line must be an object")
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}; known: {sorted(_KEYS)}")
    source = doc.get("repo")
    if not isinstance(source, str) or not source:
        raise ValueError("'repo' (a path or clone URL) is required")
    refs = doc.get("branches", doc.get("branch", doc.get("refs", [])))
    refs = [refs] if isinstance(refs, str) else refs
    if not isinstance(refs, list) or not all(isinstance(r, str) and r for r in refs):
        raise ValueError("'branch' must be a ref or a list of refs")
    since = doc.get("since")
    if since is not None and not isinstance(since, str):
        raise ValueError("'since' must be a date or a revision")
    most = doc.get("max_commits", doc.get("max-commits"))
    split = doc.get("split", 1)
    for key, value in (("max_commits", most), ("split", split)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"'{key}' must be a whole number of at least 1")
    name = doc.get("name", _named(source))
    if not isinstance(name, str) or not name:
        raise ValueError("'name' must be a non-empty string")
    return RepoSpec(source, name, tuple(refs), since, most, split)


def _named(source: str) -> str:
    """A repository's default name: its source less any credentials a URL carries."""
    from scanner import git

    return git.without_userinfo(source)


def _anchored(spec: RepoSpec, folder: Path) -> RepoSpec:
    """A relative path is read from the repositories file's folder: the file means the same from anywhere."""
    from scanner import git

    if git.is_url(spec.source) or Path(spec.source).is_absolute():
        return spec
    source = str((folder / spec.source).absolute())
    return RepoSpec(source, spec.name, spec.branches, spec.since, spec.max_commits, spec.split)
