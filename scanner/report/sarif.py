"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Follows GitHub's expectations (docs: "SARIF support for code scanning"): one rule per `ruleId` in
`tool.driver.rules` with help text and markdown, `security-severity` and the CWE-798 tag,
`partialFingerprints` so an alert keeps its identity when lines move, and the commit of history findings in
`versionControlProvenance` and in each result's properties. Messages are redacted unless --show-secrets.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from scanner.model import Commit, Finding, Provenance, ScanResult
from scanner.report import ReportContext
from scanner.report.common import (
    RuleHelp,
    char_columns,
    commits_of,
    message,
    rule_help,
    severity_rank,
    skipped_by_kind,
    triaged_by_label,
    utc_date,
    verification_state,
)
from scanner.report.json_report import commit_dict

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# partialFingerprints key; bump when Finding.fingerprint changes meaning (v2: keyed, issue 14 §3).
FINGERPRINT_KEY = "secretscan/v2"
_SRCROOT = "%SRCROOT%"
# GitHub maps security-severity to critical (>= 9.0), high (>= 7.0), medium (>= 4.0) and low.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_PRECISION = {"high": "high", "medium": "medium", "low": "low"}
_BASE_TAGS = ("security", "secret", "external/cwe/cwe-798")


def render(result: ScanResult, context: ReportContext) -> str:
    return json.dumps(document(result, context), indent=2) + "\n"


def document(result: ScanResult, context: ReportContext) -> dict[str, Any]:
    rule_ids = sorted(set(context.rules) | {f.rule_id for f in result.findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    names = {f.rule_id: f.rule_name for f in result.findings}
    severities = _rule_severities(result, context)
    rules = [
        _rule(rule_help(context, rule_id, names.get(rule_id, "")), severities[rule_id])
        for rule_id in rule_ids
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "secretscan",
                "version": context.tool_version or "0",
                "semanticVersion": context.tool_version or "0.0.0",
                "rules": rules,
            }
        },
        "invocations": [_invocation(result, context.provenance)],
        "results": [_result(f, index[f.rule_id], context) for f in result.findings],
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {_SRCROOT: {"uri": _directory_uri(result.target)}},
        "properties": {
            "mode": result.mode,
            "target": result.target,
            "secretsRedacted": not context.show_secrets,
            "suppressed": dict(sorted(result.suppressed.items())),
            **_counts(result, context.provenance),
        },
    }
    # The state analysed first (the repository at HEAD, its branch), then each commit a secret entered by.
    head = _head(context.provenance, result.target)
    commits = [_provenance(c, result.target) for c in commits_of(result.findings)]
    if head is not None:
        commits = [head, *(c for c in commits if c["revisionId"] != head.get("revisionId"))]
    if commits:
        run["versionControlProvenance"] = commits
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule_severities(result: ScanResult, context: ReportContext) -> dict[str, str]:
    """Each rule's default severity, raised to its most severe finding.

    GitHub reads security-severity from the rule only, and pairing raises a key id with its secret key to
    critical; without this a paired AWS key would show as a high alert.
    """
    severities: dict[str, str] = {rule.id: rule.severity for rule in context.rules.values()}
    for f in result.findings:
        current = severities.get(f.rule_id)
        if current is None or severity_rank(f.severity) < severity_rank(current):
            severities[f.rule_id] = f.severity
    return severities


def _rule(help_: RuleHelp, severity: str) -> dict[str, Any]:
    references = "".join(f"\n- {ref}" for ref in help_.references)
    help_text = f"{help_.description}\n\nRemediation: {help_.remediation}"
    help_markdown = f"{help_.description}\n\n**Remediation:** {help_.remediation}"
    if references:
        help_text += "\n\nReferences:" + references
        help_markdown += "\n\n**References:**" + "".join(f"\n- <{ref}>" for ref in help_.references)
    rule: dict[str, Any] = {
        "id": help_.id,
        "name": "".join(part.capitalize() for part in help_.id.split("-")),
        "shortDescription": {"text": help_.name},
        "fullDescription": {"text": help_.description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": _LEVEL.get(severity, "warning")},
        "properties": {
            "tags": list(dict.fromkeys((*_BASE_TAGS, *help_.tags))),
            "security-severity": _SECURITY_SEVERITY.get(severity, "5.0"),
            "problem.severity": "error" if _LEVEL.get(severity) == "error" else "warning",
            "precision": _PRECISION.get(help_.confidence, "medium"),
            "severity": severity,
        },
    }
    if help_.references:
        rule["helpUri"] = help_.references[0]
    return rule


def _result(finding: Finding, rule_index: int, context: ReportContext) -> dict[str, Any]:
    start, end = char_columns(finding)
    properties: dict[str, Any] = {
        "severity": finding.severity,
        "confidence": finding.confidence,
        "verification": verification_state(finding),
        "facts": dict(finding.facts),
    }
    if finding.verification is not None:  # issue 17 §5: the evidence and what to do, not only the state
        properties["verificationReason"] = finding.verification.reason
        properties["verificationDetails"] = dict(finding.verification.details)
        if finding.verification.next_step:
            properties["nextStep"] = finding.verification.next_step
    if finding.commit is not None:
        properties["commit"] = commit_dict(finding.commit)
    if finding.present_at_head is not None:
        properties["presentAtHead"] = finding.present_at_head
    if finding.removed_in is not None:
        properties["removedIn"] = commit_dict(finding.removed_in)
    if finding.removal_merged_in is not None:
        properties["removalMergedIn"] = commit_dict(finding.removal_merged_in)
    if finding.also_at:
        properties["alsoAt"] = list(finding.also_at)
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL.get(finding.severity, "warning"),
        "kind": "fail",
        "message": {"text": message(finding, context.show_secrets)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path),
                    "region": {"startLine": finding.line, "startColumn": start, "endColumn": end},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }


