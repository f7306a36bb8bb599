"""Pull-request source: the commits between the merge base and head, the files each changes and the lines
each adds (common.read_changes reads them; filters/added.py and filters/preexisting.py judge the findings
after the scan; issue 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scanner import git
from scanner.errors import GitError
from scanner.git.parse import CommitDiff
from scanner.model import Origin
from scanner.sources.common import Ranges, added_in_commits


@dataclass(slots=True)
class RangeScan:
    """The commits of a pull request (oldest first) and the lines each adds."""

    repo: Path
    base: str
    head: str
    merge_base: str
    diffs: list[CommitDiff] = field(default_factory=list)

    def added(self, origin: Origin) -> Ranges | None:
        return added_in_commits(self.diffs, origin)


def plan(repo: Path, base: str, head: str) -> RangeScan:
    git.git_dir(repo)  # "not a repository" before "no such revision"
    shas = []
    for name in (base, head):
        sha = git.resolve(repo, name)
        if sha is None:
            raise GitError(
                f"no such revision: {name} (in CI, fetch enough history: actions/checkout fetch-depth: 0)"
            )
        shas.append(sha)
    merge_base = git.merge_base(repo, shas[0], shas[1])
    diffs = git.range_diffs(repo, [f"{merge_base}..{shas[1]}"])
    return RangeScan(repo, shas[0], shas[1], merge_base, diffs)
