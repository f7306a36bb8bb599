"""`secretscan history [REPO]`: audit every blob and commit message ever committed, each scanned once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scanner.commands.common import Setup, add_scan_options, build_engine, finish, scan_options
from scanner.commands.scan import _size
from scanner.model import ScanResult


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
        type=_size,
        default=None,
        metavar="BYTES",
        help="skip blobs larger than this (default 10 MB; suffixes k, M, G)",
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner import git

    with git.open_repository(args.repo) as repo:
        setup = build_engine(args)
        result = collect(args, setup, repo)
    return finish(args, result, setup)


def collect(args: argparse.Namespace, setup: Setup, repo: Path) -> ScanResult:
    """Audit the history of `repo` (already opened) and attribute each finding to its first commit."""
    from scanner.scan import default_jobs
    from scanner.sources import DEFAULT_MAX_BYTES, history
    from scanner.sources.attribution import attribute, start_walks
    from scanner.sources.diff import skipper
    from scanner.sources.stream import scan_history

    result = ScanResult(mode="history", target=args.repo)
    options = history.HistoryOptions(
        branches=tuple(args.branches),
        since=args.since,
        max_commits=args.max_commits,
        max_bytes=args.max_blob_size or setup.config.max_file_size or DEFAULT_MAX_BYTES,
    )
    skip = skipper(repo, setup.own_files, setup.config.excludes)
    scanning = scan_options(args, setup)
    known_clean = scanning.cache.clean_among if scanning.cache is not None else None
    # Blobs stream from git (a warm result cache drops those it knows clean before they are read), unless a
    # person watches: listing them first gives the progress bar totals and an ETA.
    watched = _watched(args)
    work = history.plan(repo, options, result, skip, known_clean, listed=watched)
    if not args.jobs:
        # Streamed, workers read git themselves and join only a long audit (stream.py): all cores. Listed,
        # contents travel to workers pickled while git's reader keeps a core busy: scan with the others.
        scanning.jobs = default_jobs() if not work.listed else max(1, default_jobs() - 1)
    total = len(work.blobs) + work.unique_messages
    with start_walks(work) as walks:  # git walks the history for attribution while we scan
        with _progress(watched, total, work.total_bytes) as progress:
            scan_history(setup.engine, work, result, scanning, walks.introductions, progress)
        attribute(work, result, walks)
    return result


def _watched(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


@contextmanager
def _progress(watched: bool, blobs: int, size: int) -> Iterator[Callable[[int, int], None] | None]:
    """Two tqdm bars on stderr (blobs, bytes) with rate and ETA; only for a person watching a terminal."""
    if not watched:
        yield None
        return
    from tqdm import tqdm  # lazily: only interactive history scans pay for it

    with (
        tqdm(total=blobs, unit="blob", desc="blobs", position=0, file=sys.stderr) as by_count,
        tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="bytes",
            position=1,
            file=sys.stderr,
        ) as by_size,
    ):

        def advance(count: int, nbytes: int) -> None:
            by_count.update(count)
            by_size.update(nbytes)

        yield advance
