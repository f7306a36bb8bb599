"""Options and steps shared by every scanning command: build the engine, filter, report, exit code."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from scanner import __version__
from scanner.engine import Engine
from scanner.errors import UsageError
from scanner.model import CONFIDENCES, ScanResult
from scanner.report import FORMATS, ReportContext, renderer
from scanner.rules import Rule, load_rules

EXIT_CLEAN, EXIT_FINDINGS = 0, 1


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rules")
    group.add_argument(
        "--rules",
        dest="rule_paths",
        action="append",
        default=[],
        metavar="PATH",
        help="extra rule file or folder (repeatable)",
    )
    group.add_argument(
        "--no-builtin-rules", action="store_true", help="use only the rules given with --rules"
    )
    group.add_argument(
        "--disable-rule",
        dest="disabled_rules",
        action="append",
        default=[],
        metavar="ID",
        help="do not run this rule (repeatable)",
    )


def add_scan_options(parser: argparse.ArgumentParser) -> None:
    """Options every scanning command (scan, history, diff, staged) shares."""
    add_rule_options(parser)
    out = parser.add_argument_group("output")
    out.add_argument(
        "-f", "--format", choices=sorted(FORMATS), default=None, help="report format (default: text)"
    )
    out.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument(
        "--show-secrets", action="store_true", help="print secrets in full (redacted by default)"
    )
    out.add_argument(
        "--explain",
        action="store_true",
        help="also list candidates that matched a pattern but were dropped, with the reason",
    )
    out.add_argument(
        "--min-confidence",
        choices=CONFIDENCES,
        default="low",
        help="report only findings of at least this confidence (default: low, i.e. all)",
    )
    out.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    perf = parser.add_argument_group("performance")
    perf.add_argument(
        "-j", "--jobs", type=int, default=0, metavar="N", help="worker processes (default: cores)"
    )
    perf.add_argument(
        "--engine",
        dest="backend",
        choices=["auto", "hyperscan", "python"],
        default="auto",
        help="pattern engine (default: Hyperscan when available)",
    )


@dataclass(frozen=True, slots=True)
class Setup:
    engine: Engine
    rules: dict[str, Rule]


def build_engine(args: argparse.Namespace) -> Setup:
    rules = load_rules(
        [Path(p) for p in args.rule_paths], builtin=not args.no_builtin_rules, disabled=args.disabled_rules
    )
    if not rules:
        raise UsageError("no rules to run")
    try:
        engine = Engine(rules, backend=args.backend if "backend" in args else "auto")
    except ImportError as exc:
        raise UsageError(f"--engine hyperscan: the hyperscan package is not installed ({exc})") from exc
    return Setup(engine, {r.id: r for r in rules})


def finish(args: argparse.Namespace, result: ScanResult, setup: Setup, hints: tuple[str, ...] = ()) -> int:
    """Filter, report and choose the exit code: 0 no findings, 1 findings."""
    rank = {c: i for i, c in enumerate(CONFIDENCES)}
    limit = rank[args.min_confidence]
    kept = [f for f in result.findings if rank[f.confidence] <= limit]
    result.findings = sorted(kept, key=lambda f: (f.path, f.line, f.column, f.rule_id))
    fmt = args.format or "text"
    to_file = bool(args.output)
    color = (
        fmt == "text"
        and not to_file
        and not args.no_color
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
    )
    context = ReportContext(
        show_secrets=args.show_secrets,
        color=color,
        rules=setup.rules,
        tool_version=__version__,
        explain=args.explain,
        hints=hints,
    )
    text = renderer(fmt)(result, context)
    if to_file:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write report to {args.output}: {exc.strerror or exc}") from exc
        print(
            f"secretscan: {len(result.findings)} finding(s); report written to {args.output}", file=sys.stderr
        )
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN
