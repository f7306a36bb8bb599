"""Facts every rich reporter (SARIF, JUnit, GitHub, Markdown, HTML) derives the same way from a finding.

One place decides a finding's one-line message, its character columns, its remediation and how findings are
counted, so the formats cannot drift apart; every string that may contain a secret passes through `redact`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from scanner.model import SEVERITIES, Commit, Finding, ScanResult, suppressed_note
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
    return redact_text(finding.line_text.strip(), secrets_of(finding), show)


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
