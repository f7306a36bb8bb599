"""Every option of one run, resolved once from flags, the project config and defaults; one parser per kind
of value, shared by the command line and the config file so both accept and refuse the same text."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.model import Confidence

if TYPE_CHECKING:
    from scanner.config import Config

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
SIZE_EXAMPLES = "examples: 500000, 512k, 10M"


def parse_size(raw: str | int) -> int:
    """A size in bytes, at least one: 500000, 512k, 1.5M, 10MB, 2G. Raises ValueError with the reason.

    Zero and negative sizes are refused: a cap that skips every file turns a scan into "no findings"."""
    if isinstance(raw, bool):
        raise ValueError(f"not a size: {raw!r} ({SIZE_EXAMPLES})")
    if isinstance(raw, int):
        size = raw
    else:
        match = _SIZE.match(raw)
        if match is None:
            raise ValueError(f"not a size: {raw!r} ({SIZE_EXAMPLES})")
        size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < 1:
        raise ValueError(f"a size must be at least 1 byte, not {raw!r} ({SIZE_EXAMPLES})")
    return size


# Files and blobs larger than this are skipped (and reported) unless a flag or the config says otherwise.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Every option of one run. commands/options.py builds it from the command line; resolve() then adds what
    the project config asks for, once, so the steps below read one record, never the command-line parser."""

    command: str = "scan"
    # What to scan: folders and files (scan), a repository (history, diff, staged), a range, staged files.
    paths: tuple[str, ...] = (".",)
    repo: str | None = None
    files: tuple[str, ...] = ()
    base: str = ""
    head: str = "HEAD"
    branches: tuple[str, ...] = ()
    since: str | None = None
    max_commits: int | None = None
    # A fleet's audit (issue 20): commits an earlier audit covered, whose history is left out (only what is
    # new is read); and the share of blobs one of several tasks on one repository scans (index, count).
    exclude_commits: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    # The file walk and size cap (max_bytes: the flag, then the config, then DEFAULT_MAX_BYTES).
    excludes: tuple[str, ...] = ()
    max_bytes: int | None = None
    use_gitignore: bool = True
    follow_symlinks: bool = False
    # Rules.
    rule_paths: tuple[str, ...] = ()
    builtin_rules: bool = True
    disabled_rules: tuple[str, ...] = ()
    # Output (format: the flag, then the config, then text).
    format: str | None = None
    output: str | None = None
    show_secrets: bool = False
    explain: bool = False
    min_confidence: Confidence = "medium"
    no_color: bool = False
    quiet: bool = False
    verbose: bool = False  # list on stderr what was skipped or left out, and why
    # Gate strictness: inline markers honoured (--no-inline-allow or the config turns them off); scan
    # errors fail the run unless --no-fail-on-error or the config says otherwise (None: not given).
    inline_allow: bool = True
    fail_on_error: bool | None = None
    # Performance.
    jobs: int = 0
    backend: str = "auto"
    cache: str | None = None
    no_cache: bool = False
    # Project config and baseline.
    config: str | None = None
    baseline: str | None = None
    no_baseline: bool = False
    report_unused: bool = False
    # Opt-in verification; `verification` is False for commands without its options.
    verification: bool = False
    verify: bool = False
    verify_owner: bool = False
    verify_dry_run: bool = False
    profile: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    verify_timeout: float = 10.0
    verify_budget: float = 300.0
    verify_partitions: tuple[str, ...] = ()
    verify_skip_accounts: tuple[str, ...] = ()  # the config's verify.skip_accounts
    verify_concurrency: int = 4
    fail_on: str = "any"

    @property
    def size_cap(self) -> int:
        """The largest file or blob read: --max-file-size / --max-blob-size, the config, else the default."""
        return self.max_bytes or DEFAULT_MAX_BYTES

    def root(self) -> Path:
        """Where project files are looked for: the first folder scanned, else the repository, else cwd."""
        paths = [p for p in self.paths if p != "-"] if self.command == "scan" else []
        first = Path(paths[0] if paths else self.repo or ".")
        return (first if first.is_dir() else first.parent).absolute()

    def resolve(self, config: Config) -> Settings:
        """These settings with the project config's defaults filled in (a flag always wins)."""
        return dataclasses.replace(
            self,
            format=self.format or config.format or "text",
            excludes=(*self.excludes, *config.excludes),
            max_bytes=self.max_bytes or config.max_file_size or DEFAULT_MAX_BYTES,
            verify_skip_accounts=(*self.verify_skip_accounts, *config.verify_skip_accounts),
            inline_allow=self.inline_allow and config.inline_allow,
            # No mode passes a scan that could not read everything unless told to (issue 14 §5): what was
            # not read may hold a secret, and exit 0 would say it does not.
            fail_on_error=next(v for v in (self.fail_on_error, config.fail_on_error, True) if v is not None),
        )
