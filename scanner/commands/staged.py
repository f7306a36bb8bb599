"""`secretscan staged [FILE…]`: the pre-commit check of what is about to be committed.

Used by the plain git hook (`secretscan install-hook`) and by the pre-commit framework hook defined in
.pre-commit-hooks.yaml, which passes the files to check.
"""

from __future__ import annotations

import argparse
from typing import Any

from scanner.commands.common import add_scan_options, build_engine, finish
from scanner.sources import DEFAULT_MAX_BYTES

HINTS = (
    "How to proceed:",
    "  - Not a secret (a test value, a placeholder)? "
    "Add the marker 'secretscan:allow' in a comment on that line.",
    "  - Known and accepted? Record it in the baseline: "
    "secretscan baseline update (it writes .secretscan-baseline.json at the repository root; commit it).",
    "  - A real secret? Rotate it now, remove it from the file and 'git add' again; keep it in the "
    "environment or a secrets manager instead.",
    "  - Already in an earlier commit? Rotating is what protects you; to purge it from history too: "
    "git filter-repo --replace-text <file listing the secret> (or BFG), then force-push and have "
    "everyone re-clone.",
)


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "staged",
        help="scan what is about to be committed (pre-commit hook)",
        description=(
            "Scan the staged (index) content of added and changed files and report secrets on the lines the "
            "commit adds; the working tree is not read. FILEs restrict the check to those files; a FILE with "
            "nothing staged is scanned whole from disk (pre-commit run --files / --all-files)."
        ),
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="only these files (default: everything staged)"
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from scanner.model import ScanResult
    from scanner.scheduler import ScanOptions, scan_blobs
    from scanner.sources import staged
    from scanner.sources.diff import keep_added, skipper

    work = staged.plan(Path.cwd(), args.files)
    args.repo = str(work.root)  # project config and baseline are found at the repository root
    setup = build_engine(args)
    result = ScanResult(mode="staged", target="staged changes")
    skip = skipper(work.root, setup.own_files, setup.config.excludes)
    blobs = staged.blobs(work, result, setup.config.max_file_size or DEFAULT_MAX_BYTES, skip)
    scan_blobs(setup.engine, blobs, result, ScanOptions(jobs=args.jobs, explain=args.explain))
    keep_added(result, work.added, args.explain)
    return finish(args, result, setup, hints=HINTS)
