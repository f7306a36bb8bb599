"""Validators for keys the external comparison (bench/external.py) showed we missed: PEM blocks inside patches,
bare base64 DER keys, JSON Web Keys with their private member. Keys are generated fresh for each run."""

from __future__ import annotations

import base64
import json

import pytest

from scanner.validators.registry import der_private_key, jwk_private_key, private_key_pem

serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")


def _rsa_der(fmt: object) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return bytes(key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption()))


def _pem_lines(der: bytes, label: str) -> list[str]:
    body = base64.b64encode(der).decode()
    return [
        f"-----BEGIN {label}-----",
        *(body[i : i + 64] for i in range(0, len(body), 64)),
        f"-----END {label}-----",
    ]


def test_a_key_added_in_a_patch_is_a_key_and_a_cut_one_is_not() -> None:
    lines = _pem_lines(_rsa_der(serialization.PrivateFormat.TraditionalOpenSSL), "RSA PRIVATE KEY")
    added = "\n".join([lines[0], *("+" + line for line in lines[1:])])
    assert private_key_pem(added).ok
    assert private_key_pem("\n".join([lines[0], *("-" + line for line in lines[1:])])).ok  # a removed key
    cut = "\n".join([lines[0], *("+" + line for line in lines[1:3]), "+" + lines[-1]])
    assert not private_key_pem(cut).ok
    mixed = "\n".join([lines[0], *(("+" if i % 2 else " ") + line for i, line in enumerate(lines[1:]))])
    assert not private_key_pem(mixed).ok  # not one diff marker on every line: not a patch


@pytest.mark.parametrize("fmt", ["TraditionalOpenSSL", "PKCS8"])
def test_bare_der_private_keys_whole_or_cut(fmt: str) -> None:
    body = base64.b64encode(_rsa_der(getattr(serialization.PrivateFormat, fmt))).decode()
    verdict = der_private_key(body)
    assert verdict.ok and "private key" in dict(verdict.facts)["key_type"]
    assert der_private_key("\\n".join(body[i : i + 64] for i in range(0, len(body), 64)) + '"').ok
    assert not der_private_key(body[: len(body) // 2]).ok


def test_public_keys_are_not_der_private_keys() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pkcs1 = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    assert not der_private_key(base64.b64encode(spki).decode()).ok
    assert not der_private_key(base64.b64encode(pkcs1).decode()).ok


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def test_jwk_with_its_private_member_only() -> None:
    numbers = ec.generate_private_key(ec.SECP256R1()).private_numbers()
    public = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.public_numbers.x),
        "y": _b64url(numbers.public_numbers.y),
    }
    assert not jwk_private_key(json.dumps(public)).ok
    verdict = jwk_private_key(json.dumps({**public, "d": _b64url(numbers.private_value)}))
    assert verdict.ok and dict(verdict.facts)["key_type"] == "JWK EC private key"
    assert not jwk_private_key('{"kty": "oct", "k": "<your-key>"}').ok


def test_the_rfc_7520_keys_are_documentation() -> None:
    # RFC 7520 section 3.5, the symmetric key every JOSE library's tests copy
    rfc = '{"kty": "oct", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037", "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}'
    verdict = jwk_private_key(rfc)
    assert not verdict.ok and verdict.example
