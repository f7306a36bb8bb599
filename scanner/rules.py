"""Load and validate rule files (rules/*.yaml) into compiled, immutable Rule records.

PyYAML lives here and in config.py only. Validation is strict: every error names the file and the rule id.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from scanner import rule_cache
from scanner.anchors import line_anchor
from scanner.errors import RuleError
from scanner.model import CONFIDENCES, SEVERITIES, Confidence, Severity
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
DEFAULT_REMEDIATION = (
    "Revoke the credential at its issuer, replace it with a new one kept outside the code "
    "(environment, secret manager), and purge it from history if it was committed."
)


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Ways to drop a candidate: regexes on the secret or the line, stopwords in the secret, path regexes."""

    regexes: tuple[re.Pattern[bytes], ...] = ()
    line_regexes: tuple[re.Pattern[bytes], ...] = ()
    stopwords: tuple[str, ...] = ()
    paths: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    path: str = "example.txt"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    confidence: Confidence
    pattern: str
    secret_group: int | str
    keywords: tuple[str, ...]  # lower-case; at least one must appear (case-insensitively) in the content
    entropy: float | None = None
    validator: str | None = None
    facts: tuple[tuple[str, str], ...] = ()  # offline facts every finding of the rule carries (key type, ...)
    allowlist: Allowlist = Allowlist()
    remediation: str = DEFAULT_REMEDIATION
    description: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    negative_examples: tuple[Example, ...] = ()
    source: str = ""  # the file the rule came from
    # one_line rules promise each match lies within one line; `anchor` is their pattern before the secret
    # group, which lets the native matcher point `re` at the lines where a match can be (anchors.py).
    anchor: str | None = None
    # A cheaper pattern that every match of `pattern` contains, which the native database searches for
    # instead: where the rare part of a pattern comes late (after a 400-byte gap, or after names found on
    # every page of code), the pattern costs the whole database time (8% for the service-account key's).
    # It must be as rare as the pattern, or the blobs it nominates cost `re` more than it saves.
    prefilter: str | None = None

    @property
    def regex(self) -> re.Pattern[bytes]:
        # Compiled on first use, not at load: most rules never fire in a pre-commit run (issue 6 §5).
        return _compiled(self.pattern)


def builtin_rules_dir() -> Path:
    """The shipped rules: inside the wheel as scanner/_rules, or the top-level rules/ of a source checkout."""
    packaged = Path(str(resources.files("scanner"))) / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


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


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[bytes]:
    return re.compile(pattern.encode("utf-8"))


def load_rule_file(path: Path) -> list[Rule]:
    """Parse and validate one rule file; a validated copy is cached by the file's content hash."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror or exc}") from exc
    salt = _cache_salt()
    cached = rule_cache.load(path, raw, salt)
    if isinstance(cached, list) and all(isinstance(r, Rule) for r in cached):
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
    return [parse_rule(item, path, index) for index, item in enumerate(doc["rules"])]


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
                    repr(rule.allowlist),
                    rule.severity,
                    rule.confidence,
                    rule.anchor,
                    rule.prefilter,
                ]
            ).encode()
        )
    return digest.hexdigest()


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
