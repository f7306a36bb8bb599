"""User-facing error types. Library code raises these; only cli.py turns them into exit codes."""

from __future__ import annotations


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the main thread is, so every `with` block unwinds as on Ctrl-C: workers
    end, temporary folders (a URL audit's clone) go (issue 14 §4). Not an Exception: nothing swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class SecretscanError(Exception):
    """Base of every error we expect a user to see (exit code 2)."""


class UsageError(SecretscanError):
    """A bad flag or argument combination."""


class RuleError(SecretscanError):
    """A rule file or rule that cannot be loaded; the message names the file and the rule id."""


class ConfigError(SecretscanError):
    """An invalid project config file; the message names the file and the key."""


class GitError(SecretscanError):
    """A repository that cannot be read, or a git command that failed."""


class BaselineError(SecretscanError):
    """A baseline file that cannot be read or written."""


class DependencyError(SecretscanError):
    """An optional extra is needed for what the user asked for."""
