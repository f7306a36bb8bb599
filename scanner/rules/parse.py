"""Validate one rule mapping, as read from a rule file, into a Rule: strictly, and every error names the file
and the rule id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scanner.errors import RuleError
from scanner.model import CONFIDENCES, SEVERITIES
from scanner.rules.anchor import line_anchor
from scanner.rules.records import DEFAULT_REMEDIATION, Allowlist, Example, Rule
from scanner.validators import VALIDATORS

_RULE_KEYS = {
    "id",
    "name",
    "description",
    "severity",
    "confidence",
    "pattern",
    "secret_group",
    "keywords",
    "entropy",
    "validator",
    "facts",
    "allowlist",
    "remediation",
    "references",
    "tags",
    "examples",
    "negative_examples",
    "one_line",
    "prefilter",
}
_ALLOWLIST_KEYS = {"regexes", "line_regexes", "stopwords", "paths"}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")


def parse_rule(raw: Any, path: Path | str, index: int = 0) -> Rule:
    """Validate one rule mapping and compile it."""
    if not isinstance(raw, dict):
        raise RuleError(f"{path}: rule #{index + 1}: must be a mapping")
    rid = raw.get("id")
    where = f"{path}: rule {rid!r}" if rid else f"{path}: rule #{index + 1}"
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        raise RuleError(f"{where}: 'id' must be lower-case letters, digits and dashes")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("name", "severity", "pattern", "keywords", "examples"):
        if key not in raw:
            raise RuleError(f"{where}: missing required key {key!r}")
    severity = raw["severity"]
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    confidence = raw.get("confidence", "medium")
    if confidence not in CONFIDENCES:
        raise RuleError(f"{where}: confidence must be one of {', '.join(CONFIDENCES)}")
    pattern = _str(raw["pattern"], where, "pattern")
    regex = _compile(pattern, where, "pattern")
    group = _secret_group(raw.get("secret_group"), regex, where)
    keywords = tuple(k.lower() for k in _str_list(raw["keywords"], where, "keywords"))
    if not keywords or any(not k for k in keywords):
        raise RuleError(f"{where}: 'keywords' must be a non-empty list of non-empty strings")
    entropy = raw.get("entropy")
    if entropy is not None and (not isinstance(entropy, (int, float)) or not 0 <= entropy <= 8):
        raise RuleError(f"{where}: 'entropy' must be a number from 0 to 8")
    validator = raw.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise RuleError(f"{where}: unknown validator {validator!r} (known: {', '.join(sorted(VALIDATORS))})")
    anchor = _anchor(raw.get("one_line", False), pattern, group, where)
    prefilter = raw.get("prefilter")
    if prefilter is not None:
        _compile(_str(prefilter, where, "prefilter"), where, "prefilter")
    examples = _examples(raw["examples"], where, "examples")
    if not examples:
        raise RuleError(f"{where}: 'examples' must hold at least one example that the rule reports")
    return Rule(
        id=rid,
        name=_str(raw["name"], where, "name"),
        severity=severity,
        confidence=confidence,
        pattern=pattern,
        secret_group=group,
        keywords=keywords,
        entropy=float(entropy) if entropy is not None else None,
        validator=validator,
        facts=_facts(raw.get("facts"), where),
        allowlist=parse_allowlist(raw.get("allowlist"), where),
        remediation=_str(raw.get("remediation", DEFAULT_REMEDIATION), where, "remediation").strip(),
        description=_str(raw.get("description", ""), where, "description").strip(),
        references=tuple(_str_list(raw.get("references", []), where, "references")),
        tags=tuple(_str_list(raw.get("tags", []), where, "tags")),
        examples=examples,
        negative_examples=_examples(raw.get("negative_examples", []), where, "negative_examples"),
        source=str(path),
        anchor=anchor,
        prefilter=prefilter,
    )


def parse_allowlist(raw: Any, where: str) -> Allowlist:
    if raw is None:
        return Allowlist()
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: 'allowlist' must be a mapping")
    unknown = set(raw) - _ALLOWLIST_KEYS
    if unknown:
        raise RuleError(f"{where}: allowlist: unknown key(s): {', '.join(sorted(unknown))}")
    paths = []
    for p in _str_list(raw.get("paths", []), where, "allowlist.paths"):
        try:
            paths.append(re.compile(p))
        except re.error as exc:
            raise RuleError(f"{where}: allowlist.paths: invalid regex {p!r}: {exc}") from exc
    return Allowlist(
        regexes=tuple(
            _compile(p, where, "allowlist.regexes")
            for p in _str_list(raw.get("regexes", []), where, "allowlist.regexes")
        ),
        line_regexes=tuple(
            _compile(p, where, "allowlist.line_regexes")
            for p in _str_list(raw.get("line_regexes", []), where, "allowlist.line_regexes")
        ),
        stopwords=tuple(s.lower() for s in _str_list(raw.get("stopwords", []), where, "allowlist.stopwords")),
        paths=tuple(paths),
    )


def _compile(pattern: str, where: str, key: str) -> re.Pattern[bytes]:
    try:
        return re.compile(pattern.encode("utf-8"))
    except (re.error, OverflowError, RecursionError) as exc:
        raise RuleError(f"{where}: {key}: invalid regex {pattern!r}: {exc}") from exc


def _secret_group(raw: Any, regex: re.Pattern[bytes], where: str) -> int | str:
    if raw is None:
        return 1 if regex.groups else 0
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise RuleError(f"{where}: 'secret_group' must be a group number or name")
    if isinstance(raw, int) and not 0 <= raw <= regex.groups:
        raise RuleError(f"{where}: secret_group {raw} out of range: the pattern has {regex.groups} group(s)")
    if isinstance(raw, str) and raw not in regex.groupindex:
        raise RuleError(f"{where}: secret_group {raw!r} is not a named group of the pattern")
    return raw


def _anchor(one_line: Any, pattern: str, group: int | str, where: str) -> str | None:
    if not isinstance(one_line, bool):
        raise RuleError(f"{where}: 'one_line' must be true or false")
    if not one_line:
        return None
    anchor = line_anchor(pattern, group)
    if anchor is None:
        raise RuleError(
            f"{where}: one_line needs the secret group at the top level of the pattern, after a part that "
            "every match begins with"
        )
    return anchor


def _facts(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise RuleError(f"{where}: 'facts' must be a mapping of strings to strings")
    return tuple(value.items())


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise RuleError(f"{where}: {key!r} must be a string")
    return value


def _str_list(value: Any, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: {key!r} must be a list of strings")
    return list(value)


def _examples(value: Any, where: str, key: str) -> tuple[Example, ...]:
    if not isinstance(value, list):
        raise RuleError(f"{where}: {key!r} must be a list")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Example(item))
        elif isinstance(item, dict) and set(item) <= {"text", "path"} and isinstance(item.get("text"), str):
            out.append(Example(item["text"], str(item.get("path", "example.txt"))))
        else:
            raise RuleError(f"{where}: {key}: each example is a string or a mapping with 'text' and 'path'")
    return tuple(out)
