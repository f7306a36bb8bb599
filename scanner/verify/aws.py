"""Live AWS checks through botocore: STS GetCallerIdentity signed with a found pair, IAM owner lookups.

botocore is imported here only, and lazily: a scan without --verify never loads it, and without the `aws`
extra verification fails with an install hint (issue 4). botocore does the SigV4 signing, the credential chain
(environment, profiles, SSO), endpoint resolution (AWS_ENDPOINT_URL*, partitions) and throttling backoff.
A found secret is handed to botocore only as signing key: it is never part of a request body or a message.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from scanner.errors import DependencyError, UsageError
from scanner.model import Verification, VerificationState

INSTALL_HINT = "pip install 'secretscan[aws]'"
ROTATION_DAYS = 90  # the rotation period commonly recommended (CIS AWS Foundations, IAM best practices)
SIGNATURE_RETRY_PAUSE = 1.0  # seconds; STS can reject a second quick attempt with the same key (issue 4)
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


@dataclass(frozen=True, slots=True)
class Settings:
    endpoint_url: str | None = (
        None  # None: botocore resolves it (AWS_ENDPOINT_URL_STS/_IAM, config, partition)
    )
    region: str | None = None
    profile: str | None = None
    timeout: float = 10.0
    max_attempts: int = 3  # botocore "standard" retries: backoff with jitter on throttling, 5xx, network


def load_botocore() -> Any:
    try:
        import botocore
        import botocore.config
        import botocore.exceptions
        import botocore.session
    except ImportError as exc:
        raise DependencyError(
            f"verification needs botocore, which is not installed ({exc}); install it with: {INSTALL_HINT}"
        ) from exc
    return botocore


class AwsChecks:
    """One botocore session for found pairs (explicit credentials only) and one for the user's own chain."""

    def __init__(self, settings: Settings) -> None:
        self._bc = load_botocore()
        self._settings = settings
        self._lock = threading.Lock()  # botocore sessions are not thread-safe; clients are
        self._pair_session = self._bc.session.Session()
        try:
            self._owner_session = self._bc.session.Session(profile=settings.profile)
            configured = self._owner_session.get_config_variable("region")
        except self._bc.exceptions.ProfileNotFound as exc:
            raise UsageError(f"--profile: {exc}") from exc
        self.region: str = settings.region or os.environ.get("AWS_REGION") or configured or "us-east-1"
        self._config = self._bc.config.Config(
            connect_timeout=settings.timeout,
            read_timeout=settings.timeout,
            retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
        )

    def endpoint(self, service: str, owner: bool = False) -> str:
        """The URL botocore will use, learnt from a client with placeholder credentials: sends nothing."""
        session = self._owner_session if owner else self._pair_session
        client = self._client(session, service, ("AKIAPLACEHOLDER00000", "placeholder", None))
        url: str = client.meta.endpoint_url
        return url

    def check_pair(self, key_id: str, secret: str, token: str | None) -> Verification:
        client = self._client(self._pair_session, "sts", (key_id, secret, token))
        for attempt in (1, 2):
            try:
                reply = client.get_caller_identity()
            except self._bc.exceptions.ClientError as exc:
                code, message = _error(exc)
                if code == "SignatureDoesNotMatch" and not _skewed(code, message) and attempt == 1:
                    time.sleep(SIGNATURE_RETRY_PAUSE)
                    continue
                return _pair_failure(code, message, _status(exc))
            except self._bc.exceptions.BotoCoreError as exc:
                return Verification("unknown", f"network error: {exc}")
            return Verification("active", "STS accepted the signature", identity_details(reply))
        raise AssertionError("unreachable")

    def caller_identity(self) -> tuple[str, str]:
        """(account, ARN) of the user's own credentials; raises OwnerUnavailable with the reason."""
        try:
            client = self._client(self._owner_session, "sts", None)
            reply = client.get_caller_identity()
        except self._bc.exceptions.ClientError as exc:
            code, message = _error(exc)
            raise OwnerUnavailable(f"your AWS credentials were rejected ({code}: {message})") from exc
        except self._bc.exceptions.BotoCoreError as exc:
            raise OwnerUnavailable(f"cannot use your AWS credentials: {exc}") from exc
        return str(reply["Account"]), str(reply["Arn"])

    def check_owner(self, key_id: str, account: str) -> Verification:
        iam = self._client(self._owner_session, "iam", None)
        try:
            used = iam.get_access_key_last_used(AccessKeyId=key_id)
            user = used.get("UserName")
            listing = iam.list_access_keys(UserName=user) if user else iam.list_access_keys()
        except self._bc.exceptions.ClientError as exc:
            code, message = _error(exc)
            if code == "NoSuchEntity":
                return Verification(
                    "not-found", f"no such access key in your account {account}", (("account", account),)
                )
            return Verification("unknown", f"IAM lookup failed ({code}: {message})")
        except self._bc.exceptions.BotoCoreError as exc:
            return Verification("unknown", f"network error: {exc}")
        meta: dict[str, Any] = next(
            (k for k in listing.get("AccessKeyMetadata", []) if k.get("AccessKeyId") == key_id), {}
        )
        status = str(meta.get("Status", "unknown"))
        details = owner_details(
            account,
            user,
            status,
            meta.get("CreateDate"),
            used.get("AccessKeyLastUsed", {}),
            datetime.now(timezone.utc),
        )
        states: dict[str, VerificationState] = {"Active": "active", "Inactive": "inactive"}
        state = states.get(status, "unknown")
        return Verification(state, f"IAM: {status} key of {user or 'this account'}", details)

    def _client(self, session: Any, service: str, credentials: tuple[str, str, str | None] | None) -> Any:
        keys: dict[str, Any] = {}
        if credentials is not None:
            keys = {
                "aws_access_key_id": credentials[0],
                "aws_secret_access_key": credentials[1],
                "aws_session_token": credentials[2],
            }
        with self._lock:
            try:
                return session.create_client(
                    service,
                    region_name=self.region,
                    config=self._config,
                    endpoint_url=self._settings.endpoint_url,
                    **keys,
                )
            except self._bc.exceptions.BotoCoreError as exc:
                raise UsageError(f"cannot set up the {service.upper()} client: {exc}") from exc


class OwnerUnavailable(Exception):
    """The user's own credentials cannot be used; every owner lookup becomes `unknown` with this reason."""


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


def _pair_failure(code: str, message: str, status: int) -> Verification:
    if _skewed(code, message):
        return Verification("unknown", f"clock skew: {code}: {message} (check this machine's clock)")
    if code == "InvalidClientTokenId":
        return Verification("invalid", "InvalidClientTokenId: unknown, deleted or deactivated key id")
    if code == "SignatureDoesNotMatch":
        return Verification("invalid", "SignatureDoesNotMatch: the secret does not belong to this key id")
    if code in ("ExpiredToken", "InvalidToken"):
        return Verification("invalid", f"{code}: the session token is expired or invalid")
    if code in _THROTTLED:
        return Verification("unknown", f"throttled ({code}); try again later")
    if status >= 500:
        return Verification("unknown", f"server error {status} ({code})")
    return Verification("unknown", f"{code}: {message}")


def _error(exc: Any) -> tuple[str, str]:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "")), str(error.get("Message", ""))


def _status(exc: Any) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _skewed(code: str, message: str) -> bool:
    return code in _SKEWED or any(hint in message.lower() for hint in _SKEW_HINTS)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
