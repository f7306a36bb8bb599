"""After a history scan: trace each finding to the commit that introduced it, tell whether the secret is still
at HEAD or which commit removed it, and keep each leaked secret once, at its earliest introduction.

Reads one `git log --raw` walk over the audited refs (git.BlobLog: each merge diffed against its first
parent), which reads no file contents (PERF-NOTES §1): introductions come from it, and so do removals, from
the diffs of the commits on HEAD's first-parent chain. `start_walks` starts it before the scan: a streamed
audit reads the blobs it names as it goes (stream.py), and it is kept in a temporary file, of which only the
lines about the few blobs with findings are parsed after the scan, oldest commit first. When --since or
--max-commits cut the walk short, removals get a first-parent walk of their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from scanner import git
from scanner.engine import relocate
from scanner.filters import removal
from scanner.git.parse import CommitDiff
from scanner.model import Commit, Finding, Origin, ScanResult, secret_identity
from scanner.sources.history import Plan

# (rule id, secret, companion values): a new secret key beside an old key id is a new leak (issue 15 §1).
Key = tuple[str, str, tuple[str, ...]]
# (present at head, commit that removed it, merge that brought a side branch's removal into HEAD's line)
Status = tuple[bool, "Commit | None", "Commit | None"]


@dataclass(slots=True)
class Walks:
    """The history walks attribution reads, already running (or None: run when needed)."""

    introductions: git.BlobLog | None = None
    removals: git.BlobLog | None = None

    def close(self) -> None:
        for log in (self.introductions, self.removals):
            if log is not None:
                log.close()

    def __enter__(self) -> Walks:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def start_walks(work: Plan) -> Walks:
    """Start the walks now, side by side with the scan."""
    if not work.tips:
        return Walks()
    # A stream reads it as it runs; plan() may have started it already.
    started, work.walk = work.walk, None
    walks = Walks(started or git.BlobLog(work.repo, work.revs, piped=not work.listed))
    if work.head is not None and work.limits:  # the limited walk may not hold HEAD's whole chain
        walks.removals = git.BlobLog(work.repo, [work.head], first_parent=True)
    return walks


def attribute(work: Plan, result: ScanResult, walks: Walks | None = None) -> None:
    """Rewrite the scan's provisional origins into introducing commits, with present/removed status."""
    by_key: dict[Key, set[str]] = {}
    for finding in result.findings:
        blob = finding.origin.blob
        if blob:
            by_key.setdefault(_key(finding), set()).add(blob)
    wanted = {b for blobs in by_key.values() for b in blobs}
    wanted |= {d.origin.blob for d in result.dropped if d.origin.blob}
    if walks is None:
        walks = start_walks(work) if wanted else Walks()
    with walks:  # stops walks nobody needs: a clean history has nothing to trace
        first = _walked(walks.introductions, wanted, result) if walks.introductions and wanted else None
        intro = _introductions(work, wanted, first)
        status = _status(work, by_key, first if not work.limits else None, walks.removals)
    result.dropped = [dataclasses.replace(d, origin=_origin(d.origin, intro)) for d in result.dropped]
    result.findings = _earliest(work, result.findings, intro, status, result.path_bound)


def _key(finding: Finding) -> Key:
    """One leaked credential: whitespace aside (a key block reindented is the same key), with the values
    of its companions (issue 15 §1)."""
    return (
        finding.rule_id,
        secret_identity(finding.secret),
        tuple(secret_identity(value) for _, value in finding.companions),
    )


def _walked(log: git.BlobLog, wanted: set[str], result: ScanResult) -> list[CommitDiff]:
    """What the walk says of the wanted blobs; a walk git broke off (a missing tree) still says what it
    walked, and the report says some commits may be unknown (the stream may have said it already)."""
    failure = log.failure()
    if failure is not None and not any(failure in error for error in result.errors):
        result.errors.append(f"git log stopped part way ({failure}); some findings' commits may be unknown")
    return log.diffs(wanted, partial=True)


