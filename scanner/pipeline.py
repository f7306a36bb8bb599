"""The steps around a scan: prepare (config, rules, engine, baseline) → the command collects a result →
filters → opt-in verification → one report → the exit code."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from scanner import __version__
from scanner.baseline import Baseline, locate, path_mapper
from scanner.baseline import load as load_baseline
from scanner.config import Config, apply_to_rules, discover, is_own_file, own_files, repository_root
from scanner.engine import Engine
from scanner.errors import UsageError
from scanner.filters.baseline import apply, warn_unused
from scanner.filters.confidence import keep_confident
from scanner.filters.fingerprint import fingerprint_key, rekey
from scanner.model import Finding, Provenance, Repository, ScanResult
from scanner.report import ReportContext, renderer
from scanner.rules import Rule, load_rules, rules_hash
from scanner.scheduler import ScanOptions
from scanner.settings import Settings

if TYPE_CHECKING:
    from scanner.verify import VerifyOptions

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Setup:
    """One run's resolved settings and what they built."""

    settings: Settings
    engine: Engine
    rules: dict[str, Rule]
    config: Config = field(default_factory=Config)
    root: Path = Path(".")  # where the config and baseline were looked for
    baseline: Baseline | None = None
    baseline_path: Path | None = None
    own_files: frozenset[str] = frozenset()  # absolute paths of our config and baseline: never scanned
    started: float = field(default_factory=time.time)  # when the run began, for the report's provenance
    clock: float = field(default_factory=time.monotonic)

    def is_own_file(self, path: str) -> bool:
        return is_own_file(path, self.own_files)


def prepare(settings: Settings) -> Setup:
    """Find the project config, resolve the settings with it, load the rules, build the engine, find the
    baseline."""
    started, clock = time.time(), time.monotonic()  # the report's duration counts loading the rules too
    root = settings.root()
    config = discover(root, settings.config)
    settings = settings.resolve(config)
    rules = load_rules(
        [*(Path(p) for p in settings.rule_paths), *config.rule_paths],
        builtin=settings.builtin_rules,
        disabled=settings.disabled_rules,
    )
    rules = apply_to_rules(rules, config, settings.disabled_rules)
    if not rules:
        raise UsageError("no rules to run")
    try:
        engine = Engine(rules, config.allowlist, backend=settings.backend, inline_allow=settings.inline_allow)
    except ImportError as exc:
        raise UsageError(f"--engine hyperscan: the hyperscan package is not installed ({exc})") from exc
    found = locate(settings.baseline, settings.no_baseline, config, root)
    baseline = None if found is None else load_baseline(found)
    rule_map = {r.id: r for r in rules}
    owned = own_files(config, found)
    return Setup(settings, engine, rule_map, config, root, baseline, found, owned, started, clock)


def scan_options(setup: Setup) -> ScanOptions:
    """How the scheduler runs for this command: workers, --explain, and the result cache if any."""
    from scanner.scheduler.cache import ResultCache, default_dir

    settings = setup.settings
    folder = None if settings.no_cache else (Path(settings.cache) if settings.cache else default_dir())
    cache = None if folder is None else ResultCache(folder, setup.engine.digest)
    if settings.shard is not None:
        from scanner.scheduler.shard import ShardCache

        cache = ShardCache(cache, *settings.shard)
    return ScanOptions(jobs=settings.jobs, explain=settings.explain, cache=cache)


def filter_findings(setup: Setup, result: ScanResult) -> bool:
    """Baseline, then --min-confidence; with --explain each removed finding is kept as Dropped with why.

    Returns True when --report-unused found baseline entries that matched nothing (the scan then fails).
    """
    settings = setup.settings
    stale = False
    if setup.baseline is not None and setup.baseline_path is not None:
        path_of = path_mapper(setup.baseline_path, setup.root)
        unused = apply(result, setup.baseline, path_of, settings.explain)
        if settings.report_unused:
            scanned = settings.paths if result.mode == "scan" else None
            stale = warn_unused(result, unused, path_of, scanned)
    keep_confident(result, settings.min_confidence, settings.explain)
    count_markers(result, settings.explain)
    return stale


