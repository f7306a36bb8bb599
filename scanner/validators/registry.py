"""Named offline checks a rule can ask for (`validator:` in YAML): reject look-alikes, add facts.

A registry of plain functions rather than discovery: a rule names its validator, loading checks the name.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from scanner.patterns import compiled
from scanner.validators import aws, checksums, generic, keyblocks
from scanner.validators.verdict import Verdict

__all__ = ["VALIDATORS", "Validator", "Verdict"]


Validator = Callable[[str], Verdict]


def aws_key_id(secret: str) -> Verdict:
    if not aws.is_key_id(secret):
        return Verdict(False, "not an AWS access key id (prefix or base32 alphabet)")
    if aws.is_example(secret):
        return Verdict(False, "AWS documentation example or placeholder key id", example=True)
    facts: list[tuple[str, str]] = [("key_type", aws.key_type(secret))]
    account = aws.account_id(secret)
    if account is not None:
        facts.append(("account_id", account))
    return Verdict(True, facts=tuple(facts))


def aws_secret_key(secret: str) -> Verdict:
    if aws.is_example(secret):
        return Verdict(False, "AWS documentation example or placeholder secret key", example=True)
    classes = sum(any(test(c) for c in secret) for test in (str.islower, str.isupper, str.isdigit))
    if classes < 3:
        return Verdict(False, "lacks the mix of lower, upper and digits of a generated AWS secret key")
    return Verdict(True)


def bedrock_key(secret: str) -> Verdict:
    """Long-term keys decode to "BedrockAPIKey-<id>-at-<account>:<secret>"; short-term to a presigned URL."""
    import base64
    import binascii

    body = secret[4:] if secret.startswith("ABSK") else secret[len("bedrock-api-key-") :]
    try:
        body = body.rstrip("=")
        decoded = base64.b64decode(body[: len(body) - len(body) % 4]).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return Verdict(False, "not valid base64")
    if secret.startswith("ABSK"):
        facts = [("key_type", "Bedrock API key (long-term)")]
        account = decoded.split("-at-", 1)[1].split(":", 1)[0] if "-at-" in decoded else ""
        if account.isdigit() and len(account) == 12:
            facts.append(("account_id", account))
        return Verdict(True, facts=tuple(facts))
    return Verdict(True, facts=(("key_type", "Bedrock API key (short-term)"),))


def not_example(secret: str) -> Verdict:
    if aws.is_example(secret):
        return Verdict(False, "documentation example or placeholder", example=True)
    return Verdict(True)


def private_key_pem(secret: str) -> Verdict:
    """keyblocks' structure check; for a block every line of which carries the same prefix, again with the
    prefix taken off: a diff marker of a patch (`git diff`, a recorded review: '+', '-', ' ') or a comment
    marker of a key commented out in a config example ('# ', '// ', '; ', ' * '). The prefix is not base64,
    so the body would not decode and a leaked key would pass as truncated."""
    verdict = keyblocks.private_key_pem(secret)
    if verdict.ok or verdict.example:
        return verdict
    unmarked = _without_line_prefix(secret)
    return keyblocks.private_key_pem(unmarked) if unmarked is not None else verdict


_LINE_PREFIX = compiled(r"^[+\- ]$|^[ \t]*(?:#|//|;|\*)[ \t]?$")


def _without_line_prefix(block: str) -> str | None:
    first, _, rest = block.partition("\n")
    lines = rest.split("\n")
    prefix = lines[-1].partition("-----END")[0]
    if not prefix or not _LINE_PREFIX.match(prefix):
        return None
    bare = prefix.rstrip()
    if not all(line.startswith(prefix) or line.rstrip() == bare for line in lines):
        return None
    return "\n".join([first, *(line[len(prefix) :] for line in lines)])


# A DER private key: SEQUENCE (long-form length), INTEGER version 0, then the RSA modulus (PKCS#1) or the
# AlgorithmIdentifier of rsaEncryption / id-ecPublicKey (PKCS#8). Public keys and certificates differ there.
_DER_PRIVATE_KEY = compiled(
    rb"^\x30(?:\x81.|\x82..)\x02\x01\x00(\x02\x81|\x02\x82"
    rb"|\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01|\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01)",
    re.S,
)


def der_private_key(secret: str) -> Verdict:
    """Base64 of a PKCS#1 or PKCS#8 private key without its PEM armour (a key pasted into code or config):
    the DER must begin like a private key and hold all the bytes its outer length declares."""
    cleaned = re.sub(r"\\n|[\s\"'\\]+", "", secret)
    cleaned = re.match(r"[A-Za-z0-9+/]*", cleaned).group()  # type: ignore[union-attr]  # always matches
    cleaned = cleaned[: len(cleaned) - 1] if len(cleaned) % 4 == 1 else cleaned
    try:
        data = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        return Verdict(False, "not base64")
    match = _DER_PRIVATE_KEY.match(data)
    if match is None:
        return Verdict(False, "not the DER of a private key (PKCS#1 or PKCS#8)")
    width = data[1] & 0x7F
    if len(data) < 2 + width + int.from_bytes(data[2 : 2 + width], "big"):
        return Verdict(False, "DER shorter than its declared length (truncated)")
    kind = "PKCS#1 RSA" if match.group(1).startswith(b"\x02") else "PKCS#8"
    return Verdict(True, facts=(("key_type", f"{kind} private key (DER, base64)"),), confidence="high")


_JWK_MEMBER = compiled(r"[\x22\x27](kty|kid|d|k)[\x22\x27]\s*:\s*[\x22\x27]([^\x22\x27]{1,2000})[\x22\x27]")
# Private members of the keys published in RFC 7520 (the JOSE cookbook, copied into many JOSE libraries'
# tests): documentation examples, like AWS's AKIAIOSFODNN7EXAMPLE. The first 16 characters suffice.
_PUBLISHED_JWK = frozenset(
    {
        "AAhRON2r9cqXX1hg",
        "bWUC9B-EFRIo8kpG",
        "hJtXIZ2uSN5kbQfb",
        "qC57l_uxcm7Nm3K-",
        "GZy6sIZ6wl9NJOKB",
        "XctOhJAkA-pD9Lh7",
        "AAPapAv4LbFbiVaw",
        "1DKHfTv-PiifVw2V",
        "AtH35vJsQ9SGjYfO",
        "D5H4Y_5PSKZvhfVF",
        "Kn9tgoHfiTVi8uPu",
        "ZLe_TIxpE9-W_n2V",
        "iTx2pk7wW-GqJkHc",
        "n7fzJc3_WG59VEOB",
        "r_kHyZ-a06rmxM3y",
    }
)


def jwk_private_key(secret: str) -> Verdict:
    """A JSON Web Key with its private member: `d` (RSA, EC, OKP) or `k` (oct, a shared secret) decoding to
    at least 16 bytes. Keys of the JOSE RFCs' examples are documentation."""
    members = dict(_JWK_MEMBER.findall(secret.replace("\\n", "")))
    private = members.get("d") or members.get("k")
    if private is None:
        return Verdict(False, "public JWK (no d or k member)")
    private = re.sub(r"[\s#]+", "", private)
    if private[:16] in _PUBLISHED_JWK:
        return Verdict(False, "key of a JOSE RFC example", example=True)
    if not re.fullmatch(r"[A-Za-z0-9_-]{22,}", private) or checksums.is_placeholder(private):
        return Verdict(False, "private member is not base64url of 16 bytes or more")
    return Verdict(
        True, facts=(("key_type", f"JWK {members.get('kty', '?')} private key"),), confidence="high"
    )


