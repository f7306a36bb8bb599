"""Frozen record types shared by sources, the engine, filters, verification and reporters."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["critical", "high", "medium", "low", "info"]
Confidence = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
CONFIDENCES: tuple[Confidence, ...] = ("high", "medium", "low")


def blob_id(data: bytes) -> str:
    """The git blob SHA-1 of `data`, so files on disk and blobs in history share one identity."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)  # not header + data: that would copy every blob once more
    return digest.hexdigest()


def secret_identity(value: str) -> str:
    """A secret's value for comparison: whitespace aside, a key block reindented (in YAML, in code) is the
    same key (issue 15 §1)."""
    return "".join(value.split())


@dataclass(frozen=True, slots=True)
class Commit:
    """The commit a finding is attributed to (history and diff scans)."""

    sha: str
    author: str
    email: str
    date: str  # ISO 8601 author date
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of content came from."""

    path: str
    commit: Commit | None = None
    kind: Literal["file", "stdin", "blob", "staged", "commit-message"] = "file"
    # A history blob's id, from the scan until attribution replaces the origin with the introducing commit's.
    blob: str = ""


@dataclass(frozen=True, slots=True)
class Blob:
    """Content to scan, identified by its git blob id so identical content is scanned once."""

    id: str
    data: bytes = field(repr=False)
    origin: Origin

    @classmethod
    def from_bytes(cls, data: bytes, origin: Origin) -> Blob:
        return cls(blob_id(data), data, origin)


VerificationState = Literal[
    "active", "invalid", "unknown", "not-checked", "foreign-account", "canary", "inactive", "not-found"
]


@dataclass(frozen=True, slots=True)
class Verification:
    """Outcome of an opt-in live check of a finding (issue 4)."""

    state: VerificationState
    reason: str = ""
    details: tuple[tuple[str, str], ...] = ()  # ordered key/value facts: account, arn, user, created, ...
    next_step: str = ""  # what the reader should do about it (issue 17 §5); empty when nothing was checked

    def detail(self, key: str) -> str | None:
        return dict(self.details).get(key)


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported secret. Secrets never appear in repr(); reporters redact unless asked not to."""

    rule_id: str
    rule_name: str
    severity: Severity
    confidence: Confidence
    origin: Origin
    line: int  # 1-based
    column: int  # 1-based byte column within the line
    end_column: int  # 1-based, exclusive, in bytes
    secret: str = field(repr=False)
    line_text: str = field(repr=False)
    fingerprint: str
    # Offline facts (AWS key type, decoded account id, checksum result, ...), ordered key/value pairs.
    facts: tuple[tuple[str, str], ...] = ()
    # Related secrets found with this one: ("secret_access_key", ...), ("session_token", ...).
    companions: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    verification: Verification | None = None
    # History audit: whether the secret is still present at HEAD, or the commit that removed it.
    present_at_head: bool | None = None
    removed_in: Commit | None = None
    # When the removal was made on a side branch: the merge that brought it into HEAD's first-parent line.
    removal_merged_in: Commit | None = None
    # The other candidates on the finding's line (any rule, reported or not, and any URL's password): every
    # line context hides them as it hides the secret (issue 14 §3).
    line_secrets: tuple[str, ...] = field(default=(), repr=False)
    # History audit: the other paths the same secret was committed at (the finding stands at its earliest),
    # so a report can list every place it appears (issue 18 §2).
    also_at: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.origin.path

    @property
    def commit(self) -> Commit | None:
        return self.origin.commit

    def fact(self, key: str) -> str | None:
        return dict(self.facts).get(key)

    def companion(self, key: str) -> str | None:
        return dict(self.companions).get(key)


DropReason = Literal[
    "entropy",
    "allowlist-secret",
    "allowlist-line",
    "allowlist-path",
    "stopword",
    "example-credential",
    "inline-marker",
    "validator",
    "baseline",
    "ignore-file",
    "not-added-line",
    "confidence",
    "disabled",
]


# The exceptions people grant, as drop reasons: counted in every report, listed with --explain.
SUPPRESSIONS: dict[DropReason, str] = {
    "inline-marker": "inline marker",
    "baseline": "baseline",
    "ignore-file": "ignore file",
}


