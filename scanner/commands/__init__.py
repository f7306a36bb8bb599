"""Subcommands. Each module defines `register(subparsers)`; cli.COMMANDS maps names to modules."""
