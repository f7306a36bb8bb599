"""`secretscan history [REPO]`: audit every blob and commit message ever committed, each scanned once."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.commands.options import add_scan_options, scan_fields, size
from scanner.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "history",
        help="audit the full git history (every ref, tag and stash)",
        description=(
            "Scan every blob reachable from every ref (branches, tags, remotes, stash) plus commit messages. "
            "Each unique blob is scanned once; each finding names the commit that introduced it and whether "
            "the secret is still present at HEAD or which commit removed it. REPO may be a path to a work "
            "tree or bare repository, or a URL (cloned as a bare mirror into a temporary folder)."
        ),
    )
    parser.add_argument("repo", nargs="?", default=".", metavar="REPO", help="path or URL (default: .)")
    parser.add_argument(
        "--branch",
        dest="branches",
        action="append",
        default=[],
        metavar="REF",
        help="scan only the history of this branch or revision (repeatable); status is judged at the first",
    )
    parser.add_argument(
        "--since", metavar="DATE|REV", help="only commits after this date, or not reachable from REV"
    )
    parser.add_argument("--max-commits", type=int, metavar="N", help="only the N most recent commits")
    parser.add_argument(
        "--max-blob-size",
        type=size,
        default=None,
        metavar="BYTES",
        help="skip blobs larger than this (default 10 MB; suffixes k, M, G)",
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner import git
    from scanner.collect import audit_history
    from scanner.commands.progress import display
    from scanner.pipeline import finish, prepare

    settings = Settings(
        command="history",
        repo=args.repo,
        branches=tuple(args.branches),
        since=args.since,
        max_commits=args.max_commits,
        max_bytes=args.max_blob_size,
        **scan_fields(args),
    )
    with git.open_repository(args.repo) as repo:
        setup = prepare(settings)
        result = audit_history(setup, repo, display(args.quiet))
    return finish(setup, result)
