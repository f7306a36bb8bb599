"""Live AWS checks through botocore: STS GetCallerIdentity signed with a found pair, IAM owner lookups.

botocore is imported here only, and lazily: a scan without --verify never loads it, and without the `aws`
extra verification fails with an install hint (issue 4). botocore does the SigV4 signing, the credential chain
(environment, profiles, SSO), endpoint resolution (AWS_ENDPOINT_URL*, partitions) and throttling backoff.
A found secret is handed to botocore only as signing key: it is never part of a request body or a message.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from scanner import __version__
from scanner.errors import DependencyError, UsageError
from scanner.model import Verification, VerificationState
from scanner.verify.replies import (
    OWNER_EVIDENCE,
    PAIR_EVIDENCE,
    error_of,
    identity_details,
    not_sts,
    owner_details,
    pair_failure,
    skewed,
    status_of,
    unknown_here,
    wrong_scope,
)

INSTALL_HINT = "pip install 'botocore>=1.31' (the [aws] extra: pip install '.[aws]' in a clone)"
SIGNATURE_RETRY_PAUSE = 1.0  # seconds; STS can reject a second quick attempt with the same key (issue 4)
# Each partition has its own STS and its own signing regions: a GovCloud or China key is unknown to the
# commercial STS (InvalidClientTokenId), so it is tried there before being called invalid (issue 17 §2).
PARTITIONS: dict[str, tuple[str, str]] = {  # partition → (name for people, default signing region)
    "aws": ("commercial", "us-east-1"),
    "aws-us-gov": ("GovCloud (US)", "us-gov-west-1"),
    "aws-cn": ("China", "cn-north-1"),
}
# A found pair is signed with no profile at all: AWS_PROFILE naming a missing profile must not stop it.
_NO_PROFILE = {"profile": (None, None, None, None)}


@dataclass(frozen=True, slots=True)
class Settings:
    endpoint_url: str | None = (
        None  # None: botocore resolves it (AWS_ENDPOINT_URL_STS/_IAM, config, partition)
    )
    region: str | None = None
    profile: str | None = None
    timeout: float = 10.0
    max_attempts: int = 3  # botocore "standard" retries: backoff with jitter on throttling, 5xx, network
    partitions: tuple[str, ...] = ()  # empty: the region's partition, then the others for unknown key ids
    owner: bool = False  # set up the user's own credentials (--verify-owner)


def partition_of(region: str) -> str:
    return "aws-us-gov" if region.startswith("us-gov-") else "aws-cn" if region.startswith("cn-") else "aws"


def load_botocore() -> Any:
    try:
        import botocore
        import botocore.config
        import botocore.exceptions
        import botocore.parsers
        import botocore.session
    except ImportError as exc:
        raise DependencyError(
            f"verification needs botocore, which is not installed ({exc}); install it with: {INSTALL_HINT}"
        ) from exc
    quiet_botocore_logs()
    return botocore


def quiet_botocore_logs() -> None:
    """botocore logs request headers and canonical requests at DEBUG, session tokens included: whatever
    level the environment set, its loggers stop at INFO (issue 17 §4)."""
    for name in ["botocore", *(n for n in logging.root.manager.loggerDict if n.startswith("botocore."))]:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


def check_endpoint_url(url: str | None) -> None:
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--endpoint-url: not an http(s) URL with a host: {url!r} (example: http://127.0.0.1:4566)"
        )


class AwsChecks:
    """One botocore session for found pairs (explicit credentials only) and one for the user's own chain."""

    def __init__(self, settings: Settings) -> None:
        self._bc = load_botocore()
        check_endpoint_url(settings.endpoint_url)
        self._settings = settings
        self._lock = threading.Lock()  # botocore sessions are not thread-safe; clients are
        self._pair_session = self._bc.session.Session(session_vars=_NO_PROFILE)
        self._owner_session = self._owner(settings) if settings.owner else None
        configured = (self._owner_session or self._pair_session).get_config_variable("region")
        self.region: str = settings.region or os.environ.get("AWS_REGION") or configured or "us-east-1"
        self.partitions: tuple[str, ...] = settings.partitions or _fallback_order(partition_of(self.region))
        self._config = self._bc.config.Config(
            connect_timeout=settings.timeout,
            read_timeout=settings.timeout,
            retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
            user_agent_extra=f"secretscan/{__version__}",  # say who is asking (issue 17 §4)
        )

    def _owner(self, settings: Settings) -> Any:
        try:
            session = self._bc.session.Session(profile=settings.profile)
            session.get_scoped_config()  # a missing profile fails here, before anything is sent
        except self._bc.exceptions.ProfileNotFound as exc:
            source = "--profile" if settings.profile else "AWS_PROFILE"
            raise UsageError(f"{source}: {exc} (see `aws configure list-profiles`)") from exc
        return session

    def region_of(self, partition: str) -> str:
        """The signing region for a partition: the chosen region when it lies there, else the default."""
        return self.region if partition_of(self.region) == partition else PARTITIONS[partition][1]

    def endpoint(self, service: str, owner: bool = False, partition: str | None = None) -> str:
        """The URL botocore will use, learnt from a client with placeholder credentials: sends nothing."""
        session = self._owner_session if owner else self._pair_session
        region = self.region if partition is None else self.region_of(partition)
        client = self._client(session, service, ("AKIAPLACEHOLDER00000", "placeholder", None), region)
        url: str = client.meta.endpoint_url
        return url

    def check_pair(self, key_id: str, secret: str, token: str | None) -> Verification:
        """STS in each partition in turn until one knows the key id; the partition that answered is named."""
        unknown_in: list[str] = []  # partitions whose STS does not know the key id
        refused_in: list[str] = []  # partitions the endpoint does not serve: no verdict there
        for partition in self.partitions:
            try:
                found = self._check_pair_in(partition, key_id, secret, token)
            except Exception as exc:  # fail closed with the reason, never lose the report
                text = str(exc).replace(secret, "****")
                found = Verification("unknown", f"unexpected error: {type(exc).__name__}: {text}")
            if not unknown_here(found):
                named: tuple[tuple[str, str], ...] = (("partition", partition),)
                if unknown_in:
                    named += (("unknown_in", ", ".join(unknown_in)),)
                return dataclasses.replace(found, details=found.details + named)
            (unknown_in if found.state == "invalid" else refused_in).append(partition)
        details: tuple[tuple[str, str], ...] = (("unknown_in", ", ".join(unknown_in)),) if unknown_in else ()
        if refused_in:
            details += (("refused_in", ", ".join(refused_in)),)
        if not unknown_in:
            reason = f"no partition's STS took the request ({', '.join(refused_in)}): check --endpoint-url"
            return Verification("unknown", reason, (*details, PAIR_EVIDENCE))
        names = ", ".join(f"{p} ({PARTITIONS[p][0]})" for p in unknown_in)
        return Verification(
            "invalid",
            f"InvalidClientTokenId in every partition that answered ({names}): "
            "unknown, deleted or deactivated key id",
            (("sts_error", "InvalidClientTokenId"), *details, PAIR_EVIDENCE),
        )

    def _check_pair_in(self, partition: str, key_id: str, secret: str, token: str | None) -> Verification:
        region = self.region_of(partition)
        client = self._client(self._pair_session, "sts", (key_id, secret, token), region)
        for attempt in (1, 2):
            try:
                reply = client.get_caller_identity()
            except self._bc.exceptions.ClientError as exc:
                code, message = error_of(exc)
                retry = not skewed(code, message) and not wrong_scope(message)
                if code == "SignatureDoesNotMatch" and retry and attempt == 1:
                    time.sleep(SIGNATURE_RETRY_PAUSE)
                    continue
                return pair_failure(code, message, status_of(exc))
            except self._bc.exceptions.BotoCoreError as exc:
                return Verification("unknown", f"network error: {exc}", (PAIR_EVIDENCE,))
            except self._bc.parsers.ResponseParserError:
                return not_sts(client.meta.endpoint_url)
            if not reply.get("Account") or not reply.get("Arn"):  # a 200 from something that is not STS
                return not_sts(client.meta.endpoint_url)
            details = (*identity_details(reply), PAIR_EVIDENCE)
            return Verification("active", "STS accepted the signature", details)
        raise AssertionError("unreachable")

    def caller_identity(self) -> tuple[str, str]:
        """(account, ARN) of the user's own credentials; raises OwnerUnavailable with the reason."""
        try:
            client = self._client(self._owner_session, "sts", None)
            reply = client.get_caller_identity()
        except self._bc.exceptions.ClientError as exc:
            code, message = error_of(exc)
            raise OwnerUnavailable(f"your AWS credentials were rejected ({code}: {message})") from exc
        except self._bc.exceptions.BotoCoreError as exc:
            raise OwnerUnavailable(f"cannot use your AWS credentials: {exc}") from exc
        except self._bc.parsers.ResponseParserError as exc:
            raise OwnerUnavailable(not_sts(client.meta.endpoint_url).reason) from exc
        except Exception as exc:  # fail closed with the reason, never lose the report
            raise OwnerUnavailable(f"cannot use your AWS credentials: {type(exc).__name__}: {exc}") from exc
        if not reply.get("Account") or not reply.get("Arn"):
            raise OwnerUnavailable(not_sts(client.meta.endpoint_url).reason)
        return str(reply["Account"]), str(reply["Arn"])

    def check_owner(self, key_id: str, account: str) -> Verification:
        try:
            return self._check_owner(key_id, account)
        except Exception as exc:  # fail closed with the reason, never lose the report
            return Verification(
                "unknown", f"IAM lookup failed: {type(exc).__name__}: {exc}", (OWNER_EVIDENCE,)
            )

    def _check_owner(self, key_id: str, account: str) -> Verification:
        iam = self._client(self._owner_session, "iam", None)
        try:
            used = iam.get_access_key_last_used(AccessKeyId=key_id)
            user = used.get("UserName")
            listing = iam.list_access_keys(UserName=user) if user else iam.list_access_keys()
        except self._bc.exceptions.ClientError as exc:
            code, message = error_of(exc)
            if code == "NoSuchEntity":
                return Verification(
                    "not-found",
                    f"no such access key in your account {account}",
                    (("account", account), OWNER_EVIDENCE),
                )
            return Verification("unknown", f"IAM lookup failed ({code}: {message})", (OWNER_EVIDENCE,))
        except self._bc.exceptions.BotoCoreError as exc:
            return Verification("unknown", f"network error: {exc}", (OWNER_EVIDENCE,))
        except self._bc.parsers.ResponseParserError:
            reason = f"the reply of {iam.meta.endpoint_url} is not an IAM answer (is it an IAM endpoint?)"
            return Verification("unknown", reason, (OWNER_EVIDENCE,))
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
        reason = f"IAM: {status} key of {user or 'this account'}"
        return Verification(state, reason, (*details, OWNER_EVIDENCE))

    def _client(
        self,
        session: Any,
        service: str,
        credentials: tuple[str, str, str | None] | None,
        region: str | None = None,
    ) -> Any:
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
                    region_name=region or self.region,
                    config=self._config,
                    endpoint_url=self._settings.endpoint_url,
                    **keys,
                )
            except (self._bc.exceptions.BotoCoreError, ValueError) as exc:  # ValueError: a bad endpoint URL
                raise UsageError(f"cannot set up the {service.upper()} client: {exc}") from exc


def _fallback_order(first: str) -> tuple[str, ...]:
    return (first, *(p for p in PARTITIONS if p != first))


class OwnerUnavailable(Exception):
    """The user's own credentials cannot be used; every owner lookup becomes `unknown` with this reason."""
