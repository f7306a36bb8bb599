"""Staged, pull-request and pushed changes: every secret the base already held, in any file, is dropped: a
gate must never re-report old leaks, and moving, copying, reindenting or reordering an old secret is not a
new leak (issues 3, 15 §1).

A secret is old when the base holds the same rule and value (whitespace aside: a key block reindented in a
YAML file is the same key) and every companion that makes one finding with it (a paired secret key, a
session token): an unchanged key id beside a new secret key is a new credential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from scanner import git
from scanner.filters.added import dropped_as
from scanner.git.objects import ObjectReader
from scanner.model import Blob, Finding, Origin, ScanResult, secret_identity
from scanner.sources.common import is_binary

ScanFn = Callable[[Iterator[Blob]], list[Finding]]
Known = tuple[set[tuple[str, str]], set[str]]  # (rule, value) pairs; every value, secret or companion


def drop_preexisting(
    repo: Path,
    bases: Sequence[str],
    result: ScanResult,
    scan: ScanFn,
    explain: bool,
    where: str,
    judged: Callable[[Finding], bool] = lambda finding: True,
    checked_out: bool = False,
    early: git.TreeSearch | None = None,
) -> None:
    """Drop every `judged` finding whose secret and companions the `bases` (commits) already held, in any
    file; only base files holding one of the values are scanned. `where` names the base for --explain;
    `checked_out`: the first base is the commit checked out in `repo`'s work tree (a staged change), and
    `early` a search of it started before the findings were known (used when its terms cover them)."""
    candidates = [f for f in result.findings if judged(f)]
    if not candidates or not bases:
        return
    known = _known(repo, bases, _needles(candidates), scan, early if checked_out else None, checked_out)
    kept = []
    for finding in result.findings:
        if not judged(finding) or not _is_known(finding, known):
            kept.append(finding)
        elif explain:
            result.dropped.append(dropped_as(finding, "baseline", f"already in {where}"))
    result.findings = kept


def _is_known(finding: Finding, known: Known) -> bool:
    pairs, values = known
    if (finding.rule_id, secret_identity(finding.secret)) not in pairs:
        return False
    return all(secret_identity(value) in values for _, value in finding.companions)


def _needles(findings: list[Finding]) -> list[str]:
    """What to look for in the bases: the longest line of each value (a key block's lines are distinctive,
    its BEGIN line is in every key file, and git grep takes one pattern per line)."""
    values = {v for f in findings for v in (f.secret, *(c for _, c in f.companions))}
    lines = (max((line.strip() for line in value.splitlines()), key=len, default="") for value in values)
    return sorted({line for line in lines if line})


def _known(
    repo: Path,
    bases: Sequence[str],
    needles: list[str],
    scan: ScanFn,
    early: git.TreeSearch | None,
    checked_out: bool,
) -> Known:
    names = [
        f"{base}:{path}"
        for n, base in enumerate(bases)
        for path in _holding(repo, base, needles, early if n == 0 else None, checked_out and n == 0)
    ]
    pairs: set[tuple[str, str]] = set()
    values: set[str] = set()
    if not names:
        return pairs, values
    wanted = [needle.encode("utf-8", "surrogateescape") for needle in needles]
    reader = ObjectReader(repo)
    blobs = (
        Blob(info.oid, data, Origin(name.partition(":")[2], None, "blob"))
        for name, (info, data) in zip(names, reader.contents(names, 1 << 62), strict=True)
        if data is not None and info.kind == "blob" and _holds(data, wanted)
    )
    for finding in scan(blobs):
        pairs.add((finding.rule_id, secret_identity(finding.secret)))
        values.add(secret_identity(finding.secret))
        values.update(secret_identity(value) for _, value in finding.companions)
    return pairs, values


def _holding(
    repo: Path, base: str, needles: list[str], early: git.TreeSearch | None, checked_out: bool
) -> list[str]:
    """Paths of `base`'s tree that may hold a needle. git grep of a commit inflates every blob of its tree
    (most of a pre-commit hook's time in a large repository); for the commit checked out, it reads the work
    tree's files instead, and names every file of the commit that the index or the work tree changed, or
    that a sparse checkout left out of the work tree (git grep passes those by). Either way each path is
    read from `base` and kept only if that text holds a needle: a file on disk never vouches for a secret
    the commit lacks (a filter that changes a file on checkout can only make an old secret look new).
    An `early` search serves when each needle contains one of its terms: a file holding the needle holds
    the term, so the files it lists are a superset of those holding a needle."""
    if not checked_out:
        return git.grep_files(repo, base, needles)
    search = early if early is not None and _covers(early.terms, needles) else None
    if search is None:
        if early is not None:
            early.close()  # a grep for other strings: stop it rather than let it compete with the next
        search = git.start_tree_search(repo, base, needles)
    found = git.grepped_files(search.grep)
    changed = git.changed_files(search.changed)
    skip = {path for _, path in changed}
    found = [path for path in found if path not in skip]
    found += [path for status, path in changed if status != "A"]  # an added file: not in `base`
    return list(dict.fromkeys([*found, *git.skip_worktree(search.sparse)]))


def _covers(terms: list[str], needles: list[str]) -> bool:
    return all(any(term in needle for term in terms) for needle in needles)


def _holds(data: bytes, needles: list[bytes]) -> bool:
    """Whether a text file holds a needle (binary files skipped as git grep -I does)."""
    return not is_binary(data) and any(needle in data for needle in needles)
