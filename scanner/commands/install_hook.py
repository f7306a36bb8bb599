"""`secretscan install-hook`: a plain git pre-commit hook for those not using the pre-commit framework."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from scanner.errors import UsageError

MARKER = "# installed by secretscan install-hook"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "install-hook",
        help="install a git pre-commit hook that runs 'secretscan staged'",
        description=(
            "Write .git/hooks/pre-commit (or the hook under core.hooksPath) so every commit is checked with "
            "'secretscan staged'. An existing hook is never replaced unless --force is given."
        ),
    )
    parser.add_argument("--repo", default=".", metavar="PATH", help="repository (default: .)")
    parser.add_argument("--force", action="store_true", help="replace an existing pre-commit hook")
    parser.add_argument(
        "staged_args",
        nargs="*",
        metavar="-- OPTION",
        help="options for 'secretscan staged' in the hook, after '--' (e.g. -- --min-confidence medium)",
    )
    parser.set_defaults(func=run)


def hook_script(staged_args: list[str]) -> str:
    """Runs this very installation (its interpreter), so the hook works outside the virtualenv too."""
    python = shlex.quote(sys.executable)
    extra = "".join(" " + shlex.quote(a) for a in staged_args)
    return (
        "#!/bin/sh\n"
        f"{MARKER}: checks staged changes for secrets.\n"
        "# Skip once with 'git commit --no-verify' (not recommended).\n"
        f"exec {python} -m scanner staged{extra}\n"
    )


def run(args: argparse.Namespace) -> int:
    from scanner import git

    path = git.hook_path(Path(args.repo), "pre-commit")
    script = hook_script(args.staged_args)
    if path.exists() and not args.force:
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == script:
            print(f"secretscan: the pre-commit hook is already installed at {path}", file=sys.stderr)
            return 0
        raise UsageError(
            f"a pre-commit hook already exists at {path} and was left unchanged. "
            "Rerun with --force to replace it, or add this line to it: secretscan staged"
        )
    replaced = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    verb = "replaced the existing" if replaced else "installed the"
    print(f"secretscan: {verb} pre-commit hook at {path}", file=sys.stderr)
    return 0
