"""Deduplication at its edge (issue 21 §1): two findings overlap only when they share a byte."""

from __future__ import annotations

from scanner.engine.core import _dedupe
from scanner.model import Finding, Origin


def test_findings_that_touch_but_do_not_overlap_are_both_kept() -> None:
    # Columns are 1-based, end exclusive: a secret ending at column 21 and one starting there share no byte.
    def at(rule_id: str, column: int, end: int) -> Finding:
        return Finding(rule_id, rule_id, "high", "high", Origin("a"), 1, column, end, "s", "", rule_id)

    first, second, overlapping = at("a", 1, 21), at("b", 21, 41), at("c", 20, 30)
    rank = {"a": (False, 0, 0, 0), "b": (False, 0, 0, 1), "c": (False, 0, 0, 2)}
    assert _dedupe([first, second], rank) == [first, second]
    assert _dedupe([first, overlapping], rank) == [first]
