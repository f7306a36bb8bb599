"""A caseless pattern's leading literal: where a search for it can start.

`re` finds a case-sensitive literal prefix by itself, but under IGNORECASE it tries the pattern at every
byte (about 90 MB/s): a rule nominated from a blob's start, such as `(?i)Authorization…Basic\\s+…`, read
each blob that way (on requests' history, the costliest rule search). Every match of such a pattern starts
with its leading literal in some case, so `bytes.find` in the blob's lowered copy says where each match can
start, and `re` tries the pattern at those places only: what a search finds (`re` still sees the bytes
before each, for lookbehinds and word boundaries).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

_SHORTEST = 3  # shorter literals are frequent, and the lowered copy costs as much as a short search


def caseless_lead(pattern: str) -> bytes | None:
    """The lowered literal every match of `pattern` (the text of a bytes pattern) begins with, when the
    pattern is caseless as a whole and starts with an ASCII one of at least _SHORTEST bytes; else None."""
    if sys.version_info >= (3, 11):
        from re import _constants as sre_constants
        from re import _parser as sre_parse
    else:  # pragma: no cover
        import sre_constants
        import sre_parse
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # pragma: no cover - patterns were compiled by `re` already
        return None
    if not parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE:
        return None
    lead = bytearray()
    for op, value in parsed.data:
        # ASCII only: that is one byte of the bytes pattern, folded as bytes.lower() folds it
        if op is not sre_constants.LITERAL or not isinstance(value, int) or not 0 <= value < 128:
            break
        lead.append(value)
    return bytes(lead).lower() if len(lead) >= _SHORTEST else None


def lead_matches(
    regex: re.Pattern[bytes], data: bytes, lowered: bytes, lead: bytes, pos: int
) -> Iterator[re.Match[bytes]]:
    """What `regex.finditer(data, pos)` finds, `regex` being caseless and every match of it beginning with
    `lead` (lowered; `lowered` is `data` lowered): the pattern is tried where `lead` occurs only."""
    at = lowered.find(lead, pos)
    while at >= 0:
        match = regex.match(data, at)
        if match is None:
            at = lowered.find(lead, at + 1)
        else:  # never empty: it holds the lead
            yield match
            at = lowered.find(lead, match.end())
