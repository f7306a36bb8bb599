"""Command-line entry point: the argparse tree and the one place that maps errors to exit codes.

Exit codes: 0 clean, 1 findings, 2 usage/config error, 3 unexpected error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from scanner import __version__
from scanner.errors import SecretscanError

# Subcommand modules under scanner.commands; each defines register(subparsers). Kept light: heavy imports
# (GitPython, tqdm, report formats) happen inside the command functions, so the hook path starts fast.
COMMANDS: tuple[str, ...] = (
    "scan",
    "rules_cmd",
    "baseline",
    "verify",
    "history",
    "staged",
    "diff",
    "install_hook",
)
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secretscan",
        description="Find hard-coded secrets in files, staged changes, pull requests and git history.",
        epilog="Run 'secretscan COMMAND --help' for the options of a command. 'secretscan PATH' scans PATH.",
    )
    parser.add_argument("--version", action="version", version=f"secretscan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"scanner.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    commands = _subcommand_names(parser)
    if args_list[0] not in commands and not args_list[0].startswith("-"):
        args_list.insert(0, "scan")  # `secretscan PATH` is `secretscan scan PATH`
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help/--version exit 0, bad flags exit 2
        return int(exc.code or 0)
    try:
        code: int = args.func(args)
        return code
    except SecretscanError as exc:
        print(f"secretscan: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("secretscan: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception:
        traceback.print_exc()
        print("secretscan: unexpected error (a bug): please report it with the trace above", file=sys.stderr)
        return EXIT_UNEXPECTED


def _subcommand_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()
