"""`secretscan rules list|check`: show the loaded rules; run every rule's examples through the engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scanner.commands.options import add_rule_options


def register(sub: Any) -> None:
    parser = sub.add_parser("rules", help="list rules, or check their examples")
    rules_sub = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    listing = rules_sub.add_parser("list", help="show the loaded rules")
    add_rule_options(listing)
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(func=run_list)
    check = rules_sub.add_parser("check", help="run every rule's examples and negative examples")
    check.add_argument(
        "path", nargs="?", metavar="PATH", help="rule file or folder to check (default: the built-in rules)"
    )
    add_rule_options(check)
    check.set_defaults(func=run_check)


def run_list(args: argparse.Namespace) -> int:
    import json

    from scanner.rules import load_rules

    rules = load_rules(
        [Path(p) for p in args.rule_paths], builtin=not args.no_builtin_rules, disabled=args.disabled_rules
    )
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity,
                "confidence": r.confidence,
                "keywords": list(r.keywords),
                "tags": list(r.tags),
                "source": r.source,
            }
            for r in rules
        ]
        print(json.dumps(rows, indent=2))
        return 0
    width = max((len(r.id) for r in rules), default=10)
    for rule in rules:
        print(f"{rule.id:<{width}}  {rule.severity:<8}  {rule.name}")
    print(f"{len(rules)} rule(s)", file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from scanner.engine import Engine
    from scanner.engine.examples import check_rules
    from scanner.rules import load_rules

    extra = [Path(p) for p in args.rule_paths]
    target = load_rules([Path(args.path)], builtin=False) if args.path else None
    if args.path:
        extra.append(Path(args.path))
    rules = load_rules(extra, builtin=not args.no_builtin_rules, disabled=args.disabled_rules)
    checked = [r for r in rules if target is None or r.id in {t.id for t in target}]
    failures = check_rules(rules, Engine(rules), checked)
    for failure in failures:
        text = failure.example.text if len(failure.example.text) < 100 else failure.example.text[:97] + "..."
        print(f"FAIL {failure.rule_id}: {failure.kind}: {text!r} ({failure.detail})")
    examples = sum(len(r.examples) + len(r.negative_examples) for r in checked)
    print(
        f"{len(checked)} rule(s), {examples} example(s): "
        + (f"{len(failures)} failure(s)" if failures else "all pass")
    )
    return 1 if failures else 0
