"""--min-confidence: findings below it are not reported (kept as dropped with --explain)."""

from __future__ import annotations

from scanner.model import CONFIDENCES, Confidence, Dropped, ScanResult


def keep_confident(result: ScanResult, minimum: Confidence, explain: bool) -> None:
    rank = {c: i for i, c in enumerate(CONFIDENCES)}
    limit = rank[minimum]
    kept = []
    for f in result.findings:
        if rank[f.confidence] <= limit:
            kept.append(f)
            continue
        result.below_min_confidence += 1
        if explain:
            detail = f"confidence {f.confidence} is below --min-confidence {minimum}"
            result.dropped.append(
                Dropped(f.rule_id, f.origin, f.line, f.column, "confidence", detail, f.secret)
            )
    result.findings = kept