def count_markers(result: ScanResult, explain: bool) -> None:
    """Count what inline markers suppressed: each secret once, whichever rules matched it and however many
    versions of its file a history holds. The engine keeps those drops even without --explain so they can
    be counted: then they go."""
    marked = {d.secret for d in result.dropped if d.reason == "inline-marker"}
    if marked:
        result.suppressed["inline-marker"] = len(marked)
    if not explain:
        result.dropped = []


def wants_color(no_color: bool, terminal: bool) -> bool:
    """--no-color, then NO_COLOR (https://no-color.org: set and not empty), then FORCE_COLOR (set, not empty
    and not 0: colour in a CI log that renders it), then whether stdout is a terminal."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force != "0"
    return terminal


def finish(setup: Setup, result: ScanResult, hints: tuple[str, ...] = ()) -> int:
    """Filter, verify, report and choose the exit code: 0 no findings, 1 findings (or unused baseline
    entries), 2 scan errors under --fail-on-error."""
    settings = setup.settings
    stale = filter_findings(setup, result)
    settle(setup, result)
    verify(settings, result)  # issue 4: opt-in, after filtering so dropped findings are never sent
    fmt = settings.format or "text"
    to_file = bool(settings.output)
    color = fmt == "text" and not to_file and wants_color(settings.no_color, sys.stdout.isatty())
    context = ReportContext(
        show_secrets=settings.show_secrets,
        color=color,
        rules=setup.rules,
        tool_version=__version__,
        explain=settings.explain,
        hints=hints,
        provenance=provenance(setup, result),
    )
    text = renderer(fmt)(result, context)
    if fmt == "github":
        from scanner.report.github import overflow

        too_many = overflow(text)
        if too_many is not None:
            notify(f"warning: {too_many}")
    if settings.output:
        try:
            Path(settings.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write report to {settings.output}: {exc.strerror or exc}") from exc
        print(
            f"secretscan: {len(result.findings)} finding(s); report written to {settings.output}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if settings.verbose:
        tell_left_out(result)
    faults = len(result.errors) + sum(s.fault for s in result.skipped)
    if settings.fail_on_error and faults:  # issue 15 §6: what was not scanned may hold a secret
        notify(f"{faults} scan error(s): failing (exit {EXIT_ERROR}; --no-fail-on-error to report them only)")
        return EXIT_ERROR
    if settings.fail_on != "any":  # issue 17 §1: `active` fails closed, `verified-active` only on proof
        from scanner.verify.outcome import fails_gate

        live = any(fails_gate(f.verification, settings.fail_on) for f in result.findings)
        return EXIT_FINDINGS if live or stale else EXIT_CLEAN
    return EXIT_FINDINGS if result.findings or stale else EXIT_CLEAN


def settle(setup: Setup, result: ScanResult) -> None:
    """The findings as reports show them: keyed fingerprints, then in report order."""
    if result.findings or result.triaged:  # a git call for the key only when a report shows fingerprints
        rekey(result, fingerprint_key(setup.root, setup.baseline.hmac_key if setup.baseline else None))
    result.findings = sorted(result.findings, key=report_order)


def report_order(finding: Finding) -> tuple[str, int, int, str, str]:
    """Where a finding is listed: by place, then by fingerprint, so two secrets at one place (a history's
    versions of one line) list in one order however the scan met them (a fleet's shards, issue 20)."""
    return (finding.path, finding.line, finding.column, finding.rule_id, finding.fingerprint)


def provenance(setup: Setup, result: ScanResult) -> Provenance:
    """How this report was made (issue 18 §1): repository, time, tool, rules and the options that change
    what is reported."""
    settings = setup.settings
    asked = [name for name, on in (("pair", settings.verify), ("owner", settings.verify_owner)) if on]
    verification = "+".join(asked) or "off"
    if asked and settings.verify_dry_run:
        verification = "dry-run"
    scope = [("branch", b) for b in settings.branches]
    scope += [
        (name, str(value))
        for name, value in (("since", settings.since), ("max-commits", settings.max_commits))
        if value is not None
    ]
    if settings.command == "diff":
        scope += [("base", settings.base), ("head", settings.head)]
    return Provenance(
        repository=result.repository or repository(settings),
        started=datetime.fromtimestamp(setup.started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        duration=round(time.monotonic() - setup.clock, 3),
        tool_version=__version__,
        rules_digest=_rules_digest(setup),
        rules=len(setup.rules),
        min_confidence=settings.min_confidence,
        baseline=str(setup.baseline_path) if setup.baseline_path is not None else "",
        inline_markers=settings.inline_allow,
        show_secrets=settings.show_secrets,
        verification=verification,
        scope=tuple(scope),
    )


def _rules_digest(setup: Setup) -> str:
    """The digest of the rules reported on: the engine's, computed once, when it runs those same rules."""
    rules = list(setup.rules.values())
    if rules == setup.engine.rules:
        return setup.engine.rules_digest
    return rules_hash(rules)


def repository(settings: Settings, opened: Path | None = None) -> Repository | None:
    """The repository the settings name (`opened`: where a URL was cloned to): its path or URL, branch,
    HEAD and origin. A folder scan names the repository holding its first folder, or the folder itself."""
    from scanner import git

    if settings.command == "scan":
        paths = [p for p in settings.paths if p != "-"]
        if not paths:
            return None
        first = Path(paths[0]).absolute()
        root = repository_root(first if first.is_dir() else first.parent)
        if root is None:
            return Repository(str(first))
        place = root
    else:
        place = (opened or Path(settings.repo or ".")).absolute()
    commit, branch, remote = git.head_facts(place)
    location = settings.repo if settings.repo and git.is_url(settings.repo) else str(place)
    return Repository(git.without_userinfo(location), remote, branch, commit)


def verify(settings: Settings, result: ScanResult) -> None:
    """The scanning commands' verification step: offline canary marks always, live checks when asked."""
    if not settings.verification:  # a command without the verification options
        return
    asked = settings.verify or settings.verify_owner
    if not asked and not any(f.rule_id == "aws-access-key-id" for f in result.findings):
        return  # nothing to mark: a clean pre-commit run never imports the verification layer
    from scanner.verify import verify_result

    if settings.fail_on != "any" and (not asked or settings.verify_dry_run):
        raise UsageError(  # a gate over checks that never run would pass every key (issue 17 §1)
            f"--fail-on {settings.fail_on} needs --verify or --verify-owner without --verify-dry-run "
            "(nothing is verified otherwise)"
        )
    verify_result(result, verify_options(settings, settings.verify, settings.verify_owner), notify)


def verify_options(settings: Settings, pair: bool, owner: bool) -> VerifyOptions:
    from scanner.verify import VerifyOptions

    dry_run = settings.verify_dry_run
    return VerifyOptions(
        pair=pair or (dry_run and not owner),
        owner=owner,
        dry_run=dry_run,
        profile=settings.profile,
        endpoint_url=settings.endpoint_url,
        region=settings.region,
        timeout=settings.verify_timeout,
        budget=settings.verify_budget,
        concurrency=settings.verify_concurrency,
        show_secrets=settings.show_secrets,
        partitions=settings.verify_partitions,
        skip_accounts=settings.verify_skip_accounts,
    )


def tell_left_out(result: ScanResult) -> None:
    """--verbose: on stderr, beside any report format, each thing not scanned and why, then what the
    exceptions suppressed."""
    for skipped in (*result.skipped, *result.ignored):
        notify(f"not scanned: {skipped.path}: {skipped.reason}")
    for kind, count in sorted(result.suppressed.items()):
        notify(f"suppressed: {count} finding(s) by {kind}")
    if result.below_min_confidence:
        notify(f"hidden: {result.below_min_confidence} finding(s) below --min-confidence")
    notify(f"scanned: {result.blobs_scanned} blob(s), {result.bytes_scanned} bytes")


def notify(message: str) -> None:
    print(f"secretscan: {message}", file=sys.stderr, flush=True)
