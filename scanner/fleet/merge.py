"""Putting a repository's audit back together: the shards of a split audit into one result, and an
incremental audit's new findings onto those the state kept. Findings are one per leaked credential, keyed by
their digests (transit.py), as one history run keeps each at its earliest introduction."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from scanner.fleet.task import Outcome
from scanner.model import Finding, ScanResult
from scanner.pipeline import report_order

Keyed = tuple[ScanResult, list[str]]  # a result and the digest of each of its findings


def shards(parts: list[Outcome]) -> Keyed:
    """The shards of one repository's audit as one result. Every shard walked the whole history, so each
    finding's commit and status are those of its own blobs; a credential found in several shards keeps the
    earliest introduction, is present at HEAD if any shard saw it there, else removed where the last of
    its copies went."""
    ages: dict[str, int] = {}
    for part in parts:
        ages.update(part.ages)
    grouped: dict[str, list[Finding]] = {}
    merged = _combined(part.result for part in parts if part.result is not None)
    for part in parts:
        if part.result is not None:
            for finding, key in zip(part.result.findings, part.keys, strict=True):
                grouped.setdefault(key, []).append(finding)
    kept = {key: _one(found, ages) for key, found in grouped.items()}
    merged.findings = sorted(kept.values(), key=report_order)
    keys_of = {id(f): k for k, f in kept.items()}
    return merged, [keys_of[id(f)] for f in merged.findings]


def incremental(stored: Keyed, new: Keyed) -> Keyed:
    """The stored audit plus what new commits brought. A credential already recorded keeps its first
    introduction (new commits come after it), and is at HEAD if the new commits put it back there."""
    old, old_keys = stored
    fresh, fresh_keys = new
    grouped: dict[str, list[Finding]] = {}
    for finding, key in [
        *zip(fresh.findings, fresh_keys, strict=True),
        *zip(old.findings, old_keys, strict=True),
    ]:
        grouped.setdefault(key, []).append(finding)
    rank = {id(f): 0 for f in old.findings}
    kept = {key: _one(found, {}, rank) for key, found in grouped.items()}
    merged = _combined([old, fresh])
    merged.findings = sorted(kept.values(), key=report_order)
    merged.errors = list(fresh.errors)  # this run's, not the last's
    # New refs on old commits (a tag) leave nothing new to read: not the warning of an empty selection.
    merged.warnings = [w for w in fresh.warnings if not w.startswith("nothing was scanned")]
    keys_of = {id(f): k for k, f in kept.items()}
    return merged, [keys_of[id(f)] for f in merged.findings]


def _one(found: list[Finding], ages: dict[str, int], rank: dict[int, int] | None = None) -> Finding:
    """One finding for a credential found several times: the earliest (by `rank` of the finding, then age
    of its commit), with the status of them all."""

    def when(finding: Finding) -> tuple[int, int, str, str, int]:
        commit = finding.commit
        age = ages.get(commit.sha, 1 << 62) if commit is not None else 1 << 62
        first = rank.get(id(finding), 1) if rank is not None else 0
        return (first, age, commit.date if commit else "", finding.path, finding.line)

    first = min(found, key=when)
    if len(found) == 1:
        return first
    first = _every_place(first, found)
    if any(f.present_at_head for f in found):
        return dataclasses.replace(first, present_at_head=True, removed_in=None, removal_merged_in=None)
    removed = [f for f in found if f.removed_in is not None]
    if not removed:
        return first
    last = max(
        removed, key=lambda f: (ages.get(f.removed_in.sha, 0), f.removed_in.date) if f.removed_in else (0, "")
    )
    return dataclasses.replace(
        first, present_at_head=False, removed_in=last.removed_in, removal_merged_in=last.removal_merged_in
    )


def _every_place(first: Finding, found: list[Finding]) -> Finding:
    """`first` naming every other path the credential was committed at, as one history run does."""
    also = tuple(sorted({p for f in found for p in (f.path, *f.also_at)} - {first.path}))
    return first if also == first.also_at else dataclasses.replace(first, also_at=also)


def _combined(results: Iterable[ScanResult]) -> ScanResult:
    """Counts summed, skips, errors and warnings each once, findings left to the caller."""
    merged = ScanResult(mode="history")
    for result in results:
        merged.target = merged.target or result.target
        merged.blobs_scanned += result.blobs_scanned
        merged.bytes_scanned += result.bytes_scanned
        merged.below_min_confidence += result.below_min_confidence
        merged.dropped.extend(result.dropped)
        for kind, n in result.suppressed.items():
            merged.suppressed[kind] = merged.suppressed.get(kind, 0) + n
        merged.skipped.extend(result.skipped)
        merged.ignored.extend(result.ignored)
        merged.errors.extend(result.errors)
        merged.warnings.extend(result.warnings)
    merged.skipped = list(dict.fromkeys(merged.skipped))
    merged.ignored = list(dict.fromkeys(merged.ignored))
    merged.errors = list(dict.fromkeys(merged.errors))
    merged.warnings = list(dict.fromkeys(merged.warnings))
    return merged
