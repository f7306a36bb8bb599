"""Multi-pattern candidate search: which rules may match a blob, and from where.

Two backends with the same contract. The native one compiles every rule's pattern into one Hyperscan
database (prefilter + single-match mode: one event per rule per blob, never a Python callback per raw hit;
PERF-NOTES §2). The pure-Python one checks each rule's keywords. Both only *nominate* rules; engine.py
confirms with `re`, so both backends yield the same findings as long as the native pattern is a superset of
the Python one, which prefilter mode guarantees.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from scanner.cachedir import private_or_none, prune, read_used, user_cache
from scanner.engine.anchors import sre_modules
from scanner.engine.decode import TEXT_SIGNALS
from scanner.rules import Rule

# Python's `re` treats (?P<name>...) like PCRE; Hyperscan accepts it too. Width above this is "unbounded".
_MAX_WINDOW = 1 << 16


@dataclass(frozen=True, slots=True)
class Hits:
    """Where a rule's prefilter hit, every end offset ascending, and how long a true match is at most: every
    true match ends at one of them, so it starts within `width` before one (anchors.matches_near)."""

    ends: list[int]
    width: int


# Per nominated rule index: the byte offset from which its regex must be searched to the end of the blob; for
# a one-line rule, the end offsets of its anchor hits: search only those lines (anchors.py); for a rule whose
# matches are short, the end offsets of its hits: try only the starts just before them.
Nominations = dict[int, "int | list[int] | Hits"]
# Matches at most this long are found from every hit of the prefilter (Hits); longer or unbounded ones from
# the first hit to the end of the blob: a regex search from one hit on read the rest of the blob, as long as
# the scan of the rule itself on requests' history.
SPAN_LIMIT = 1024
# Under this key instead of a rule's: where a Kubernetes Secret manifest says `kind: Secret`, whose base64
# values decode.py decodes. Found in the same pass over the bytes: a search of its own cost 0.18 s per 430 MB
# of JSON.
KUBE_SECRET = -1
KIND_SECRET = rb"kind[\"']?:[ \t]*[\"']?Secret\b"
_KIND_SECRET = re.compile(KIND_SECRET)
# Under these keys, from the native matcher only: where each of decode.TEXT_SIGNALS first ends (absent:
# nowhere).
SIGNAL_KEYS = {name: KUBE_SECRET - 1 - i for i, (name, _, _) in enumerate(TEXT_SIGNALS)}


class Matcher(Protocol):
    name: str
    # Whether candidates() names where each of decode.TEXT_SIGNALS first ends (SIGNAL_KEYS): else the
    # engine looks for them itself.
    signals: bool

    def candidates(self, data: bytes) -> Nominations:
        """The rules that may match `data`, and where to search for them."""


class PythonMatcher:
    """Keyword prefilter in pure Python: the fallback where no Hyperscan wheel exists, and for tiny inputs."""

    name = "python"
    signals = False

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._keywords = [tuple(k.encode() for k in rule.keywords) for rule in rules]

    def candidates(self, data: bytes) -> Nominations:
        lowered = data.lower()
        out: Nominations = {i: 0 for i, kws in enumerate(self._keywords) if any(k in lowered for k in kws)}
        if b"secret" in lowered and (kind := _KIND_SECRET.search(data)) is not None:
            out[KUBE_SECRET] = kind.end()
        return out


class HyperscanMatcher:
    """All rule patterns in one Hyperscan database, cached on disk by the rule set's content hash."""

    name = "hyperscan"
    signals = True

    def __init__(self, rules: Sequence[Rule], cache_dir: Path | None = None) -> None:
        import hyperscan

        self._hs = hyperscan
        self._patterns = [rule.pattern for rule in rules]
        self._windows: dict[int, int | None] = {}  # filled on first hit: parsing 270 patterns costs ~100 ms
        self._blob, self._anchored, self._spans = _load_or_compile(hyperscan, rules, cache_dir)
        self._anchor_of = {rule: i for i, rule in enumerate(self._anchored)}
        self._db = self._open(self._blob)

    def _open(self, blob: bytes) -> Any:
        db = self._hs.loadb(blob, self._hs.HS_MODE_BLOCK)
        db.scratch = self._hs.Scratch(db)
        return db

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes receive the serialized database, never recompile it (issue 6 §3).
        return {
            "blob": self._blob,
            "patterns": self._patterns,
            "windows": self._windows,
            "anchored": self._anchored,
            "spans": self._spans,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        import hyperscan

        self._hs = hyperscan
        self._blob = state["blob"]
        self._patterns = state["patterns"]
        self._windows = state["windows"]
        self._anchored = state["anchored"]
        self._spans = state["spans"]
        self._anchor_of = {rule: i for i, rule in enumerate(self._anchored)}
        self._db = self._open(self._blob)

    def candidates(self, data: bytes) -> Nominations:
        hits: dict[int, int] = {}
        anchors: dict[int, list[int]] = {}
        ends: dict[int, list[int]] = {}
        rules = len(self._patterns)
        spans = self._spans

        signal = rules + len(self._anchored)

        def on_match(pattern: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            if pattern < rules:
                if pattern in spans:  # every hit
                    ends.setdefault(pattern, []).append(end)
                else:
                    hits[pattern] = end  # single-match: once per rule
            elif pattern < signal:
                anchors.setdefault(self._anchored[pattern - rules], []).append(end)
            else:  # kind: Secret, then TEXT_SIGNALS: single-match, keyed -1, -2, ...
                hits[KUBE_SECRET - (pattern - signal)] = end

        self._db.scan(data, match_event_handler=on_match)
        out: Nominations = {}
        for key in [key for key in hits if key < 0]:
            out[key] = hits.pop(key)
        for rule, found in ends.items():
            found.sort()
            out[rule] = Hits(found, spans[rule])
        for rule, end in hits.items():
            if rule in self._anchor_of:
                if rule in anchors:  # no anchor hit: no line where the rule could match
                    out[rule] = anchors[rule]
                continue
            if rule not in self._windows:
                self._windows[rule] = max_width(self._patterns[rule])
            window = self._windows[rule]
            # The first true match ends at or after `end`, so it cannot start before end - max width.
            out[rule] = 0 if window is None else max(0, end - window)
        return out


def make_matcher(rules: Sequence[Rule], backend: str = "auto") -> Matcher:
    """Pick the backend: `hyperscan`, `python`, or `auto` (pure Python for a small input, then Hyperscan when
    importable)."""
    if backend == "python":
        return PythonMatcher(rules)
    cache_dir = default_cache_dir()
    if backend == "auto":
        try:
            import hyperscan
        except ImportError:
            return PythonMatcher(rules)
        path = _db_path(cache_dir, _db_key(hyperscan, rules))
        if path is None or not path.exists():  # a first run: compiling pays only for a large input
            return AdaptiveMatcher(rules, cache_dir)
    return HyperscanMatcher(rules, cache_dir)


class AdaptiveMatcher:
    """Before the database is compiled: pure Python for the first SMALL bytes, Hyperscan after (PERF-NOTES
    §3: pick per input size).

    A first pre-commit hook run matches its one-file commit without the database's 0.5 s compilation
    (0.62 s -> 0.17 s); any larger input soon compiles it and goes native. Once compiled and cached, every
    run loads it at once, as that costs a small input no more than matching it in Python. Both give the same
    findings, so which one matched a blob does not show.
    """

    SMALL = 256 * 1024

    def __init__(self, rules: Sequence[Rule], cache_dir: Path | None) -> None:
        self._rules = list(rules)
        self._cache_dir = cache_dir
        self._python = PythonMatcher(rules)
        self._native: Matcher | None = None
        self._seen = 0
        self.name = "auto"
        self.signals = False

    def candidates(self, data: bytes) -> Nominations:
        if self._native is None:
            self._seen += len(data)
            if self._seen <= self.SMALL:
                return self._python.candidates(data)
            self._switch()
        assert self._native is not None
        return self._native.candidates(data)

    def _switch(self) -> None:
        try:
            self._native = HyperscanMatcher(self._rules, self._cache_dir)
        except ImportError:  # no wheel for this platform: the pure-Python path all along
            self._native = self._python
        self.name = self._native.name
        self.signals = self._native.signals

    def __getstate__(self) -> dict[str, Any]:
        if self._native is None:  # workers only join large scans: they start native
            self._switch()
        return {"native": self._native, "name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._native = state["native"]
        self.name = state["name"]
        self.signals = self._native.signals
        self._seen = 0


def default_cache_dir() -> Path | None:
    if os.environ.get("SECRETSCAN_NO_DB_CACHE"):
        return None
    return private_or_none(user_cache())


def max_width(pattern: str) -> int | None:
    """How long a match of `pattern` is at most, or None when unbounded (or longer than _MAX_WINDOW)."""
    try:
        _lo, hi = sre_modules()[0].parse(pattern).getwidth()
    except Exception:  # pragma: no cover - patterns were compiled by `re` already
        return None
    return None if hi >= _MAX_WINDOW or hi >= sys.maxsize else int(hi)


Compiled = tuple[bytes, list[int], dict[int, int]]


def _load_or_compile(hyperscan: Any, rules: Sequence[Rule], cache_dir: Path | None) -> Compiled:
    """The serialized database, the indexes of the rules whose anchors it holds (pattern ids from len(rules)
    on, in that order), and the rules whose every hit it reports, with their matches' longest width.

    The cached file names the rules it was compiled from and the digest of its own body (issue 14 §2): a
    database of other rules copied in place, a truncated or a corrupt one is compiled anew, never used."""
    digest = _db_key(hyperscan, rules)  # hashes every pattern: once
    path, key = _db_path(cache_dir, digest), digest.encode()
    if path is not None:
        try:
            loaded = _read_database(read_used(path), key)
        except OSError:
            loaded = None
        if loaded is not None:
            return loaded
    blob, anchored, spans = _compile(hyperscan, rules)
    if path is not None:
        index = json.dumps({"anchored": anchored, "spans": sorted(spans.items())}).encode()
        body = len(index).to_bytes(4, "little") + index + blob
        _write_atomically(path, _DB_MAGIC + key + hashlib.sha256(body).digest() + body)
    return blob, anchored, spans


_DB_MAGIC = b"secretscan-hsdb-3\n"
KEEP_DATABASES = 8  # compiled databases kept (the most recently used): a few projects' rule sets


def _read_database(raw: bytes, key: bytes) -> Compiled | None:
    """The database and its indexes in a cached file, or None unless it is whole and built from `key`."""
    head = len(_DB_MAGIC) + len(key)
    if raw[:head] != _DB_MAGIC + key or hashlib.sha256(raw[head + 32 :]).digest() != raw[head : head + 32]:
        return None
    body = raw[head + 32 :]
    size = int.from_bytes(body[:4], "little")
    try:
        blob, index = body[4 + size :], json.loads(body[4 : 4 + size])
        anchored, pairs = index["anchored"], index["spans"]
        spans = {int(rule): int(width) for rule, width in pairs}
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(anchored, list) or not all(isinstance(i, int) for i in anchored):
        return None
    return blob, anchored, spans


def _db_key(hyperscan: Any, rules: Sequence[Rule]) -> str:
    """The digest of what a database of `rules` holds (patterns, anchors and keywords in order, how they are
    widened) and nothing else: changing a severity or an allowlist must not cost a recompilation."""
    signals = [KIND_SECRET, *(pattern for _, pattern, _ in TEXT_SIGNALS)]
    version = f"{getattr(hyperscan, '__version__', '0')}:widen{_MAX_REPEAT}:spans{SPAN_LIMIT}:{signals!r}"
    held = json.dumps([[r.pattern, r.keywords, r.anchor, r.prefilter] for r in rules])
    return hashlib.sha256(f"{held}:{version}:{sys.platform}:{_machine()}".encode()).hexdigest()


def _db_path(cache_dir: Path | None, key: str) -> Path | None:
    """Where the compiled database with this _db_key() is cached, named by it."""
    if cache_dir is None:
        return None
    return cache_dir / f"hsdb-{key[:32]}.bin"


def _machine() -> str:
    """The CPU architecture, part of the database cache key."""
    uname = getattr(os, "uname", None)
    if uname is not None:  # not `platform`: importing it costs ~3 ms at every hook start
        return str(uname().machine)
    import platform  # pragma: no cover - Windows

    return platform.machine()  # pragma: no cover


def _compile(hyperscan: Any, rules: Sequence[Rule]) -> Compiled:
    single = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH
    # Anchors report every hit (no single-match), so the engine learns each line where a match can be; so do
    # the rules whose matches are short (Hits). A one-line rule's own pattern reporting every hit instead, in
    # place of its anchor, made the pass a tenth cheaper (issue 19), but most such patterns end in a run of
    # value bytes, a hit ending at each: a 5 MB value after `token = "` made five million callbacks (3 s).
    every = hyperscan.HS_FLAG_PREFILTER
    expressions = [relax_repeats(rule.prefilter or rule.pattern).encode() for rule in rules]
    anchored = [i for i, rule in enumerate(rules) if rule.anchor is not None]
    anchors = {i: relax_repeats(_line_anchor(rules[i])).encode() for i in anchored}
    spans = _spans(rules)

    def build(kept: list[int]) -> bytes:
        signals = [KIND_SECRET, *(pattern for _, pattern, _ in TEXT_SIGNALS)]
        flags = [every if i in spans else single for i in range(len(rules))]
        flags += [every] * len(kept) + [hyperscan.HS_FLAG_SINGLEMATCH] * len(signals)
        return _build(hyperscan, expressions + [anchors[i] for i in kept] + signals, flags)

    try:
        return build(anchored), anchored, spans
    except hyperscan.error:
        pass
    # Some construct even prefilter mode rejects: find which. Such a rule is nominated by keywords instead;
    # such an anchor is left out (its rule is then searched to the end of each blob, as any other).
    for i, rule in enumerate(rules):
        if _rejects(hyperscan, expressions[i], single):
            expressions[i] = b"(?i)(?:" + b"|".join(_escape(k) for k in rule.keywords) + b")"
            spans.pop(i, None)  # a keyword hit says nothing of where a match ends
    anchored = [i for i in anchored if not _rejects(hyperscan, anchors[i], every)]
    return build(anchored), anchored, spans


def _line_anchor(rule: Rule) -> str:
    """What the database looks for to learn a one-line rule's lines: its prefilter when it has one, else its
    anchor. A prefilter hit lies inside a match, so on its line, as an anchor hit does (anchors.py); a rule
    gets a prefilter where its pattern opens with text that is everywhere, and its anchor opens the same way:
    generic-basic-auth-cli's `http` in an HTTP library cost a tenth of the pass on requests' history."""
    return str(rule.prefilter if rule.prefilter is not None else rule.anchor)


def _spans(rules: Sequence[Rule]) -> dict[int, int]:
    """The rules searched from every hit (Hits): no anchor, ASCII (a width in characters is one in bytes),
    matches at most SPAN_LIMIT long."""
    spans: dict[int, int] = {}
    for i, rule in enumerate(rules):
        if rule.anchor is None and rule.pattern.isascii():
            width = max_width(rule.pattern)
            if width is not None and width <= SPAN_LIMIT:
                spans[i] = width
    return spans


def _rejects(hyperscan: Any, expression: bytes, flags: int) -> bool:
    try:
        _build(hyperscan, [expression], [flags])
    except hyperscan.error:
        return True
    return False


def _build(hyperscan: Any, expressions: list[bytes], flags: list[int]) -> bytes:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions), flags=flags
    )
    return bytes(hyperscan.dumpb(db))


_QUANTIFIER = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_MAX_REPEAT = 32


def relax_repeats(pattern: str) -> str:
    """Widen large counted repeats for the native database: `{60,16000}` and `{64}` become `{32,}`.

    Hyperscan compiles big bounded repeats into large automata: measured on the rule set of issue 6 (221
    rules), compilation took 143 s, two patterns alone 115 s; with repeats widened, 2 s. A widened pattern
    matches a superset of the original, which is all a prefilter needs: `re` confirms every candidate with
    the exact pattern.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class or char != "{":
            in_class = (in_class and char != "]") or (not in_class and char == "[")
            out.append(char)
            i += 1
            if char == "[" and in_class:  # a leading ^ and a leading ] are literal parts of the class
                for literal in "^]":
                    if pattern.startswith(literal, i):
                        out.append(literal)
                        i += 1
            continue
        match = _QUANTIFIER.match(pattern, i)
        if match is None:
            out.append(char)
            i += 1
            continue
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        wide = low > _MAX_REPEAT or high is None or high > _MAX_REPEAT
        out.append(f"{{{min(low, _MAX_REPEAT)},}}" if wide else match.group(0))
        i = match.end()
    return "".join(out)


def _escape(keyword: str) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in keyword.encode())


def _write_atomically(path: Path, blob: bytes) -> None:
    if private_or_none(path.parent) is None:
        return  # an unsafe cache folder is never written to (nor read: see default_cache_dir)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hsdb-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(tmp, path)
    except OSError:
        return  # a read-only home only costs a recompilation next time
    prune(path.parent, "hsdb-", KEEP_DATABASES)
