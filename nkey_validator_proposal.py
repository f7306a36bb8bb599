"""PROPOSAL, not wired in: an offline checksum validator for NATS nkey seeds (rule `nats-nkey-seed` in
rules/infrastructure.yaml, which uses `not_placeholder` until this joins scanner/checksums.py).

A seed is unpadded RFC 4648 base32 of 36 bytes: two prefix bytes (PREFIX_BYTE_SEED, 18 << 3, or-ed with the
key type's prefix byte spread over both), the 32-byte Ed25519 seed, and a CRC-16/XMODEM (polynomial 0x1021,
initial value 0) of the first 34 bytes, little-endian. This is the nkeys encoding (github.com/nats-io/nkeys,
strkey.go and crc16.go); a look-alike of the right shape passes the CRC by chance once in 65,536.

To wire in: move `crc16_xmodem` and `nkey_seed` to scanner/checksums.py, register `"nkey_seed": nkey_seed` in
VALIDATORS, set `validator: nkey_seed` on the rule, and move the tests below to tests/test_rules_pack.py.
Run the tests here with `.venv/bin/python -m pytest nkey_validator_proposal.py -q`.
"""

from __future__ import annotations

import base64
import binascii

from scanner.verdict import Verdict

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


# --- tests (pytest) ---


def _encode_seed(type_byte: int, seed: bytes) -> str:
    """The nkeys encoder, for building test seeds of our own."""
    body = bytes([_SEED_BYTE | type_byte >> 5, (type_byte & 31) << 3]) + seed
    return base64.b32encode(body + crc16_xmodem(body).to_bytes(2, "little")).decode().rstrip("=")


def test_crc16_xmodem_check_value() -> None:
    assert crc16_xmodem(b"123456789") == 0x31C3  # the catalogue's check value for CRC-16/XMODEM


def test_seeds_of_every_type_pass_and_name_their_type() -> None:
    seed = bytes(range(7, 39))
    for type_byte, kind in _SEED_TYPES.items():
        encoded = _encode_seed(type_byte, seed)
        verdict = nkey_seed(encoded)
        assert len(encoded) == 58 and encoded[0] == "S"
        assert verdict.ok and verdict.confidence == "high" and ("key_type", kind) in verdict.facts
    assert _encode_seed(20 << 3, seed).startswith("SUA")


def test_corrupted_truncated_and_foreign_values_fail() -> None:
    good = _encode_seed(20 << 3, bytes(range(100, 132)))
    flipped = good[:20] + ("B" if good[20] != "B" else "C") + good[21:]
    assert not nkey_seed(flipped).ok
    assert not nkey_seed(good[:-1]).ok
    assert not nkey_seed("SUA" + "A" * 55).ok  # right shape, wrong checksum
    assert not nkey_seed("su" + good[2:].lower()).ok
    assert not nkey_seed(_encode_seed(15 << 3, bytes(32))).ok  # a private-key prefix is not a seed type
