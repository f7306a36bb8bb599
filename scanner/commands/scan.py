"""`secretscan scan [PATH…]`: scan files and folders (or `-` for stdin)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from scanner.commands.options import add_scan_options, add_walk_options, scan_fields, walk_fields
from scanner.errors import UsageError
from scanner.settings import Settings


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


def settings(args: argparse.Namespace) -> Settings:
    return Settings(command="scan", paths=tuple(args.paths), **walk_fields(args), **scan_fields(args))


def run(args: argparse.Namespace) -> int:
    from scanner.collect import scan_paths
    from scanner.pipeline import finish, prepare

    # A path typed on the command line that does not exist is a usage error, not a clean scan: a CI job
    # with a typo must fail, not pass. Unreadable files found inside a scan are reported and skipped.
    missing = [p for p in args.paths if p != "-" and not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    setup = prepare(settings(args))
    return finish(setup, scan_paths(setup))
