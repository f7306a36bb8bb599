"""`secretscan history [REPO]`: audit every blob and commit message ever committed, each scanned once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.commands.common import Setup, add_scan_options, build_engine, finish, scan_options
from scanner.commands.scan import _size
from scanner.model import ScanResult

if TYPE_CHECKING:
    from scanner.sources.history import Plan


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
    from scanner.filters.attribution import attribute, start_walks
    from scanner.scheduler import default_jobs, scan_history
    from scanner.sources import DEFAULT_MAX_BYTES, history
    from scanner.sources.diff import skipper

    result = ScanResult(mode="history", target=args.repo)
    options = history.HistoryOptions(
        branches=tuple(args.branches),
        since=args.since,
        max_commits=args.max_commits,
        max_bytes=args.max_blob_size or setup.config.max_file_size or DEFAULT_MAX_BYTES,
    )
    skip = skipper(repo, setup.own_files, setup.config.excludes)
    scanning = scan_options(args, setup)
    # Blobs stream from git (a warm result cache drops those it knows clean before they are read); only
    # --since/--max-commits list them first (history.plan).
    work = history.plan(repo, options, result, skip, scanning.cache.clean_among if scanning.cache else None)
    if not args.jobs:
        # Streamed, workers read git themselves and join only a long audit (stream.py): all cores. Listed,
        # contents travel to workers pickled while git's reader keeps a core busy: scan with the others.
        scanning.jobs = default_jobs() if not work.listed else max(1, default_jobs() - 1)
    with start_walks(work) as walks:  # git walks the history for attribution while we scan
        with _progress(_watched(args), work) as progress:
            scan_history(setup.engine, work, result, scanning, walks.introductions, progress)
        attribute(work, result, walks)
    return result


def _watched(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


@contextmanager
def _progress(watched: bool, work: Plan) -> Iterator[Callable[[int, int], None] | None]:
    """Two tqdm bars on stderr (blobs, bytes) with rate and ETA; only for a person watching a terminal.

    A listed plan knows its totals. A streamed one learns them from a count of the blobs in the object
    database, which git makes in a moment beside the walk (reachable or not, so a bound: the bars close at
    what was done)."""
    if not watched:
        yield None
        return
    from tqdm import tqdm  # lazily: only interactive history scans pay for it

    tqdm.monitor_interval = 0  # no monitor thread: the scan may fork workers, which a thread makes unsafe

    from scanner import git

    census = git.start_blob_census(work.repo) if not work.listed and work.tips else None
    known = work.listed or not work.tips
    blobs, size = (len(work.blobs) + work.unique_messages, work.total_bytes) if known else (None, None)
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
            nonlocal census
            by_count.update(count)
            by_size.update(nbytes)
            # Asked every 64 blobs: a poll of git per blob would cost 20 ms on a 20,000-blob history.
            if census is not None and by_count.n % 64 < count and census.ended():
                listing, census = census, None
                found, found_bytes = git.blob_census(listing)
                work.load()  # the commit listing, long done by now: its messages are scanned too
                by_count.total = found + work.unique_messages
                by_size.total = found_bytes + work.total_bytes
                by_count.refresh()
                by_size.refresh()

        yield advance
        for bar in (by_count, by_size):  # done: unreachable blobs were counted but never read
            bar.total = bar.n
            bar.refresh()