def _artifact(path: str) -> dict[str, str]:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(PurePosixPath(Path(path).as_posix()).as_posix()), "uriBaseId": _SRCROOT}


def _directory_uri(target: str) -> str:
    """The scanned folder as a file URI ending in '/', as SARIF requires of a base URI."""
    base = Path(target or ".")
    if target in ("", "-") or not base.is_dir():
        base = Path.cwd()
    return base.resolve().as_uri().rstrip("/") + "/"


def _provenance(commit: Commit, target: str) -> dict[str, Any]:
    details: dict[str, Any] = {
        # history accepts a URL (cloned into a temporary mirror): the URL names the repository
        "repositoryUri": target if "://" in target else _directory_uri(target),
        "revisionId": commit.sha,
        "mappedTo": {"uriBaseId": _SRCROOT},
        "properties": {"author": commit.author, "email": commit.email, "summary": commit.summary},
    }
    when = utc_date(commit.date)
    if when is not None:
        details["asOfTimeUtc"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return details


def _counts(result: ScanResult, provenance: Provenance | None) -> dict[str, Any]:
    """What was read, skipped and triaged, and the rule set: the run's share of issue 18 §1."""
    counts: dict[str, Any] = {
        "blobsScanned": result.blobs_scanned,
        "bytesScanned": result.bytes_scanned,
        "commitsScanned": result.commits_scanned,
        "skippedByReason": skipped_by_kind(result),
        "belowMinConfidence": result.below_min_confidence,
        "triaged": triaged_by_label(result),
    }
    if provenance is not None:
        counts["rules"] = {"count": provenance.rules, "digest": f"sha256:{provenance.rules_digest}"}
    return counts


def _head(provenance: Provenance | None, target: str) -> dict[str, Any] | None:
    """The repository as scanned (SARIF §3.23 versionControlDetails): its URI, HEAD and branch; mapped to
    the scanned folder only when that folder is the repository's root."""
    repo = provenance.repository if provenance is not None else None
    if repo is None or not repo.commit:
        return None
    uri = next((u for u in (repo.remote, repo.location) if "://" in u), None)
    details: dict[str, Any] = {
        "repositoryUri": uri or _directory_uri(repo.location),
        "revisionId": repo.commit,
    }
    if _directory_uri(repo.location) == _directory_uri(target):
        details["mappedTo"] = {"uriBaseId": _SRCROOT}
    if repo.branch:
        details["branch"] = repo.branch
    return details


def _invocation(result: ScanResult, provenance: Provenance | None = None) -> dict[str, Any]:
    notes = [{"level": "error", "message": {"text": e}} for e in result.errors]
    notes += [{"level": "warning", "message": {"text": w}} for w in result.warnings]
    notes += [{"level": "note", "message": {"text": f"skipped {s.path}: {s.reason}"}} for s in result.skipped]
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if provenance is not None:  # SARIF §3.20: when the run happened and the options it ran with
        invocation["startTimeUtc"] = provenance.started
        invocation["endTimeUtc"] = _plus(provenance.started, provenance.duration)
        invocation["properties"] = {
            "minConfidence": provenance.min_confidence,
            "baseline": provenance.baseline or None,
            "inlineMarkers": provenance.inline_markers,
            "showSecrets": provenance.show_secrets,
            "verification": provenance.verification,
            "scope": dict(provenance.scope),
            "durationSeconds": provenance.duration,
        }
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _plus(started: str, seconds: float) -> str:
    begin = utc_date(started)
    if begin is None:
        return started
    return (begin + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
