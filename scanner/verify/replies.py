"""What AWS replies mean (issue 4, issue 17): an STS error code → a state and reason, an identity or an IAM
key listing → the facts reported. Pure functions of the reply: no botocore here, so they are tested offline.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from scanner.model import Verification, VerificationState
from scanner.verify.outcome import ROTATION_DAYS

_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
}
_SKEWED = {"RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture"}
_SKEW_HINTS = ("signature expired", "not yet current", "clock skew")

PAIR_EVIDENCE = ("evidence", "STS GetCallerIdentity signed with the found pair")
OWNER_EVIDENCE = ("evidence", "IAM lookup with your own credentials")


def not_sts(url: str) -> Verification:
    reason = f"the reply of {url} is not an STS answer (is it an STS endpoint?)"
    return Verification("unknown", reason, (PAIR_EVIDENCE,))


def identity_details(reply: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    arn = str(reply.get("Arn", ""))
    details = [("account", str(reply.get("Account", ""))), ("arn", arn)]
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    kind, _, rest = resource.partition("/")
    if kind == "user":
        details.append(("user", rest.rsplit("/", 1)[-1]))
    elif kind == "assumed-role":
        role, _, session = rest.partition("/")
        details += [("role", role), ("session", session)]
    elif kind == "root":
        details.append(("user", "root (account owner)"))
    return tuple(details)


def owner_details(
    account: str,
    user: str | None,
    status: str,
    created: datetime | None,
    last_used: dict[str, Any],
    now: datetime,
) -> tuple[tuple[str, str], ...]:
    """Status, age and last use of a key as facts; keys older than ROTATION_DAYS are flagged."""
    details = [("account", account), ("user", user or "root (account owner)"), ("status", status)]
    if created is not None:
        age = (now - created).days
        details += [("created", _iso(created)), ("age_days", str(age))]
        if age > ROTATION_DAYS:
            details.append(("rotation", f"overdue: older than {ROTATION_DAYS} days"))
    used_at = last_used.get("LastUsedDate")
    if used_at is None:
        details.append(("last_used", "never"))
    else:
        details += [
            ("last_used", _iso(used_at)),
            ("last_used_service", str(last_used.get("ServiceName", ""))),
            ("last_used_region", str(last_used.get("Region", ""))),
        ]
    return tuple(details)


def pair_failure(code: str, message: str, status: int) -> Verification:
    state, reason = _failure_meaning(code, message, status)
    return Verification(state, reason, (("sts_error", code), PAIR_EVIDENCE) if code else (PAIR_EVIDENCE,))


def _failure_meaning(code: str, message: str, status: int) -> tuple[VerificationState, str]:
    if skewed(code, message):
        return "unknown", f"clock skew: {code}: {message} (check this machine's clock)"
    if code == "InvalidClientTokenId":
        return "invalid", "InvalidClientTokenId: unknown, deleted or deactivated key id"
    if code == "SignatureDoesNotMatch" and wrong_scope(message):
        return (
            "unknown",
            f"SignatureDoesNotMatch: {message} (signed for a region this endpoint does not serve)",
        )
    if code == "SignatureDoesNotMatch":
        return "invalid", "SignatureDoesNotMatch: the secret does not belong to this key id"
    if code in ("ExpiredToken", "InvalidToken"):
        return "invalid", f"{code}: the session token is expired or invalid"
    if code in _THROTTLED:
        return "unknown", f"throttled ({code}); try again later"
    if status >= 500:
        return "unknown", f"server error {status} ({code})"
    return "unknown", f"{code or f'HTTP {status}'}: {message}"


def unknown_here(found: Verification) -> bool:
    """STS of this partition does not know the key id. An endpoint of another partition (one --endpoint-url
    for all) refuses a request signed for a foreign region as a signature error naming the credential scope:
    that says nothing about the key either."""
    error = found.detail("sts_error")
    return error == "InvalidClientTokenId" or (error == "SignatureDoesNotMatch" and found.state == "unknown")


def wrong_scope(message: str) -> bool:
    return "scope" in message.lower()


def error_of(exc: Any) -> tuple[str, str]:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "")), str(error.get("Message", ""))


def status_of(exc: Any) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def skewed(code: str, message: str) -> bool:
    return code in _SKEWED or any(hint in message.lower() for hint in _SKEW_HINTS)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
