"""Line anchors: where a one-line rule can match, so `re` runs on those lines instead of to the end of a blob.

A rule declared `one_line` promises that each of its matches lies within one line. Its *anchor* is the text of
its pattern before the secret group (the name and the assignment operator of a generic rule). Hyperscan
reports the end of every anchor hit (prefilter mode: a superset of the true ones), and every true match
contains an anchor hit on its own line, so searching just the lines with an anchor hit finds every match a
search of the whole blob would (issue 6: the generic rule's search was the scan's largest Python cost).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import sys
from collections.abc import Iterator
from typing import Any

# (id of the pattern, line at the start of the blob, line or its digest, whether a digest) -> the secret
# group's spans in the line. By id: a compiled pattern compares equal by comparing its whole program, and the
# memo's owner keeps its patterns.
LineMemo = dict[tuple[int, bool, bytes, bool], list[tuple[int, int]]]
_MEMO_KEPT = 50_000  # lines remembered (a few MB), then the memo starts afresh
# Longer lines (minified code, data files) are remembered by their digest, not kept whole: the versions of a
# JSON data file in a history repeat its long lines, and `re` read those far slower than blake2b hashes them
# (on requests' history, most of the generic rule's search time was such lines, searched again each version).
_MEMO_LINE = 1024
# A match tried at one start costs about as much as a search reading this many bytes.
_MATCH_COST = 64


def anchored_secrets(
    regex: re.Pattern[bytes],
    group: int | str,
    data: bytes,
    ends: list[int],
    memo: LineMemo,
    width: int | None = None,
    horizon: int | None = None,
) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of the secret group of each match of a one-line `regex` on the lines holding an anchor
    hit (hit end offsets, ascending, every true match holding one): what a search of the whole blob finds. A
    history holds each file in many versions that share most lines: a line searched once is looked up in
    `memo` after. `width`: how long a match is at most (None: unbounded); a long line is then searched only
    where a match can start, within `width` before one of its hits (matches_near, given `horizon`)."""
    for start, end, first, after in _lines(data, ends):
        line = data[start:end]
        # What the search sees is the line and the newline before it (none at the start of the blob).
        long = end - start > _MEMO_LINE
        text = hashlib.blake2b(line, digest_size=32).digest() if long else line
        key = (id(regex), start == 0, text, long)
        spans = memo.get(key)
        if spans is None:
            # endpos at the newline: `$` matches there as before it
            found = (
                matches_near(regex, data, ends[first:after], width, start, end, horizon=horizon)
                if long and width is not None
                else regex.finditer(data, start, end)
            )
            spans = [
                (m.start(group) - start, m.end(group) - start) for m in found if m.start(group) < m.end(group)
            ]
            if len(memo) >= _MEMO_KEPT:
                memo.clear()
            memo[key] = spans
        for begin, stop in spans:
            yield start + begin, line[begin:stop]


