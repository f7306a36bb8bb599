"""Project config: `.secretscan.yaml` / `.yml`, or `[tool.secretscan]` in pyproject.toml → Config.

Looked up from the scan root up to the repository root (the folder holding `.git`), first hit wins; `--config`
overrides. Validation is strict: every error names the file and the key (ConfigError, exit 2).
PyYAML lives here and in rules.py only.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError, RuleError
from scanner.rules import Allowlist, Rule
from scanner.rules.parse import parse_allowlist
from scanner.settings import parse_size

CONFIG_NAMES = (".secretscan.yaml", ".secretscan.yml")
PYPROJECT = "pyproject.toml"
BASELINE_NAME = ".secretscan-baseline.json"
_KEYS = {
    "rules",
    "disabled_rules",
    "allowlist",
    "rule_allowlists",
    "exclude",
    "max_file_size",
    "format",
    "baseline",
    "verify",
    "inline_allow",
    "fail_on_error",
}


@dataclass(frozen=True, slots=True)
class Config:
    """What a project config asks for. Relative paths in the file are resolved against its folder."""

    path: Path | None = None  # the file it came from; None: no config
    rule_paths: tuple[Path, ...] = ()
    disabled_rules: tuple[str, ...] = ()
    allowlist: Allowlist = field(default_factory=Allowlist)
    rule_allowlists: tuple[tuple[str, Allowlist], ...] = ()
    excludes: tuple[str, ...] = ()
    max_file_size: int | None = None
    format: str | None = None
    baseline: Path | None = None
    verify_skip_accounts: tuple[str, ...] = ()  # AWS accounts verification never contacts
    inline_allow: bool = True  # false: inline markers suppress nothing (issue 15 §2)
    fail_on_error: bool | None = None  # false: scan errors are reported but do not exit 2 (issue 14 §5)


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `.git` (a folder, or a file in worktrees)."""
    here = start.absolute()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def search_dirs(start: Path) -> list[Path]:
    """Folders where project files are looked for: `start`, then its parents up to the repository root.

    Outside a repository only `start` itself: a config in some parent (a home folder) must not leak in.
    """
    here = start.absolute()
    root = repository_root(here)
    if root is None:
        return [here]
    return [here, *[p for p in here.parents if p == root or root in p.parents]]


def find_config(start: Path) -> Path | None:
    for folder in search_dirs(start):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if _may_name_us(pyproject) and "secretscan" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _may_name_us(pyproject: Path) -> bool:
    """Whether a pyproject.toml may hold a [tool.secretscan] table: one whose text never says "secretscan"
    cannot, and is not parsed (the TOML parser's import and a large file's parse: ~7 ms of every hook run
    in a Python project)."""
    if not pyproject.is_file():
        return False
    try:
        return b"secretscan" in pyproject.read_bytes()
    except OSError:
        return True  # unreadable: the parse says why


def load_config(path: Path) -> Config:
    """Read and validate one config file (YAML, or the [tool.secretscan] table of a pyproject.toml)."""
    if path.name == PYPROJECT or path.suffix == ".toml":
        doc = _read_toml(path).get("tool", {}).get("secretscan", {})
        where = f"{path}: [tool.secretscan]"
    else:
        doc = _read_yaml(path)
        where = str(path)
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: the config must be a mapping of keys to values")
    unknown = set(doc) - _KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
            f"(known: {', '.join(sorted(_KEYS))})"
        )
    base = path.absolute().parent
    baseline = doc.get("baseline")
    rule_paths = tuple(base / p for p in _strings(doc, "rules", where))
    for rule_path in rule_paths:
        if not rule_path.exists():
            raise ConfigError(f"{where}: key 'rules': {rule_path} not found")
    return Config(
        path=path,
        rule_paths=rule_paths,
        disabled_rules=tuple(_strings(doc, "disabled_rules", where)),
        allowlist=_allowlist(doc.get("allowlist"), f"{where}: key 'allowlist'"),
        rule_allowlists=_rule_allowlists(doc.get("rule_allowlists"), where),
        excludes=tuple(_strings(doc, "exclude", where)),
        max_file_size=_size(doc.get("max_file_size"), where),
        format=_format(doc.get("format"), where),
        baseline=None if baseline is None else base / _string(baseline, where, "baseline"),
        verify_skip_accounts=_skip_accounts(doc.get("verify"), where),
        inline_allow=_flag(doc, "inline_allow", True, where),
        fail_on_error=None if doc.get("fail_on_error") is None else _flag(doc, "fail_on_error", True, where),
    )