def suppressed_note(suppressed: dict[str, int]) -> str:
    """`3 suppressed (2 by inline marker, 1 by baseline)`, or "" when no exception suppressed anything:
    a gate that passes says what it let through (issue 15 §2)."""
    labels = {str(kind): label for kind, label in SUPPRESSIONS.items()}
    counts = [(labels.get(kind, kind), n) for kind, n in sorted(suppressed.items()) if n]
    if not counts:
        return ""
    total = sum(n for _, n in counts)
    return f"{total} suppressed (" + ", ".join(f"{n} by {label}" for label, n in counts) + ")"


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate that matched a pattern but was not reported, and why (--explain)."""

    rule_id: str
    origin: Origin
    line: int
    column: int
    reason: DropReason
    detail: str
    secret: str = field(repr=False)


# Reasons a file was skipped by a fault rather than by a rule (size, binary, submodule): scan errors for
# --fail-on-error (issue 15 §6).
SKIP_FAULTS = ("cannot access", "cannot list", "cannot read", "unreadable")


@dataclass(frozen=True, slots=True)
class Skipped:
    """Content that was not scanned, and why: reported, never silent (PERF-NOTES §5)."""

    path: str
    reason: str

    @property
    def fault(self) -> bool:
        return self.reason.startswith(SKIP_FAULTS)

    @property
    def kind(self) -> str:
        """The reason without its particulars (`larger than 1048576 bytes (2000000)` → `too large`), so a
        report can count skips by reason."""
        for prefix, kind in _SKIP_KINDS:
            if self.reason.startswith(prefix):
                return kind
        return self.reason.split(":", 1)[0].split(" (", 1)[0].split(";", 1)[0].strip()


_SKIP_KINDS: tuple[tuple[str | tuple[str, ...], str], ...] = (
    ("larger than", "too large"),
    ("binary", "binary"),
    ("submodule", "submodule"),
    (SKIP_FAULTS, "unreadable"),
    ("symlink loop", "symlink loop"),
    ("not a regular file", "not a regular file"),
    ("points at no commit", "no commit"),
)


@dataclass(frozen=True, slots=True)
class Triaged:
    """A finding the baseline accepts, with the triage label and note a person gave it: kept beside the
    findings (not reported, not failing a gate) so an audit shows it labelled (issue 18 §2)."""

    finding: Finding
    label: str = ""  # false-positive, accepted-risk, revoked; empty when the entry has no label
    note: str = ""


@dataclass(frozen=True, slots=True)
class Repository:
    """The repository a scan read, as a report names it (issue 18 §1)."""

    location: str  # an absolute path, or the URL given with its userinfo removed
    remote: str = ""  # the `origin` remote's URL, userinfo removed
    branch: str = ""  # empty when HEAD is detached or unborn, or outside a repository
    commit: str = ""  # HEAD; empty outside a repository or before the first commit


@dataclass(slots=True)
class ScanResult:
    """Everything one scan produced; mutable while the scan runs, then handed to filters and reporters."""

    findings: list[Finding] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blobs_scanned: int = 0
    bytes_scanned: int = 0
    below_min_confidence: int = 0  # findings hidden by --min-confidence: counted, so a person can ask
    # Findings an exception suppressed, by kind (SUPPRESSIONS): a gate says what it let through (issue 15 §2).
    suppressed: dict[str, int] = field(default_factory=dict)
    mode: str = "scan"  # scan | history | diff | staged
    target: str = ""
    # Blobs a path allowlist dropped a candidate of at some path: attribution keeps their findings at their
    # own path, never moves them to the blob's first appearance at an allowlisted one (issue 14 §2).
    path_bound: set[str] = field(default_factory=set)
    triaged: list[Triaged] = field(default_factory=list)  # baselined findings, with their labels
    commits_scanned: int | None = None  # commits whose messages and trees a history or diff read
    repository: Repository | None = None  # set by the scan when it knows better than the settings (a URL)
    # Left out on purpose (exclude globs, ignore files): listed by --verbose, not counted as skipped.
    ignored: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Provenance:
    """What a report must say about how it was made, so a reader can trust or redo it (issue 18 §1): which
    repository and commit, when and how long, which tool and rules, and the options that change results."""

    repository: Repository | None
    started: str  # ISO 8601 UTC, to the second
    duration: float  # seconds, from the command's start to the report
    tool_version: str
    rules_digest: str  # sha256 of the loaded rule set (rules.load.rules_hash)
    rules: int  # how many rules ran
    min_confidence: str
    baseline: str  # the baseline file used, "" for none
    inline_markers: bool  # whether `secretscan:allow` markers were honoured
    show_secrets: bool
    verification: str  # off, dry-run, pair, owner, pair+owner
    # Scope options that change what is read, as (name, value): branch, since, max-commits, base, head.
    scope: tuple[tuple[str, str], ...] = ()
