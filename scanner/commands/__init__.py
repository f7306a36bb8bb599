"""Subcommands. Each module defines `register(subparsers)`; cli.COMMANDS lists them."""
