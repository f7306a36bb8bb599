"""`secretscan version`: the version, as `--version` prints it (the habit of tools that have subcommands)."""

from __future__ import annotations

import argparse
from typing import Any

from scanner import __version__


def register(sub: Any) -> None:
    parser = sub.add_parser("version", help="print the version", description="Print secretscan's version.")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(f"secretscan {__version__}")
    return 0
