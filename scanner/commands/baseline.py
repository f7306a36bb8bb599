"""`secretscan baseline create|update|label|list`: record today's findings so scans report only new ones.

This is the only command that writes a baseline; scans and the pre-commit hook only read it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scanner.commands.options import (
    add_config_option,
    add_rule_options,
    add_walk_options,
    rule_fields,
    walk_fields,
)
from scanner.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("baseline", help="create, update or triage the baseline of known findings")
    actions = parser.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("create", "scan PATH and write a new baseline of every finding"),
        ("update", "rescan PATH: add new findings, keep labels and notes, drop entries gone from the code"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        _add_scan_arguments(action)
        if name == "create":
            action.add_argument("--force", action="store_true", help="overwrite an existing baseline")
        action.set_defaults(func=run_write, create=name == "create")
    label = actions.add_parser("label", help="set the triage label and note of baseline entries")
    label.add_argument(
        "selector",
        metavar="HASH|PATH",
        help="a secret_hash prefix (6+ characters) or a path: the entries to label",
    )
    label.add_argument(
        "--as", dest="label", required=True, choices=["false-positive", "accepted-risk", "revoked", "none"]
    )
    label.add_argument("--note", help="free text kept with the entry (why it was accepted, ticket, ...)")
    label.add_argument("--rule", help="only entries of this rule id")
    _add_file_option(label)
    label.set_defaults(func=run_label)
    listing = actions.add_parser("list", help="show the entries of the baseline")
    _add_file_option(listing)
    listing.set_defaults(func=run_list)


def _add_scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help="folder to scan (default: .)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="baseline file (default: .secretscan-baseline.json at the repository root)",
    )
    add_walk_options(parser)
    add_rule_options(parser)
    add_config_option(parser)
    parser.add_argument(
        "--history",
        action="store_true",
        help="record the findings of a full history audit of the repository at PATH (every ref), so "
        "secrets that live only in history can be triaged too",
    )
    parser.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="worker processes")
    parser.add_argument("--engine", dest="backend", choices=["auto", "hyperscan", "python"], default="auto")


def _add_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-b",
        "--baseline",
        metavar="FILE",
        help="baseline file (default: the one a scan of the current folder would use)",
    )
    add_config_option(parser)


def run_write(args: argparse.Namespace) -> int:
    from scanner import git
    from scanner.baseline import Baseline, load, path_mapper, save
    from scanner.collect import audit_history, scan_paths
    from scanner.errors import BaselineError
    from scanner.pipeline import prepare

    # Never filtered by an existing baseline; no result cache: a baseline depends on the tree alone.
    settings = Settings(
        command="history" if args.history else "scan",
        paths=(args.path,),
        repo=args.path,
        **walk_fields(args),
        **rule_fields(args),
        config=args.config,
        jobs=args.jobs,
        backend=args.backend,
        quiet=True,
        no_baseline=True,
        no_cache=True,
    )
    setup = prepare(settings)
    target = _target(args, setup.config.baseline, setup.root)
    if args.create and target.exists() and not args.force:
        raise BaselineError(
            f"{target} exists: use 'secretscan baseline update' to keep its labels, or --force"
        )
    old = load(target) if not args.create and target.exists() else Baseline.new()
    if args.history:
        with git.open_repository(args.path) as repo:
            result = audit_history(setup, repo)
    else:
        result = scan_paths(setup)
    baseline, gone = old.updated(result.findings, path_mapper(target, setup.root), settings.paths)
    save(baseline, target)
    kept = len(old.entries) - len(gone)
    total = len(baseline.entries)
    print(
        f"secretscan: baseline {target}: {total} entr{'y' if total == 1 else 'ies'} "
        f"({total - kept} new, {kept} kept, {len(gone)} gone)",
        file=sys.stderr,
    )
    for entry in gone:
        print(f"  gone: {entry.describe()}", file=sys.stderr)
    for skipped in result.skipped:
        print(f"  skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    return 0


def _target(args: argparse.Namespace, configured: Path | None, root: Path) -> Path:
    from scanner.config import BASELINE_NAME, repository_root

    if args.output:
        return Path(args.output)
    return configured or (repository_root(root) or root) / BASELINE_NAME


def run_label(args: argparse.Namespace) -> int:
    from scanner.baseline import Label, path_mapper, relabel, save
    from scanner.errors import BaselineError
    from scanner.model import Origin

    path, baseline = _open(args)
    # A path as typed here, or as written in the baseline (relative to its folder).
    paths = {args.selector, path_mapper(path, Path("."))(Origin(args.selector))}
    chosen = [
        e
        for e in baseline.entries
        if (e.path in paths or (len(args.selector) >= 6 and e.secret_hash.startswith(args.selector)))
        and (args.rule is None or e.rule_id == args.rule)
    ]
    if not chosen:
        raise BaselineError(
            f"{path}: no entry matches {args.selector!r}" + (f" with rule {args.rule}" if args.rule else "")
        )
    label: Label | None = None if args.label == "none" else args.label
    save(relabel(baseline, chosen, label, args.note), path)
    for entry in chosen:
        print(f"labelled {args.label}: {entry.describe()}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    _, baseline = _open(args)
    for entry in sorted(baseline.entries, key=lambda e: e.key):
        print(entry.describe())
    return 0


def _open(args: argparse.Namespace) -> tuple[Path, Any]:
    from scanner.baseline import load, locate
    from scanner.config import discover
    from scanner.errors import BaselineError

    here = Path(".").absolute()
    path = locate(args.baseline, False, discover(here, args.config), here)
    if path is None:
        raise BaselineError("no baseline found here (create one: secretscan baseline create)")
    return path, load(path)