def ceph_secret(secret: str) -> Verdict:
    """A Ceph keyring key: base64 of CryptoKey::encode, 28 bytes: type (u16, 1 = AES), creation time (u32
    seconds, u32 nanoseconds), key length (u16, 16), the key. Type and length make the check; a value
    edited by hand to look fake (AQASGFDFUHBHDG9S...) no longer decodes to them."""
    try:
        raw = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        return Verdict(False, "not base64")
    if len(raw) != 28 or raw[:2] != b"\x01\x00" or raw[10:12] != b"\x10\x00":
        return Verdict(False, "not a Ceph key (type 1, 16-byte AES key expected)")
    return Verdict(True, facts=(("key_type", "Ceph AES key"),))


VALIDATORS: dict[str, Validator] = {
    "aws_key_id": aws_key_id,
    "aws_secret_key": aws_secret_key,
    "not_example": not_example,
    "bedrock_key": bedrock_key,
    "ceph_secret": ceph_secret,
    # Token checksums and structure (issue 7 §2).
    "github_token": checksums.github_token,
    "github_fine_grained_pat": checksums.github_fine_grained_pat,
    "npm_token": checksums.npm_token,
    "grafana_service_account": checksums.grafana_service_account,
    "grafana_cloud_token": checksums.grafana_cloud_token,
    "pypi_token": checksums.pypi_token,
    "jwt": checksums.jwt,
    "discord_bot_token": checksums.discord_bot_token,
    "basic_auth_pair": checksums.basic_auth_pair,
    "sentry_org_token": checksums.sentry_org_token,
    "jfrog_reference_token": checksums.jfrog_reference_token,
    "not_placeholder": checksums.not_placeholder,
    "age_secret_key": checksums.age_secret_key,
    "nkey_seed": checksums.nkey_seed,
    "base64_secret": checksums.base64_secret,
    "private_key_pem": private_key_pem,
    "der_private_key": der_private_key,
    "jwk_private_key": jwk_private_key,
    "pgp_private_key": keyblocks.pgp_private_key,
    "putty_private_key": keyblocks.putty_private_key,
    "base64_pem_private_key": keyblocks.base64_pem_private_key,
    "base64_service_account_key": keyblocks.base64_service_account_key,
    # Values assigned to secret-like names, judged by randomness (issue 7 §4).
    "generic_secret": generic.generic_secret,
    "generic_key": generic.generic_key,
    "generic_password": generic.generic_password,
    "generic_passphrase": generic.generic_passphrase,
}
