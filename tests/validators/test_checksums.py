"""Offline checksums of token formats: NATS nkey seeds (CRC-16/XMODEM over the decoded seed)."""

from __future__ import annotations

import base64

import pytest

from scanner.validators.checksums import _SEED_BYTE, _SEED_TYPES, basic_auth_pair, crc16_xmodem, nkey_seed


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


@pytest.mark.parametrize(
    ("pair", "ok"),
    [
        ("ci:KqkLwvu4tcDio4YX6FSm", True),
        ("admin:admin", True),  # weak, and working
        ("admin:P@ssw0rd1", True),  # a default password is no description of one
        ("demo_user:dummy-password-here", False),  # recorded fixtures' stand-ins
        ("someone:my_password", False),
        ("user:", False),
    ],
)
def test_a_basic_auth_pair_is_judged_by_its_decoded_password(pair: str, ok: bool) -> None:
    assert basic_auth_pair(base64.b64encode(pair.encode()).decode()).ok is ok
