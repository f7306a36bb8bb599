"""JSON Lines: the JSON report's records, one per line, tagged with type and schema version."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scanner.report import renderer
from scanner.report.json_report import SCHEMA_VERSION
from tests.helpers.report_samples import context, sample_result

DOC = Path(__file__).resolve().parents[2] / "docs" / "json-schema.md"


def _records(explain: bool = True) -> list[dict[str, object]]:
    text = renderer("jsonl")(sample_result(), context(explain=explain))
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_records_match_the_json_report() -> None:
    records = _records()
    document = json.loads(renderer("json")(sample_result(), context()))
    kinds = ["finding", "finding", "triaged", "dropped", "skipped", "skipped", "warning", "summary"]
    assert [r["type"] for r in records] == kinds
    assert all(r["schema_version"] == SCHEMA_VERSION == document["schema_version"] for r in records)
    findings = [{k: v for k, v in r.items() if k not in ("type", "schema_version")} for r in records[:2]]
    assert findings == document["findings"]
    summary = records[-1]
    assert summary["findings"] == 2 and summary["mode"] == "history" and summary["secrets_redacted"] is True
    assert summary["tool"] == document["tool"]


def test_dropped_only_with_explain() -> None:
    assert "dropped" not in [r["type"] for r in _records(explain=False)]


def test_every_emitted_field_is_documented() -> None:
    """docs/json-schema.md is the contract: a field the code emits must be listed there."""
    documented = set(re.findall(r"^\| `([a-z_]+)`", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    document = json.loads(renderer("json")(sample_result(), context(explain=True)))
    emitted = set(document) | set(document["summary"]) | set(document["tool"])
    emitted |= set(document["provenance"]) | set(document["provenance"]["repository"])
    emitted |= set(document["provenance"]["rules"]) | set(document["provenance"]["options"])
    for key in ("findings", "triaged", "dropped", "skipped"):
        for item in document[key]:
            emitted |= set(item)
    emitted |= set(document["findings"][1]["commit"]) | set(document["findings"][1]["verification"])
    for record in _records():
        emitted |= set(record)
    assert emitted - documented == set(), "document every new field in docs/json-schema.md"
    assert f"`{SCHEMA_VERSION}`" in DOC.read_text(encoding="utf-8")
