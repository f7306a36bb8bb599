"""One task of a fleet: audit one repository (or one shard of it) exactly as `secretscan history` does, in
whatever process runs it (a local pool worker, a Dask worker), and return plain data: findings sealed
(transit.py), the ref tips audited, a digest of everything else that decides the findings.

A task never raises for a repository it cannot audit (clone error, corrupt object, bad config): it returns a
failed outcome and the fleet goes on (issue 20 §3)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from scanner import __version__
from scanner.errors import SecretscanError
from scanner.fleet.repos import RepoSpec
from scanner.model import ScanResult
from scanner.settings import Settings

if TYPE_CHECKING:
    from scanner.baseline import Baseline
    from scanner.pipeline import Setup

Status = Literal["audited", "incremental", "unchanged", "failed"]
# Settings that change how a run looks or how fast it goes, never what it finds.
_COSMETIC = {"format", "output", "no_color", "quiet", "verbose", "jobs", "cache", "no_cache", "repo", "shard"}


@dataclass(frozen=True, slots=True)
class Prior:
    """What the state file recorded of the repository's last finished audit."""

    tips: dict[str, str]  # ref -> commit audited
    recipe: str  # digest of rules, config, baselines, options and version
    # (introducing commit, path) of each recorded finding still at the head then: if new commits took one
    # away, its status changed, which only a full audit tells.
    present: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Task:
    spec: RepoSpec
    settings: Settings  # the fleet's options for a history audit (no repository yet)
    key: bytes = field(repr=False)  # keys the findings' digests (the state file's)
    baseline: Baseline | None = None  # the fleet's --baseline, after each repository's own
    prior: Prior | None = None
    shard: tuple[int, int] | None = None  # (index, count) when the repository is split
    baseline_path: str | None = None  # where the fleet's baseline was read (its paths are relative to it)


@dataclass(slots=True)
class Outcome:
    name: str
    status: Status
    tips: dict[str, str] = field(default_factory=dict)
    recipe: str = ""
    rules: str = ""  # the engine's digest (rules, allowlists, the repository's config): part of the recipe
    result: ScanResult | None = None  # sealed unless --show-secrets; None when unchanged or failed
    keys: list[str] = field(default_factory=list)  # the digest of each finding, in order
    ages: dict[str, int] = field(default_factory=dict)  # a split audit: commit -> position, oldest first
    error: str = ""
    seconds: float = 0.0
    shard: tuple[int, int] | None = None


def run(task: Task) -> Outcome:
    """Audit the task's repository; a repository that cannot be audited gives a failed outcome."""
    from scanner import git

    started = time.monotonic()
    name = task.spec.name
    try:
        with git.open_repository(task.spec.source) as repo:
            outcome = _audit(task, repo)
    except (SecretscanError, OSError) as exc:
        outcome = Outcome(name, "failed", error=git.without_userinfo(str(exc)) or type(exc).__name__)
    outcome.seconds = time.monotonic() - started
    outcome.shard = task.shard
    return outcome


def _audit(task: Task, repo: Path) -> Outcome:
    from scanner.collect import audit_history
    from scanner.pipeline import prepare

    spec = task.spec
    settings = dataclasses.replace(
        task.settings,
        repo=spec.source,
        branches=spec.branches,
        since=spec.since,
        max_commits=spec.max_commits,
        shard=task.shard,
    )
    setup = prepare(settings)
    tips, recipe = ref_tips(repo, spec.branches), _recipe(task, setup)
    prior = task.prior
    if prior is not None and prior.recipe == recipe and prior.tips == tips:
        return Outcome(spec.name, "unchanged", tips, recipe, setup.engine.digest)
    status: Status = "audited"
    if prior is not None and prior.recipe == recipe and task.shard is None and _still_there(repo, prior):
        known = _present(repo, set(prior.tips.values()))
        if known:  # only what is new since the last audit (its findings are kept by the merge)
            setup = dataclasses.replace(
                setup, settings=dataclasses.replace(setup.settings, exclude_commits=known)
            )
            status = "incremental"
    result = audit_history(setup, repo)
    keys = _finish(task, setup, result)
    ages = _ages(repo, spec.branches) if task.shard is not None and result.findings else {}
    return Outcome(spec.name, status, tips, recipe, setup.engine.digest, result, keys, ages)


