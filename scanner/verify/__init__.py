"""Opt-in live verification of found AWS credentials (issue 4): after filtering, before reporting.

Offline, always: every AWS key id gets a `Verification` (canary accounts are recognised from the decoded
account id, everything else is `not-checked` with the reason). Online, only with --verify or --verify-owner:
each unique pair is checked once with STS, each unique key id looked up once in the user's own account, a few
at a time. Before anything is sent the plan is announced (how many keys to which endpoint); a dry run stops
there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.engine.pairing import KEY_ID_RULE
from scanner.model import Finding, ScanResult, Verification
from scanner.redact import redact
from scanner.verify.canary import canary_of
from scanner.verify.deadline import Budget, CheckTimeout
from scanner.verify.outcome import merge, with_next_step

if TYPE_CHECKING:  # the thread pool and the AWS checks only when verifying: the offline canary check runs
    # in every scan that finds an AWS key id
    from concurrent.futures import ThreadPoolExecutor

    from scanner.verify.aws import AwsChecks

Notify = Callable[[str], None]
_SIGNABLE = ("AKIA", "ASIA", "A3T")  # SigV4 access key ids; ABIA bearer tokens and ACCA keys are not signable


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    pair: bool = False  # --verify: STS GetCallerIdentity signed with the found pair
    owner: bool = False  # --verify-owner: IAM lookups with the user's own credentials
    dry_run: bool = False  # announce the plan, send nothing
    profile: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    timeout: float = 10.0  # per key, every request, retry and partition included (issue 17 §6)
    budget: float = 300.0  # the whole online verification; keys not reached by then are `unknown`
    concurrency: int = 4
    show_secrets: bool = False
    partitions: tuple[str, ...] = ()  # empty: the region's partition, then the others for unknown key ids
    skip_accounts: tuple[str, ...] = ()  # the user's own never-contact list (config verify.skip_accounts)

    @property
    def online(self) -> bool:
        return self.pair or self.owner


@dataclass(frozen=True, slots=True)
class PairKey:
    key_id: str
    secret: str = field(repr=False)
    token: str | None = field(repr=False)


@dataclass(slots=True)
class Plan:
    """What each AWS key-id finding gets: an offline verdict, or a place in the pair and/or owner queues."""

    offline: dict[int, Verification] = field(default_factory=dict)
    pairs: dict[PairKey, list[int]] = field(default_factory=dict)
    owners: dict[str, list[int]] = field(default_factory=dict)
    accounts: dict[str, str | None] = field(default_factory=dict)  # key id → decoded account
    where: dict[str, list[str]] = field(default_factory=dict)  # key id → "path:line" of its findings


def verify_result(result: ScanResult, options: VerifyOptions, notify: Notify) -> None:
    result.findings = verify_findings(result.findings, options, notify, result.warnings)


def verify_findings(
    findings: list[Finding], options: VerifyOptions, notify: Notify, warnings: list[str] | None = None
) -> list[Finding]:
    if options.online:
        from scanner.verify.aws import load_botocore

        load_botocore()  # fail early and clearly without the `aws` extra, even when no key was found
    plan = make_plan(findings, options)
    outcomes = dict(plan.offline)
    if options.online and (plan.pairs or plan.owners):
        from scanner.verify.aws import AwsChecks, Settings

        checks = AwsChecks(
            Settings(
                options.endpoint_url,
                options.region,
                options.profile,
                options.timeout,
                partitions=options.partitions,
                owner=bool(plan.owners),
            )
        )
        announce(plan, options, checks, notify)
        if options.dry_run:
            note = Verification("not-checked", "dry run: nothing was sent")
            outcomes.update({i: note for idx in (*plan.pairs.values(), *plan.owners.values()) for i in idx})
        else:
            outcomes.update(_run_online(plan, options, checks, warnings if warnings is not None else []))
    return [
        dataclasses.replace(f, verification=with_next_step(outcomes[i])) if i in outcomes else f
        for i, f in enumerate(findings)
    ]


def make_plan(findings: list[Finding], options: VerifyOptions) -> Plan:
    plan = Plan()
    for index, finding in enumerate(findings):
        if finding.rule_id != KEY_ID_RULE:
            continue
        key_id, account = finding.secret, finding.fact("account_id")
        plan.accounts[key_id] = account
        plan.where.setdefault(key_id, []).append(f"{finding.path}:{finding.line}")
        canary = canary_of(account)
        if canary is not None:
            plan.offline[index] = Verification(
                "canary",
                f"canary token of {canary.issuer}: never contacted (using it would trip the alarm)",
                (("account", account or ""), ("listed_by", canary.listed_by())),
            )
            continue
        if account is not None and account in options.skip_accounts:
            plan.offline[index] = Verification(
                "not-checked",
                f"account {account} is in verify.skip_accounts of your config: never contacted",
                (("account", account),),
            )
            continue
        pair_reason, owner_reason = _pair_skip(finding, options), _owner_skip(finding, options)
        if pair_reason is None:
            secret, token = finding.companion("secret_access_key") or "", finding.companion("session_token")
            plan.pairs.setdefault(PairKey(key_id, secret, token), []).append(index)
        if owner_reason is None:
            plan.owners.setdefault(key_id, []).append(index)
        if pair_reason is not None and owner_reason is not None:
            reasons = dict.fromkeys(r for r in (pair_reason, owner_reason) if r)
            plan.offline[index] = Verification("not-checked", "; ".join(reasons))
    return plan


def _pair_skip(finding: Finding, options: VerifyOptions) -> str | None:
    """Why the pair check does not apply ("" when it is simply not asked for), or None when it runs."""
    if finding.companion("secret_access_key") is None:
        if options.owner:
            return ""
        return "no secret access key found with this key id; --verify-owner looks it up in your own account"
    if not finding.secret.startswith(_SIGNABLE):
        return f"{finding.fact('key_type') or 'this key type'} cannot be checked by signing a request"
    if finding.secret.startswith("ASIA") and finding.companion("session_token") is None:
        return "temporary (ASIA) key found without its session token"
    return None if options.pair else "verification off; --verify checks this pair with STS"


def _owner_skip(finding: Finding, options: VerifyOptions) -> str | None:
    if not options.owner:
        return ""
    if not finding.secret.startswith(("AKIA", "A3T")):
        return "owner lookup covers long-term (AKIA) keys only"
    return None


def announce(plan: Plan, options: VerifyOptions, checks: AwsChecks, notify: Notify) -> None:
    """Say what will be sent where before sending anything (issue 4, safety); list it all on a dry run."""
    from scanner.verify.aws import PARTITIONS

    verb = "would send" if options.dry_run else "sending"
    if plan.pairs:
        first, *others = checks.partitions
        url = checks.endpoint("sts", partition=first)
        notify(
            f"verify: {verb} {len(plan.pairs)} key pair(s) to STS at {url} "
            "(GetCallerIdentity signed with the found secret)"
        )
        if others:
            where = ", ".join(f"{PARTITIONS[p][0]} at {checks.endpoint('sts', partition=p)}" for p in others)
            notify(f"verify: key ids that STS does not know there are tried in the other partitions: {where}")
        _list(notify, options, "STS", (p.key_id for p in plan.pairs), plan)
    if plan.owners:
        source = f"profile {options.profile}" if options.profile else "your default credential chain"
        notify(
            f"verify: {verb} 1 GetCallerIdentity with your own credentials ({source}) to STS at "
            f"{checks.endpoint('sts', owner=True)}, then up to {len(plan.owners)} key id(s) to IAM at "
            f"{checks.endpoint('iam', owner=True)} (keys of other accounts are not looked up)"
        )
        _list(notify, options, "IAM", plan.owners, plan)
    # Issue 17 §4: a check is not invisible to the key's owner.
    if options.dry_run:
        notify(
            "verify: each check would be a signed AWS request: it would appear in the key owner's CloudTrail "
            'and update the key\'s "last used" date'
        )
    else:
        notify(
            "verify: each check is a signed AWS request: it appears in the key owner's CloudTrail and "
            'updates the key\'s "last used" date'
        )
    if options.dry_run:
        notify("verify: dry run: nothing was sent")


def _list(notify: Notify, options: VerifyOptions, service: str, key_ids: Iterable[str], plan: Plan) -> None:
    if not options.dry_run:
        return
    for key_id in key_ids:
        where = plan.where[key_id]
        more = f" (+{len(where) - 1} more)" if len(where) > 1 else ""
        account = plan.accounts.get(key_id) or "account unknown"
        notify(f"  {service}  {redact(key_id, options.show_secrets)}  {account}  {where[0]}{more}")


def _run_online(
    plan: Plan, options: VerifyOptions, checks: AwsChecks, warnings: list[str]
) -> dict[int, Verification]:
    from concurrent.futures import ThreadPoolExecutor

    from scanner.verify.aws import OwnerUnavailable

    budget = Budget(options.timeout, options.budget)
    workers = max(1, options.concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verify") as pool:
        pair_list = list(plan.pairs)
        pair_results = dict(
            zip(
                pair_list,
                pool.map(
                    lambda p: _bounded(
                        budget, p.key_id, lambda: checks.check_pair(p.key_id, p.secret, p.token)
                    ),
                    pair_list,
                ),
                strict=True,
            )
        )
        owner_results: dict[str, Verification] = {}
        if plan.owners:
            try:
                account, _arn = budget.call(checks.caller_identity)
            except (OwnerUnavailable, CheckTimeout) as exc:
                warnings.append(f"--verify-owner: {exc}")
                owner_results = {k: Verification("unknown", str(exc)) for k in plan.owners}
            else:
                owner_results = _owner_lookups(plan, checks, pool, account, budget)
    outcomes: dict[int, list[Verification]] = {}
    for pair, indexes in plan.pairs.items():
        for i in indexes:
            outcomes.setdefault(i, []).append(pair_results[pair])
    for key_id, indexes in plan.owners.items():
        for i in indexes:
            outcomes.setdefault(i, []).append(owner_results[key_id])
    return {i: merge(*found) for i, found in outcomes.items()}


def _bounded(budget: Budget, key_id: str, check: Callable[[], Verification]) -> Verification:
    try:
        return budget.call(check, key_id)
    except CheckTimeout as exc:
        return Verification("unknown", str(exc))


def _owner_lookups(
    plan: Plan, checks: AwsChecks, pool: ThreadPoolExecutor, account: str, budget: Budget
) -> dict[str, Verification]:
    results: dict[str, Verification] = {}
    local = []
    for key_id in plan.owners:
        decoded = plan.accounts.get(key_id)
        if decoded is not None and decoded != account:
            results[key_id] = Verification(
                "foreign-account",
                f"key of account {decoded}, not yours ({account}): not looked up",
                (("account", decoded),),
            )
        else:
            local.append(key_id)
    looked_up = pool.map(lambda k: _bounded(budget, k, lambda: checks.check_owner(k, account)), local)
    results.update(zip(local, looked_up, strict=True))
    return results
