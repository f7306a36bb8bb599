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
from collections.abc import Iterator

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
) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of the secret group of each match of a one-line `regex` on the lines holding an anchor
    hit (hit end offsets, ascending, every true match holding one): what a search of the whole blob finds. A
    history holds each file in many versions that share most lines: a line searched once is looked up in
    `memo` after. `width`: how long a match is at most (None: unbounded); a long line is then searched only
    where a match can start, within `width` before one of its hits (matches_near)."""
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
                matches_near(regex, data, ends[first:after], width, start, end)
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
) -> Iterator[re.Match[bytes]]:
    """What `regex.finditer(data, max(pos, ends[0] - width), endpos)` finds, given the end offsets (ascending)
    of every prefilter hit, each true match ending at one of them (or holding a hit that ends inside it: a
    rule's `prefilter`, a one-line rule's anchor), and `width` the longest a match can be: only the starts
    within `width` before a hit can start a match, so only they are tried, each as finditer would try it.
    When those starts are many, a plain search is cheaper. `lead`: (literals, where to find them) when every
    match begins with one of those literals (leads.py): only the starts where one occurs are tried."""
    stop = len(data) if endpos is None else endpos
    if lead is not None:
        yield from _lead_near(regex, data, ends, width, pos, stop, lead)
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
