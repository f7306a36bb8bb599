"""Named offline checks a rule can ask for (`validator:` in YAML): reject look-alikes, add facts.

A registry of plain functions rather than discovery: a rule names its validator, loading checks the name.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner import aws, checksums, generic, keyblocks
from scanner.verdict import Verdict

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


VALIDATORS: dict[str, Validator] = {
    "aws_key_id": aws_key_id,
    "aws_secret_key": aws_secret_key,
    "not_example": not_example,
    "bedrock_key": bedrock_key,
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
    "base64_secret": checksums.base64_secret,
    "private_key_pem": keyblocks.private_key_pem,
    "pgp_private_key": keyblocks.pgp_private_key,
    "putty_private_key": keyblocks.putty_private_key,
    "base64_pem_private_key": keyblocks.base64_pem_private_key,
    # Values assigned to secret-like names, judged by randomness (issue 7 §4).
    "generic_secret": generic.generic_secret,
}
