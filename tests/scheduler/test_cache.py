"""The persistent result cache: clean blobs are skipped on a second run; findings are never cached."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.helpers.cli import run_cli

KEY = "AKIAUJZDEGXDNCF32EPF"


def test_second_run_scans_only_what_changed_and_still_reports_findings(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    for i in range(5):
        (tree / f"clean{i}.txt").write_text(f"nothing {i}\n")
    (tree / "leak.ini").write_text(f"key = {KEY}\n")

    def run() -> dict[str, object]:
        proc = run_cli("scan", str(tree), "-f", "json", "--cache", str(cache))
        assert proc.returncode == 1, proc.stderr
        return json.loads(proc.stdout)  # type: ignore[no-any-return]

    first = run()
    assert first["summary"]["blobs_scanned"] == 6  # type: ignore[index]
    (tree / "clean0.txt").write_text("changed\n")
    second = run()
    assert second["summary"]["blobs_scanned"] == 2  # type: ignore[index]  # the changed file + the leak
    assert [f["rule_id"] for f in second["findings"]] == ["aws-access-key-id"]  # type: ignore[index]
    # Only ids of clean blobs are stored: never a secret, never a finding.
    raw = b"".join((cache / name).read_bytes() for name in (p.name for p in cache.iterdir()))
    assert KEY.encode() not in raw
    rows = sqlite3.connect(cache / "clean-blobs.sqlite3").execute("SELECT COUNT(*) FROM clean").fetchone()
    assert rows[0] == 6


def test_changed_rules_invalidate_the_cache(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    (tree / "a.txt").write_text("demo_abcdef123456\n")
    assert run_cli("scan", str(tree), "--cache", str(cache)).returncode == 0
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "rules:\n  - id: demo-token\n    name: Demo\n    severity: high\n    pattern: 'demo_([a-z0-9]{12})'\n"
        "    keywords: [demo_]\n    examples: ['demo_abcdef123456']\n"
    )
    proc = run_cli("scan", str(tree), "--cache", str(cache), "--rules", str(rules))
    assert proc.returncode == 1, proc.stdout
