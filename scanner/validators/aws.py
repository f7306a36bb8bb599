"""Offline facts about Amazon credentials: key type from the prefix, account id decoded from the key id."""

from __future__ import annotations

import base64

from scanner.patterns import compiled

# Unique-identifier prefixes documented in the IAM User Guide ("Understanding unique ID prefixes").
KEY_ID_PREFIXES: dict[str, str] = {
    "AKIA": "long-term access key",
    "ASIA": "temporary access key (STS)",
    "ABIA": "AWS STS service bearer token",
    "ACCA": "context-specific credential",
}
# Identifiers that are not credentials: never reported as secrets.
NON_SECRET_PREFIXES: dict[str, str] = {
    "AGPA": "user group",
    "AIDA": "IAM user",
    "AIPA": "EC2 instance profile",
    "ANPA": "managed policy",
    "ANVA": "managed policy version",
    "APKA": "public key",
    "AROA": "role",
    "ASCA": "certificate",
}
_KEY_ID_RE = compiled(r"^(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}$")
# AWS's documentation examples and common placeholders; reported as dropped, never as findings. The
# documentation keys' own bodies too: they are copied with the EXAMPLE tail edited (AKIAIOSFODNN7EXAMAAA).
EXAMPLE_MARKERS = (
    "EXAMPLE", "XXXXXXXX", "AAAAAAAAAAAAAAAA", "1234567890",
    "IOSFODNN7", "I44QH8DHB", "WJALRXUTNFEMI/K7MDENG", "JE7MTGBCLWBF/2ZP9UTK",
)  # fmt: skip


def key_type(key_id: str) -> str:
    prefix = key_id[:4]
    if prefix in KEY_ID_PREFIXES:
        return KEY_ID_PREFIXES[prefix]
    if key_id.startswith("A3T"):
        return "legacy access key (A3T)"
    return NON_SECRET_PREFIXES.get(prefix, "unknown")


def is_key_id(candidate: str) -> bool:
    return bool(_KEY_ID_RE.match(candidate))


def account_id(key_id: str) -> str | None:
    """The 12-digit account id encoded in a new-generation key id, or None for old ids (AKIAI…, AKIAJ…).

    New ids have a fifth character in Q–Z or 2–7: base32-decode the 16 characters after the prefix, read the
    first 6 bytes as a big-endian integer x; the account is (x & 0x7FFFFFFFFF80) >> 7.
    """
    if len(key_id) != 20 or key_id[4] not in "QRSTUVWXYZ234567":
        return None
    try:
        raw = base64.b32decode(key_id[4:])
    except ValueError:
        return None
    x = int.from_bytes(raw[:6], "big")
    return f"{(x & 0x7FFFFFFFFF80) >> 7:012d}"


def is_example(secret: str) -> bool:
    """AWS documentation credentials (AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, ...)."""
    upper = secret.upper()
    return any(marker in upper for marker in EXAMPLE_MARKERS)
