"""Validator of the generic rules (rules/generic.yaml): is the value assigned to a secret-like name a secret?

The rule's pattern already found a secret-like name, an assignment and a value; here the value is judged by
randomness.py. Placeholders, templates and environment lookups are rejected as examples (their own
--explain reason); other rejections say which measure failed. Accepted values carry the judge's confidence,
so `--min-confidence` separates generated keys (high) from human-chosen passwords (low).
"""

from __future__ import annotations

import re

from scanner.validators.randomness import judge
from scanner.validators.verdict import Verdict

_EXAMPLE_REASONS = frozenset({"placeholder", "template or variable", "environment lookup"})
# Two or three base64url parts joined by dots, one of them JSON ("eyJ"): a JWS or JWT. The jwt rules judge
# those (header, claims, documentation tokens); reporting here what they rejected would undo their work
# (python-jose's tests hold a dozen deliberately broken tokens assigned to `token`).
_JWS_SHAPE = re.compile(r"^[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]*){1,2}$")
JWS_REASON = "JWS/JWT shape: left to the jwt rules"
# Prefixes that name a provider whose rule checks the token's length, alphabet or checksum. A value carrying
# one that the generic rule sees was either reported by that rule (and deduplicated) or rejected by it as a
# look-alike (`glpat-abc123`, a Stripe key cut short): reporting it here would undo the check (issue 7 §2).
_PROVIDER_PREFIX = re.compile(
    r"^(?:gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|ft)-|xox[abpsr]-|xapp-|[sr]k_(?:live|test)_|npm_|pypi-|"
    r"hf_|sk-ant-|shp(?:at|ca|pa|ss)_|dop_v1_|SG\.|SWM(?:TKN|KEY)-1-)"
)
PREFIX_REASON = "provider token prefix: left to that provider's rule"
# Of those, the formats whose rule checks a checksum (GitHub's CRC32, npm's, PyPI's macaroon): a value the
# rule rejected is proven fake. A value of the others may be a real token of a shape the rule does not know
# yet (issue 16 §5): the generic rule reports it, but only at low confidence.
_CHECKSUMMED_PREFIX = re.compile(r"^(?:gh[pousr]_|github_pat_|npm_|pypi-)")
PREFIX_LOW_REASON = "provider token prefix its provider's rule did not accept: reported at low"


def generic_secret(secret: str) -> Verdict:
    """Judge a value found next to a secret-like name."""
    if "eyJ" in secret and _JWS_SHAPE.match(secret):
        return Verdict(False, JWS_REASON)
    prefixed = _PROVIDER_PREFIX.match(secret) is not None
    if prefixed and _CHECKSUMMED_PREFIX.match(secret):
        return Verdict(False, PREFIX_REASON)
    judgement = judge(secret)
    if judgement.confidence is None:
        return Verdict(False, judgement.reason, example=judgement.reason in _EXAMPLE_REASONS)
    facts: tuple[tuple[str, str], ...] = (("randomness", judgement.reason),)
    if judgement.shape:
        facts += (("shape", judgement.shape),)
    if prefixed:  # reported by its provider's rule (which wins the overlap), or a shape that rule refused
        return Verdict(True, facts=(*facts, ("prefix", PREFIX_LOW_REASON)), confidence="low")
    return Verdict(True, facts=facts, confidence=judgement.confidence)


_DEMOTED = {"high": "medium", "medium": "low", "low": "low"}
# A Windows product key (five groups of five): Microsoft publishes the volume-licensing client keys.
_PRODUCT_KEY = re.compile(r"^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$")


def generic_key(secret: str) -> Verdict:
    """Judge a value under a name that only says "key" (STRIPE_KEY, key:, nkey): such names hold ids and
    lookups as often as secrets, so the value must earn its confidence: one level below the judge's."""
    if _PRODUCT_KEY.match(secret):
        return Verdict(False, "Windows product key: the published ones are setup keys, not secrets")
    verdict = generic_secret(secret)
    if not verdict.ok or verdict.confidence is None:
        return verdict
    return Verdict(True, facts=verdict.facts, confidence=_DEMOTED[verdict.confidence])  # type: ignore[arg-type]
