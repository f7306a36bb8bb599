"""Scan results built directly from model types, shared by the reporter tests (tests/test_report_*.py).

They cover what reporters must survive: a paired AWS key with a companion secret, a history finding with a
verified state and a later removal, non-ASCII text before a secret (byte vs character columns), and paths and
lines full of characters that are special in HTML, Markdown, XML and workflow commands.
"""

from __future__ import annotations

from scanner.engine import fingerprint
from scanner.model import (
    Commit,
    Dropped,
    Finding,
    Origin,
    Provenance,
    Repository,
    ScanResult,
    Skipped,
    Triaged,
    Verification,
)
from scanner.report import ReportContext
from scanner.rules import load_rules

KEY_ID = "AKIAUJZDEGXDNCF32EPF"
SECRET_KEY = "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"
HISTORY_SECRET = "A4uoRgnatmUdjAWtGSU8po/799NksnRH9ucAUsdM"
TRIAGED_SECRET = "Qw3rTy8UiOpAsDfGhJkL2zXcVbNm4567890aBcDe"
DROPPED_SECRET = "lHUvTCQCyEZDz+TddJ8HyS5SUkCnD8zRA9a9SkpX"
RAW_SECRETS = (KEY_ID, SECRET_KEY, HISTORY_SECRET, DROPPED_SECRET, TRIAGED_SECRET)
NASTY_PATH = "odd dir/<script>alert(1)</script>,a:b%25|c`d*.env"

FIRST = Commit("1" * 40, "Alice <Admin>", "alice@example.com", "2024-01-05T10:00:00+02:00", "add config")
REMOVAL = Commit("2" * 40, "Bob", "bob@example.com", "2024-03-01T09:00:00+00:00", "remove secret")


def finding(
    rule_id: str,
    secret: str,
    path: str,
    line_text: str,
    *,
    line: int = 1,
    severity: str = "high",
    commit: Commit | None = None,
    **extra: object,
) -> Finding:
    column = line_text.encode().index(secret.encode()) + 1
    return Finding(
        rule_id=rule_id,
        rule_name=rule_id.replace("-", " ").capitalize(),
        severity=severity,  # type: ignore[arg-type]
        confidence="high",
        origin=Origin(path, commit, "blob" if commit else "file"),
        line=line,
        column=column,
        end_column=column + len(secret.encode()),
        secret=secret,
        line_text=line_text,
        fingerprint=fingerprint(rule_id, secret, path),
        **extra,  # type: ignore[arg-type]
    )


def paired_key() -> Finding:
    return finding(
        "aws-access-key-id",
        KEY_ID,
        "config/creds.ini",
        f"aws_access_key_id = {KEY_ID}",
        line=2,
        severity="critical",
        facts=(("key_type", "long-term access key"), ("account_id", "295889548742")),
        companions=(("secret_access_key", SECRET_KEY),),
    )


def history_secret() -> Finding:
    return finding(
        "aws-secret-access-key",
        HISTORY_SECRET,
        NASTY_PATH,
        f'# clé «prod» <b>&amp;</b> | aws_secret = "{HISTORY_SECRET}"',
        line=7,
        severity="critical",
        commit=FIRST,
        present_at_head=False,
        removed_in=REMOVAL,
        verification=Verification("active", "STS accepted the key", (("account", "295889548742"),)),
    )


def sample_result(mode: str = "history") -> ScanResult:
    result = ScanResult(mode=mode, target="repo", blobs_scanned=3, bytes_scanned=2048)
    result.findings = [paired_key(), history_secret()]
    result.dropped = [
        Dropped("aws-secret-access-key", Origin("a.py"), 3, 5, "entropy", "too low", DROPPED_SECRET)
    ]
    result.warnings = ["a warning, with: 100% odd\ncharacters"]
    result.skipped = [Skipped("logo.png", "binary"), Skipped("dump.sql", "larger than 10485760 bytes")]
    result.commits_scanned = 2 if mode == "history" else None
    test_key = finding(
        "aws-secret-access-key",
        TRIAGED_SECRET,
        "tests/fixtures/aws.env",
        f"AWS_SECRET_ACCESS_KEY={TRIAGED_SECRET}",
        severity="high",
        commit=FIRST if mode == "history" else None,
    )
    result.triaged = [Triaged(test_key, "false-positive", "a test fixture <not> a key")]
    return result


# Userinfo already removed, as the pipeline hands it on (pipeline.repository).
REPOSITORY = Repository("/src/app", "https://git.example.com/org/app.git", "main", "3" * 40)


def provenance(show: bool = False) -> Provenance:
    return Provenance(
        repository=REPOSITORY,
        started="2024-05-01T08:00:00Z",
        duration=12.5,
        tool_version="0.1.0",
        rules_digest="ab" * 32,
        rules=3,
        min_confidence="medium",
        baseline=".secretscan-baseline.json",
        inline_markers=True,
        show_secrets=show,
        verification="off",
        scope=(("branch", "main"),),
    )


def context(show: bool = False, explain: bool = True) -> ReportContext:
    rules = {rule.id: rule for rule in load_rules()}
    return ReportContext(
        show_secrets=show, rules=rules, tool_version="0.1.0", explain=explain, provenance=provenance(show)
    )
