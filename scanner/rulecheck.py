"""Run every rule's examples through the whole engine: positives must be reported, negatives must not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.engine import Engine
from scanner.model import Blob, Origin
from scanner.rules import Example, Rule


@dataclass(frozen=True, slots=True)
class Failure:
    rule_id: str
    kind: str  # "missed example" | "reported negative example"
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
    return failures
