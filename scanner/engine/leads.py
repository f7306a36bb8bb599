"""A pattern's leading literal: the only places where a match of it can start.

Every match of a pattern that opens with a literal (after zero-width assertions such as lookbehinds and `\\b`)
starts with that literal, so `bytes.find` says where each match can start, and `re` tries the pattern at
those places only: what a search finds, as `re` still sees the bytes before each place (lookbehinds, word
boundaries). Two searches gain (issue 19):

- a rule nominated from a blob's start: `re` finds a case-sensitive literal prefix by itself, but under
  IGNORECASE it tries the pattern at every byte (about 90 MB/s); `(?i)Authorization…Basic\\s+…` read each
  blob that way, the costliest rule search on requests' history. A caseless literal is found in the blob's
  lowered copy.
- a rule tried at every start just before each of its hits (anchors.matches_near): a URL's `://` narrows
  a few hundred tries per hit to the one or two places it occurs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Lead:
    """The literal every match begins with: lowered when the pattern is caseless, and then to be found in the
    blob's lowered copy."""

    text: bytes
    caseless: bool


def leading_literal(pattern: str) -> Lead | None:
    """The literal every match of `pattern` (the text of a bytes pattern) begins with, or None."""
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
    zero_width = (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT)
    lead = bytearray()
    for op, value in parsed.data:
        if op in zero_width and not lead:
            continue
        # ASCII only: one byte of the bytes pattern, folded as bytes.lower() folds it
        if op is not sre_constants.LITERAL or not isinstance(value, int) or not 0 <= value < 128:
            break
        lead.append(value)
    if not lead:
        return None
    caseless = bool(parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE)
    return Lead(bytes(lead).lower() if caseless else bytes(lead), caseless)


def lead_matches(
    regex: re.Pattern[bytes], data: bytes, haystack: bytes, lead: bytes, pos: int
) -> Iterator[re.Match[bytes]]:
    """What `regex.finditer(data, pos)` finds, every match of `regex` beginning with `lead` as found in
    `haystack` (`data`, or its lowered copy for a caseless `regex`): the pattern is tried there only."""
    at = haystack.find(lead, pos)
    while at >= 0:
        match = regex.match(data, at)
        if match is None:
            at = haystack.find(lead, at + 1)
        else:  # never empty: it holds the lead
            yield match
            at = haystack.find(lead, match.end())
