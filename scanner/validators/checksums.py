"""Offline structure and checksum checks for token formats that carry them (issue 7 §2).

A passing check raises confidence and adds a `checksum` fact; a failing one rejects a look-alike. Only
schemes a provider published (or that follow from a documented encoding) are enforced; the rest check
structure only. Each function takes the matched secret and returns a Verdict (validators.py registers them).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import zlib
from typing import Any

from scanner.patterns import compiled
from scanner.validators.generic import describes_a_password
from scanner.validators.verdict import Verdict

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Runs that only appear in placeholders and truncated documentation values.
_PLACEHOLDER_RE = compiled(
    r"(?i:x{6}|\.\.\.|your[_\-\s.]|example|placeholder|redacted)|YOUR|<|>|\*{3}|0{12}|(.)\1{11}"
    r"|\$\{|\{\{|\$\(|%\(|^\$\w+$"  # templated: ${VAR}, {{ var }}, $(cmd), %(name)s, $VAR
    r"|^\{[A-Za-z_][\w.]*\}"  # str.format / f-string fields: {auth_token}
)
# A value that is the start of a query string (mongodb://user:?authSource=a@host): the URL has no password.
_QUERY_START = compiled(r"^[?&][\w.-]+=")
# Lower-case words joined by - or _ (localhost-match-with-port, oplog_reader_password): a name or a passphrase
# typed by a person, never a generated token; kept, at low confidence.
_JOINED_WORDS = compiled(r"^[a-z]{2,}(?:[-_][a-z]{2,}){2,}$")
# Registered claims (RFC 7519 §4.1) plus the common identity ones: a token carrying none is a toy.
_JWT_CLAIMS = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "role", "email", "scope", "azp", "client_id"}


def crc32_base62(text: str, width: int = 6) -> str:
    """CRC32 of `text`, written in base62 and left-padded with zeros (GitHub and npm token tails)."""
    value = zlib.crc32(text.encode())
    digits = ""
    while value:
        value, rem = divmod(value, 62)
        digits = BASE62[rem] + digits
    return digits.rjust(width, "0")


def is_placeholder(secret: str) -> bool:
    return bool(_PLACEHOLDER_RE.search(secret)) or _has_sequence(secret)


def _has_sequence(text: str, run: int = 8) -> bool:
    """abcdefgh / 12345678 / ABCDEFGH runs: typed by a person writing a sample, never generated."""
    count = 1
    for prev, cur in itertools.pairwise(text):
        count = count + 1 if ord(cur) - ord(prev) == 1 and cur.isalnum() else 1
        if count >= run:
            return True
    return False


def _checked(ok: bool, scheme: str) -> Verdict:
    if not ok:
        return Verdict(False, f"{scheme} checksum does not match: a look-alike, not an issued token")
    return Verdict(True, facts=(("checksum", f"valid ({scheme})"),), confidence="high")


def _crc_tail(secret: str, scheme: str) -> Verdict:
    """<4-char prefix> + 30 random base62 + 6-char base62 CRC32 of the random part."""
    body, tail = secret[4:-6], secret[-6:]
    if len(secret) != 40 or len(body) != 30:
        return Verdict(False, "not 40 characters long")
    return _checked(crc32_base62(body) == tail, scheme)


def github_token(secret: str) -> Verdict:
    """ghp_/gho_/ghu_/ghs_/ghr_: GitHub's published token format."""
    return _crc_tail(secret, "GitHub CRC32")


def npm_token(secret: str) -> Verdict:
    """npm_: npm adopted GitHub's scheme for its granular and automation tokens."""
    return _crc_tail(secret, "npm CRC32")


def github_fine_grained_pat(secret: str) -> Verdict:
    """github_pat_<22>_<59>: the tail's scheme is unpublished, so check structure and placeholders only."""
    if is_placeholder(secret):
        return Verdict(False, "placeholder or documentation value", example=True)
    head, _, rest = secret[len("github_pat_") :].partition("_")
    if len(head) != 22 or len(rest) != 59:
        return Verdict(False, "not the 22 + 59 character layout of a fine-grained token")
    return Verdict(True, facts=(("key_type", "fine-grained personal access token"),))


def grafana_service_account(secret: str) -> Verdict:
    """glsa_<32 random>_<8 hex>: the tail is the hex CRC32 of everything before it (Grafana satokengen)."""
    stem, _, tail = secret.rpartition("_")
    return _checked(f"{zlib.crc32(stem.encode()):08x}" == tail, "Grafana CRC32")


def _b64decode(text: str) -> bytes | None:
    """Decode standard or URL-safe base64 with or without padding; None when it is not base64."""
    cleaned = re.sub(r"\s+", "", text).replace("-", "+").replace("_", "/").rstrip("=")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return None