def _finish(task: Task, setup: Setup, result: ScanResult) -> list[str]:
    """What `finish` does before it reports: the repository's baseline and --min-confidence, then the
    fleet's baseline; the findings sorted, their digests taken, then sealed for the wire."""
    from scanner.fleet.transit import digest, seal
    from scanner.pipeline import filter_findings, settle, verify
    from scanner.report.printable import hidden_summaries

    filter_findings(setup, result)
    if task.baseline is not None:
        _fleet_baseline(task, setup, result)
    settle(setup, result)
    verify(setup.settings, result)  # offline only (the command refuses live checks): canary marks
    keys = [digest(task.key, f) for f in result.findings]
    if not setup.settings.show_secrets:
        sealed = seal(hidden_summaries(result))
        result.findings, result.dropped = sealed.findings, sealed.dropped
    return keys


def _fleet_baseline(task: Task, setup: Setup, result: ScanResult) -> None:
    """The fleet's baseline, after the repository's own: an entry covers a finding whose path it names as
    `history --baseline FILE` would in that repository (relative to the file's folder), or relative to the
    repository's root (one baseline for many repositories, wherever they are cloned)."""
    from scanner import git
    from scanner.baseline import path_mapper
    from scanner.filters.baseline import apply

    assert task.baseline is not None
    explain = setup.settings.explain
    if task.baseline_path is not None and not git.is_url(task.spec.source):
        apply(result, task.baseline, path_mapper(Path(task.baseline_path), setup.root), explain)
    apply(result, task.baseline, lambda origin: origin.path, explain)


def ref_tips(repo: Path, branches: tuple[str, ...]) -> dict[str, str]:
    """The commit each audited ref names: the --branch revisions, else every ref and HEAD."""
    from scanner import git

    if branches:
        return {b: git.resolve(repo, b) or "" for b in branches}
    out = git.run(repo, "for-each-ref", "--format=%(objectname) %(refname)").decode(
        "utf-8", "surrogateescape"
    )
    tips = {ref: sha for sha, _, ref in (line.partition(" ") for line in out.splitlines()) if ref}
    head = git.resolve(repo, "HEAD")
    if head:
        tips["HEAD"] = head
    return tips


def _still_there(repo: Path, prior: Prior) -> bool:
    """Whether each recorded finding that was at the head is, as the same blob, at the head still."""
    from scanner import git

    if not prior.present:
        return True
    head = next(iter(prior.tips)) if "HEAD" not in prior.tips else "HEAD"
    try:
        names = [f"{sha}:{path}" for sha, path in prior.present]
        # Each name starts with a commit id: never read as an option.
        then = set(git.run(repo, "rev-parse", *names).decode().split())
        now = {entry.oid for entry in git.tree(repo, head) if entry.kind == "blob"}
    except SecretscanError:
        return False
    return then <= now


def _present(repo: Path, shas: set[str]) -> tuple[str, ...]:
    """Those of `shas` the repository still holds as commits (a rewritten branch's old tip may be gone)."""
    from scanner import git

    return tuple(sorted(sha for sha in shas if sha and git.resolve(repo, sha) == sha))


def _ages(repo: Path, branches: tuple[str, ...]) -> dict[str, int]:
    """Each audited commit's position, oldest first, in the order attribution ranks introductions."""
    from scanner import git

    revs = list(branches) or ["--all", *git.stash_commits(repo)]
    try:
        shas = git.run(repo, "rev-list", *revs, "--").decode().split()
    except SecretscanError:  # a broken ref: the merge then ranks by commit date
        return {}
    return {sha: len(shas) - i for i, sha in enumerate(shas)}


def _recipe(task: Task, setup: Setup) -> str:
    """A digest of what decides the findings besides the commits: rules and config (the engine's digest),
    the repository's baseline, the fleet's baseline and options, the scanner's version."""
    settings = {k: v for k, v in dataclasses.asdict(task.settings).items() if k not in _COSMETIC}
    parts = {
        "version": __version__,
        "engine": setup.engine.digest,
        "baseline": _file_digest(setup.baseline_path),
        "fleet_baseline": sorted(e.key for e in task.baseline.entries) if task.baseline else None,
        "fleet_baseline_path": task.baseline_path,
        "options": task.spec.options(),
        "settings": settings,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _file_digest(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
