"""`secretscan fleet REPOS_FILE`: audit the history of many repositories in one run (issue 20), on a local
process pool or a Dask cluster, incrementally when a state file remembers the last run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scanner.commands.options import add_scan_options, positive_seconds, scan_fields
from scanner.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "fleet",
        help="audit the history of many repositories (a local pool or a Dask cluster)",
        description=(
            "Audit the full history of every repository REPOS_FILE lists, as 'secretscan history' does each, "
            "and write one report that names each finding's repository. REPOS_FILE has one path or clone URL "
            'per line, or a JSON object per line: {"repo": URL, "name": ..., "branch": [refs], "since": '
            'DATE|REV, "max_commits": N, "split": N} (split: N tasks share one big repository). Each '
            "repository's own .secretscan.yaml, baseline and ignore file apply inside it; --baseline adds a "
            "fleet-wide one. With --state, a rerun skips unchanged repositories and audits only the new "
            "commits of changed ones. See docs/fleet.md."
        ),
    )
    parser.add_argument("repos_file", metavar="REPOS_FILE", help="the repositories to audit")
    fleet = parser.add_argument_group("fleet")
    fleet.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="submit one task per repository to this Dask scheduler (tcp://HOST:PORT; needs "
        "pip install 'secretscan[fleet]'); default: a local pool of -j processes",
    )
    fleet.add_argument(
        "--state",
        metavar="FILE",
        help="remember each repository's finished audit in FILE (JSON): reruns skip what is unchanged and "
        "resume an interrupted run",
    )
    fleet.add_argument(
        "--full", action="store_true", help="audit every repository afresh (keeps --state up to date)"
    )
    fleet.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="give up on a repository (or a share of one) after this long; it is reported as failed",
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner.fleet import repos

    _refuse(args)
    specs = repos.read(Path(args.repos_file))
    fields = {**scan_fields(args), "baseline": None}
    # Repositories run side by side: each audit scans in its own process (or Dask thread) alone.
    inline = _inline(args)
    settings = Settings(command="history", **{**fields, "jobs": 0 if inline else 1})
    return _audit(args, specs, settings)


def _audit(args: argparse.Namespace, specs: list[Any], settings: Settings) -> int:
    from scanner import __version__
    from scanner.fleet.report import render
    from scanner.fleet.run import FleetOptions, RepoResult, audit
    from scanner.pipeline import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, notify, tell_left_out
    from scanner.report import ReportContext
    from scanner.rules import load_rules

    options = FleetOptions(
        state=Path(args.state) if args.state else None,
        full=args.full,
        timeout=args.timeout,
        baseline=_fleet_baseline(args.baseline),
        baseline_path=str(Path(args.baseline).absolute()) if args.baseline else None,
    )
    count = 0

    def progress(repo: RepoResult) -> None:
        nonlocal count
        count += 1
        if not args.quiet:
            what = repo.error or f"{len(repo.result.findings)} finding(s)"
            notify(f"[{count}/{len(specs)}] {repo.spec.name}: {repo.status}, {what} ({repo.seconds:.1f} s)")

    with _executor(args) as executor:
        results = audit(specs, settings, options, executor, progress)
    if args.verbose:  # what each repository left out, as `history --verbose` tells it
        for repo in results:
            notify(f"{repo.spec.name}:")
            tell_left_out(repo.result)
    fmt = settings.format or "text"
    rules = {
        r.id: r for r in load_rules([Path(p) for p in settings.rule_paths], builtin=settings.builtin_rules)
    }
    context = ReportContext(show_secrets=settings.show_secrets, rules=rules, tool_version=__version__)
    _write(args.output, render(fmt, results, context))
    faults = sum(len(r.result.errors) + sum(s.fault for s in r.result.skipped) for r in results)
    # As `history`: what could not be audited (a failed repository too) may hold a secret (issue 14 §5).
    if args.fail_on_error is not False and faults:
        notify(f"{faults} scan error(s): failing (exit {EXIT_ERROR}; --no-fail-on-error to report them only)")
        return EXIT_ERROR
    return EXIT_FINDINGS if any(r.result.findings for r in results) else EXIT_CLEAN


def _refuse(args: argparse.Namespace) -> None:
    from scanner.errors import UsageError

    if args.verify or args.verify_owner or args.verify_dry_run or args.fail_on != "any":
        raise UsageError("a fleet does not verify: run 'secretscan verify' on its JSON report")


def _jobs(args: argparse.Namespace) -> int:
    from scanner.scheduler import default_jobs

    return int(args.jobs) if args.jobs else default_jobs()


def _executor(args: argparse.Namespace) -> Any:
    from scanner.fleet.backends import Inline, LocalPool

    if args.cluster:
        from scanner.fleet.cluster import Cluster

        return Cluster(args.cluster)
    return Inline() if _inline(args) else LocalPool(_jobs(args))


def _inline(args: argparse.Namespace) -> bool:
    """-j 1 runs in this process, but with --timeout: only a worker process can be given up on."""
    return args.cluster is None and _jobs(args) == 1 and not args.timeout


def _fleet_baseline(path: str | None) -> Any:
    if path is None:
        return None
    from scanner.baseline import load
    from scanner.errors import BaselineError

    if not Path(path).is_file():
        raise BaselineError(f"{path}: baseline file not found")
    return load(Path(path))


def _write(output: str | None, text: str) -> None:
    from scanner.errors import UsageError

    if not output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write report to {output}: {exc.strerror or exc}") from exc
    print(f"secretscan: report written to {output}", file=sys.stderr)
