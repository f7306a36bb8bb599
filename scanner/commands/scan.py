"""`secretscan scan [PATH…]`: scan files and folders (or `-` for stdin)."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.commands.common import Setup, add_scan_options, build_engine, finish, scan_options
from scanner.model import ScanResult


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "scan",
        help="scan files and folders (default command)",
        description="Scan files and folders, honouring .gitignore; '-' reads stdin.",
    )
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)"
    )
    add_walk_options(parser)
    add_scan_options(parser)
    parser.set_defaults(func=run)


def add_walk_options(parser: argparse.ArgumentParser) -> None:
    """Folder-walk options, shared with `baseline create|update`."""
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching this gitignore-style glob (repeatable)",
    )
    parser.add_argument(
        "--max-file-size",
        type=_size,
        default=None,
        metavar="BYTES",
        help="skip files larger than this (default 10 MB; suffixes k, M, G)",
    )
    parser.add_argument("--no-gitignore", action="store_true", help="scan files that .gitignore excludes")
    parser.add_argument("--follow-symlinks", action="store_true", help="descend into symlinked folders")


def run(args: argparse.Namespace) -> int:
    import os

    from scanner.errors import UsageError

    # A path typed on the command line that does not exist is a usage error, not a clean scan: a CI job
    # with a typo must fail, not pass. Unreadable files found inside a scan are reported and skipped.
    missing = [p for p in args.paths if p != "-" and not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    setup = build_engine(args)
    return finish(args, collect(args, setup), setup)


def collect(args: argparse.Namespace, setup: Setup) -> ScanResult:
    """Walk args.paths and scan every file; the project config adds excludes and a size cap."""
    from scanner.scheduler import scan_blobs
    from scanner.sources import DEFAULT_MAX_BYTES
    from scanner.sources.files import WalkOptions, WalkReport, walk

    options = WalkOptions(
        excludes=[*args.exclude, *setup.config.excludes],
        max_bytes=args.max_file_size or setup.config.max_file_size or DEFAULT_MAX_BYTES,
        use_gitignore=not args.no_gitignore,
        follow_symlinks=args.follow_symlinks,
    )
    report = WalkReport()
    result = ScanResult(mode="scan", target=" ".join(args.paths))
    blobs = (b for b in walk(args.paths, options, report) if not setup.is_own_file(b.origin.path))
    scan_blobs(setup.engine, blobs, result, scan_options(args, setup))
    result.skipped.extend(report.skipped)
    return result


def _size(text: str) -> int:
    from scanner.settings import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
