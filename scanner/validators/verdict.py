"""The answer of an offline validator. Its own module so validator families (checksums.py, keyblocks.py)
can build verdicts without importing the registry that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Confidence


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    confidence: Confidence | None = None  # overrides the rule's confidence when set
    example: bool = False  # rejected as a documentation example or placeholder (its own --explain reason)
