"""Cache of validated rule files, keyed by content: start-up skips YAML parsing and validation (issue 6 §5).

A pre-commit hook runs on every commit; parsing and validating a few hundred rules costs more than scanning
the commit. The cache holds the Rule records as plain data written by `marshal` (tuples, strings, numbers:
issue 19, JSON cost the hook more), with each allowlist pattern's compiled program (scanner/patterns), so
that it is not compiled again; one file per rule file content. Never pickle, which would run whatever a
planted file says (issue 14 §2). A file is used only when the digest of its body matches and its data has
the expected shape; otherwise it is ignored, and the rule file parsed again.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.cachedir import private_or_none, read_sealed, user_cache, write_sealed
from scanner.patterns import PYTHON, program, rebuild
from scanner.rules.records import Allowlist, Example, Rule

_FORMAT = "3"
_MAGIC = b"secretscan-rules-3\n"
# Parsed rule files kept (the most recently used): every rule file of a few versions and projects.
KEEP_RULE_FILES = 256
_ALLOWLIST, _EXAMPLES, _NEGATIVE = "allowlist", "examples", "negative_examples"


def _cache_file(path: Path, raw: bytes, salt: str) -> Path | None:
    if os.environ.get("SECRETSCAN_NO_RULE_CACHE"):
        return None
    folder = private_or_none(user_cache())
    if folder is None:
        return None
    # Keyed by this Python too: the allowlists' compiled programs are valid for it only.
    material = f"{_FORMAT}:{__version__}:{PYTHON}:{salt}:{path}\0".encode() + raw
    return folder / f"rules-{hashlib.sha256(material).hexdigest()[:32]}.bin"


def load(path: Path, raw: bytes, salt: str) -> list[Rule] | None:
    file = _cache_file(path, raw, salt)
    items = None if file is None else read_sealed(file, _MAGIC)
    if not isinstance(items, list):
        return None  # absent, cut short, damaged or not ours: parse the file
    try:
        return [_rule(item) for item in items]
    except (ValueError, TypeError, KeyError, IndexError, re.error):
        return None  # from another version, or not ours: parse again


def store(path: Path, raw: bytes, salt: str, rules: list[Rule]) -> None:
    file = _cache_file(path, raw, salt)
    if file is not None:  # a read-only cache only costs a re-parse next time
        write_sealed(file, _MAGIC, [_plain(rule) for rule in rules], KEEP_RULE_FILES)


def _plain(rule: Rule) -> tuple[Any, ...]:
    out: list[Any] = []
    for f in fields(Rule):
        value = getattr(rule, f.name)
        if f.name == _ALLOWLIST:
            value = (
                tuple(_pattern(p) for p in value.regexes),
                tuple(_pattern(p) for p in value.line_regexes),
                tuple(value.stopwords),
                tuple(_pattern(p) for p in value.paths),
            )
        elif f.name in (_EXAMPLES, _NEGATIVE):
            value = tuple((e.text, e.path) for e in value)
        out.append(value)
    return tuple(out)


def _pattern(pattern: re.Pattern[Any]) -> tuple[Any, int, Any]:
    return pattern.pattern, pattern.flags, program(pattern)


def _compiled(item: Any, kind: type) -> re.Pattern[Any]:
    text, flags, made = item
    if not isinstance(text, kind) or not isinstance(flags, int):
        raise TypeError("not a pattern")
    return rebuild(text, flags, made)


# A cached rule holds the record's fields in this order; the cache salt (load.py) names them: a change misses.
_NAMES = tuple(f.name for f in fields(Rule))
_TEXTS = frozenset(
    ("id", "name", "severity", "confidence", "pattern", "remediation", "description", "source")
)


def _rule(item: Any) -> Rule:
    """A cached rule back as a record, its values checked for the types the record declares."""
    if not isinstance(item, tuple) or len(item) != len(_NAMES):
        raise TypeError("not a rule")
    values = dict(zip(_NAMES, item, strict=True))
    if not all(isinstance(values[name], str) for name in _TEXTS):
        raise TypeError("not a rule")
    regexes, line_regexes, stopwords, paths = values[_ALLOWLIST]
    if regexes or line_regexes or stopwords or paths:
        values[_ALLOWLIST] = Allowlist(
            regexes=tuple([_compiled(p, bytes) for p in regexes]),
            line_regexes=tuple([_compiled(p, bytes) for p in line_regexes]),
            stopwords=_strings(stopwords),
            paths=tuple([_compiled(p, str) for p in paths]),
        )
    else:
        values[_ALLOWLIST] = _EMPTY
    for name in (_EXAMPLES, _NEGATIVE):
        values[name] = tuple([Example(str(text), str(where)) for text, where in values[name]])
    values["facts"] = tuple([(str(k), str(v)) for k, v in values["facts"]])
    for name in _STRINGS:
        values[name] = _strings(values[name])
    return Rule(**values)


_EMPTY = Allowlist()
_STRINGS = ("keywords", "references", "tags")


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError("not a list of strings")
    return value
