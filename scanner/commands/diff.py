"""`secretscan diff --base REF [--head REF]`: the pull-request gate (docs/ci.md)."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.commands.common import add_scan_options, build_engine, finish, scan_options
from scanner.commands.scan import _size


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
        "--max-blob-size", type=_size, default=None, metavar="BYTES", help="skip larger files (default 10 MB)"
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collections.abc import Iterator
    from pathlib import Path

    from scanner.model import Blob, Finding, ScanResult
    from scanner.scheduler import scan_blobs
    from scanner.sources import DEFAULT_MAX_BYTES, diff

    repo = Path(args.repo)
    work = diff.plan(repo, args.base, args.head)  # a bad ref fails before rules are compiled
    setup = build_engine(args)
    options = scan_options(args, setup)
    result = ScanResult(mode="diff", target=f"{args.base}...{args.head}")
    max_bytes = args.max_blob_size or setup.config.max_file_size or DEFAULT_MAX_BYTES
    skip = diff.skipper(repo, setup.own_files, setup.config.excludes)
    blobs = diff.read_changes(repo, work.diffs, result, max_bytes, "blob", skip)
    scan_blobs(setup.engine, blobs, result, options)
    diff.keep_added(result, work.added, args.explain)

    def scan_base(blobs: Iterator[Blob]) -> list[Finding]:
        base = ScanResult()
        scan_blobs(setup.engine, blobs, base, options)
        return base.findings

    diff.drop_preexisting(work, result, scan_base, args.explain)
    return finish(args, result, setup)
