"""What a scanner should find in the synthetic repository, and how much of it a tool's report shows.

A planted credential counts as found when any of its values (key id, secret key, token) appears in the
tool's report file; a decoy (the AWS documentation pair) counts as flagged when its key id does. Reports
must then show secrets: secretscan runs with --show-secrets, Kingfisher and betterleaks show them by default;
detect-secrets stores only hashes, so it gets no score. Every planted value is a random fake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Truth:
    expected: tuple[tuple[str, ...], ...]  # one group of values per planted credential
    decoys: tuple[str, ...]


def from_manifest(manifest: dict[str, Any], tree_is_repo: bool, staged: tuple[str, ...]) -> dict[str, Truth]:
    """Per work: the tree holds what survives at the tip of main; the history holds everything."""
    planted = manifest["planted"]
    real = [p for p in planted if not p["decoy"]]
    decoys = [p for p in planted if p["decoy"]]
    truths = {
        "history": Truth(_groups(real), tuple(p["values"][0] for p in decoys)),
        "staged": Truth((staged,), ()),
    }
    if tree_is_repo:
        at_tip = [p for p in real if p["head_paths"] and p["branch"] == "main"]
        live_decoys = [p for p in decoys if p["head_paths"] and p["branch"] == "main"]
        truths["tree"] = Truth(_groups(at_tip), tuple(p["values"][0] for p in live_decoys))
    return truths


def _groups(items: Iterable[dict[str, Any]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p["values"]) for p in items)


def score(report: Path, truth: Truth) -> str:
    """ "found/planted", plus how many decoys were flagged when there are decoys."""
    text = report.read_text(encoding="utf-8", errors="replace")
    found = sum(any(value in text for value in group) for group in truth.expected)
    result = f"{found}/{len(truth.expected)}"
    if truth.decoys:
        flagged = sum(1 for decoy in set(truth.decoys) if decoy in text)
        result += f", {flagged} decoy{'s' if flagged != 1 else ''}"
    return result
