"""Load rule files (rules/*.yaml) into immutable Rule records, validated once (parse.py) and then cached
by content (cache.py).

PyYAML lives here and in config.py only. Validation is strict: every error names the file and the rule id.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from scanner.errors import RuleError
from scanner.rules import cache as rule_cache
from scanner.rules.records import Allowlist, Rule
from scanner.validators import VALIDATORS


def builtin_rules_dir() -> Path:
    """The shipped rules: inside the wheel as scanner/_rules, or the top-level rules/ of a source checkout."""
    # The package's own folder, as importlib.resources.files("scanner") names it, without importing that
    # machinery (zipfile, its readers) at every start.
    packaged = Path(__file__).parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def load_rules(extra: Sequence[Path] = (), builtin: bool = True, disabled: Iterable[str] = ()) -> list[Rule]:
    """Load the built-in rules (unless `builtin` is false) and every rule file or folder in `extra`."""
    files: list[Path] = []
    if builtin:
        base = builtin_rules_dir()
        if not base.is_dir():
            raise RuleError(f"built-in rules not found at {base}; the installation is incomplete")
        files += sorted(base.glob("*.yaml")) + sorted(base.glob("*.yml"))
    for path in extra:
        if path.is_dir():
            files += sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        elif path.is_file():
            files.append(path)
        else:
            raise RuleError(f"{path}: rule file or folder not found")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in load_rule_file(path):
            if rule.id in seen:
                raise RuleError(f"{path}: rule {rule.id!r}: duplicate id (also defined in {seen[rule.id]})")
            seen[rule.id] = str(path)
            rules.append(rule)
    off = set(disabled)
    unknown = off - set(seen)
    if unknown:
        raise RuleError(f"cannot disable unknown rule(s): {', '.join(sorted(unknown))}")
    return [r for r in rules if r.id not in off]


def load_rule_file(path: Path) -> list[Rule]:
    """Parse and validate one rule file; a validated copy is cached by the file's content hash."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror or exc}") from exc
    salt = _cache_salt()
    cached = rule_cache.load(path, raw, salt)
    if cached is not None:
        return cached
    rules = _parse_rule_file(path, raw)
    rule_cache.store(path, raw, salt, rules)
    return rules


@functools.lru_cache(maxsize=1)
def _cache_salt() -> str:
    """What a cached rule depends on besides its file: the record's shape and the known validators."""
    return ",".join(f.name for f in fields(Rule)) + ";" + ",".join(sorted(VALIDATORS))


def _parse_rule_file(path: Path, raw: bytes) -> list[Rule]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError(f"{path}: cannot read rule file: not UTF-8 ({exc})") from exc
    import yaml  # only on a rule-cache miss: start-up from the cache never pays for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster, same safety
    try:
        doc = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) != {"rules"} or not isinstance(doc["rules"], list):
        raise RuleError(f"{path}: a rule file is a mapping with one key, 'rules', holding a list of rules")
    from scanner.rules.parse import parse_rule  # validation, like YAML, only on a rule-cache miss

    return [parse_rule(item, path, index) for index, item in enumerate(doc["rules"])]


def allowlist_key(allowlist: Allowlist) -> list[list[str]]:
    """Every pattern and word of an allowlist in full (a compiled pattern's repr is cut at 200 characters)."""
    return [
        [r.pattern.decode("utf-8", "surrogateescape") for r in allowlist.regexes],
        [r.pattern.decode("utf-8", "surrogateescape") for r in allowlist.line_regexes],
        list(allowlist.stopwords),
        [r.pattern for r in allowlist.paths],
    ]


def rules_hash(rules: Sequence[Rule]) -> str:
    """A content hash of the rule set, keying compiled-database and result caches."""
    digest = hashlib.sha256()
    for rule in rules:
        digest.update(
            json.dumps(
                [
                    rule.id,
                    rule.pattern,
                    rule.secret_group,
                    rule.keywords,
                    rule.entropy,
                    rule.validator,
                    allowlist_key(rule.allowlist),
                    rule.severity,
                    rule.confidence,
                    rule.anchor,
                    rule.prefilter,
                ]
            ).encode()
        )
    return digest.hexdigest()
