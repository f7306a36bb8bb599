"""What the engine derives from each rule's pattern, kept between runs: its compiled program
(programs.py), the literals its matches begin with (leads.py), how long a match is at most (matcher.py)
and how far `re` reads past a start (anchors.py). Parsing and compiling the few rules a commit nominates
was most of the pre-commit hook's scan (issue 19); read back, they cost microseconds.

One file per rule set's patterns, Python and code that derives the facts, in the private cache folder: made
whole the first time (every rule's facts), then used only when the digest of its body matches and its data
has the expected shape (issue 14 §2, as the database cache). Without a usable cache, each fact is derived on
first use, as before.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.cachedir import private_or_none, prune, read_used, user_cache
from scanner.engine import anchors, leads, matcher
from scanner.engine.leads import Lead
from scanner.patterns import PYTHON, program, programs, rebuild
from scanner.rules import Rule

_MAGIC = b"secretscan-facts-1\n"
KEEP_FACTS = 8  # files kept (the most recently used), as the compiled databases
# Per rule: its marshalled program (or None), its lead as (texts, caseless), its width, its horizon.
Entry = tuple[bytes | None, tuple[tuple[bytes, ...], bool] | None, int | None, int | None]


class PatternFacts:
    """The facts of a rule set's patterns, by rule index; read from the cache, else derived when asked."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._patterns = [r.pattern for r in rules]
        self._stored = _load_or_build(self._patterns)
        self._regexes: dict[int, re.Pattern[bytes]] = {}
        self._leads: dict[int, Lead | None] = {}
        self._widths: dict[int, int | None] = {}
        self._horizons: dict[int, int | None] = {}

    def __getstate__(self) -> dict[str, object]:
        # Workers rebuild the patterns they use from the programs: sending compiled ones compiles them all.
        return {**{name: getattr(self, name) for name in _STATE}, "_regexes": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def regex(self, index: int) -> re.Pattern[bytes]:
        found = self._regexes.get(index)
        if found is None:
            text = self._patterns[index].encode("utf-8")
            stored = None if self._stored is None else self._stored[index][0]
            made = None if stored is None else _program(stored)
            found = self._regexes[index] = rebuild(text, 0, made)
        return found

    def lead(self, index: int) -> Lead | None:
        if index not in self._leads:
            if self._stored is not None:
                stored = self._stored[index][1]
                self._leads[index] = None if stored is None else Lead(*stored)
            else:
                self._leads[index] = leads.leading_literal(self._patterns[index])
        return self._leads[index]

    def width(self, index: int) -> int | None:
        """How long a match is at most, in characters: one per byte of the bytes pattern only if ASCII."""
        if index not in self._widths:
            self._widths[index] = (
                self._stored[index][2] if self._stored is not None else _width(self._patterns[index])
            )
        return self._widths[index]

    def horizon(self, index: int) -> int | None:
        if index not in self._horizons:
            self._horizons[index] = (
                self._stored[index][3]
                if self._stored is not None
                else anchors.read_horizon(self.regex(index))
            )
        return self._horizons[index]


_STATE = ("_patterns", "_stored", "_leads", "_widths", "_horizons")


def _width(pattern: str) -> int | None:
    return matcher.max_width(pattern) if pattern.isascii() else None


def _program(raw: bytes) -> object:
    try:
        return marshal.loads(raw)
    except (ValueError, EOFError, TypeError):
        return None  # rebuild() compiles anew


def _derive(pattern: str) -> Entry:
    regex = re.compile(pattern.encode("utf-8"))
    made = program(regex)
    lead = leads.leading_literal(pattern)
    return (
        None if made is None else marshal.dumps(made),
        None if lead is None else (lead.texts, lead.caseless),
        _width(pattern),
        anchors.read_horizon(regex),
    )


def _load_or_build(patterns: list[str]) -> list[Entry] | None:
    """Every pattern's facts from the cache, or derived and stored there; None where no cache can be used."""
    path = _path(patterns)
    if path is None:
        return None
    try:
        raw = read_used(path)
    except OSError:
        pass
    else:
        loaded = _read(raw, len(patterns))
        if loaded is not None:
            return loaded
    entries = [_derive(pattern) for pattern in patterns]
    body = marshal.dumps(entries)
    _write(path, _MAGIC + hashlib.sha256(body).digest() + body)
    return entries


def _read(raw: bytes, count: int) -> list[Entry] | None:
    head = len(_MAGIC)
    body = raw[head + 32 :]
    if raw[:head] != _MAGIC or hashlib.sha256(body).digest() != raw[head : head + 32]:
        return None
    try:
        entries = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(entries, list) or len(entries) != count or not all(map(_is_entry, entries)):
        return None
    return entries


def _is_entry(entry: object) -> bool:
    if not isinstance(entry, tuple) or len(entry) != 4:
        return False
    made, lead, width, horizon = entry
    return (
        isinstance(made, (bytes, type(None)))
        and (lead is None or _is_lead(lead))
        and isinstance(width, (int, type(None)))
        and isinstance(horizon, (int, type(None)))
    )


def _is_lead(lead: object) -> bool:
    return (
        isinstance(lead, tuple)
        and len(lead) == 2
        and isinstance(lead[0], tuple)
        and all(isinstance(text, bytes) for text in lead[0])
        and isinstance(lead[1], bool)
    )


def _path(patterns: list[str]) -> Path | None:
    """The cache file of `patterns`, named by them, this Python and the code deriving the facts."""
    if os.environ.get("SECRETSCAN_NO_RULE_CACHE"):
        return None
    folder = private_or_none(user_cache())
    if folder is None:
        return None
    digest = hashlib.sha256(f"{__version__}\0{PYTHON}\0".encode())
    try:
        for source in (anchors.__file__, leads.__file__, matcher.__file__, programs.__file__, __file__):
            digest.update(Path(str(source)).read_bytes())
    except OSError:
        return None  # code not read from files (a zip): derive each fact on first use
    digest.update("\0".join(patterns).encode("utf-8", "surrogateescape"))
    return folder / f"facts-{digest.hexdigest()[:32]}.bin"


def _write(path: Path, blob: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".facts-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(tmp, path)
    except OSError:
        return  # a read-only cache only costs deriving the facts again next time
    prune(path.parent, "facts-", KEEP_FACTS)
