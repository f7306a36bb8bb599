"""Whether two secretscan JSON reports hold the same findings: a change meant to be faster must not lose or
add one (issue 19). Findings are matched by rule, path, commit, line and fingerprint, then compared field by
field; the summary, triaged findings, skips, errors and warnings must match too (in any order).

    python -m bench.same_findings BEFORE.json AFTER.json   # exit 0: identical, 1: a difference (printed)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Key = tuple[str, str, str | None, int, str]
PARTS = ("summary", "triaged", "skipped", "errors", "warnings")


def key(finding: dict[str, Any]) -> Key:
    commit = finding.get("commit") or {}
    return finding["rule_id"], finding["path"], commit.get("sha"), finding["line"], finding["fingerprint"]


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two reports, one line each (empty: the same findings and the same report)."""
    old = {key(f): f for f in before["findings"]}
    new = {key(f): f for f in after["findings"]}
    out = [f"only before: {k}" for k in sorted(old.keys() - new.keys(), key=repr)]
    out += [f"only after: {k}" for k in sorted(new.keys() - old.keys(), key=repr)]
    out += [f"differs: {k}" for k in sorted(old.keys() & new.keys(), key=repr) if old[k] != new[k]]
    for part in PARTS:
        if _unordered(before.get(part)) != _unordered(after.get(part)):
            out.append(f"{part} differ")
    return out


def _unordered(value: Any) -> Any:
    return sorted(json.dumps(item, sort_keys=True) for item in value) if isinstance(value, list) else value


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    before, after = (json.loads(Path(path).read_text()) for path in args)
    found = differences(before, after)
    for line in found:
        print(line)
    print(f"{'DIFFERENT' if found else 'identical'}: {len(before['findings'])} findings before, "
          f"{len(after['findings'])} after")  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
