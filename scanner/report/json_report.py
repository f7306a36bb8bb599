"""JSON report with a versioned schema (docs/json-schema.md). Fields are only ever added, never repurposed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from scanner.model import Commit, Dropped, Finding, Provenance, ScanResult
from scanner.redact import redact, redact_text
from scanner.report import ReportContext
from scanner.report.common import skipped_by_kind, triaged_by_label

SCHEMA_VERSION = "1.1"


def render(result: ScanResult, context: ReportContext) -> str:
    return json.dumps(document(result, context), indent=2, sort_keys=False) + "\n"


def document(result: ScanResult, context: ReportContext) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secretscan", "version": context.tool_version},
        "mode": result.mode,
        "target": result.target,
        "secrets_redacted": not context.show_secrets,
        "summary": {
            "findings": len(result.findings),
            "by_severity": dict(Counter(f.severity for f in result.findings)),
            "blobs_scanned": result.blobs_scanned,
            "bytes_scanned": result.bytes_scanned,
            "commits_scanned": result.commits_scanned,
            "skipped": len(result.skipped),
            "skipped_by_reason": skipped_by_kind(result),
            "below_min_confidence": result.below_min_confidence,
            "suppressed": dict(sorted(result.suppressed.items())),
            "triaged": triaged_by_label(result),
            "errors": len(result.errors),
        },
        "provenance": provenance_dict(context.provenance),
        "findings": [finding_dict(f, context.show_secrets) for f in result.findings],
        "triaged": [
            {**finding_dict(t.finding, context.show_secrets), "label": t.label or None, "note": t.note}
            for t in result.triaged
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "errors": list(result.errors),
        "warnings": list(result.warnings),
    }
    if context.explain:
        doc["dropped"] = [dropped_dict(d, context.show_secrets) for d in result.dropped]
    return doc


def provenance_dict(p: Provenance | None) -> dict[str, Any] | None:
    if p is None:
        return None
    repo = p.repository
    return {
        "repository": None
        if repo is None
        else {
            "location": repo.location,
            "remote": repo.remote or None,
            "branch": repo.branch or None,
            "commit": repo.commit or None,
        },
        "started": p.started,
        "duration_seconds": p.duration,
        "tool_version": p.tool_version,
        "rules": {"count": p.rules, "digest": f"sha256:{p.rules_digest}"},
        "options": {
            "min_confidence": p.min_confidence,
            "baseline": p.baseline or None,
            "inline_markers": p.inline_markers,
            "show_secrets": p.show_secrets,
            "verification": p.verification,
            "scope": dict(p.scope),
        },
    }


def finding_dict(f: Finding, show: bool) -> dict[str, Any]:
    secrets = [f.secret, *(v for _, v in f.companions), *f.line_secrets]
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity,
        "confidence": f.confidence,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_column": f.end_column,
        "secret": redact(f.secret, show),
        "line_text": redact_text(f.line_text, secrets, show),
        "fingerprint": f.fingerprint,
        "facts": dict(f.facts),
        "companions": {k: redact(v, show) for k, v in f.companions},
        "commit": commit_dict(f.commit),
        "present_at_head": f.present_at_head,
        "removed_in": commit_dict(f.removed_in),
        "removal_merged_in": commit_dict(f.removal_merged_in),
        "also_at": list(f.also_at),
        "verification": None
        if f.verification is None
        else {
            "state": f.verification.state,
            "reason": f.verification.reason,
            "details": dict(f.verification.details),
            "next_step": f.verification.next_step,
        },
    }


def commit_dict(c: Commit | None) -> dict[str, str] | None:
    if c is None:
        return None
    return {"sha": c.sha, "author": c.author, "email": c.email, "date": c.date, "summary": c.summary}


def dropped_dict(d: Dropped, show: bool) -> dict[str, Any]:
    return {
        "rule_id": d.rule_id,
        "path": d.origin.path,
        "line": d.line,
        "column": d.column,
        "reason": d.reason,
        "detail": d.detail,
        "secret": redact(d.secret, show),
    }
