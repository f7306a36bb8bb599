"""`secretscan verify KEY_ID [--secret-stdin]`, and the verification options every scanning command shares.

The secret is read from stdin only, never from argv, where it would land in shell history and `ps` (issue 4).
Exit codes of `verify`: 0 the key is not live (invalid, inactive, not found, canary, other account), 1 it is
active, 2 it could not be told (unknown) or a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scanner.errors import UsageError

EXIT_NOT_LIVE, EXIT_ACTIVE, EXIT_UNKNOWN = 0, 1, 2


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "verify",
        help="check one AWS access key id live, without scanning",
        description="Check one AWS access key id. With --secret-stdin the pair is checked with STS "
        "GetCallerIdentity; without it the id is looked up in your own account (IAM, your credentials). "
        "Exit 0: not live, 1: active, 2: unknown or error.",
    )
    parser.add_argument("key_id", metavar="KEY_ID", help="the access key id (AKIA…, ASIA…)")
    parser.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the secret access key from stdin (a session token may follow on line 2)",
    )
    parser.add_argument("-f", "--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument("--show-secrets", action="store_true", help="print the key id unredacted")
    _add_connection_options(parser.add_argument_group("AWS connection"))
    parser.add_argument(
        "--dry-run",
        dest="verify_dry_run",
        action="store_true",
        help="show what would be sent where, send nothing",
    )
    parser.set_defaults(func=run)


def add_verify_options(parser: argparse.ArgumentParser) -> None:
    """The opt-in verification group of every scanning command (scan, history, diff, staged)."""
    group = parser.add_argument_group("verification (opt-in; nothing is sent without these flags)")
    group.add_argument(
        "--verify", action="store_true", help="check each found AWS key pair live with STS GetCallerIdentity"
    )
    group.add_argument(
        "--verify-owner",
        action="store_true",
        help="look found AWS key ids up in your own account (IAM, your credentials): owner, "
        "Active/Inactive, age, last use",
    )
    group.add_argument(
        "--verify-dry-run",
        action="store_true",
        help="list what --verify/--verify-owner would send where, and send nothing",
    )
    _add_connection_options(group)
    group.add_argument(
        "--verify-concurrency",
        type=_positive_int,
        default=4,
        metavar="N",
        help="requests in flight at once (default 4)",
    )
    group.add_argument(
        "--fail-on",
        choices=["any", "active"],
        default="any",
        help="exit 1 on any finding (default) or only on keys verified active",
    )


def _add_connection_options(group: Any) -> None:
    group.add_argument(
        "--profile", metavar="NAME", help="AWS profile for --verify-owner (default chain otherwise)"
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="AWS endpoint (emulators, private endpoints); default: AWS_ENDPOINT_URL_STS / "
        "_IAM / AWS_ENDPOINT_URL, else the region's public endpoint",
    )
    group.add_argument(
        "--region",
        metavar="REGION",
        help="signing region (GovCloud, China); default: AWS_REGION, the profile, us-east-1",
    )
    group.add_argument(
        "--verify-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="connect and read timeout per request (default 10)",
    )


def options_from_args(args: argparse.Namespace, pair: bool, owner: bool) -> Any:
    from scanner.verify import VerifyOptions

    dry_run = bool(getattr(args, "verify_dry_run", False))
    return VerifyOptions(
        pair=pair or (dry_run and not owner),
        owner=owner,
        dry_run=dry_run,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        region=args.region,
        timeout=args.verify_timeout,
        concurrency=getattr(args, "verify_concurrency", 4),
        show_secrets=bool(args.show_secrets),
    )


def run_verification(args: argparse.Namespace, result: Any) -> None:
    """The scanning commands' verification step, called by finish() before rendering."""
    if "verify" not in args:  # a command without the verification options
        return
    asked = args.verify or args.verify_owner
    if not asked and not any(f.rule_id == "aws-access-key-id" for f in result.findings):
        return  # nothing to mark: a clean pre-commit run never imports the verification layer
    from scanner.verify import verify_result

    if args.fail_on == "active" and not (args.verify or args.verify_owner):
        raise UsageError("--fail-on active needs --verify or --verify-owner (nothing is verified otherwise)")
    verify_result(result, options_from_args(args, args.verify, args.verify_owner), _notify)


def run(args: argparse.Namespace) -> int:
    from scanner.engine.pairing import KEY_ID_RULE
    from scanner.model import Finding, Origin
    from scanner.redact import redact
    from scanner.validators import aws
    from scanner.verify import verify_findings

    key_id = args.key_id.strip()
    if not aws.is_key_id(key_id):
        raise UsageError("KEY_ID is not an AWS access key id (AKIA…, ASIA…, 20 characters)")
    companions = _read_secret() if args.secret_stdin else ()
    facts = [("key_type", aws.key_type(key_id))]
    account = aws.account_id(key_id)
    if account is not None:
        facts.append(("account_id", account))
    finding = Finding(
        KEY_ID_RULE,
        "AWS access key ID",
        "high",
        "high",
        Origin("<argument>", kind="stdin"),
        1,
        1,
        21,
        key_id,
        "",
        "",
        tuple(facts),
        companions,
    )
    options = options_from_args(args, pair=args.secret_stdin, owner=not args.secret_stdin)
    checked = verify_findings([finding], options, _notify)[0].verification
    assert checked is not None
    shown = redact(key_id, args.show_secrets)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "key_id": shown,
                    "facts": dict(facts),
                    "state": checked.state,
                    "reason": checked.reason,
                    "details": dict(checked.details),
                },
                indent=2,
            )
        )
    else:
        print(f"{shown}  {checked.state}" + (f"  ({checked.reason})" if checked.reason else ""))
        for name, value in checked.details:
            print(f"  {name.replace('_', ' '):<19}{value}")
    if checked.state == "active":
        return EXIT_ACTIVE
    return EXIT_UNKNOWN if checked.state in ("unknown", "not-checked") else EXIT_NOT_LIVE


def _read_secret() -> tuple[tuple[str, str], ...]:
    if sys.stdin.isatty():
        import getpass

        lines = [getpass.getpass("secret access key: "), getpass.getpass("session token (Enter for none): ")]
    else:
        lines = sys.stdin.read().splitlines()[:2]
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise UsageError("--secret-stdin: no secret access key on stdin")
    token = lines[1].strip() if len(lines) > 1 else ""
    return (("secret_access_key", secret),) + ((("session_token", token),) if token else ())


def _notify(message: str) -> None:
    print(f"secretscan: {message}", file=sys.stderr, flush=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
