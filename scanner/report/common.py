"""Facts every rich reporter (SARIF, JUnit, GitHub, Markdown, HTML) derives the same way from a finding.

One place decides a finding's one-line message, its character columns, its remediation and how findings are
counted, so the formats cannot drift apart; every string that may contain a secret passes through `redact`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from scanner.model import SEVERITIES, Commit, Finding, Provenance, ScanResult, suppressed_note
from scanner.redact import redact, redact_text
from scanner.report import ReportContext
from scanner.rules import DEFAULT_REMEDIATION, Rule

_SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class RuleHelp:
    """What a reader needs to know about a rule, whether or not it is in the loaded rule set."""

    id: str
    name: str
    description: str
    remediation: str
    references: tuple[str, ...]
    tags: tuple[str, ...]
    confidence: str = "medium"  # unknown rules: neither claim nor disclaim precision


def rule_help(context: ReportContext, rule_id: str, fallback_name: str = "") -> RuleHelp:
    rule: Rule | None = context.rules.get(rule_id)
    if rule is None:
        name = fallback_name or rule_id
        return RuleHelp(rule_id, name, name, DEFAULT_REMEDIATION, (), ())
    return RuleHelp(
        rule.id,
        rule.name,
        rule.description or rule.name,
        rule.remediation,
        rule.references,
        rule.tags,
        rule.confidence,
    )


def secrets_of(finding: Finding) -> list[str]:
    """The secret and its companions: everything a redacting output must hide."""
    return [finding.secret] + [value for _, value in finding.companions]


def shown_secret(finding: Finding, show: bool) -> str:
    """The secret (redacted unless `show`) and its companions: `AKIA***** + secret access key v5ZJ*****`."""
    parts = [redact(finding.secret, show)]
    parts += [f"{name.replace('_', ' ')} {redact(value, show)}" for name, value in finding.companions]
    return " + ".join(parts)


def shown_line(finding: Finding, show: bool) -> str:
    return redact_text(finding.line_text.strip(), [*secrets_of(finding), *finding.line_secrets], show)


def message(finding: Finding, show: bool) -> str:
    """One line naming what was found and where it came from; safe to print when `show` is false."""
    text = f"{finding.rule_name}: {shown_secret(finding, show)}"
    if finding.commit is not None:
        text += f" (added in commit {finding.commit.sha[:12]} by {finding.commit.author})"
    if finding.verification is not None:
        text += f" [verification: {finding.verification.state}]"
    return text


def char_columns(finding: Finding) -> tuple[int, int]:
    """1-based start and exclusive end columns in characters (Finding columns count bytes).

    Editors, GitHub and SARIF count characters, which differ from bytes after non-ASCII text on the line.
    The conversion needs the whole line before the secret; a cut line (minified file) keeps byte columns.
    """
    encoded = finding.line_text.encode("utf-8", "surrogateescape")
    start, end = finding.column - 1, finding.end_column - 1
    if encoded[start:end] != finding.secret.encode("utf-8", "surrogateescape"):
        return finding.column, finding.end_column
    prefix = encoded[:start].decode("utf-8", "replace")
    return len(prefix) + 1, len(prefix) + 1 + len(finding.secret)


def by_severity(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    """(severity, count) from most to least severe, only severities that occur."""
    counts = Counter(f.severity for f in findings)
    return [(s, counts[s]) for s in SEVERITIES if counts[s]]


def severity_rank(severity: str) -> int:
    return _SEVERITY_RANK.get(severity, len(SEVERITIES))


def verification_state(finding: Finding) -> str:
    return finding.verification.state if finding.verification is not None else "not-checked"


def summary_line(result: ScanResult) -> str:
    """`3 findings (1 critical, 2 high)` or `no findings`, and what exceptions suppressed."""
    note = suppressed_note(result.suppressed)
    tail = f"; {note}" if note else ""
    if not result.findings:
        return "no findings" + tail
    counts = ", ".join(f"{n} {s}" for s, n in by_severity(result.findings))
    noun = "finding" if len(result.findings) == 1 else "findings"
    return f"{len(result.findings)} {noun} ({counts}){tail}"


def commits_of(findings: Iterable[Finding]) -> list[Commit]:
    """Distinct commits findings were attributed to, oldest first."""
    seen: dict[str, Commit] = {}
    for finding in findings:
        if finding.commit is not None:
            seen.setdefault(finding.commit.sha, finding.commit)
    return sorted(seen.values(), key=lambda c: (utc_date(c.date) or EPOCH, c.sha))


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def utc_date(date: str) -> datetime | None:
    """An ISO 8601 commit date in UTC (None if unparsable), so dates with different offsets compare right."""
    try:
        parsed = datetime.fromisoformat(date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def skipped_by_kind(result: ScanResult) -> dict[str, int]:
    """What was not scanned, counted by reason (`binary`, `too large`, …), most frequent first."""
    return dict(Counter(s.kind for s in result.skipped).most_common())


def triaged_by_label(result: ScanResult) -> dict[str, int]:
    """Baselined findings counted by their triage label (`unlabelled` for an entry without one)."""
    return dict(Counter(t.label or "unlabelled" for t in result.triaged).most_common())


def counted(counts: dict[str, int]) -> str:
    """`3 (2 binary, 1 too large)`, or `none`."""
    total = sum(counts.values())
    if not total:
        return "none"
    return f"{total} (" + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ")"


def repository_line(provenance: Provenance | None, target: str) -> str:
    """`/src/app (https://example.com/org/app.git) on main at 1a2b3c4d5e6f`, or the scan's target."""
    repo = provenance.repository if provenance is not None else None
    if repo is None:
        return target or "input"
    text = repo.location
    if repo.remote and repo.remote != repo.location:
        text += f" ({repo.remote})"
    if repo.branch:
        text += f" on {repo.branch}"
    if repo.commit:
        text += f" at {repo.commit[:12]}"
    return text


