"""Names as a report may print them (issue 14 §1): a path, an author or an error message is data, not text.

A file name is bytes: one that is not UTF-8 arrives here surrogate-escaped, and shows as `\\xNN`; control
characters (a newline that would start a GitHub workflow command, ESC that colours or clears a terminal,
CR) and bidirectional overrides show as escapes too. Text that needs none of this (nearly all) is returned as
is, so ordinary reports do not change.
"""

from __future__ import annotations

import dataclasses
import re

from scanner.model import Commit, Dropped, Finding, Origin, Repository, ScanResult, Skipped, Triaged
from scanner.patterns import compiled
from scanner.redact import redact_text
from scanner.report import ReportContext

# C0 and C1 controls, DEL, the bidirectional embeddings, overrides and isolates, and lone surrogates.
_UNPRINTABLE = compiled("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The same but CR and LF, for a format that escapes them its own way (GitHub's %0D, %0A: a file property
# must name the file exactly).
_UNPRINTABLE_BUT_LINES = compiled(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, pattern: re.Pattern[str] = _UNPRINTABLE) -> str:
    """`text` with every unprintable character escaped."""
    return pattern.sub(_escape, text) if pattern.search(text) else text


def hidden_summaries(result: ScanResult) -> ScanResult:
    """A copy of `result` whose commit summaries hide every secret found or dropped (a secret committed in a
    subject line is found in the message, and every other finding of that commit repeats the subject)."""
    every = [*result.findings, *(t.finding for t in result.triaged)]
    secrets = {s for f in every for s in (f.secret, *(v for _, v in f.companions), *f.line_secrets)}
    secrets |= {d.secret for d in result.dropped}
    shown: dict[str, Commit] = {}

    def hide(commit: Commit | None) -> Commit | None:
        if commit is None or not commit.summary:
            return commit
        if commit.sha not in shown:
            summary = redact_text(commit.summary, [s for s in secrets if s and s in commit.summary])
            shown[commit.sha] = (
                commit if summary == commit.summary else dataclasses.replace(commit, summary=summary)
            )
        return shown[commit.sha]

    def origin(where: Origin) -> Origin:
        commit = hide(where.commit)
        return where if commit is where.commit else dataclasses.replace(where, commit=commit)

    def finding(f: Finding) -> Finding:
        return dataclasses.replace(f, origin=origin(f.origin), removed_in=hide(f.removed_in))

    return dataclasses.replace(
        result,
        findings=[finding(f) for f in result.findings],
        triaged=[dataclasses.replace(t, finding=finding(t.finding)) for t in result.triaged],
        dropped=[dataclasses.replace(d, origin=origin(d.origin)) for d in result.dropped],
    )


def printable_context(context: ReportContext, keep_lines: bool = False) -> ReportContext:
    """`context` whose provenance names (a folder, a branch, a baseline path) are printable."""
    p = context.provenance
    if p is None:
        return context
    text = _Printable(_UNPRINTABLE_BUT_LINES if keep_lines else _UNPRINTABLE).text
    repo = p.repository
    if repo is not None:
        repo = Repository(text(repo.location), text(repo.remote), text(repo.branch), repo.commit)
    scope = tuple((name, text(value)) for name, value in p.scope)
    shown = dataclasses.replace(p, repository=repo, baseline=text(p.baseline), scope=scope)
    return dataclasses.replace(context, provenance=shown)


def printable_result(result: ScanResult, keep_lines: bool = False) -> ScanResult:
    """A copy of `result` whose paths, commits, skips, errors and warnings are printable (but CR and LF with
    `keep_lines`)."""
    return _Printable(_UNPRINTABLE_BUT_LINES if keep_lines else _UNPRINTABLE).result(result)


class _Printable:
    """Escapes what `pattern` matches in every name a report prints; returns records unchanged (the same
    objects) when there is nothing to escape."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def text(self, text: str) -> str:
        return printable(text, self.pattern)

    def result(self, result: ScanResult) -> ScanResult:
        text = self.text
        return dataclasses.replace(
            result,
            findings=[self._finding(f) for f in result.findings],
            triaged=[self._triaged(t) for t in result.triaged],
            dropped=[self._dropped(d) for d in result.dropped],
            skipped=[Skipped(text(s.path), text(s.reason)) for s in result.skipped],
            errors=[text(e) for e in result.errors],
            warnings=[text(w) for w in result.warnings],
            target=text(result.target),
        )

    def _finding(self, finding: Finding) -> Finding:
        origin = self._origin(finding.origin)
        removed = self._commit(finding.removed_in)
        also = tuple(self.text(path) for path in finding.also_at)
        if origin is finding.origin and removed is finding.removed_in and also == finding.also_at:
            return finding
        return dataclasses.replace(finding, origin=origin, removed_in=removed, also_at=also)

    def _triaged(self, triaged: Triaged) -> Triaged:
        finding, note = self._finding(triaged.finding), self.text(triaged.note)
        if finding is triaged.finding and note is triaged.note:
            return triaged
        return Triaged(finding, triaged.label, note)

    def _dropped(self, dropped: Dropped) -> Dropped:
        origin = self._origin(dropped.origin)
        return dropped if origin is dropped.origin else dataclasses.replace(dropped, origin=origin)

    def _origin(self, origin: Origin) -> Origin:
        path, commit = self.text(origin.path), self._commit(origin.commit)
        if path is origin.path and commit is origin.commit:
            return origin
        return dataclasses.replace(origin, path=path, commit=commit)

    def _commit(self, commit: Commit | None) -> Commit | None:
        if commit is None:
            return None
        fields = (commit.author, commit.email, commit.summary)
        shown = tuple(self.text(f) for f in fields)
        if all(a is b for a, b in zip(fields, shown, strict=True)):
            return commit
        return dataclasses.replace(commit, author=shown[0], email=shown[1], summary=shown[2])
