"""Precision, recall and F1 of secretscan on the labelled corpus, per rule family and overall (issue 7 §5).

    python bench/accuracy.py                        # table; exit 0
    python bench/accuracy.py --min-confidence medium   # or `default`: no flag, as a user runs it
    python bench/accuracy.py --check --floor-precision 0.9 --floor-recall 0.9   # exit 1 below a floor
    python bench/accuracy.py --json                 # machine-readable (tests/test_accuracy.py)

The scanner runs as a user runs it (`python -m scanner scan CORPUS -f json`), so the figures cover the whole
pipeline: rules, validators, decoding, dedup, pairing. A finding is a true positive when it is on a labelled
line of a labelled file and its secret starts with (or contains) the labelled secret; a second finding of the
same label is a duplicate (neither true nor false); every other finding is a false alarm. The family of a
finding is its rule's first tag. Secrets are redacted in the listing unless --show-secrets.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "fixtures" / "corpus"
DEFAULT_LABELS = ROOT / "fixtures" / "corpus-labels.yaml"  # outside the corpus, so it is not scanned


@dataclass(slots=True)
class Tally:
    labels: int = 0
    found: int = 0  # labels matched by a finding (recall numerator)
    true: int = 0  # findings that matched a label (precision numerator)
    false: int = 0  # findings on no label

    @property
    def precision(self) -> float:
        return self.true / (self.true + self.false) if self.true + self.false else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    families: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    confidences: dict[str, str] = field(default_factory=dict)  # "path:line" of each label found -> confidence

    def family(self, name: str) -> Tally:
        return self.families.setdefault(name, Tally())


def run_scanner(corpus: Path, min_confidence: str, engine: str = "auto") -> list[dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(corpus),
        "-q",
        "-f",
        "json",
        "--show-secrets",
        "--engine",
        engine,
    ]
    if min_confidence != "default":  # "default": the scanner's own default, as a user runs it
        command += ["--min-confidence", min_confidence]
    done = subprocess.run(command, capture_output=True, text=True, cwd=corpus, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"secretscan failed ({done.returncode}): {done.stderr.strip()}")
    findings: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    for finding in findings:
        finding["path"] = Path(finding["path"]).resolve().relative_to(corpus.resolve()).as_posix()
    return findings


def rule_families() -> dict[str, str]:
    from scanner.rules import load_rules

    return {rule.id: (rule.tags[0] if rule.tags else rule.id) for rule in load_rules()}


def measure(corpus: Path, labels_path: Path, min_confidence: str = "low", engine: str = "auto") -> Report:
    labels: list[dict[str, Any]] = yaml.safe_load(labels_path.read_text(encoding="utf-8"))["labels"]
    findings = run_scanner(corpus, min_confidence, engine)
    families = rule_families()
    report = Report()
    matched: set[int] = set()
    for finding in findings:
        family = families.get(finding["rule_id"], finding["rule_id"])
        hit = next((i for i, label in enumerate(labels) if _matches(finding, label)), None)
        if hit is None:
            report.family(family).false += 1
            report.overall.false += 1
            report.false_alarms.append(finding)
        elif hit in matched:
            report.duplicates += 1
        else:
            matched.add(hit)
            report.confidences[f"{labels[hit]['path']}:{labels[hit]['line']}"] = finding["confidence"]
            report.family(family).true += 1
            report.overall.true += 1
    for i, label in enumerate(labels):
        tally = report.family(label["family"])
        tally.labels += 1
        report.overall.labels += 1
        if i in matched:
            tally.found += 1
            report.overall.found += 1
        else:
            report.misses.append(label)
    return report


def _matches(finding: dict[str, Any], label: dict[str, Any]) -> bool:
    """Same file and line, and the secret (or, for a rule that reports encoded text, its decoding) fits."""
    if finding["path"] != label["path"] or finding["line"] != label["line"]:
        return False
    expected = str(label["secret"])
    return any(s.startswith(expected) or expected in s for s in (finding["secret"], _b64(finding["secret"])))


def _b64(text: str) -> str:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""


def render(report: Report, show_secrets: bool) -> str:
    from scanner.redact import redact

    rows = [
        f"{'family':<14} {'labels':>6} {'found':>6} {'false':>6} {'precision':>9} {'recall':>7} {'F1':>6}"
    ]
    for name, t in [*sorted(report.families.items()), ("OVERALL", report.overall)]:
        rows.append(
            f"{name:<14} {t.labels:>6} {t.found:>6} {t.false:>6} {t.precision:>9.3f} {t.recall:>7.3f}"
            f" {t.f1:>6.3f}"
        )
    rows.append(f"duplicates (a second finding of a labelled secret): {report.duplicates}")
    for label in report.misses:
        rows.append(
            f"missed       {label['path']}:{label['line']}  {label['family']}  "
            f"{redact(str(label['secret']), show_secrets)}"
        )
    for f in report.false_alarms:
        rows.append(
            f"false alarm  {f['path']}:{f['line']}  {f['rule_id']} ({f['confidence']})  "
            f"{redact(f['secret'], show_secrets)}"
        )
    return "\n".join(rows)


def as_json(report: Report) -> str:
    def tally(t: Tally) -> dict[str, float | int]:
        return {
            "labels": t.labels,
            "found": t.found,
            "true": t.true,
            "false": t.false,
            "precision": round(t.precision, 4),
            "recall": round(t.recall, 4),
            "f1": round(t.f1, 4),
        }

    return json.dumps(
        {
            "overall": tally(report.overall),
            "duplicates": report.duplicates,
            "families": {k: tally(v) for k, v in sorted(report.families.items())},
            "misses": [f"{m['path']}:{m['line']}" for m in report.misses],
            "confidences": dict(sorted(report.confidences.items())),
            "false_alarms": [f"{f['path']}:{f['line']}:{f['rule_id']}" for f in report.false_alarms],
        },
        indent=2,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--min-confidence", choices=["high", "medium", "low", "default"], default="low")
    parser.add_argument("--engine", choices=["auto", "hyperscan", "python"], default="auto")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show-secrets", action="store_true")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when precision or recall is below a floor"
    )
    parser.add_argument("--floor-precision", type=float, default=0.9)
    parser.add_argument("--floor-recall", type=float, default=0.9)
    args = parser.parse_args(argv)
    report = measure(args.corpus, args.labels, args.min_confidence, args.engine)
    print(as_json(report) if args.json else render(report, args.show_secrets))
    below = report.overall.precision < args.floor_precision or report.overall.recall < args.floor_recall
    if args.check and below:
        print(
            f"below the floor: precision {report.overall.precision:.3f} (floor {args.floor_precision}), "
            f"recall {report.overall.recall:.3f} (floor {args.floor_recall})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