def options_line(provenance: Provenance) -> str:
    """The options that change what a report holds, in words."""
    parts = [
        f"min confidence {provenance.min_confidence}",
        f"baseline {provenance.baseline}" if provenance.baseline else "no baseline",
        "inline markers honoured" if provenance.inline_markers else "inline markers ignored",
        "secrets shown" if provenance.show_secrets else "secrets redacted",
        f"verification {provenance.verification}",
    ]
    parts += [f"{name} {value}" for name, value in provenance.scope]
    return ", ".join(parts)


def provenance_facts(result: ScanResult, provenance: Provenance | None) -> list[tuple[str, str]]:
    """(label, plain text) pairs saying how a report was made (issue 18 §1), for the formats that print a
    table of them (Markdown, HTML, JUnit properties); callers escape."""
    read = f"{result.blobs_scanned} unique blob(s), {result.bytes_scanned / 1e6:.1f} MB"
    if result.commits_scanned is not None:
        read += f", {result.commits_scanned} commit(s)"
    facts = [
        ("Repository", repository_line(provenance, result.target)),
        ("Scan", result.mode if result.target in ("", ".") else f"{result.mode} of {result.target}"),
    ]
    if provenance is not None:
        facts += [
            ("Date", f"{provenance.started} ({provenance.duration:.1f} s)"),
            ("Tool", f"secretscan {provenance.tool_version}"),
            ("Rules", f"{provenance.rules} rules, sha256:{provenance.rules_digest[:16]}"),
            ("Options", options_line(provenance)),
        ]
    facts += [
        ("Read", read),
        ("Skipped", counted(skipped_by_kind(result))),
        ("Suppressed", suppressed_note(result.suppressed) or "none"),
        ("Below min confidence", str(result.below_min_confidence)),
        ("Triaged in baseline", counted(triaged_by_label(result))),
    ]
    return facts