def _json_object(text: str) -> dict[str, Any] | None:
    raw = _b64decode(text)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def jwt(secret: str) -> Verdict:
    """header.payload.signature where the header is base64url JSON naming an "alg" and the payload is JSON."""
    parts = secret.split(".")
    if len(parts) != 3:
        return Verdict(False, "not three dot-separated parts")
    header, payload = _json_object(parts[0]), _json_object(parts[1])
    if header is None or "alg" not in header:
        return Verdict(False, "header is not base64url JSON with an 'alg'")
    if payload is None:
        return Verdict(False, "payload is not base64url JSON")
    if payload.get("sub") == "1234567890" and payload.get("name") == "John Doe":
        return Verdict(False, "the jwt.io documentation token", example=True)
    facts: list[tuple[str, str]] = [("alg", str(header["alg"]))]
    for claim in ("iss", "sub", "role"):
        if isinstance(payload.get(claim), str):
            facts.append((claim, payload[claim][:80]))
    if str(header["alg"]).lower() != "none" and len(parts[2]) < 16:
        return Verdict(False, "signature too short for its algorithm")
    if not _JWT_CLAIMS & set(payload):
        # {"some": "payload"}: a library's test vector far more often than a live token, but an app may
        # issue tokens without registered claims: reported, at low confidence (hidden by default).
        facts.append(("claims", "no registered claim (iss, sub, exp, ...): likely a test token"))
        return Verdict(True, facts=tuple(facts), confidence="low")
    return Verdict(True, facts=tuple(facts))


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def _macaroon_fields(data: bytes) -> list[tuple[int, bytes]]:
    """Fields of a libmacaroons v2 binary macaroon: (type, value) with type 0 marking end-of-section."""
    if not data or data[0] != 2:
        raise ValueError("not a version 2 macaroon")
    fields: list[tuple[int, bytes]] = []
    pos = 1
    while pos < len(data):
        kind, pos = _varint(data, pos)
        if kind == 0:
            fields.append((0, b""))
            continue
        size, pos = _varint(data, pos)
        if pos + size > len(data):
            raise ValueError("field runs past the end")
        fields.append((kind, data[pos : pos + size]))
        pos += size
    return fields


def pypi_token(secret: str) -> Verdict:
    """pypi-<base64url v2 macaroon> located at pypi.org or test.pypi.org, ending in a 32-byte signature."""
    raw = _b64decode(secret[len("pypi-") :])
    try:
        fields = _macaroon_fields(raw or b"")
    except ValueError as exc:
        return Verdict(False, f"not a PyPI macaroon: {exc}")
    location = next((value for kind, value in fields if kind == 1), b"")
    signature = [value for kind, value in fields if kind == 6]
    if location not in (b"pypi.org", b"test.pypi.org"):
        return Verdict(False, "macaroon location is not pypi.org or test.pypi.org")
    if not signature or len(signature[-1]) != 32:
        return Verdict(False, "macaroon lacks its 32-byte signature (truncated?)")
    return Verdict(
        True,
        facts=(("checksum", "valid (macaroon structure)"), ("index", location.decode())),
        confidence="high",
    )


def discord_bot_token(secret: str) -> Verdict:
    """<base64 of the bot's numeric user id>.<timestamp>.<hmac>: the first part must decode to a snowflake."""
    head = secret.split(".", 1)[0]
    raw = _b64decode(head)
    if raw is None or not raw.isdigit() or not 15 <= len(raw) <= 20:
        return Verdict(False, "first part does not decode to a Discord user id")
    return Verdict(True, facts=(("bot_user_id", raw.decode()),), confidence="high")


def basic_auth_pair(secret: str) -> Verdict:
    """Base64 of "user:password" (Docker config.json `auth`, npm `_auth`, HTTP Basic)."""
    raw = _b64decode(secret)
    if raw is None:
        return Verdict(False, "not base64")
    try:
        user, sep, password = raw.decode("utf-8").partition(":")
    except UnicodeDecodeError:
        return Verdict(False, "does not decode to text")
    if not sep or not password or not password.isprintable():
        return Verdict(False, "does not decode to user:password")
    if is_placeholder(password) or password.lower() in {"password", "pass", "secret", "changeme", "token"}:
        return Verdict(False, "decoded password is a placeholder", example=True)
    if describes_a_password(password):  # fake_login:fake_password, myuser:mypassword
        return Verdict(False, "decoded password describes a password", example=True)
    return Verdict(True, facts=(("username", user[:80]),))


def sentry_org_token(secret: str) -> Verdict:
    """sntrys_<base64 JSON naming the org and region URL>_<secret>."""
    payload = _json_object(secret[len("sntrys_") :].rsplit("_", 1)[0])
    if payload is None or "org" not in payload:
        return Verdict(False, "payload is not base64 JSON naming an org")
    return Verdict(True, facts=(("org", str(payload["org"])[:80]),), confidence="high")


def grafana_cloud_token(secret: str) -> Verdict:
    """glc_<base64 JSON with the org/stack id "o", name "n" and key "k">."""
    payload = _json_object(secret[len("glc_") :])
    if payload is None or "k" not in payload:
        return Verdict(False, "payload is not base64 JSON holding a key")
    return Verdict(True, facts=(("checksum", "valid (structure)"),), confidence="high")


