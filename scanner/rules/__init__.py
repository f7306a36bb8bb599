"""Rules: records (records.py), validation of one mapping (parse.py), loading files (load.py), the cache of
validated files (cache.py). The seam: the records and the loaders."""

from scanner.rules.load import allowlist_key, builtin_rules_dir, load_rule_file, load_rules, rules_hash
from scanner.rules.records import DEFAULT_REMEDIATION, Allowlist, Example, Rule

__all__ = [
    "DEFAULT_REMEDIATION",
    "Allowlist",
    "Example",
    "Rule",
    "allowlist_key",
    "builtin_rules_dir",
    "load_rule_file",
    "load_rules",
    "rules_hash",
]
