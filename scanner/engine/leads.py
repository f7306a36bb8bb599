"""A pattern's leading literals: the only places where a match of it can start.

Every match of a pattern that opens with a literal, or with an alternation of them (after zero-width
assertions such as lookbehinds and `\\b`), starts with one of those literals, so `bytes.find` says where
each match can start, and `re` tries the pattern at those places only: what a search finds, as `re` still
sees the bytes before each place (lookbehinds, word boundaries). Two searches gain (issue 19):

- a rule nominated from a blob's start: `re` finds a case-sensitive literal prefix by itself, but under
  IGNORECASE, or for an alternation, it tries the pattern at every byte (about 90 MB/s):
  `(?i)Authorization…Basic\\s+…` read each blob that way, the costliest rule search on requests' history,
  and `(?i)(?:aws|amazon|secret)…` each large file of moto's tree. A caseless literal is found in the blob's
  lowered copy.
- a rule tried at every start just before each of its hits (anchors.matches_near): a URL's `://` narrows
  a few hundred tries per hit to the one or two places it occurs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_MOST = 8  # leads a rule may have: each is looked for on its own


@dataclass(frozen=True, slots=True)
class Lead:
    """The literals one of which every match begins with: lowered when the pattern is caseless, and then to
    be found in the blob's lowered copy."""

    texts: tuple[bytes, ...]
    caseless: bool


def leading_literal(pattern: str) -> Lead | None:
    """The literals one of which every match of `pattern` (the text of a bytes pattern) begins with, or
    None."""
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
    heads = _heads(parsed.data, sre_constants)
    if not heads:
        return None
    caseless = bool(parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE)
    texts = {head.lower() for head in heads} if caseless else heads
    return Lead(tuple(sorted(texts)), caseless)


def _heads(items: Any, sre: Any) -> set[bytes] | None:
    """The literals one of which a sequence of parsed items begins with: its leading literal bytes, after
    zero-width assertions, through one alternation (each alternative's own heads) at most."""
    heads = {b""}
    for op, value in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT) and heads == {b""}:
            continue  # zero-width: the literal after it still starts the match
        if op is sre.LITERAL and 0 <= value < 128:  # ASCII: one byte, folded as bytes.lower() folds it
            heads = {head + bytes([value]) for head in heads}
            continue
        alternatives: list[set[bytes] | None] | None = None
        if op is sre.BRANCH:
            alternatives = [_heads(branch.data, sre) for branch in value[1]]
        elif op is sre.SUBPATTERN and not value[1] and not value[2]:  # a group that sets no flags
            alternatives = [_heads(value[3].data, sre)]
        elif op is sre.IN and all(kind is sre.LITERAL and 0 <= byte < 128 for kind, byte in value):
            alternatives = [{bytes([byte])} for _, byte in value]
        if alternatives is not None and all(alternatives):  # none None, none empty
            heads = {head + tail for head in heads for found in alternatives if found for tail in found}
        break  # past an alternation, its branches go on differently
    if b"" in heads or len(heads) > _MOST:
        return None
    return heads


def lead_matches(
    regex: re.Pattern[bytes], data: bytes, haystack: bytes, leads: tuple[bytes, ...], pos: int
) -> Iterator[re.Match[bytes]]:
    """What `regex.finditer(data, pos)` finds, every match of `regex` beginning with one of `leads` as found
    in `haystack` (`data`, or its lowered copy for a caseless `regex`): the pattern is tried there only."""
    upcoming = [haystack.find(lead, pos) for lead in leads]  # each lead's next place at or after pos
    while True:
        places = [at for at in upcoming if at >= 0]
        if not places:
            return
        at = min(places)
        match = regex.match(data, at)
        if match is not None:  # never empty: it holds a lead
            yield match
        pos = at + 1 if match is None else match.end()
        upcoming = [
            haystack.find(lead, pos) if 0 <= found < pos else found
            for lead, found in zip(leads, upcoming, strict=True)
        ]
