"""`secretscan diff --base REF [--head REF]`: the pull-request gate (docs/ci.md)."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.commands.options import add_scan_options, scan_fields, size
from scanner.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "diff",
        help="scan only the lines a branch adds since its merge base (pull-request gate)",
        description=(
            "Scan the lines that the commits between the merge base of BASE and HEAD add, each finding "
            "with its commit. A secret (rule + value) that already existed on the base is never reported."
        ),
    )
    parser.add_argument("--base", required=True, metavar="REF", help="the target branch, e.g. origin/main")
    parser.add_argument("--head", default="HEAD", metavar="REF", help="the branch to check (default: HEAD)")
    parser.add_argument("--repo", default=".", metavar="PATH", help="repository (default: .)")
    parser.add_argument(
        "--max-blob-size", type=size, default=None, metavar="BYTES", help="skip larger files (default 10 MB)"
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from scanner.collect import scan_range
    from scanner.pipeline import finish, prepare
    from scanner.sources import diff

    work = diff.plan(Path(args.repo), args.base, args.head)  # a bad ref fails before rules are compiled
    settings = Settings(
        command="diff",
        repo=args.repo,
        base=args.base,
        head=args.head,
        max_bytes=args.max_blob_size,
        **scan_fields(args),
    )
    setup = prepare(settings)
    return finish(setup, scan_range(setup, work))
