"""Line anchors: where a one-line rule can match, so `re` runs on those lines instead of to the end of a blob.

A rule declared `one_line` promises that each of its matches lies within one line. Its *anchor* is the text of
its pattern before the secret group (the name and the assignment operator of a generic rule). Hyperscan
reports the end of every anchor hit (prefilter mode: a superset of the true ones), and every true match
contains an anchor hit on its own line, so searching just the lines with an anchor hit finds every match a
search of the whole blob would (issue 6: the generic rule's search was the scan's largest Python cost).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# (id of the pattern, line at the start of the blob, line) -> the secret group's spans in the line. By id: a
# compiled pattern compares equal by comparing its whole program, and the memo's owner keeps its patterns.
LineMemo = dict[tuple[int, bool, bytes], list[tuple[int, int]]]
_MEMO_KEPT = 50_000  # lines remembered (a few MB), then the memo starts afresh
_MEMO_LINE = 1024  # longer lines (minified code, data) are searched every time, never kept
# A match tried at one start costs about as much as a search reading this many bytes.
_MATCH_COST = 64


def anchored_secrets(
    regex: re.Pattern[bytes], group: int | str, data: bytes, ends: list[int], memo: LineMemo
) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of the secret group of each match of a one-line `regex` on the lines holding an anchor
    hit (hit end offsets, ascending): what a search of the whole blob finds. A history holds each file in
    many versions that share most lines: a line searched once is looked up in `memo` after."""
    for start, end in _lines(data, ends):
        line = data[start:end]
        # What the search sees is the line and the newline before it (none at the start of the blob).
        key = (id(regex), start == 0, line)
        spans = memo.get(key)
        if spans is None:
            found = regex.finditer(data, start, end)  # endpos at the newline: `$` matches there as before it
            spans = [
                (m.start(group) - start, m.end(group) - start) for m in found if m.start(group) < m.end(group)
            ]
            if end - start <= _MEMO_LINE:
                if len(memo) >= _MEMO_KEPT:
                    memo.clear()
                memo[key] = spans
        for first, last in spans:
            yield start + first, line[first:last]


def _lines(data: bytes, ends: list[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of each line holding one of `ends` (ascending), each once; end at the newline."""
    done = -1
    for end in ends:
        if end <= done:
            continue  # this hit's line was searched already
        start = data.rfind(b"\n", 0, max(end - 1, 0)) + 1
        done = data.find(b"\n", end)
        if done < 0:
            done = len(data)
        yield start, done


def matches_near(
    regex: re.Pattern[bytes], data: bytes, ends: list[int], width: int
) -> Iterator[re.Match[bytes]]:
    """What `regex.finditer(data, max(0, ends[0] - width))` finds, given the end offsets (ascending) of every
    prefilter hit, each true match ending at one of them (or, for a rule with a `prefilter`, holding a hit
    that ends inside it), and `width` the longest a match can be: only the starts within `width` before a hit
    can start a match, so only they are tried, each as finditer would try it. When those starts are many, a
    plain search is cheaper."""
    first = max(0, ends[0] - width)
    starts = zip([ends[0] - width, *ends[:-1]], ends, strict=True)
    if sum(min(width, end - before) for before, end in starts) * _MATCH_COST > len(data) - first:
        yield from regex.finditer(data, first)
        return
    tried = 0  # every start below this was tried, or lies inside a match already found
    for end in ends:
        start = max(tried, end - width)
        while start < end:
            match = regex.match(data, start)
            if match is None:
                start += 1
            elif match.end() == start:  # an empty match: finditer's stepping over those, from here on
                yield from regex.finditer(data, start)
                return
            else:
                yield match
                start = match.end()
        tried = max(tried, start)
