"""A fleet run: a task per repository (or per shard of a split one), dispatched to a backend, each outcome
put together with what the state file kept, the state saved as repositories finish (so Ctrl-C loses only
what was running), one result per repository for the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.fleet import merge
from scanner.fleet.repos import RepoSpec
from scanner.fleet.state import State, load, save
from scanner.fleet.task import Outcome, Task
from scanner.model import ScanResult
from scanner.settings import Settings

if TYPE_CHECKING:
    from scanner.baseline import Baseline
    from scanner.fleet.backends import Executor

SAVE_EVERY = 2.0  # seconds between state writes while repositories finish (and once at the end)


@dataclass(frozen=True, slots=True)
class FleetOptions:
    state: Path | None = None
    full: bool = False  # ignore what the state recorded: audit every repository afresh
    timeout: float | None = None  # per task
    baseline: Baseline | None = None  # the fleet's, applied after each repository's own
    baseline_path: str | None = None


@dataclass(slots=True)
class RepoResult:
    """One repository's part of the report."""

    spec: RepoSpec
    status: str  # audited | incremental | unchanged | failed
    result: ScanResult
    seconds: float = 0.0
    error: str = ""


@dataclass(slots=True)
class _Gathering:
    """The outcomes of one repository's tasks, until all are in."""

    spec: RepoSpec
    parts: list[Outcome] = field(default_factory=list)


def audit(
    specs: list[RepoSpec],
    settings: Settings,
    options: FleetOptions,
    executor: Executor,
    notify: Callable[[RepoResult], None] = lambda repo: None,
) -> list[RepoResult]:
    """Audit every repository; the results in the order of `specs`."""
    from scanner.fleet.backends import outcomes

    state = load(options.state) if options.state is not None else State()
    tasks = [task for spec in specs for task in _tasks(spec, settings, state, options)]
    waiting = {spec.name: _Gathering(spec) for spec in specs}
    done: dict[str, RepoResult] = {}
    saved = time.monotonic()
    try:
        for outcome in outcomes(executor, tasks, options.timeout):
            gathering = waiting[outcome.name]
            gathering.parts.append(outcome)
            if len(gathering.parts) < gathering.spec.split:
                continue
            done[outcome.name] = _finished(gathering, state, settings.show_secrets)
            notify(done[outcome.name])
            if options.state is not None and time.monotonic() - saved > SAVE_EVERY:
                save(state, options.state)
                saved = time.monotonic()
    finally:  # also on Ctrl-C: what finished is kept, a rerun resumes from it
        if options.state is not None:
            save(state, options.state)
    return [done[spec.name] for spec in specs]


def _tasks(spec: RepoSpec, settings: Settings, state: State, options: FleetOptions) -> list[Task]:
    prior = None if options.full else state.prior(spec.name)
    shards = [None] if spec.split <= 1 else [(i, spec.split) for i in range(spec.split)]
    return [
        Task(spec, settings, state.key, options.baseline, prior, shard, options.baseline_path)
        for shard in shards
    ]


def _finished(gathering: _Gathering, state: State, show_secrets: bool) -> RepoResult:
    """The repository's result from its outcomes (and the state), recorded in the state when it is new."""
    spec, parts = gathering.spec, gathering.parts
    seconds = max(p.seconds for p in parts)
    failed = [p for p in parts if p.status == "failed"]
    if failed:
        return _failure(spec, failed[0].error, seconds)
    statuses = {p.status for p in parts}
    if statuses == {"unchanged"}:
        stored, _ = state.stored(spec.name)
        return RepoResult(spec, "unchanged", stored, seconds)
    if "unchanged" in statuses:  # shards that saw different commits: the repository moved meanwhile
        return _failure(spec, "the repository changed while it was audited; run again", seconds)
    keyed = merge.shards(parts) if len(parts) > 1 else _keyed(parts[0])
    status = parts[0].status
    if status == "incremental":
        keyed = merge.incremental(state.stored(spec.name), keyed)
    result, keys = keyed
    state.record(parts[0], result, keys, keep=not show_secrets)
    return RepoResult(spec, status, result, seconds)


def _keyed(outcome: Outcome) -> merge.Keyed:
    assert outcome.result is not None  # only a failed or unchanged outcome has none
    return outcome.result, outcome.keys


def _failure(spec: RepoSpec, error: str, seconds: float) -> RepoResult:
    result = ScanResult(mode="history", target=spec.name, errors=[f"not audited: {error}"])
    return RepoResult(spec, "failed", result, seconds, error)
