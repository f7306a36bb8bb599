"""Command-line entry point: the argparse tree and the one place that maps errors to exit codes.

Exit codes: 0 clean, 1 findings, 2 usage/config error (or a scan error with --fail-on-error), 3 unexpected
error, 130 interrupted, 128 + the signal on SIGTERM/SIGHUP.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence

from scanner import __version__
from scanner.errors import SecretscanError, Terminated

# Subcommand name → module under scanner.commands defining register(subparsers). Only the module of the
# command being run is imported (the pre-commit hook must start fast, issue 6 §5); --help imports them all.
COMMANDS: dict[str, str] = {
    "scan": "scan",
    "rules": "rules_cmd",
    "baseline": "baseline",
    "verify": "verify",
    "history": "history",
    "staged": "staged",
    "diff": "diff",
    "install-hook": "install_hook",
    "pre-receive": "pre_receive",
    "fleet": "fleet",
}
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `only`, just that subcommand is registered (and its module imported)."""
    parser = argparse.ArgumentParser(
        prog="secretscan",
        description="Find hard-coded secrets in files, staged changes, pull requests and git history.",
        epilog="Run 'secretscan COMMAND --help' for the options of a command. 'secretscan PATH' scans PATH.",
    )
    parser.add_argument("--version", action="version", version=f"secretscan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"scanner.commands.{module}").register(sub)
    return parser


@contextlib.contextmanager
def _terminations() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated while a command runs (the previous handlers come back after)."""
    signums = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = {signum: signal.signal(signum, terminate) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        build_parser().print_help(sys.stderr)
        return EXIT_USAGE
    if args_list[0] not in COMMANDS and not args_list[0].startswith("-"):
        args_list.insert(0, "scan")  # `secretscan PATH` is `secretscan scan PATH`
    parser = build_parser(args_list[0] if args_list[0] in COMMANDS else None)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help/--version exit 0, bad flags exit 2
        return int(exc.code or 0)
    try:
        with _terminations():
            code: int = args.func(args)
        return code
    except Terminated as exc:
        print("secretscan: terminated", file=sys.stderr)
        return 128 + exc.signum
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
