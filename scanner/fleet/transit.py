"""What a worker sends back, and what the state file keeps: findings whose secrets are already redacted
(unless --show-secrets), so raw secrets never cross the wire nor reach the disk, and a keyed digest of each
leaked credential for deduplication.

A sealed secret is a placeholder that redacts exactly as the secret does (redact.py keeps a prefix whose
length depends on the secret's length), so every reporter prints the same text as `history` would; the
matched line and commit summaries are redacted before they leave the worker, as the reporters would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from typing import Any

from scanner.model import Commit, Dropped, Finding, Origin, ScanResult, Verification, secret_identity
from scanner.redact import redact_text

# Pads a placeholder: a private-use character, in no redacted line (a mask of `*` would be: `N***` is in
# `N*****`, and a reporter would redact it again).
_PAD = "\ue000"


def placeholder(secret: str) -> str:
    """A stand-in that redact() turns into the same text as `secret`, and that no line contains."""
    keep = min(4, len(secret) // 4)
    return secret[:keep] + _PAD * (3 * keep)


def digest(key: bytes, finding: Finding) -> str:
    """One leaked credential (rule, secret whitespace aside, companions: filters/attribution.py's key),
    as an HMAC that reveals nothing of the secret to whoever lacks the state's key."""
    parts = [finding.rule_id, secret_identity(finding.secret)]
    parts += [secret_identity(value) for _, value in finding.companions]
    material = "\0".join(parts).encode("utf-8", "surrogateescape")
    return hmac.new(key, material, hashlib.sha256).hexdigest()


def seal(result: ScanResult) -> ScanResult:
    """`result` (commit summaries already hidden) with every secret replaced by its placeholder."""
    result.findings = [_sealed(f) for f in result.findings]
    result.dropped = [dataclasses.replace(d, secret=placeholder(d.secret)) for d in result.dropped]
    return result


def _sealed(finding: Finding) -> Finding:
    secrets = [finding.secret, *(v for _, v in finding.companions), *finding.line_secrets]
    return dataclasses.replace(
        finding,
        secret=placeholder(finding.secret),
        line_text=redact_text(finding.line_text, secrets),
        companions=tuple((name, placeholder(value)) for name, value in finding.companions),
        line_secrets=(),
    )


# The state file's JSON form of findings (plain data: never pickle on disk).


def finding_to_json(finding: Finding) -> dict[str, Any]:
    return dataclasses.asdict(finding)


def finding_from_json(doc: dict[str, Any]) -> Finding:
    fields = dict(doc)
    fields["origin"] = _origin(fields["origin"])
    fields["removed_in"] = _commit(fields.get("removed_in"))
    fields["removal_merged_in"] = _commit(fields.get("removal_merged_in"))
    fields["verification"] = _verification(fields.get("verification"))
    for name in ("facts", "companions"):
        fields[name] = tuple((str(k), str(v)) for k, v in fields.get(name, ()))
    fields["line_secrets"] = tuple(fields.get("line_secrets", ()))
    fields["also_at"] = tuple(fields.get("also_at", ()))
    return Finding(**fields)


def dropped_to_json(dropped: Dropped) -> dict[str, Any]:
    return dataclasses.asdict(dropped)


def dropped_from_json(doc: dict[str, Any]) -> Dropped:
    return Dropped(**{**doc, "origin": _origin(doc["origin"])})


def _origin(doc: dict[str, Any]) -> Origin:
    return Origin(doc["path"], _commit(doc.get("commit")), doc.get("kind", "blob"), doc.get("blob", ""))


def _verification(doc: dict[str, Any] | None) -> Verification | None:
    if doc is None:
        return None
    details = tuple((str(k), str(v)) for k, v in doc.get("details", ()))
    return Verification(doc["state"], doc.get("reason", ""), details, doc.get("next_step", ""))


def _commit(doc: dict[str, Any] | None) -> Commit | None:
    return None if doc is None else Commit(**doc)