def discover(start: Path, explicit: str | None = None) -> Config:
    """The config for a scan rooted at `start`: the `--config` file, else the nearest project config."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return load_config(path)
    found = find_config(start)
    return load_config(found) if found is not None else Config()


def apply_to_rules(rules: Sequence[Rule], config: Config, also_known: Sequence[str] = ()) -> list[Rule]:
    """Drop the rules the config disables and extend per-rule allowlists.

    `also_known`: rule ids already removed by --disable-rule, which the config may name too.
    """
    known = {r.id for r in rules} | set(also_known)
    named = {"disabled_rules": set(config.disabled_rules), "rule_allowlists": dict(config.rule_allowlists)}
    for key, ids in named.items():
        unknown = set(ids) - known
        if unknown:
            raise ConfigError(f"{config.path}: key {key!r}: unknown rule id(s) {', '.join(sorted(unknown))}")
    extra = dict(config.rule_allowlists)
    off = set(config.disabled_rules)
    return [
        dataclasses.replace(r, allowlist=merge_allowlists(r.allowlist, extra[r.id])) if r.id in extra else r
        for r in rules
        if r.id not in off
    ]


def merge_allowlists(a: Allowlist, b: Allowlist) -> Allowlist:
    return Allowlist(
        regexes=a.regexes + b.regexes,
        line_regexes=a.line_regexes + b.line_regexes,
        stopwords=a.stopwords + b.stopwords,
        paths=a.paths + b.paths,
    )


def own_files(config: Config, baseline: Path | None) -> frozenset[str]:
    """Absolute paths of the scanner's own files for this run, never scanned: the config, the baseline, and
    the config's rule files (their examples are secrets by design). Folders end with a separator.
    """
    paths = [p for p in (config.path, config.baseline, baseline) if p is not None and p.name != PYPROJECT]
    own = {os.path.abspath(p) for p in paths}
    own |= {
        os.path.join(os.path.abspath(p), "") if p.is_dir() else os.path.abspath(p) for p in config.rule_paths
    }
    return frozenset(own)


def is_own_file(path: str, own: frozenset[str]) -> bool:
    if not own:
        return False
    full = os.path.abspath(path)
    return full in own or any(o.endswith(os.sep) and full.startswith(o) for o in own)


def _read_yaml(path: Path) -> Any:
    import yaml  # only when a YAML config file exists: the hook path without one never pays for it

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    return {} if doc is None else doc


def _read_toml(path: Path) -> dict[str, Any]:
    # Imported here: only a pyproject.toml costs the TOML parser (~4 ms of the hook's start).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            doc: dict[str, Any] = tomllib.load(handle)
            return doc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _string(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: key {key!r}: must be a non-empty string")
    return value


def _strings(doc: dict[str, Any], key: str, where: str) -> list[str]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: key {key!r}: must be a list of non-empty strings")
    return value


def _allowlist(raw: Any, where: str) -> Allowlist:
    try:
        return parse_allowlist(raw, where)
    except RuleError as exc:  # same schema as a rule's allowlist; report it as a config error
        raise ConfigError(str(exc)) from exc


def _rule_allowlists(raw: Any, where: str) -> tuple[tuple[str, Allowlist], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: key 'rule_allowlists': must be a mapping of rule id to allowlist")
    return tuple(
        (str(rid), _allowlist(value, f"{where}: key 'rule_allowlists.{rid}'")) for rid, value in raw.items()
    )


def _size(raw: Any, where: str) -> int | None:
    if raw is None:
        return None
    try:
        return parse_size(raw if isinstance(raw, (str, int)) else repr(raw))
    except ValueError as exc:
        raise ConfigError(f"{where}: key 'max_file_size': {exc}") from None


def _skip_accounts(raw: Any, where: str) -> tuple[str, ...]:
    """`verify: {skip_accounts: [...]}`: twelve-digit AWS account ids (quoted in YAML: a bare number loses
    its leading zeros)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or set(raw) - {"skip_accounts"}:
        raise ConfigError(f"{where}: key 'verify': must be a mapping with the key 'skip_accounts'")
    accounts = _strings(raw, "skip_accounts", f"{where}: key 'verify'")
    wrong = [a for a in accounts if not (len(a) == 12 and a.isdigit())]
    if wrong:
        raise ConfigError(
            f"{where}: key 'verify.skip_accounts': not twelve-digit account ids: {', '.join(wrong)}"
        )
    return tuple(accounts)


def _flag(doc: dict[str, Any], key: str, default: bool, where: str) -> bool:
    raw = doc.get(key, default)
    if not isinstance(raw, bool):
        raise ConfigError(f"{where}: key {key!r}: expected true or false, not {raw!r}")
    return raw


def _format(raw: Any, where: str) -> str | None:
    from scanner.report import FORMATS  # the registry other formats are added to

    if raw is None:
        return None
    if raw not in FORMATS:
        raise ConfigError(
            f"{where}: key 'format': unknown format {raw!r} (known: {', '.join(sorted(FORMATS))})"
        )
    return str(raw)
