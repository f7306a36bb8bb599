"""Where a secret that is no longer at HEAD left: the commit that removed it and, when that happened on a
side branch, the merge that brought the removal into HEAD's first-parent line (issue 15 §4).

attribution.py finds the first-parent commit after which no file held the secret. When that commit is a
merge, the removal was made on the branch it merges: the last commit of that branch (`merge^1..merge^2`)
that takes one of the secret's blobs away is the remover. When the first-parent line never held the secret
(it lived and died on a side branch), the last commit anywhere that takes one of its blobs away is the
remover, and the first first-parent commit that descends from it is the merge that brought it in (none when
that branch was never merged). git runs once per distinct merge or remover, never per secret.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from scanner import git
from scanner.git.parse import CommitDiff
from scanner.model import Commit
from scanner.sources.history import Plan

K = TypeVar("K", bound=Hashable)
Removal = tuple["Commit | None", "Commit | None"]  # (commit that removed it, merge that brought that in)


def locate(
    work: Plan, gone: dict[K, set[str]], found: dict[K, Commit | None], walked: list[CommitDiff] | None
) -> dict[K, Removal]:
    """Per secret not at HEAD (its blobs in `gone`, its first-parent removal in `found`): where it left.
    `walked`: every commit of the audit that touches the secrets' blobs, oldest first, when at hand."""
    out: dict[K, Removal] = {}
    merges: dict[str, list[K]] = {}
    orphans: list[K] = []
    removers = list({removed.sha for removed in found.values() if removed is not None})
    second = dict(zip(removers, git.resolve_all(work.repo, [f"{sha}^2" for sha in removers]), strict=True))
    for key, removed in found.items():
        if removed is None:
            orphans.append(key)
        elif second[removed.sha] is not None:  # a merge: the removal came from the branch it merges
            merges.setdefault(removed.sha, []).append(key)
        else:
            out[key] = (removed, None)
    for sha, keys in merges.items():
        merge = found[keys[0]]
        diffs = git.blob_log(work.repo, [f"{sha}^1..{sha}^2"], _union(gone[k] for k in keys))
        for key in keys:
            side = last_removal(diffs, gone[key])
            out[key] = (side, merge) if side is not None else (merge, None)
    if orphans:
        out.update(_off_the_line(work, {k: gone[k] for k in orphans}, walked))
    return out


def _off_the_line(work: Plan, gone: dict[K, set[str]], walked: list[CommitDiff] | None) -> dict[K, Removal]:
    """Secrets HEAD's first-parent line never held: the last remover anywhere, and its merge if any."""
    diffs = walked if walked is not None else git.blob_log(work.repo, work.tips, _union(gone.values()))
    sides = {key: last_removal(diffs, blobs) for key, blobs in gone.items()}
    merged = _merges_of(work, {side.sha for side in sides.values() if side is not None}, diffs)
    return {key: (side, merged[side.sha] if side is not None else None) for key, side in sides.items()}


# Ancestry walks run side by side: each is a walk of its own (up to a tenth of a second in moto), and the
# removals of a history's findings are often on as many side branches.
_WALKS_AT_ONCE = 8


def _merges_of(work: Plan, shas: set[str], diffs: list[CommitDiff]) -> dict[str, Commit | None]:
    """For each of `shas`: the first commit of HEAD's first-parent line that descends from it (None: never
    merged)."""
    head = work.head
    if head is None:
        return dict.fromkeys(shas)
    chain = work.first_parents()
    known = {d.commit.sha: d.commit for d in diffs if d.commit is not None}
    out: dict[str, Commit | None] = {}
    todo = sorted(shas)
    for at in range(0, len(todo), _WALKS_AT_ONCE):
        group = todo[at : at + _WALKS_AT_ONCE]
        walks = [git.start_ancestry_path(work.repo, sha, head) for sha in group]
        try:
            for sha, walk in zip(group, walks, strict=True):
                on_line = [c for c in walk.output().decode().split() if c in chain]
                first = min(on_line, key=chain.__getitem__) if on_line else None
                out[sha] = None if first is None else known.get(first) or _commit(work, first)
        finally:
            for walk in walks:
                walk.close()
    return out


def _commit(work: Plan, sha: str) -> Commit | None:
    work.load()
    found = work.commit(sha)
    if found is None:  # outside what --since/--max-commits walked
        found = next(
            (c for c, _ in git.commit_messages(git.start_commit_messages(work.repo, ["-1", sha]))), None
        )
    return found


def last_removal(diffs: Iterable[CommitDiff], blobs: set[str]) -> Commit | None:
    """The last commit (diffs oldest first) that takes one of `blobs` away from a path."""
    last = None
    for diff in diffs:
        if any(c.old_oid in blobs and c.new_oid not in blobs for c in diff.changes):
            last = diff.commit
    return last


def _union(sets: Iterable[set[str]]) -> set[str]:
    return set().union(*sets)