def jfrog_reference_token(secret: str) -> Verdict:
    """cmVmdGtu… is base64 of "reftkn:01:<expiry>:<random>"."""
    raw = _b64decode(secret) or b""
    if not re.match(rb"reftkn:\d\d:\d{10}:[A-Za-z0-9]{20,}$", raw):
        return Verdict(False, "does not decode to reftkn:<version>:<expiry>:<random>")
    return Verdict(True, confidence="high")


def not_placeholder(secret: str) -> Verdict:
    """For formats without a checksum: drop placeholders, redactions, documentation values and code; grade
    a value made of dictionary words (a documentation or default password: somepassword) low."""
    from scanner.validators.randomness import (  # randomness is heavier; most rules never ask
        code_shape,
        dictionary_made,
        dummy_pattern,
    )

    if is_placeholder(secret) or "EXAMPLE" in secret.upper():
        return Verdict(False, "placeholder or documentation value", example=True)
    if len(set(secret)) < 6:
        return Verdict(False, "too few distinct characters for a generated credential")
    # 123456abcdef, A1B2C3D4, abcabcabcabc: typed in, not issued. A token only: a URL's ids (a webhook's
    # numeric id) are not the secret part.
    dummy = dummy_pattern(secret) if "/" not in secret else None
    if dummy is not None:
        return Verdict(False, dummy, example=True)
    code = code_shape(secret)
    if code is not None:
        return Verdict(False, f"{code}, not a value")
    if _QUERY_START.match(secret):
        return Verdict(False, "query string, not a value")
    if _JOINED_WORDS.match(secret):
        return Verdict(True, facts=(("randomness", "words joined by - or _"),), confidence="low")
    if dictionary_made(secret):
        return Verdict(True, facts=(("randomness", "made of dictionary words"),), confidence="low")
    return Verdict(True)


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(generators):
            check ^= gen if (top >> i) & 1 else 0
    return check


def bech32_valid(text: str) -> bool:
    """BIP 173 checksum: age encodes identities as bech32 with the human-readable part age-secret-key-."""
    hrp, _, data = text.lower().rpartition("1")
    if not hrp or any(c not in _BECH32 for c in data):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [_BECH32.index(c) for c in data]) == 1


def age_secret_key(secret: str) -> Verdict:
    return _checked(bech32_valid(secret), "bech32")


def base64_secret(secret: str) -> Verdict:
    """A base64 value (Kubernetes Secret `data:`) that decodes to a printable, non-placeholder secret."""
    raw = _b64decode(secret)
    try:
        text = (raw or b"").decode("utf-8")
    except UnicodeDecodeError:
        return Verdict(False, "does not decode to text (binary data, not a password or token)")
    if len(text.strip()) < 8 or not text.strip().isprintable():
        return Verdict(False, "decodes to fewer than 8 printable characters")
    if is_placeholder(text) or text.strip().lower() in {"password", "changeme", "secret", "admin123"}:
        return Verdict(False, "decodes to a placeholder", example=True)
    if len(set(text)) < 6:
        return Verdict(False, "decoded value has too few distinct characters")
    return Verdict(True, facts=(("encoding", "base64"),))


# NATS nkey seeds: unpadded RFC 4648 base32 of 36 bytes: two prefix bytes (PREFIX_BYTE_SEED, 18 << 3, or-ed
# with the key type's prefix byte spread over both), the 32-byte Ed25519 seed, and a CRC-16/XMODEM (polynomial
# 0x1021, initial 0) of the first 34 bytes, little-endian (github.com/nats-io/nkeys, strkey.go and crc16.go).
_SEED_BYTE = 18 << 3
# The key types a seed may stand for: operator, server, cluster, account, user, and curve (X25519) keys.
_SEED_TYPES = {
    14 << 3: "operator",
    13 << 3: "server",
    2 << 3: "cluster",
    0: "account",
    20 << 3: "user",
    23 << 3: "curve",
}


def crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def nkey_seed(secret: str) -> Verdict:
    """S<type>… : 58 base32 characters decoding to the seed prefix, a known key type and a matching CRC-16."""
    try:
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except (binascii.Error, ValueError):
        return Verdict(False, "not base32")
    if len(raw) != 36 or raw[0] & 0xF8 != _SEED_BYTE:
        return Verdict(False, "not 36 bytes beginning with the seed prefix")
    kind = _SEED_TYPES.get(((raw[0] & 0x07) << 5) | (raw[1] >> 3))
    if kind is None or raw[1] & 0x07:
        return Verdict(False, "unknown key type in the seed prefix")
    if crc16_xmodem(raw[:34]) != int.from_bytes(raw[34:], "little"):
        return Verdict(False, "CRC-16 checksum does not match: a look-alike, not an issued seed")
    return Verdict(True, facts=(("checksum", "valid (CRC-16)"), ("key_type", kind)), confidence="high")
