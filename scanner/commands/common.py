"""Options and steps shared by every scanning command: build the engine, filter, report, exit code."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__
from scanner.baseline import Baseline, apply, locate, path_mapper, warn_unused
from scanner.baseline import load as load_baseline
from scanner.commands.verify import add_verify_options, run_verification
from scanner.config import Config, apply_to_rules, discover, is_own_file, own_files
from scanner.engine import Engine
from scanner.errors import UsageError
from scanner.model import CONFIDENCES, Dropped, ScanResult
from scanner.report import FORMATS, ReportContext, renderer
from scanner.rules import Rule, load_rules
from scanner.scheduler import ScanOptions

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
        # medium by default (issue 7 §4): on site-packages (426 MB) low let 376 generic findings through,
        # 362 of them 16-character hex ids; medium kept 3, with the same recall on the labelled corpus.
        default="medium",
        help="report only findings of at least this confidence (default: medium; 'low' adds "
        "human-chosen-looking passwords and bare hex/UUID values for an exhaustive audit)",
    )
    out.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    perf = parser.add_argument_group("performance")
    perf.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="processes that scan (default: cores; a history audit adds workers only once it proves long)",
    )
    perf.add_argument(
        "--engine",
        dest="backend",
        choices=["auto", "hyperscan", "python"],
        default="auto",
        help="pattern engine (default: Hyperscan when available)",
    )
    perf.add_argument(
        "--cache",
        metavar="DIR",
        help="remember clean blobs in DIR so later runs skip them (default: off; in CI, ~/.cache/secretscan)",
    )
    perf.add_argument("--no-cache", action="store_true", help="no result cache, even in CI")
    add_config_option(parser)
    base = parser.add_argument_group("baseline")
    base.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings not in this baseline "
        "(default: .secretscan-baseline.json at the scan or repository root)",
    )
    base.add_argument("--no-baseline", action="store_true", help="ignore any baseline: report everything")
    base.add_argument(
        "--report-unused",
        action="store_true",
        help="warn about baseline entries that matched nothing, and exit 1 if there are any",
    )
    add_verify_options(parser)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="project config file (default: .secretscan.yaml "
        "or [tool.secretscan] in pyproject.toml, at the scan or repository root)",
    )


@dataclass(frozen=True, slots=True)
class Setup:
    engine: Engine
    rules: dict[str, Rule]
    config: Config = field(default_factory=Config)
    root: Path = Path(".")  # where the config and baseline were looked for
    baseline: Baseline | None = None
    baseline_path: Path | None = None
    own_files: frozenset[str] = frozenset()  # absolute paths of our config and baseline: never scanned

    def is_own_file(self, path: str) -> bool:
        return is_own_file(path, self.own_files)


def scan_root(args: argparse.Namespace) -> Path:
    """Where project files are looked for: the first folder scanned, else the repository given, else cwd."""
    paths = [p for p in getattr(args, "paths", None) or [] if p != "-"]
    first = Path(paths[0] if paths else getattr(args, "repo", None) or ".")
    return (first if first.is_dir() else first.parent).absolute()


def build_engine(args: argparse.Namespace) -> Setup:
    root = scan_root(args)
    config = discover(root, getattr(args, "config", None))
    if getattr(args, "format", "") is None:
        args.format = config.format  # the project's default format; -f still wins
    rules = load_rules(
        [*(Path(p) for p in args.rule_paths), *config.rule_paths],
        builtin=not args.no_builtin_rules,
        disabled=args.disabled_rules,
    )
    rules = apply_to_rules(rules, config, args.disabled_rules)
    if not rules:
        raise UsageError("no rules to run")
    try:
        engine = Engine(rules, config.allowlist, backend=args.backend if "backend" in args else "auto")
    except ImportError as exc:
        raise UsageError(f"--engine hyperscan: the hyperscan package is not installed ({exc})") from exc
    found = locate(getattr(args, "baseline", None), getattr(args, "no_baseline", False), config, root)
    baseline = None if found is None else load_baseline(found)
    return Setup(engine, {r.id: r for r in rules}, config, root, baseline, found, own_files(config, found))


def scan_options(args: argparse.Namespace, setup: Setup) -> ScanOptions:
    """How to run scan_blobs for this command: workers, --explain, and the result cache if any."""
    from scanner.scheduler.cache import ResultCache, default_dir

    folder = None if args.no_cache else (Path(args.cache) if args.cache else default_dir())
    cache = None if folder is None else ResultCache(folder, setup.engine.digest)
    return ScanOptions(jobs=args.jobs, explain=args.explain, cache=cache)


def filter_findings(args: argparse.Namespace, result: ScanResult, setup: Setup) -> bool:
    """Baseline, then --min-confidence; with --explain each removed finding is kept as Dropped with why.

    Returns True when --report-unused found baseline entries that matched nothing (the scan then fails).
    """
    stale = False
    if setup.baseline is not None and setup.baseline_path is not None:
        path_of = path_mapper(setup.baseline_path, setup.root)
        unused = apply(result, setup.baseline, path_of, args.explain)
        if getattr(args, "report_unused", False):
            scanned = getattr(args, "paths", None) if result.mode == "scan" else None
            stale = warn_unused(result, unused, path_of, scanned)
    rank = {c: i for i, c in enumerate(CONFIDENCES)}
    limit = rank[args.min_confidence]
    kept = []
    for f in result.findings:
        if rank[f.confidence] <= limit:
            kept.append(f)
            continue
        result.below_min_confidence += 1
        if args.explain:
            detail = f"confidence {f.confidence} is below --min-confidence {args.min_confidence}"
            result.dropped.append(
                Dropped(f.rule_id, f.origin, f.line, f.column, "confidence", detail, f.secret)
            )
    result.findings = kept
    return stale


def finish(args: argparse.Namespace, result: ScanResult, setup: Setup, hints: tuple[str, ...] = ()) -> int:
    """Filter, report and choose the exit code: 0 no findings, 1 findings (or unused baseline entries)."""
    stale = filter_findings(args, result, setup)
    result.findings = sorted(result.findings, key=lambda f: (f.path, f.line, f.column, f.rule_id))
    run_verification(args, result)  # issue 4: opt-in, after filtering so dropped findings are never sent
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
    if getattr(args, "fail_on", "any") == "active":  # issue 4: only keys verified active fail the run
        live = any(f.verification is not None and f.verification.state == "active" for f in result.findings)
        return EXIT_FINDINGS if live or stale else EXIT_CLEAN
    return EXIT_FINDINGS if result.findings or stale else EXIT_CLEAN
