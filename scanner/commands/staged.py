"""`secretscan staged [FILE…]`: the pre-commit check of what is about to be committed.

Used by the plain git hook (`secretscan install-hook`) and by the pre-commit framework hook defined in
.pre-commit-hooks.yaml, which passes the files to check.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from scanner.commands.options import add_scan_options, scan_fields
from scanner.settings import Settings


def hints() -> tuple[str, ...]:
    """How to proceed, with commands that run where the user is: the pre-commit framework installs
    secretscan in an environment of its own, off the user's PATH, and a plain hook may run an installation
    that is not on PATH either (issue 15 §5)."""
    command = own_command()
    where = (
        " (the pre-commit framework installed secretscan in its own environment: that is its path)"
        if os.environ.get("PRE_COMMIT") == "1" and command != "secretscan"
        else ""
    )
    return (
        "How to proceed:",
        "  - Not a secret (a test value, a placeholder)? "
        "Add the marker 'secretscan:allow' in a comment on that line.",
        f"  - Known and accepted? Record it in the baseline: {command} baseline update{where} "
        "(it writes .secretscan-baseline.json at the repository root; commit it).",
        "  - A real secret? Rotate it now, remove it from the file and 'git add' again; keep it in the "
        "environment or a secrets manager instead.",
        "  - Already in an earlier commit? Rotating is what protects you; to purge it from history too: "
        "git filter-repo --replace-text <file listing the secret> (or BFG), then force-push and have "
        "everyone re-clone.",
    )


def own_command() -> str:
    """How the user can run this very installation: `secretscan` when that is what PATH finds, else the
    path of its console script, else its interpreter with `-m scanner`."""
    import shlex
    import shutil
    import sys
    from pathlib import Path

    bindir = Path(sys.executable).parent
    script = bindir / ("secretscan.exe" if os.name == "nt" else "secretscan")
    found = shutil.which("secretscan")
    if found is not None and (not script.exists() or Path(found).resolve() == script.resolve()):
        return "secretscan"
    if script.exists():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m scanner"


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

    from scanner.sources import staged

    work = staged.plan(Path.cwd(), args.files)
    with staged.searching(work):  # first, so that git searches while the scanner loads
        from scanner.collect import scan_staged
        from scanner.pipeline import finish, prepare

        # Project config and baseline are found at the repository root.
        setup = prepare(
            Settings(command="staged", repo=str(work.root), files=tuple(args.files), **scan_fields(args))
        )
        return finish(setup, scan_staged(setup, work), hints=hints())