def _lines(data: bytes, ends: list[int]) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, first, after) of each line holding one of `ends` (ascending), each once; end at the
    newline, ends[first:after] the hits on it."""
    first = 0
    while first < len(ends):
        hit = ends[first]
        start = data.rfind(b"\n", 0, max(hit - 1, 0)) + 1
        done = data.find(b"\n", hit)
        if done < 0:
            done = len(data)
        after = bisect.bisect_right(ends, done, first + 1)
        yield start, done, first, after
        first = after


def matches_near(
    regex: re.Pattern[bytes],
    data: bytes,
    ends: list[int],
    width: int,
    pos: int = 0,
    endpos: int | None = None,
    lead: tuple[tuple[bytes, ...], bytes] | None = None,
    horizon: int | None = None,
) -> Iterator[re.Match[bytes]]:
    """What `regex.finditer(data, max(pos, ends[0] - width), endpos)` finds, given the end offsets (ascending)
    of every prefilter hit, each true match ending at one of them (or holding a hit that ends inside it: a
    rule's `prefilter`, a one-line rule's anchor), and `width` the longest a match can be: only the starts
    within `width` before a hit can start a match, so only they are tried, each as finditer would try it.
    When those starts are many, a plain search is cheaper. `lead`: (literals, where to find them) when every
    match begins with one of those literals (leads.py): only the starts where one occurs are tried.
    `horizon`: how far past a start `re` reads when it tries the pattern there (read_horizon): `re` then
    searches just the stretches before the hits itself, cut that far past them."""
    stop = len(data) if endpos is None else endpos
    if lead is not None:
        yield from _lead_near(regex, data, ends, width, pos, stop, lead)
        return
    if horizon is not None:
        yield from _search_near(regex, data, ends, width, pos, stop, horizon)
        return
    first = max(pos, ends[0] - width)
    starts = zip([ends[0] - width, *ends[:-1]], ends, strict=True)
    if sum(min(width, end - before) for before, end in starts) * _MATCH_COST > stop - first:
        yield from regex.finditer(data, first, stop)
        return
    tried = pos  # every start below this was tried, or lies inside a match already found
    for end in ends:
        start = max(tried, end - width)
        while start < end:
            match = regex.match(data, start, stop)
            if match is None:
                start += 1
            elif match.end() == start:  # an empty match: finditer's stepping over those, from here on
                yield from regex.finditer(data, start, stop)
                return
            else:
                yield match
                start = match.end()
        tried = max(tried, start)


def _search_near(
    regex: re.Pattern[bytes], data: bytes, ends: list[int], width: int, pos: int, stop: int, horizon: int
) -> Iterator[re.Match[bytes]]:
    """matches_near's walk, each stretch of starts searched by `re` in one call. A search cannot be told
    where to stop starting, only where the text ends: cut `horizon` past the stretch's last start, it sees
    all that trying a start in the stretch reads, so it finds there what a search to `stop` finds, and what
    it finds past the stretch is left alone. A rule whose search is slow (one starting with an optional
    quote before a caseless name tries the pattern at every byte) no longer reads the rest of the blob from
    its first hit, nor has Python try each start before each hit: on moto's history, most of the engine's
    own time in `re` (issue 19)."""
    stretches = _stretches(ends, width, pos, horizon)
    if sum(end - start + horizon for start, end in stretches) >= stop - stretches[0][0]:
        yield from regex.finditer(data, stretches[0][0], stop)
        return
    tried = pos  # every start below this was tried, or lies inside a match already found
    for first, end in stretches:
        start = max(tried, first)
        while start < end:
            match = regex.search(data, start, min(stop, end - 1 + horizon))
            if match is None or match.start() >= end:
                start = end
            elif match.end() == match.start():  # an empty match: finditer's stepping over those, from here on
                yield from regex.finditer(data, match.start(), stop)
                return
            else:
                yield match
                start = match.end()
        tried = max(tried, start)


def _stretches(ends: list[int], width: int, pos: int, horizon: int) -> list[tuple[int, int]]:
    """[start, end) of the runs of starts within `width` before a hit (at or after `pos`), two runs joined
    when the gap between them is shorter than `horizon`: a search reads that far past its run anyway."""
    stretches: list[tuple[int, int]] = []
    for end in ends:
        start = max(pos, end - width)
        if stretches and start - stretches[-1][1] < horizon:
            stretches[-1] = (stretches[-1][0], max(stretches[-1][1], end))
        else:
            stretches.append((start, end))
    return stretches


def sre_modules() -> tuple[Any, Any]:
    """`re`'s own parser and constants (private modules, renamed in Python 3.11), to measure patterns with. As
    Any: typeshed knows only str patterns; `re` parses bytes ones the same way."""
    if sys.version_info >= (3, 11):
        from re import _constants, _parser

        return _parser, _constants
    import sre_constants  # pragma: no cover
    import sre_parse  # pragma: no cover

    return sre_parse, sre_constants  # pragma: no cover


def read_horizon(regex: re.Pattern[bytes]) -> int | None:
    """How far past a start `re` reads when it tries `regex` there, or None when unbounded or unknown: the
    longest match, plus what lookaheads look at past it, plus two for `$` (which asks whether the text ends
    one byte later) and `\\b`. Backreferences and conditionals are not followed (None)."""
    sre_parse, sre_constants = sre_modules()
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags)
    except Exception:  # pragma: no cover - compiled by `re` already
        return None
    peeks = _lookahead_widths(parsed, sre_constants)
    if peeks is None:
        return None
    total = parsed.getwidth()[1] + peeks + 2
    return total if total < _HORIZON_MAX else None


_HORIZON_MAX = 1 << 16


def _lookahead_widths(parsed: Any, sre: Any) -> int | None:
    """The sum of the longest widths of every assertion in a parsed pattern (a bound on how far they read
    past where they stand), or None when one is unbounded or the pattern refers back to a group."""
    total = 0
    for op, value in parsed.data:
        nested: list[Any] = []
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return None
        if op is sre.BRANCH:
            nested = list(value[1])
        elif op is sre.SUBPATTERN:
            nested = [value[3]]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            nested = [value[2]]
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            nested = [value]
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            total += value[1].getwidth()[1]
            nested = [value[1]]
        for inner in nested:
            widths = _lookahead_widths(inner, sre)
            if widths is None:
                return None
            total += widths
        if total >= _HORIZON_MAX:
            return None
    return total


def _lead_near(
    regex: re.Pattern[bytes],
    data: bytes,
    ends: list[int],
    width: int,
    pos: int,
    stop: int,
    lead: tuple[tuple[bytes, ...], bytes],
) -> Iterator[re.Match[bytes]]:
    """matches_near's walk, trying only the starts where a lead occurs: (literals, where to find them)."""
    texts, haystack = lead
    tried = pos
    for end in ends:
        start = _first_lead(haystack, texts, max(tried, end - width), end)
        while start >= 0:
            match = regex.match(data, start, stop)
            if match is None:
                start = _first_lead(haystack, texts, start + 1, end)
            else:  # never empty: it holds a lead
                yield match
                tried = match.end()
                start = _first_lead(haystack, texts, tried, end)
        tried = max(tried, end)


def _first_lead(haystack: bytes, texts: tuple[bytes, ...], start: int, end: int) -> int:
    """Where the first of `texts` starting in [start, end) does, or -1 (a match starts before the hit's end;
    its lead may reach past it)."""
    places = [at for text in texts if (at := haystack.find(text, start, end + len(text) - 1)) >= 0]
    return min(places) if places else -1
