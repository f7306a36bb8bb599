"""`secretscan pre-receive`: the server-side gate. git runs it as the repository's pre-receive hook (also
GitLab and Gitea custom hooks) with one `old new ref` line per updated ref on stdin; a non-zero exit
rejects the whole push, and git shows the pusher what the hook printed (docs/hooks.md)."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.commands.options import add_scan_options, scan_fields, size
from scanner.settings import Settings

HINTS = (
    "Push rejected: the commits above add secrets. How to proceed:",
    "  - A real secret? Rotate it now. Then take it out of the commit that adds it, not only out of the "
    "latest one: git rebase -i <that commit>^, mark it 'edit', remove the secret, git commit --amend, "
    "git rebase --continue; then push again.",
    "  - Not a secret (a test value, a placeholder)? Add the marker 'secretscan:allow' in a comment on "
    "that line and push again (unless this server refuses markers).",
    "  - Check a branch before pushing it: secretscan diff --base <remote>/<target branch>",
)


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "pre-receive",
        help="server-side hook: reject pushes that add secrets (reads git's 'old new ref' lines on stdin)",
        description=(
            "Run as a git server's pre-receive hook: read git's 'old new ref' lines on stdin, scan the lines "
            "that the pushed commits new to the repository add, and exit 1 (rejecting the push) when they "
            "add a secret. New branches, tags and force pushes are scanned for their new commits only; "
            "deletions pass. A secret the repository already held is never reported."
        ),
    )
    parser.add_argument("--repo", default=".", metavar="PATH", help="repository (default: . as in a hook)")
    parser.add_argument(
        "--max-blob-size", type=size, default=None, metavar="BYTES", help="skip larger files (default 10 MB)"
    )
    add_scan_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from scanner.collect import scan_push
    from scanner.pipeline import finish, prepare
    from scanner.sources import pushed

    work = pushed.plan(Path(args.repo), pushed.parse_updates(sys.stdin.read()))
    settings = Settings(
        command="pre-receive", repo=args.repo, max_bytes=args.max_blob_size, **scan_fields(args)
    )
    setup = prepare(settings)
    return finish(setup, scan_push(setup, work), hints=HINTS)