Introductions = dict[str, tuple[Commit, str]]  # blob id, or blob id and path (NUL between): where it came


def _introductions(work: Plan, blobs: set[str], first: list[CommitDiff] | None) -> Introductions:
    """blob id -> (first commit whose diff adds it, its path there), and blob id + NUL + path -> the first
    commit that adds it at that path. When --since/--max-commits cut the walk short of a blob's first
    appearance, look again over the unbounded history of the same refs."""
    intro: Introductions = {}
    walks = [work.revs, work.tips] if work.limits else [work.revs]
    for i, revs in enumerate(walks):
        left = blobs - intro.keys()
        if not left:
            break
        diffs = first if i == 0 and first is not None else git.blob_log(work.repo, revs, left)
        for diff in diffs:
            for change in diff.changes:
                oid = change.new_oid
                if oid in left and change.status != "D" and diff.commit is not None:
                    intro.setdefault(oid, (diff.commit, change.path))
                    intro.setdefault(f"{oid}\0{change.path}", (diff.commit, change.path))
    return intro


def _origin(origin: Origin, intro: Introductions, bound: bool = False) -> Origin:
    """Where the blob of `origin` first came; at its own path when `bound` to it."""
    blob = origin.blob
    if not blob:
        return origin
    commit, path = intro.get(f"{blob}\0{origin.path}" if bound else blob, (None, origin.path))
    return Origin(path, commit, "blob")


def _status(
    work: Plan, by_key: dict[Key, set[str]], walked: list[CommitDiff] | None, started: git.BlobLog | None
) -> dict[Key, Status]:
    """Per secret: still in the head tree, or else the first-parent commit after which no file held it.
    `walked`: the full walk's diffs (their chain commits give the removals); else a first-parent walk."""
    if work.head is None or not by_key:
        return {}
    at_head = {e.oid for e in work.head_tree() if e.kind == "blob"}
    gone = {key: blobs for key, blobs in by_key.items() if not blobs & at_head}
    every = {b for blobs in gone.values() for b in blobs}
    diffs: list[CommitDiff] = []
    if every and walked is not None and started is None:
        diffs = _along_first_parents(work, walked, every)
    elif every:
        log = started or git.BlobLog(work.repo, [work.head], first_parent=True)
        with log:
            diffs = log.diffs(every)
    status: dict[Key, Status] = {key: (True, None, None) for key in by_key.keys() - gone.keys()}
    found = {key: _removal(diffs, blobs) for key, blobs in gone.items()}
    for key, (removed, merged) in removal.locate(work, gone, found, walked).items():
        status[key] = (False, removed, merged)
    return status


def _along_first_parents(work: Plan, walked: list[CommitDiff], blobs: set[str]) -> list[CommitDiff]:
    """From the full walk's diffs, the commits of HEAD's first-parent chain that touch `blobs`, oldest first,
    each with its changes against its first parent (what `log --first-parent` would show: the walk shows a
    merge against its first parent too)."""
    chain = work.first_parents()
    picked = [d for d in walked if d.commit is not None and d.commit.sha in chain]
    out = []
    for diff in sorted(picked, key=lambda d: chain[d.commit.sha] if d.commit else 0):
        touching = [c for c in diff.changes if c.old_oid in blobs or c.new_oid in blobs]
        if touching:
            out.append(CommitDiff(diff.commit, touching))
    return out


def _removal(diffs: Iterable[CommitDiff], blobs: set[str]) -> Commit | None:
    holders: set[str] = set()  # paths holding one of the blobs after each commit
    removed: Commit | None = None
    for diff in diffs:
        before = bool(holders)
        for change in diff.changes:
            if change.old_oid in blobs:
                holders.discard(change.path)
            if change.new_oid in blobs and change.status != "D":
                holders.add(change.path)
        if holders:
            removed = None
        elif before:
            removed = diff.commit
    return removed


