"""Command-line entry point: the argparse tree and the one place that maps errors to exit codes.

Exit codes: 0 clean, 1 findings, 2 usage/config error (or a scan error with --fail-on-error), 3 unexpected
error, 130 interrupted, 128 + the signal on SIGTERM/SIGHUP.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import NoReturn

from scanner import __version__
from scanner.commands.usage import Parser, nearest
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
    "version": "version",
    "fleet": "fleet",
}
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def build_parser(only: str | None = None) -> Parser:
    """The argument parser; with `only`, just that subcommand is registered (and its module imported)."""
    parser = Parser(
        prog="secretscan",
        description="Find hard-coded secrets in files, staged changes, pull requests and git history.",
        epilog="Run 'secretscan COMMAND --help' for the options of a command. 'secretscan PATH' scans PATH; "
        "'secretscan -' scans what is piped in.",
    )
    parser.add_argument("--version", action="version", version=f"secretscan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")  # each a Parser too (argparse)
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"scanner.commands.{module}").register(sub)
    return parser


def _command_parser(parser: Parser, name: str | None) -> Parser:
    """The parser of subcommand `name` (the top-level one without)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            found: Parser = action.choices[name]
            return found
    return parser


def _deepest(parser: Parser, args: argparse.Namespace) -> Parser:
    """The parser of the (sub)command the parsed `args` name: `baseline create`'s, not `baseline`'s."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = getattr(args, action.dest, None)
            if chosen in action.choices:
                return _deepest(action.choices[chosen], args)
    return parser


def _arguments(args_list: list[str]) -> list[str]:
    """The command line with its subcommand named: `secretscan PATH`, `secretscan -` and `secretscan -f json
    PATH` are `secretscan scan ...`. A near miss of a command's name is a usage error, not a path."""
    first = args_list[0]
    if first in COMMANDS or first in ("-h", "--help", "--version"):
        return args_list
    if first.startswith("-") and first != "-":
        flag = first.split("=", 1)[0] if first.startswith("--") else first[:2]  # -j2 is -j 2
        return (
            ["scan", *args_list]
            if flag in _command_parser(build_parser("scan"), "scan").flags()
            else args_list
        )
    guess = None if os.path.lexists(first) else nearest(first, COMMANDS)
    if guess is not None:
        build_parser().error(f"unknown command '{first}' (did you mean {guess}?)")
    return ["scan", *args_list]


def _parse(args_list: list[str]) -> argparse.Namespace:
    """Options before or after paths, in any order; an error shows the usage of the command it is about."""
    args_list = _arguments(args_list)
    name = args_list[0] if args_list[0] in COMMANDS else None
    parser = build_parser(name)
    command = _command_parser(parser, name)
    # Intermixed (paths, then options, then paths) needs a parser without subcommands, and would read what
    # follows `--` as options: `install-hook -- --engine python` passes those to the hook.
    if command is not parser and command._subparsers is None and "--" not in args_list:
        return command.parse_intermixed_args(args_list[1:], argparse.Namespace(command=name))
    args, extras = parser.parse_known_args(args_list)
    if extras:
        _deepest(parser, args).fail_unrecognized(extras)
    if args.command is None:  # `secretscan --quiet`? a flag alone names no command
        parser.error("no command given (try 'secretscan --help')")
    return args


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
    try:
        args = _parse(args_list)
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
        import traceback  # only for a bug: its imports (linecache, tokenize) are not the hook's to pay

        traceback.print_exc()
        print("secretscan: unexpected error (a bug): please report it with the trace above", file=sys.stderr)
        return EXIT_UNEXPECTED


def run() -> NoReturn:
    """The installed command: `main`, then an exit that skips the interpreter's teardown. Freeing every
    module's objects one by one cost a folder scan ~20 ms of wall time after its report was written, and
    nothing of it is observable: exit handlers still run and standard streams are flushed. A thread still
    running (none should) gets the ordinary exit, which waits for it."""
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream: nothing to flush
            stream.flush()
    os._exit(code)
