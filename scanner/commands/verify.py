"""`secretscan verify KEY_ID [--secret-stdin]`: check one AWS access key id, without scanning.

The secret is read from stdin only, never from argv, where it would land in shell history and `ps` (issue 4).
Exit codes of `verify`: 0 the key is not live (invalid, inactive, not found, canary), 1 it is active, 2 it
could not be told (unknown, or another account's key in owner mode) or a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scanner.commands.options import add_connection_options, connection_fields
from scanner.errors import UsageError
from scanner.settings import Settings

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
    add_connection_options(parser.add_argument_group("AWS connection"))
    parser.add_argument(
        "--dry-run",
        dest="verify_dry_run",
        action="store_true",
        help="show what would be sent where, send nothing",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scanner.engine.pairing import KEY_ID_RULE
    from scanner.model import Finding, Origin
    from scanner.pipeline import notify, verify_options
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
    settings = Settings(
        command="verify",
        show_secrets=args.show_secrets,
        verify_dry_run=args.verify_dry_run,
        **connection_fields(args),
    )
    options = verify_options(settings, pair=args.secret_stdin, owner=not args.secret_stdin)
    checked = verify_findings([finding], options, notify)[0].verification
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
                    "next_step": checked.next_step,
                },
                indent=2,
            )
        )
    else:
        print(f"{shown}  {checked.state}" + (f"  ({checked.reason})" if checked.reason else ""))
        for name, value in checked.details:
            print(f"  {name.replace('_', ' '):<19}{value}")
        if checked.next_step:
            print(f"  {'next step':<19}{checked.next_step}")
    if checked.state == "active":
        return EXIT_ACTIVE
    return EXIT_UNKNOWN if checked.state in ("unknown", "not-checked", "foreign-account") else EXIT_NOT_LIVE


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
