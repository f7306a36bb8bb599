"""The option groups commands share, and how each group becomes fields of Settings: the only place, with
the command modules, that sees argparse."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.model import CONFIDENCES
from scanner.report import FORMATS
from scanner.settings import parse_size


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
    gate = parser.add_argument_group("gate")
    gate.add_argument(
        "--no-inline-allow",
        dest="inline_allow",
        action="store_false",
        help="inline markers (secretscan:allow, gitleaks:allow, pragma: allowlist secret) suppress nothing: "
        "a CI job refuses exceptions a change grants itself (config: inline_allow: false)",
    )
    gate.add_argument(
        "--fail-on-error",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="exit 2 when anything could not be scanned (an unreadable object, a blob skipped by a fault), "
        "the default; --no-fail-on-error reports such errors and exits 0 or 1 by the findings alone "
        "(config: fail_on_error: false)",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar or heartbeat")
    out.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list on stderr everything skipped or left out (ignored, excluded, binary, too large) and why",
    )
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


def add_walk_options(parser: argparse.ArgumentParser) -> None:
    """Folder-walk options: scan, and `baseline create|update`."""
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching this gitignore-style glob (repeatable)",
    )
    parser.add_argument(
        "--max-file-size",
        type=size,
        default=None,
        metavar="BYTES",
        help="skip files larger than this (default 10 MB; suffixes k, M, G)",
    )
    parser.add_argument("--no-gitignore", action="store_true", help="scan files that .gitignore excludes")
    parser.add_argument("--follow-symlinks", action="store_true", help="descend into symlinked folders")


def add_verify_options(parser: argparse.ArgumentParser) -> None:
    """The opt-in verification group of every scanning command (scan, history, diff, staged)."""
    group = parser.add_argument_group("verification (opt-in; nothing is sent without these flags)")
    group.add_argument(
        "--verify", action="store_true", help="check each found AWS key pair live with STS GetCallerIdentity"
    )
    group.add_argument(
        "--verify-owner",
        action="store_true",
        help="look found AWS key ids up in your own account (IAM, your credentials): owner, "
        "Active/Inactive, age, last use",
    )
    group.add_argument(
        "--verify-dry-run",
        action="store_true",
        help="list what --verify/--verify-owner would send where, and send nothing",
    )
    add_connection_options(group)
    group.add_argument(
        "--verify-concurrency",
        type=positive_int,
        default=4,
        metavar="N",
        help="requests in flight at once (default 4)",
    )
    group.add_argument(
        "--fail-on",
        choices=["any", "active", "verified-active"],
        default="any",
        help="exit 1 on any finding (default); 'active': only on AWS keys that could be live (verified "
        "active, or not proven dead: unknown, unchecked other account); 'verified-active': only on keys a "
        "check proved active",
    )


def add_connection_options(group: Any) -> None:
    group.add_argument(
        "--profile", metavar="NAME", help="AWS profile for --verify-owner (default chain otherwise)"
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="AWS endpoint (emulators, private endpoints); default: AWS_ENDPOINT_URL_STS / "
        "_IAM / AWS_ENDPOINT_URL, else the region's public endpoint",
    )
    group.add_argument(
        "--region",
        metavar="REGION",
        help="signing region (GovCloud, China); default: AWS_REGION, the profile, us-east-1",
    )
    group.add_argument(
        "--partition",
        dest="partitions",
        action="append",
        default=[],
        choices=["aws", "aws-us-gov", "aws-cn"],
        help="AWS partition(s) to check pairs in, in this order (repeatable; default: the region's, then "
        "GovCloud and China for key ids it does not know)",
    )
    group.add_argument(
        "--verify-timeout",
        type=positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="time allowed per key, every request, retry and partition included (default 10)",
    )
    group.add_argument(
        "--verify-budget",
        type=positive_seconds,
        default=300.0,
        metavar="SECONDS",
        help="time allowed for all checks together; keys not reached by then are 'unknown' (default 300)",
    )


def size(text: str) -> int:
    """argparse type: a size (settings.parse_size), its error worded for the flag."""
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):  # also refuses nan: a zero or endless limit is no limit
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


# Each option group's fields of Settings, read from the namespace its group filled.


def rule_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "rule_paths": tuple(args.rule_paths),
        "builtin_rules": not args.no_builtin_rules,
        "disabled_rules": tuple(args.disabled_rules),
    }


def walk_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "excludes": tuple(args.exclude),
        "max_bytes": args.max_file_size,
        "use_gitignore": not args.no_gitignore,
        "follow_symlinks": args.follow_symlinks,
    }


def connection_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "profile": args.profile,
        "endpoint_url": args.endpoint_url,
        "region": args.region,
        "verify_timeout": args.verify_timeout,
        "verify_budget": args.verify_budget,
        "verify_partitions": tuple(dict.fromkeys(args.partitions)),
    }


def scan_fields(args: argparse.Namespace) -> dict[str, Any]:
    """Every option add_scan_options() registers."""
    return {
        **rule_fields(args),
        "format": args.format,
        "output": args.output,
        "show_secrets": args.show_secrets,
        "explain": args.explain,
        "min_confidence": args.min_confidence,
        "no_color": args.no_color,
        "quiet": args.quiet,
        "verbose": args.verbose,
        "inline_allow": args.inline_allow,
        "fail_on_error": args.fail_on_error,
        "jobs": args.jobs,
        "backend": args.backend,
        "cache": args.cache,
        "no_cache": args.no_cache,
        "config": args.config,
        "baseline": args.baseline,
        "no_baseline": args.no_baseline,
        "report_unused": args.report_unused,
        "verification": True,
        "verify": args.verify,
        "verify_owner": args.verify_owner,
        "verify_dry_run": args.verify_dry_run,
        **connection_fields(args),
        "verify_concurrency": args.verify_concurrency,
        "fail_on": args.fail_on,
    }
