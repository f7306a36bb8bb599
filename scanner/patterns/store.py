"""The modules' own patterns, compiled from the programs (programs.py) of one store per installation and
Python, in the private cache folder (issue 14 §2; issue 19: compiling them was a tenth of the pre-commit
hook's start). The store is read once per process and used only when the digest of its body matches; it is
written back at exit when a pattern was not in it (a first run, another command's modules, a changed
pattern).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
from pathlib import Path
from typing import Any, AnyStr

from scanner import __version__
from scanner.cachedir import private_or_none, read_sealed, user_cache, write_sealed
from scanner.patterns.programs import PYTHON, internals, program, rebuild


def compiled(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """re.compile(pattern, flags) for a module's own pattern, from the store when it holds its program."""
    return _STORE.compile(pattern, flags)


_MAGIC = b"secretscan-regexes-1\n"
_MOST = 4096  # programs a store keeps: past that, only those of the run that writes it


class _Store:
    """The store's programs, read on first use; and the programs this process made that it lacked."""

    def __init__(self) -> None:
        self._known: dict[Any, Any] | None = None
        self._made: dict[Any, Any] = {}

    def compile(self, pattern: AnyStr, flags: int) -> re.Pattern[AnyStr]:
        if self._known is None:
            self._known = _read(_store_path())
        key = (pattern, int(flags))  # a RegexFlag is no plain data
        made = self._known.get(key)
        if made is not None:
            return rebuild(pattern, flags, made)
        regex = re.compile(pattern, flags)
        made = program(regex)
        if made is not None:
            if not self._made:
                atexit.register(self._save)
            self._made[key] = made
        return regex

    def _save(self) -> None:
        path = _store_path()
        if path is None:
            return
        known = {**_read(path), **self._made}
        if len(known) > _MOST:
            known = dict(self._made)
        write_sealed(path, _MAGIC, known, 4)


_STORE = _Store()


def _store_path() -> Path | None:
    if os.environ.get("SECRETSCAN_NO_RULE_CACHE") or internals() is None:
        return None
    folder = private_or_none(user_cache())
    if folder is None:
        return None
    key = hashlib.sha256(f"{__version__}\0{PYTHON}".encode()).hexdigest()[:32]
    return folder / f"regexes-{key}.bin"


def _read(path: Path | None) -> dict[Any, Any]:
    """The programs in the store at `path`; none when it is absent, damaged or not ours."""
    known = None if path is None else read_sealed(path, _MAGIC)
    return known if isinstance(known, dict) else {}
