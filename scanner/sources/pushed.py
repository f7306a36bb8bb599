"""Pushed source (a server's pre-receive hook): the commits a push brings that the repository does not hold
yet, the files each changes and the lines each adds (issue 15 §3).

git runs the hook before it updates any ref, with the pushed objects in quarantine (visible to the git
commands we run, which inherit its environment): every commit reachable from a pushed tip and from no ref
is new. A new branch (old id all zeros) is scanned from where it leaves the known history, a deletion not
at all, a force push only for the commits it brings. The commits the new ones sit on, and the tips the push
replaces, are the bases whose secrets are not new (filters/preexisting.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scanner import git
from scanner.errors import UsageError
from scanner.git.parse import CommitDiff
from scanner.model import Origin, Skipped
from scanner.sources.common import Ranges, added_in_commits


@dataclass(frozen=True, slots=True)
class RefUpdate:
    """One line git writes to a pre-receive hook: `old new ref`."""

    old: str
    new: str
    ref: str

    @property
    def created(self) -> bool:
        return _is_zero(self.old)

    @property
    def deleted(self) -> bool:
        return _is_zero(self.new)


def _is_zero(oid: str) -> bool:
    return set(oid) == {"0"}


def parse_updates(text: str) -> list[RefUpdate]:
    """The ref updates of a push, one `old new ref` line each (SHA-1 or SHA-256 ids)."""
    updates = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(" ", 2)
        if len(parts) != 3 or not all(len(p) in (40, 64) and _is_hex(p) for p in parts[:2]):
            raise UsageError(
                f"stdin line {number}: expected '<old-id> <new-id> <ref>' (git's pre-receive input)"
            )
        updates.append(RefUpdate(*parts))
    return updates


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


@dataclass(slots=True)
class PushScan:
    """The commits a push brings (oldest first), the lines each adds, and the commits it builds on."""

    repo: Path
    updates: list[RefUpdate]
    diffs: list[CommitDiff] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def added(self, origin: Origin) -> Ranges | None:
        return added_in_commits(self.diffs, origin)


def plan(repo: Path, updates: list[RefUpdate]) -> PushScan:
    git.git_dir(repo)
    work = PushScan(repo, updates)
    tips = []
    for update in updates:
        if update.deleted:
            continue
        if git.resolve(repo, update.new) is None:  # a tag of a tree or a blob: no commits to diff
            work.skipped.append(Skipped(update.ref, "points at no commit; not scanned"))
        else:
            tips.append(update.new)
    if not tips:
        return work
    work.diffs = git.range_diffs(repo, [*tips, "--not", "--all"])
    if work.diffs:
        replaced = (git.resolve(repo, u.old) for u in updates if not u.created)
        found = [*git.boundary(repo, tips), *(sha for sha in replaced if sha is not None)]
        work.bases = list(dict.fromkeys(found))
    return work
