"""Redaction: the one place that decides how much of a secret an output may show."""

from __future__ import annotations

_MASK = "*****"


def redact(secret: str, show: bool = False) -> str:
    """Return `secret` itself when `show`, otherwise a short prefix plus a fixed mask.

    The mask has a fixed length so the redacted form does not reveal the secret's length. At most a quarter
    of the secret (and never more than 4 characters) is kept: enough to recognise a key type (`AKIA`, `ghp_`).
    """
    if show:
        return secret
    keep = min(4, len(secret) // 4)
    return secret[:keep] + _MASK


def redact_text(text: str, secrets: list[str] | tuple[str, ...], show: bool = False) -> str:
    """Replace every occurrence of each secret inside `text` (a matched line, a message) by its redaction."""
    if show:
        return text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, redact(secret))
    return text
