"""Structure checks for private key blocks (PEM, OpenSSH, PGP armor, PuTTY): reject truncated, placeholder
and documentation blocks, keep real ones. The whole block is the secret (issue 7 §1 "private keys").
"""

from __future__ import annotations

import base64
import binascii
import re

from scanner.patterns import compiled
from scanner.validators.checksums import is_placeholder
from scanner.validators.verdict import Verdict

_PEM_RE = compiled(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.S)
_HEADER_RE = compiled(r"^[A-Za-z-]+:.*$", re.M)
_OPENSSH_MAGIC = b"openssh-key-v1\x00"
_PRIVATE_BEGIN = compiled(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")


def _unescape(text: str) -> str:
    """Blocks pasted into JSON, YAML or code strings carry literal \\n (and quote-plus concatenations)."""
    return text.replace("\\r", "\n").replace("\\n", "\n").replace('"+"', "").replace("' + '", "")


def _decode(body: str) -> bytes | None:
    cleaned = re.sub(r"[\s\"',]+", "", body)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return None


def private_key_pem(secret: str) -> Verdict:
    """BEGIN and END labels agree; the body is base64 of a DER sequence (or an OpenSSH key)."""
    match = _PEM_RE.search(_unescape(secret))
    if match is None:
        return Verdict(False, "no complete BEGIN/END block")
    label, body, end = match.groups()
    if label != end:
        return Verdict(False, f"BEGIN {label} closed by END {end}")
    if is_placeholder(body) or "<" in body:
        return Verdict(False, "placeholder or truncated key body", example=True)
    encrypted = "ENCRYPTED" in label or "Proc-Type: 4,ENCRYPTED" in body
    data = _decode(_HEADER_RE.sub("", body))
    if data is None or len(data) < 32:
        return Verdict(False, "body is not base64 of a key (too short or not base64)")
    if label == "OPENSSH PRIVATE KEY":
        if not data.startswith(_OPENSSH_MAGIC) or not _openssh_complete(data):
            return Verdict(False, "body is not a complete openssh-key-v1 structure (truncated?)")
        encrypted = b"bcrypt" in data[:64]
    elif (not encrypted or label.startswith("ENCRYPTED")) and _der_sequence_length(data) != len(data):
        return Verdict(False, "body is not one complete DER sequence (truncated or not a key)")
    facts = [("key_type", label.title()), ("encrypted", "yes" if encrypted else "no")]
    return Verdict(True, facts=tuple(facts), confidence="high")


def _der_sequence_length(data: bytes) -> int:
    """Total length a DER SEQUENCE header declares (tag + length octets + content); -1 if not a sequence."""
    if len(data) < 2 or data[0] != 0x30:
        return -1
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if not 1 <= count <= 4 or len(data) < 2 + count:
        return -1
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def _openssh_complete(data: bytes) -> bool:
    """Walk the length-prefixed fields of PROTOCOL.key: cipher, kdf, options, count, keys, private part."""
    pos = len(_OPENSSH_MAGIC)
    try:
        for _ in range(3):
            pos += 4 + int.from_bytes(data[pos : pos + 4], "big")
        keys = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        for _ in range(keys + 1):  # the public keys, then the (possibly encrypted) private section
            size = int.from_bytes(data[pos : pos + 4], "big")
            pos += 4 + size
    except ValueError:
        return False
    return 0 < keys < 16 and pos == len(data)


def _crc24(data: bytes) -> int:
    """RFC 4880 §6.1: the armor checksum."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def pgp_private_key(secret: str) -> Verdict:
    """An armored secret key block: headers, blank line, base64 packets, optional =CRC24 that must match."""
    text = _unescape(secret).replace("\r", "")
    inner = text.split("-----", 2)[2].rsplit("-----END", 1)[0]
    parts = re.split(r"\n[ \t]*\n", inner.strip("\n"), maxsplit=1)
    body = parts[-1]
    checksum = re.search(r"^=([A-Za-z0-9+/]{4})\s*$", body, re.M)
    if checksum:
        body = body[: checksum.start()]
    data = _decode(body)
    if data is None or len(data) < 64 or is_placeholder(body):
        return Verdict(False, "armor body is not base64 packet data (truncated or placeholder)")
    if not data[0] & 0x80:
        return Verdict(False, "armor body does not start with an OpenPGP packet")
    if checksum:
        expected = base64.b64decode(checksum.group(1))
        if _crc24(data) != int.from_bytes(expected, "big"):
            return Verdict(False, "armor CRC24 does not match the body")
        return Verdict(True, facts=(("checksum", "valid (CRC24)"),), confidence="high")
    return Verdict(True)


def putty_private_key(secret: str) -> Verdict:
    """PuTTY-User-Key-File-2/3: the Private-Lines count matches the lines that follow and a MAC closes it."""
    text = _unescape(secret)
    count = re.search(
        r"Private-Lines:\s*(\d+)\s*\n((?:[A-Za-z0-9+/=]+\s*\n)*)Private-MAC:\s*[0-9a-f]{40,64}", text
    )
    if count is None:
        return Verdict(False, "no Private-Lines section closed by Private-MAC")
    lines = count.group(2).split()
    if len(lines) != int(count.group(1)) or _decode("".join(lines)) is None:
        return Verdict(False, "Private-Lines count or base64 does not match (truncated?)")
    algo = re.search(r"PuTTY-User-Key-File-\d:\s*(\S+)", text)
    return Verdict(True, facts=(("key_type", algo.group(1) if algo else "unknown"),), confidence="high")


def base64_pem_private_key(secret: str) -> Verdict:
    """Kubeconfig client-key-data and similar: base64 of a PEM private key block, on one line or wrapped."""
    decoded = _base64_text(secret)
    if decoded is None or _PRIVATE_BEGIN.search(decoded) is None:
        return Verdict(False, "not base64 of a PEM private key block")
    verdict = private_key_pem(decoded)
    return _encoded(verdict) if verdict.ok else verdict


def base64_service_account_key(secret: str) -> Verdict:
    """base64 of a Google service-account key file, alone (a CI variable) or as the password of a Docker
    registry login (`_json_key:` + the file): its private_key must be a complete key block."""
    import json  # only for the few values this rule nominates

    decoded = _base64_text(secret)
    try:
        key, _ = json.JSONDecoder().raw_decode((decoded or "").removeprefix("_json_key:"))
    except ValueError:
        return Verdict(False, "not base64 of a service-account key file (JSON)")
    if not isinstance(key, dict) or key.get("type") != "service_account":
        return Verdict(False, "not a service-account key file")
    verdict = private_key_pem(str(key.get("private_key", "")))
    if not verdict.ok:
        return verdict
    email = str(key.get("client_email", ""))
    return _encoded(Verdict(True, facts=(("client_email", email),)))  # the rule names the key type


def _base64_text(secret: str) -> str | None:
    """The text `secret` is base64 of, wrapped or not (line breaks, indents, literal \\n, quotes). Decoding
    stops at the padding: a wrapped value's match may run on into a following line of letters."""
    cleaned = re.sub(r"[\s\"']+", "", _unescape(secret))
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4)).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def _encoded(verdict: Verdict) -> Verdict:
    return Verdict(True, facts=(*verdict.facts, ("encoding", "base64")), confidence="high")
