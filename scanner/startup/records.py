"""The methods `dataclasses` writes for our records (__init__, __repr__, __eq__, __hash__, a frozen record's
__setattr__ and __delattr__), compiled once and kept between runs (issue 19): dataclasses compiles each from
its text at every start, about 0.1 ms apiece, a fifth of the pre-commit hook's start for some 40 records.

install() has `dataclasses` compile through this module: the same text gives the same code, so a method is
what it would have been; for our modules' records (scanner.*) the code is kept, by its text, in one file
per Python (marshal, whose code objects only that Python reads) in the private cache folder (issue 14 §2).
The file is read once, used only when the digest of its body matches and it holds only texts and code,
and written back at exit when a method was missing from it. Code is run from it as Python runs its own
bytecode caches: a file only its owner can write.
"""

from __future__ import annotations

import atexit
import builtins
import hashlib
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

from scanner.cachedir import private_or_none, read_sealed, user_cache, write_sealed

_MAGIC = b"secretscan-records-1\n"
_OURS = "scanner."
_MOST = 2048  # methods a file keeps: past that, only those of the run that writes it


class CodeCache:
    """Compiled method texts: read from the file on first use, and those this process compiled anew."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._known: dict[str, types.CodeType] | None = None
        self._made: dict[str, types.CodeType] = {}

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        """builtins.exec as dataclasses calls it, with the code of a record of ours kept between runs."""
        if isinstance(source, str):
            ours = isinstance(globals, dict) and str(globals.get("__name__", "")).startswith(_OURS)
            code = self._code(source) if ours and self._path is not None else None
            # Without inheriting this module's `from __future__` flags: dataclasses itself has none.
            source = code or compile(source, "<string>", "exec", dont_inherit=True)
        builtins.exec(source, globals, locals)

    def _code(self, source: str) -> types.CodeType:
        if self._known is None:
            self._known = _read(self._path)
        code = self._known.get(source) or self._made.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            if not self._made:
                atexit.register(self.save)
            self._made[source] = code
        return code

    def save(self) -> None:
        if self._path is None or not self._made:
            return
        known = {**_read(self._path), **self._made}
        if len(known) > _MOST:
            known = dict(self._made)
        write_sealed(self._path, _MAGIC, known, 4)


def install() -> None:
    """Have dataclasses compile through a CodeCache (once per process; not where no cache can be used)."""
    import dataclasses

    if isinstance(getattr(dataclasses, "exec", None), types.MethodType):
        return  # installed
    path = _path()
    if path is not None:
        dataclasses.exec = CodeCache(path).exec  # type: ignore[attr-defined]


def _path() -> Path | None:
    if os.environ.get("SECRETSCAN_NO_RULE_CACHE"):
        return None
    folder = private_or_none(user_cache())
    if folder is None:
        return None
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + sys.version.encode()).hexdigest()[:32]
    return folder / f"records-{key}.bin"


def _read(path: Path | None) -> dict[str, types.CodeType]:
    """The texts and code in the file at `path`; none when it is absent, damaged or holds anything else."""
    known = None if path is None else read_sealed(path, _MAGIC)
    if not isinstance(known, dict) or not all(
        isinstance(text, str) and isinstance(code, types.CodeType) for text, code in known.items()
    ):
        return {}
    return known
