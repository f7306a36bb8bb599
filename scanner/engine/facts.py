"""What the engine derives from each rule's pattern, kept between runs: its compiled program
(programs.py), the literals its matches begin with (leads.py), how long a match is at most (matcher.py)
and how far `re` reads past a start (anchors.py). Parsing and compiling the few rules a commit nominates
was most of the pre-commit hook's scan (issue 19); read back, they cost microseconds.

One file per rule set's patterns, Python and code that derives the facts, in the private cache folder: a
rule's facts are derived the first time a run asks for one of them and added to the file at exit; the file
is used only when the digest of its body matches and its data has the expected shape (issue 14 §2, as the
database cache). Without a usable cache, each fact is derived on first use, as before.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.cachedir import private_or_none, read_sealed, user_cache, write_sealed
from scanner.engine import anchors, leads, matcher
from scanner.engine.leads import Lead
from scanner.patterns import PYTHON, program, programs, rebuild
from scanner.rules import Rule

_MAGIC = b"secretscan-facts-2\n"
KEEP_FACTS = 8  # files kept (the most recently used), as the compiled databases
# Per rule: its marshalled program (or None), its lead as (texts, caseless), its width, its horizon.
Entry = tuple[bytes | None, tuple[tuple[bytes, ...], bool] | None, int | None, int | None]


class PatternFacts:
    """The facts of a rule set's patterns, by rule index: read from the cache, else derived when first asked
    (all four of that rule at once, kept for the cache at exit); without a cache, each fact when asked."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._patterns = [r.pattern for r in rules]
        self._path = _path(self._patterns)
        self._stored: list[Entry | None] = _load(self._path, len(self._patterns))
        self._new: dict[int, Entry] = {}  # derived by this process: written to the cache at exit
        self._regexes: dict[int, re.Pattern[bytes]] = {}
        self._leads: dict[int, Lead | None] = {}
        self._widths: dict[int, int | None] = {}
        self._horizons: dict[int, int | None] = {}

    def __getstate__(self) -> dict[str, object]:
        # Workers rebuild the patterns they use from the programs (sending compiled ones compiles them all),
        # and derive what is not stored fact by fact: what they learn is not written back.
        return {**{name: getattr(self, name) for name in _STATE}, "_path": None, "_new": {}, "_regexes": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def regex(self, index: int) -> re.Pattern[bytes]:
        found = self._regexes.get(index)
        if found is None:
            entry = self._entry(index)
            found = self._regexes.get(index)  # compiled while deriving the entry
            if found is None:
                made = None if entry is None or entry[0] is None else _program(entry[0])
                found = rebuild(self._patterns[index].encode("utf-8"), 0, made)
                self._regexes[index] = found
        return found

    def lead(self, index: int) -> Lead | None:
        if index not in self._leads:
            entry = self._entry(index)
            if entry is None:
                self._leads[index] = leads.leading_literal(self._patterns[index])
            else:
                self._leads[index] = None if entry[1] is None else Lead(*entry[1])
        return self._leads[index]

    def width(self, index: int) -> int | None:
        """How long a match is at most, in characters: one per byte of the bytes pattern only if ASCII."""
        if index not in self._widths:
            entry = self._entry(index)
            self._widths[index] = _width(self._patterns[index]) if entry is None else entry[2]
        return self._widths[index]

    def horizon(self, index: int) -> int | None:
        if index not in self._horizons:
            entry = self._entry(index)
            self._horizons[index] = anchors.read_horizon(self.regex(index)) if entry is None else entry[3]
        return self._horizons[index]

    def _entry(self, index: int) -> Entry | None:
        """The rule's stored facts; derived now when the cache lacks them; None when there is no cache."""
        entry = self._stored[index]
        if entry is None and self._path is not None:
            entry, self._regexes[index] = _derive(self._patterns[index])
            self._stored[index] = self._new[index] = entry
            if len(self._new) == 1:
                atexit.register(self.save)
        return entry

    def save(self) -> None:
        """Add what this process derived to the cache file (merged with what another run wrote meanwhile)."""
        if self._path is None or not self._new:
            return
        entries = _load(self._path, len(self._patterns))
        for index, entry in self._new.items():
            entries[index] = entries[index] or entry
        write_sealed(self._path, _MAGIC, entries, KEEP_FACTS)


_STATE = ("_patterns", "_stored", "_leads", "_widths", "_horizons")


def _width(pattern: str) -> int | None:
    return matcher.max_width(pattern) if pattern.isascii() else None


def _program(raw: bytes) -> object:
    try:
        return marshal.loads(raw)
    except (ValueError, EOFError, TypeError):
        return None  # rebuild() compiles anew


def _derive(pattern: str) -> tuple[Entry, re.Pattern[bytes]]:
    regex = re.compile(pattern.encode("utf-8"))
    made = program(regex)
    lead = leads.leading_literal(pattern)
    entry: Entry = (
        None if made is None else marshal.dumps(made),
        None if lead is None else (lead.texts, lead.caseless),
        _width(pattern),
        anchors.read_horizon(regex),
    )
    return entry, regex


def _load(path: Path | None, count: int) -> list[Entry | None]:
    """Each pattern's facts in the cache file, None for those it lacks (all, without a usable file)."""
    entries = None if path is None else read_sealed(path, _MAGIC)
    if not _fits(entries, count):
        return [None] * count
    return entries  # type: ignore[return-value]


def _fits(entries: object, count: int) -> bool:
    """Whether cached data is an entry (or None) for each of `count` rules."""
    return (
        isinstance(entries, list)
        and len(entries) == count
        and all(entry is None or _is_entry(entry) for entry in entries)
    )


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
