"""Scoring of the real-code set: hits matched to judged lines, precision, recall and F1 per kind and overall.

The unit is the judged line, as a person reading a report judges it: a hit is on a label when it is on the
label's line (or inside its multi-line value). Where one line holds several labels, the hit's value picks
one (bench/external_score.py's rule); a hit whose value lies on none of them is left unjudged. Recall is over
every true label, including the lines that no tool reports (the broad grep of bench/realcode_grep.py found
those). A false alarm is counted under the kind of credential its line looks like, so a kind's precision
reads "of the lines reported as this kind of credential, how many were one".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bench.external_score import Hit, Label, LineText, _on_line

ALL = "all"


Key = Label | tuple[str, str]  # a judged line, or (repository, value) when values are counted once


def distinct_value(label: Label) -> Key:
    """One value per repository: a password a test suite repeats on 50 lines counts once."""
    return (label.source, label.sha256 or f"{label.path}:{label.line}")


@dataclass(slots=True)
class Tally:
    secrets: set[Key] = field(default_factory=set)  # the true labels of this kind
    found: set[Key] = field(default_factory=set)
    false: set[Key] = field(default_factory=set)
    unjudged: int = 0  # hits on no judged label

    @property
    def precision(self) -> float:
        flagged = len(self.found) + len(self.false)
        return len(self.found) / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.secrets) if self.secrets else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class Index:
    """Labels by file, for matching many hits."""

    def __init__(self, labels: Iterable[Label]) -> None:
        self.by_path: dict[str, list[Label]] = defaultdict(list)
        for label in labels:
            self.by_path[label.path].append(label)

    def match(self, hit: Hit, line_text: LineText) -> Label | None:
        labels = self.by_path.get(hit.path, [])
        here = [x for x in labels if x.line == hit.line]
        if len(here) == 1:
            return here[0]
        if here:
            return _on_line(hit, here, line_text)
        return next((x for x in labels if x.line < hit.line <= x.last_line), None)


def score(
    hits: Iterable[Hit],
    labels: list[Label],
    line_text: LineText,
    distinct: bool = False,
    tools: Iterable[str] = (),
) -> dict[str, dict[str, Tally]]:
    """tool -> kind -> Tally, with an "all" kind, for every tool in `tools` (a tool that reported nothing
    still has a row) and every tool with a hit. Counted per label: a tool reporting one line twice is
    neither rewarded nor punished twice; `distinct` counts each value once per repository instead.
    Labels not yet judged ("?") count nowhere."""
    key: Callable[[Label], Key] = distinct_value if distinct else (lambda label: label)
    index = Index(labels)
    hits = list(hits)
    tallies: dict[str, dict[str, Tally]] = {}
    for tool in dict.fromkeys([*tools, *(h.tool for h in hits)]):
        per = tallies[tool] = {ALL: Tally()}
        for secret in (x for x in labels if x.verdict == "secret"):
            per.setdefault(secret.kind, Tally()).secrets.add(key(secret))
            per[ALL].secrets.add(key(secret))
    for hit in hits:
        label = index.match(hit, line_text)
        per = tallies[hit.tool]
        if label is None or label.verdict not in ("secret", "false-alarm"):
            per[ALL].unjudged += 1
            continue
        for tally in (per.setdefault(label.kind, Tally()), per[ALL]):
            (tally.found if label.verdict == "secret" else tally.false).add(key(label))
    return tallies


def missed(hits: Iterable[Hit], labels: list[Label], tool: str, line_text: LineText) -> list[Label]:
    """The true labels that `tool` did not report, in file order."""
    index = Index(labels)
    found = {index.match(h, line_text) for h in hits if h.tool == tool}
    return sorted(
        (x for x in labels if x.verdict == "secret" and x not in found), key=lambda x: (x.path, x.line)
    )


def render(tallies: dict[str, dict[str, Tally]], markdown: bool) -> str:
    """One row per kind (true labels first by count) and tool: found/true, false alarms, P, R, F1."""
    # secretscan and its variants first, then the peers in the order they ran
    tools = sorted(tallies, key=lambda t: 0 if t == "secretscan" else 1 if t.startswith("secretscan") else 2)
    kinds = sorted(
        {k for per in tallies.values() for k in per if k != ALL},
        key=lambda k: (-max(len(per.get(k, Tally()).secrets) for per in tallies.values()), k),
    )
    rows = [["kind", "true", *tools]]
    for kind in [ALL, *kinds]:
        secrets = max(len(per.get(kind, Tally()).secrets) for per in tallies.values())
        rows.append([kind, str(secrets), *(_cell(tallies[t].get(kind, Tally())) for t in tools)])
    rows.append(["hits on no judged line", "", *(str(tallies[t][ALL].unjudged) for t in tools)])
    if markdown:
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        lines.insert(1, "|" + "---|" * len(rows[0]))
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def _cell(t: Tally) -> str:
    """found, false alarms, precision / recall / F1."""
    return f"{len(t.found)} +{len(t.false)}FA P{t.precision:.2f} R{t.recall:.2f} F{t.f1:.2f}"
