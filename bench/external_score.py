"""Scoring of the external comparison: each tool's report read as hits, hits matched to labels, tallies.

A label names one value on one line of one file, by the SHA-256 of the value and its length (never the value:
the material is not ours and its credentials stay out of the repository). A hit matches a label on the same
file and line when the hit's value is the labelled value, or when both values can be found on the line and
their spans overlap (tools cut a value differently: `password` or the whole URL, a key with or without its
quotes). A hit whose value cannot be placed on the line (decoded, multi-line, or a tool that reports no value,
like detect-secrets) matches the line's only label, or its `secret` label. Hits on no label are *pooled*:
`pool` turns them into new unlabelled entries for a person to judge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LineText = Callable[[str, int], str]  # (path, line) -> the text of that line ("" if none)


@dataclass(frozen=True, slots=True)
class Hit:
    tool: str
    path: str  # relative to the material tree, "/"-separated
    line: int
    value: str | None  # None: the tool does not report the value
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    path: str
    line: int
    sha256: str | None  # of the labelled value; None: the whole line
    length: int
    verdict: str  # "secret" or "false-alarm" ("?" while not judged)
    kind: str = ""
    note: str = ""
    last_line: int = 0  # a multi-line value (PEM block, JWK): a hit on a later line up to here is on it

    @property
    def source(self) -> str:
        return self.path.split("/", 1)[0]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()


def _span_of_label(label: Label, text: str) -> tuple[int, int] | None:
    if label.sha256 is None:
        return (0, len(text))
    n = label.length
    for start in range(0, max(len(text) - n + 1, 0)):
        if digest(text[start : start + n]) == label.sha256:
            return (start, start + n)
    return None


def _span_of_value(value: str, text: str) -> tuple[int, int] | None:
    for part in (value, value.split("\n", 1)[0].strip()):
        at = text.find(part) if part else -1
        if at >= 0:
            return (at, at + len(part))
    return None


def match(hit: Hit, labels: Iterable[Label], line_text: LineText) -> Label | None:
    """The label this hit is about, or None."""
    labels = [label for label in labels if label.path == hit.path]
    here = [label for label in labels if label.line == hit.line]
    inside = next((x for x in labels if x.line < hit.line <= x.last_line), None)
    found = _on_line(hit, here, line_text) if here else None
    return found or inside


def _on_line(hit: Hit, here: list[Label], line_text: LineText) -> Label | None:
    if hit.value is not None:
        wanted = digest(hit.value)
        exact = next((label for label in here if label.sha256 == wanted), None)
        if exact is not None:
            return exact
        text = line_text(hit.path, hit.line)
        span = _span_of_value(hit.value, text)
        if span is not None:
            for label in here:
                other = _span_of_label(label, text)
                if other is not None and other[0] < span[1] and span[0] < other[1]:
                    return label
            return None
    if len(here) == 1:
        return here[0]
    return next((label for label in here if label.verdict == "secret"), None)


def pool(hits: Iterable[Hit], labels: list[Label], line_text: LineText) -> list[Label]:
    """New "?" labels for every hit that matches no label (one per value; later hits join earlier ones)."""
    new: list[Label] = []
    for hit in hits:
        if match(hit, [*labels, *new], line_text) is None:
            value = hit.value
            located = value is not None and _span_of_value(value, line_text(hit.path, hit.line)) is not None
            sha, length = (digest(value), len(value)) if value is not None and located else (None, 0)
            new.append(Label(hit.path, hit.line, sha, length, "?", note=f"first seen: {hit.tool} {hit.rule}"))
    return new


@dataclass(slots=True)
class Tally:
    secrets: int = 0  # labelled secrets in scope (the pooled true set)
    found: set[Label] = field(default_factory=set)
    false: set[Label] = field(default_factory=set)
    unjudged: int = 0  # hits on no label, or on a "?" label
    hits: int = 0

    @property
    def precision(self) -> float:
        flagged = len(self.found) + len(self.false)
        return len(self.found) / flagged if flagged else 1.0


def score(
    hits: Iterable[Hit], labels: list[Label], line_text: LineText, judged: frozenset[str] = frozenset()
) -> dict[str, dict[str, Tally]]:
    """tool -> source -> Tally, plus an "all" source. Counted per label, so a tool reporting one value
    twice is neither rewarded nor punished twice. In a `judged` source every hit was read and only the
    secrets (and chosen false alarms) are listed: a hit on no label there is a false alarm."""
    tallies: dict[str, dict[str, Tally]] = {}
    hits = list(hits)
    for tool in dict.fromkeys(h.tool for h in hits):
        per = tallies.setdefault(tool, {})
        for secret in (x for x in labels if x.verdict == "secret"):
            for source in (secret.source, "all"):
                per.setdefault(source, Tally()).secrets += 1
    for hit in hits:
        label = match(hit, labels, line_text)
        source = hit.path.split("/", 1)[0]
        if label is None and source in judged:
            sha, size = (digest(hit.value), len(hit.value)) if hit.value is not None else (None, 0)
            label = Label(hit.path, hit.line, sha, size, "false-alarm", note="unlisted in a judged source")
        for tally in (tallies[hit.tool].setdefault(s, Tally()) for s in (source, "all")):
            tally.hits += 1
            if label is None or label.verdict not in ("secret", "false-alarm"):
                tally.unjudged += 1
            elif label.verdict == "secret":
                tally.found.add(label)
            else:
                tally.false.add(label)
    return tallies


def label_from_yaml(entry: dict[str, Any]) -> Label:
    return Label(
        str(entry["path"]),
        int(entry["line"]),
        entry.get("sha256"),
        int(entry.get("length", 0)),
        str(entry["label"]),
        str(entry.get("kind", "")),
        str(entry.get("note", "")),
        int(entry.get("last_line", 0)),
    )


def label_to_yaml(label: Label) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": label.path, "line": label.line}
    if label.last_line:
        entry["last_line"] = label.last_line
    if label.sha256 is not None:
        entry |= {"sha256": label.sha256, "length": label.length}
    entry["label"] = label.verdict
    if label.kind:
        entry["kind"] = label.kind
    if label.note:
        entry["note"] = label.note
    return entry


def relative(path: str, tree: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        p = p.resolve().relative_to(tree.resolve())
    return p.as_posix().removeprefix("./")
