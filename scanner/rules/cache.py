"""Cache of validated rule files, keyed by content: start-up skips YAML parsing and validation (issue 6 §5).

A pre-commit hook runs on every commit; parsing and validating a few hundred rules costs more than scanning
the commit. The cache holds the Rule records as plain JSON (regexes compile lazily), one file per rule file
content: never pickle, which would run whatever a planted file says (issue 14 §2). A file that does not read
back as rules is ignored, and the rule file parsed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.cachedir import private_or_none, prune, read_used, user_cache
from scanner.rules.records import Allowlist, Example, Rule

_FORMAT = "2"
# Parsed rule files kept (the most recently used): every rule file of a few versions and projects.
KEEP_RULE_FILES = 256


def _cache_file(path: Path, raw: bytes, salt: str) -> Path | None:
    if os.environ.get("SECRETSCAN_NO_RULE_CACHE"):
        return None
    folder = private_or_none(user_cache())
    if folder is None:
        return None
    key = hashlib.sha256(f"{_FORMAT}:{__version__}:{salt}:{path}\0".encode() + raw).hexdigest()[:32]
    return folder / f"rules-{key}.json"


def load(path: Path, raw: bytes, salt: str) -> list[Rule] | None:
    file = _cache_file(path, raw, salt)
    if file is None:
        return None
    try:
        return [_rule(item) for item in json.loads(read_used(file))]
    except (OSError, ValueError, TypeError, KeyError, re.error):
        return None  # absent, from another version, or not ours: parse again


def store(path: Path, raw: bytes, salt: str, rules: list[Rule]) -> None:
    file = _cache_file(path, raw, salt)
    if file is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".rules-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([_plain(rule) for rule in rules], handle)
        os.replace(tmp, file)
    except OSError:
        return  # a read-only cache only costs a re-parse next time
    prune(file.parent, "rules-", KEEP_RULE_FILES)


def _plain(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(Rule):
        value = getattr(rule, f.name)
        if isinstance(value, Allowlist):
            value = {
                "regexes": [_pattern(p) for p in value.regexes],
                "line_regexes": [_pattern(p) for p in value.line_regexes],
                "stopwords": list(value.stopwords),
                "paths": [_pattern(p) for p in value.paths],
            }
        elif f.name in ("examples", "negative_examples"):
            value = [[e.text, e.path] for e in value]
        out[f.name] = value
    return out


def _pattern(pattern: re.Pattern[Any]) -> list[Any]:
    text = pattern.pattern
    if isinstance(text, bytes):
        return ["b", text.decode("utf-8", "surrogateescape"), pattern.flags]
    return ["s", text, pattern.flags]


def _compiled(item: list[Any]) -> re.Pattern[Any]:
    kind, text, flags = item
    if not isinstance(text, str) or not isinstance(flags, int):
        raise TypeError("not a pattern")
    return re.compile(text.encode("utf-8", "surrogateescape") if kind == "b" else text, flags)


def _rule(item: dict[str, Any]) -> Rule:
    values: dict[str, Any] = {}
    for f in fields(Rule):
        value = item[f.name]
        if f.name == "allowlist":
            value = Allowlist(
                regexes=tuple(_compiled(p) for p in value["regexes"]),
                line_regexes=tuple(_compiled(p) for p in value["line_regexes"]),
                stopwords=tuple(str(w) for w in value["stopwords"]),
                paths=tuple(_compiled(p) for p in value["paths"]),
            )
        elif f.name in ("examples", "negative_examples"):
            value = tuple(Example(str(text), str(where)) for text, where in value)
        elif f.name == "facts":
            value = tuple((str(k), str(v)) for k, v in value)
        elif isinstance(value, list):
            value = tuple(str(v) for v in value)
        values[f.name] = value
    return Rule(**values)
