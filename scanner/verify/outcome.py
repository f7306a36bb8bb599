"""What the checks of one key add up to (issue 17): the pair check and the owner lookup merged so the stronger
evidence wins, which findings fail a `--fail-on` gate, and the next step a reader should take.
"""

from __future__ import annotations

import dataclasses

from scanner.model import Verification, VerificationState

ROTATION_DAYS = 90  # the rotation period commonly recommended (CIS AWS Foundations, IAM best practices)
# --fail-on active fails closed: a key that could be live but was not proven dead fails the gate too. A
# `foreign-account` verdict is left only when owner mode alone ran: the key was never checked at all.
COULD_BE_LIVE: frozenset[VerificationState] = frozenset({"active", "unknown", "foreign-account"})
FAIL_ON_STATES: dict[str, frozenset[VerificationState]] = {
    "active": COULD_BE_LIVE,
    "verified-active": frozenset({"active"}),  # the narrow gate: only a key a check proved live
}
ROTATE = (
    "Rotate now: create a new access key, move every user of the old key to it, deactivate the old key, "
    "then delete it."
)
BY_HAND = (
    "Check by hand: put the pair in a profile and run `aws sts get-caller-identity --profile <that profile>` "
    "(an ARN: live; InvalidClientTokenId: dead), or, for a key of your own account, `aws iam "
    "get-access-key-last-used --access-key-id <KEY_ID>` with your own credentials. "
    "Until then treat it as live."
)
PURGE = "purge it from the repository's history so scanners stop flagging it"


def fails_gate(verification: Verification | None, fail_on: str) -> bool:
    return verification is not None and verification.state in FAIL_ON_STATES.get(fail_on, frozenset())


def merge(pair: Verification, owner: Verification | None = None) -> Verification:
    """Combine a pair check (STS, the found secret) with an owner lookup (IAM, the user's credentials).

    IAM is the authority on a key's status, STS on whether the found secret works. An owner-reported
    Inactive key overrides an STS `active` (emulators and eventual consistency accept inactive keys); an
    owner-reported Active key whose found secret STS rejected could be live through its real secret, so it is
    `unknown`, never `invalid`. The `evidence` detail says which check decided.
    """
    if owner is None:
        return pair
    state, evidence = _decide(pair, owner)
    pair_details = tuple((k, v) for k, v in pair.details if k != "evidence")
    seen = {k for k, _ in pair_details}
    owner_details = tuple((k, v) for k, v in owner.details if k not in seen and k != "evidence")
    reason = "; ".join(dict.fromkeys(r for r in (pair.reason, owner.reason) if r))
    if state == "unknown" and owner.state == "active":
        reason = (
            "IAM says this key id is Active, but STS rejected the found secret: it could be live; " + reason
        )
    return Verification(state, reason, (*pair_details, *owner_details, ("evidence", evidence)))


def _decide(pair: Verification, owner: Verification) -> tuple[VerificationState, str]:
    if owner.state == "inactive":
        return "inactive", "IAM owner lookup (Inactive)"
    if pair.state == "active":
        both = owner.state == "active"
        return "active", "STS and IAM agree" if both else "STS accepted the found pair"
    if owner.state == "active":
        if pair.state == "unknown":
            return "active", "IAM owner lookup (Active); STS could not be asked"
        return "unknown", f"IAM owner lookup (Active) against STS ({pair.state})"
    if pair.state == "invalid":
        return "invalid", "STS rejected the found pair"
    return pair.state, "neither check could tell"


def with_next_step(verification: Verification) -> Verification:
    return dataclasses.replace(verification, next_step=next_step(verification))


def next_step(v: Verification) -> str:
    """What to do about a checked key, in one paragraph; empty when nothing was checked."""
    if v.state == "active":
        return f"{ROTATE} {_age(v)}"
    if v.state == "unknown":
        if v.detail("status") == "Active":
            return f"IAM says this key is Active: treat it as live. {ROTATE} {_age(v)}"
        return BY_HAND
    if v.state == "inactive":
        return (
            "Deactivated: delete it (`aws iam delete-access-key`) once nothing depends on it; no rotation "
            f"needed; {PURGE}."
        )
    if v.state == "invalid" and v.detail("sts_error") == "SignatureDoesNotMatch":
        return (
            "The key id exists but the found secret is not its own: no working pair leaked here. Check "
            "whether its real secret leaked elsewhere (--verify-owner shows the key's status), and "
            f"{PURGE}."
        )
    if v.state in ("invalid", "not-found"):
        return f"Deleted or never a key: no rotation needed; {PURGE}."
    if v.state == "foreign-account":
        return (
            "A key of another AWS account: not yours to rotate, and not checked (--verify checks a found "
            "pair). Tell that account's owner (or AWS, aws-security@amazon.com, when the owner is unknown), "
            f"and {PURGE}."
        )
    if v.state == "canary":
        return (
            "A canary tripwire: never use or check it. Remove it from the code; if nobody on your side "
            "planted it, find out who did."
        )
    return ""


def _age(v: Verification) -> str:
    age, used = v.detail("age_days"), v.detail("last_used")
    if age is None:
        return (
            "Its age and last use: --verify-owner, or `aws iam get-access-key-last-used --access-key-id "
            "<KEY_ID>` in its account."
        )
    text = f"The key is {age} days old"
    if int(age) > ROTATION_DAYS:
        text += f", older than {ROTATION_DAYS} days (overdue for rotation even without this leak)"
    if used == "never" or used is None:
        return text + "; never used."
    service = v.detail("last_used_service")
    return text + f"; last used {used}" + (f" by {service}" if service else "") + "."