def _earliest(
    work: Plan,
    findings: list[Finding],
    intro: Introductions,
    status: dict[Key, Status],
    bound: set[str],
) -> list[Finding]:
    """One finding per leaked secret (rule + value), placed at its earliest introduction, with its status.
    Only that one is moved there: a value in a file's every version is found in each of them."""
    best: dict[Key, tuple[tuple[int, str, int], Finding, Origin]] = {}
    paths: dict[Key, set[str]] = {}
    for finding in findings:
        key = _key(finding)
        origin = _origin(finding.origin, intro, finding.origin.blob in bound)
        paths.setdefault(key, set()).update((origin.path, finding.origin.path))
        when = _age(work, origin.commit), origin.path, finding.line
        if key not in best or when < best[key][0]:
            best[key] = (when, finding, origin)
    out = []
    for key, (_, finding, origin) in best.items():
        if origin is not finding.origin:
            finding = relocate(finding, origin)
        elsewhere = tuple(sorted(paths[key] - {finding.path}))
        if elsewhere:
            finding = dataclasses.replace(finding, also_at=elsewhere)
        if key in status:
            present, removed, merged = status[key]
            finding = dataclasses.replace(
                finding, present_at_head=present, removed_in=removed, removal_merged_in=merged
            )
        out.append(finding)
    return _merge_lone_key_ids(work, _merge_lone_companions(work, out))


def _merge_lone_companions(work: Plan, findings: list[Finding]) -> list[Finding]:
    """A secret committed alone and later paired with its key id is one leaked credential, not two: keep
    the pair, noting the commit where its secret first appeared when that was earlier."""
    carriers = {value: f for f in findings for _, value in f.companions}
    if not carriers:
        return findings
    first_seen: dict[int, Finding] = {}
    kept = []
    for finding in findings:
        carrier = carriers.get(finding.secret) if not finding.companions else None
        if carrier is None:
            kept.append(finding)
        elif finding.commit is not None and _when(work, finding) < _when(work, carrier):
            first_seen[id(carrier)] = finding
    return _noting_earlier(kept, first_seen, "secret_first")


def _merge_lone_key_ids(work: Plan, findings: list[Finding]) -> list[Finding]:
    """A key id committed alone and later paired with its secret is reported with the pair (each pair is a
    finding of its own since issue 15 §1), noting where the key id first appeared when that was earlier;
    kept apart only when it alone is still at HEAD."""
    pairs: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        key = (finding.rule_id, finding.secret)
        if finding.companions and (key not in pairs or _when(work, finding) < _when(work, pairs[key])):
            pairs[key] = finding
    if not pairs:
        return findings
    paired_at_head = {(f.rule_id, f.secret) for f in findings if f.companions and f.present_at_head}
    earlier: dict[int, Finding] = {}
    kept = []
    for finding in findings:
        key = (finding.rule_id, finding.secret)
        pair = None if finding.companions else pairs.get(key)
        if pair is None or (finding.present_at_head and key not in paired_at_head):
            kept.append(finding)
        elif finding.commit is not None and _when(work, finding) < _when(work, pair):
            earlier[id(pair)] = finding
    return _noting_earlier(kept, earlier, "first")


def _noting_earlier(kept: list[Finding], earlier: dict[int, Finding], fact: str) -> list[Finding]:
    """`kept`, each finding that absorbed an earlier lone one (`earlier`, by the finding's id) noting where
    that one was first committed: facts `<fact>_commit` and `<fact>_path`."""
    out = []
    for finding in kept:
        lone = earlier.get(id(finding))
        if lone is not None and lone.commit is not None:
            facts = (*finding.facts, (f"{fact}_commit", lone.commit.sha), (f"{fact}_path", lone.path))
            finding = dataclasses.replace(finding, facts=facts)
        out.append(finding)
    return out


def _when(work: Plan, finding: Finding) -> tuple[int, str, int]:
    return (_age(work, finding.commit), finding.path, finding.line)


def _age(work: Plan, commit: Commit | None) -> int:
    return work.age(commit.sha) if commit else len(work.ages) + 1
