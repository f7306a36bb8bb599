"""Run every rule's examples through the whole engine: positives must be reported, negatives must not."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scanner.engine.core import Engine
from scanner.model import Blob, Origin
from scanner.rules import Example, Rule


@dataclass(frozen=True, slots=True)
class Failure:
    rule_id: str
    kind: str  # "missed example" | "reported negative example" | "one_line broken" | "prefilter broken"
    example: Example
    detail: str


def check_rules(rules: Sequence[Rule], engine: Engine, only: Sequence[Rule] | None = None) -> list[Failure]:
    """Check the examples of `only` (default: every rule) against the engine built from all `rules`."""
    failures: list[Failure] = []
    for rule in only if only is not None else rules:
        for example in rule.examples:
            outcome = engine.scan(Blob.from_bytes(example.text.encode(), Origin(example.path)), explain=True)
            if not any(f.rule_id == rule.id for f in outcome.findings):
                why = [f"{d.reason}: {d.detail}" for d in outcome.dropped if d.rule_id == rule.id]
                other = [f.rule_id for f in outcome.findings]
                detail = "; ".join(why) or (
                    f"reported as {', '.join(other)} instead" if other else "no match"
                )
                failures.append(Failure(rule.id, "missed example", example, detail))
        for example in rule.negative_examples:
            outcome = engine.scan(Blob.from_bytes(example.text.encode(), Origin(example.path)))
            if any(f.rule_id == rule.id for f in outcome.findings):
                failures.append(Failure(rule.id, "reported negative example", example, "matched"))
        if rule.anchor is not None:
            failures.extend(_one_line_failures(rule))
        if rule.prefilter is not None:
            failures.extend(_prefilter_failures(rule))
    return failures


def _prefilter_failures(rule: Rule) -> list[Failure]:
    """A prefilter's promise, checked on the rule's examples: every match of the pattern contains a match of
    the prefilter (the native database finds the rule only where the prefilter matches)."""
    prefilter = re.compile(str(rule.prefilter).encode())
    failures = []
    for example in rule.examples + rule.negative_examples:
        for match in rule.regex.finditer(example.text.encode()):
            if prefilter.search(match.group(0)) is None:
                failures.append(
                    Failure(rule.id, "prefilter broken", example, "a match holds no prefilter match")
                )
    return failures


def _one_line_failures(rule: Rule) -> list[Failure]:
    """A one_line rule's promise, checked on its examples: no match crosses a line, and each match's line
    holds a hit of the anchor (the pattern before the secret group) that the engine searches by."""
    anchor = re.compile(str(rule.anchor).encode())
    failures = []
    for example in rule.examples + rule.negative_examples:
        data = example.text.encode()
        for match in rule.regex.finditer(data):
            start = data.rfind(b"\n", 0, match.start()) + 1
            end = data.find(b"\n", match.start())
            line_end = len(data) if end < 0 else end
            if b"\n" in match.group(0):
                failures.append(Failure(rule.id, "one_line broken", example, "a match crosses a line"))
            elif anchor.search(data, start, line_end) is None:
                failures.append(Failure(rule.id, "one_line broken", example, "no anchor hit on the line"))
    return failures
