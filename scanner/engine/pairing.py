"""Pair AWS access key ids with the secret access key and session token that stand near them.

A key id alone tells which key leaked; with its secret it is a usable credential, and verification (issue 4)
needs both. A 40-character secret within PAIR_DISTANCE lines of a key id is paired even when no AWS-like name
is assigned to it; the pair is reported as one finding on the key id, the secret kept as a companion.
"""

from __future__ import annotations

import dataclasses

from scanner.engine.lines import LineIndex
from scanner.model import Finding
from scanner.patterns import compiled
from scanner.validators.randomness import shannon_entropy
from scanner.validators.registry import aws_secret_key

PAIR_DISTANCE = 5  # lines above or below the key id
KEY_ID_RULE = "aws-access-key-id"
SECRET_RULE = "aws-secret-access-key"
TOKEN_RULE = "aws-session-token"
_BARE_SECRET = compiled(rb"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_MIN_BARE_ENTROPY = 4.0  # a generated 40-char key sits near 4.9 bits/char; below 4.0 it is prose or a hash


def pair_aws_credentials(findings: list[Finding], lines: LineIndex) -> list[Finding]:
    key_ids = [f for f in findings if f.rule_id == KEY_ID_RULE]
    if not key_ids:
        return findings
    secrets = [f for f in findings if f.rule_id == SECRET_RULE]
    tokens = [f for f in findings if f.rule_id == TOKEN_RULE]
    consumed: set[int] = set()
    paired: dict[int, Finding] = {}
    for key in key_ids:
        companions: list[tuple[str, str]] = []
        facts = list(key.facts)
        secret = _nearest(key, secrets) or _bare_secret_near(key, lines)
        if secret is not None:
            if isinstance(secret, Finding):
                consumed.add(id(secret))
                value, line = secret.secret, secret.line
            else:
                value, line = secret
            companions.append(("secret_access_key", value))
            facts.append(("paired_secret_line", str(line)))
        token = _nearest(key, tokens)
        if token is not None:
            consumed.add(id(token))
            companions.append(("session_token", token.secret))
            facts.append(("paired_token_line", str(token.line)))
        if companions:
            paired[id(key)] = dataclasses.replace(
                key,
                companions=tuple(companions),
                facts=tuple(facts),
                severity="critical" if secret is not None else key.severity,
            )
    return [paired.get(id(f), f) for f in findings if id(f) not in consumed]


def _nearest(key: Finding, candidates: list[Finding]) -> Finding | None:
    near = [c for c in candidates if abs(c.line - key.line) <= PAIR_DISTANCE]
    return min(near, key=lambda c: (abs(c.line - key.line), c.line), default=None)


def _bare_secret_near(key: Finding, lines: LineIndex) -> tuple[str, int] | None:
    first = max(1, key.line - PAIR_DISTANCE)
    last = min(lines.count(), key.line + PAIR_DISTANCE)
    best: tuple[int, str, int] | None = None
    for line_no in range(first, last + 1):
        for match in _BARE_SECRET.finditer(lines.text(line_no)):
            value = match.group().decode("ascii")
            if shannon_entropy(value) < _MIN_BARE_ENTROPY or not aws_secret_key(value).ok:
                continue
            distance = abs(line_no - key.line)
            if best is None or distance < best[0]:
                best = (distance, value, line_no)
    return None if best is None else (best[1], best[2])


def without_companion_copies(findings: list[Finding]) -> list[Finding]:
    """Drop findings whose secret another finding already carries as a companion.

    Pairing (above) attaches a nearby AWS secret key to its key id; a generic rule that also
    matched `secret_key = "…"` would otherwise report the same secret a second time.
    """
    carried = {value for f in findings for _, value in f.companions}
    if not carried:
        return findings
    return [f for f in findings if f.companions or f.secret not in carried]
