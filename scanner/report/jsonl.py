"""JSON Lines: one self-describing record per line, for streaming into jq, log pipelines and databases.

The records are the JSON report's own pieces (docs/json-schema.md), each tagged with `type` and the schema
version, so the two formats can never disagree: `finding` records, `dropped` records (with --explain),
`triaged` records (baselined findings with their labels), `skipped`, `error` and `warning` records, and one
`summary` record last; the `provenance` object rides on the summary.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.model import ScanResult
from scanner.report import ReportContext
from scanner.report.json_report import SCHEMA_VERSION, document


def render(result: ScanResult, context: ReportContext) -> str:
    return "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records(result, context))


def records(result: ScanResult, context: ReportContext) -> list[dict[str, Any]]:
    doc = document(result, context)
    out = [_record("finding", f) for f in doc["findings"]]
    out += [_record("triaged", t) for t in doc["triaged"]]
    out += [_record("dropped", d) for d in doc.get("dropped", [])]
    out += [_record("skipped", s) for s in doc["skipped"]]
    out += [_record("error", {"message": e}) for e in doc["errors"]]
    out += [_record("warning", {"message": w}) for w in doc["warnings"]]
    summary = {key: doc[key] for key in ("tool", "mode", "target", "secrets_redacted", "provenance")}
    out.append(_record("summary", {**summary, **doc["summary"]}))
    return out


def _record(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "schema_version": SCHEMA_VERSION, **fields}
