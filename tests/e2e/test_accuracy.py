"""The accuracy corpus as a test (issue 7 §5, issue 21 §2): any regression fails, not only a large one.

Every label names the confidence the scanner gives it (fixtures/corpus-labels.yaml). The test asserts the
exact list of misses (a new miss fails, a fixed one asks for the list to shrink), the exact confidence of
every label found (a secret pushed below the default confidence fails), no false alarm, and what a run at the
default confidence reports. The corpus holds values of every shape the judge tells apart: hex of each length
band, base64 with / and +, dotted and prefixed values, symbol-heavy and short passwords.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "accuracy.py"
CORPUS = ROOT / "fixtures" / "corpus"
LABELS = ROOT / "fixtures" / "corpus-labels.yaml"
REPORTED_BY_DEFAULT = ("high", "medium")  # Settings.min_confidence is medium

# Labels the scanner misses today, each with why; the label says `confidence: none`.
KNOWN_MISSES = {
    # The generic rules need a digit or a symbol in the value: letters only are names and prose far more often.
    "scripts/deploy.sh:3": "32 letters without a digit or symbol",
}


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), "--engine", "python", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def figures(*args: str) -> dict[str, Any]:
    done = bench("--json", *args)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def labels() -> dict[str, str]:
    """ "path:line" -> the confidence the scanner gives the label ("none": a known miss)."""
    entries = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["labels"]
    return {f"{e['path']}:{e['line']}": str(e["confidence"]) for e in entries}


@pytest.fixture(scope="module")
def every_confidence() -> dict[str, Any]:
    return figures("--min-confidence", "low")


def test_labels_name_a_confidence_and_the_known_misses_match() -> None:
    expected = labels()
    assert set(expected.values()) <= {"high", "medium", "low", "none"}
    assert {key for key, conf in expected.items() if conf == "none"} == set(KNOWN_MISSES)


def test_every_label_is_found_with_its_confidence(every_confidence: dict[str, Any]) -> None:
    expected = labels()
    assert sorted(every_confidence["misses"]) == sorted(KNOWN_MISSES), "a new miss, or a fixed one"
    assert every_confidence["confidences"] == {k: c for k, c in sorted(expected.items()) if c != "none"}
    assert every_confidence["false_alarms"] == []
    assert every_confidence["duplicates"] == 0


def test_a_default_run_reports_exactly_the_confident_labels() -> None:
    result = figures("--min-confidence", "default")
    hidden = {key for key, conf in labels().items() if conf not in REPORTED_BY_DEFAULT}
    assert sorted(result["misses"]) == sorted(hidden)
    assert result["false_alarms"] == []


def test_every_shape_the_judge_tells_apart_is_labelled() -> None:
    texts = []
    for key in labels():
        path, line = key.rsplit(":", 1)
        texts.append((CORPUS / path).read_text(encoding="utf-8").splitlines()[int(line) - 1])
    values = [text.split("=", 1)[-1].strip().strip('"') for text in texts]
    hex_lengths = {len(v) for v in values if v and all(c in "0123456789abcdef" for c in v)}
    assert {16, 20, 24, 32, 40, 64} <= hex_lengths  # under the medium band, and each common key size
    assert any("/" in v and "+" in v for v in values)  # base64
    assert any("." in v and v.replace(".", "").isalnum() for v in values)  # dotted
    assert any(v.startswith("ak_") for v in values)  # an unknown prefix
    assert any(sum(not c.isalnum() for c in v) >= 3 and len(v) <= 16 for v in values)  # symbol-heavy


def test_hard_negative_files_raise_no_alarm(every_confidence: dict[str, Any]) -> None:
    negatives = {
        "web/package-lock.json",
        "web/yarn.lock",
        "go.sum",
        "checksums.txt",
        "web/static/styles.css",
        "web/static/vendor.min.js",
        "docs/README.md",
        "tests/test_auth.py",
        "data/ids.csv",
        "CHANGELOG.md",
        "config/i18n.json",
        "src/models.py",
        "app/.env.example",
    }
    assert all((CORPUS / path).is_file() for path in negatives)
    alarms = {entry.split(":")[0] for entry in every_confidence["false_alarms"]}
    assert alarms & negatives == set()


def test_check_flag_fails_below_the_floor() -> None:
    assert bench("--check", "--floor-precision", "0.5", "--floor-recall", "0.5").returncode == 0
    failed = bench("--check", "--floor-recall", "1.01")
    assert failed.returncode == 1
    assert "below the floor" in failed.stderr
    assert bench("--floor-recall", "1.01").returncode == 0  # without --check it only reports


def test_blanking_any_labelled_line_is_a_miss(tmp_path: Path) -> None:
    """Each label is found by its own line alone: with every labelled line blanked (line numbers kept), every
    label is missed, so blanking any single one adds a miss that the exact list above rejects."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for key in labels():
        path, line = key.rsplit(":", 1)
        target = corpus / path
        lines = target.read_bytes().split(b"\n")
        lines[int(line) - 1] = b""
        target.write_bytes(b"\n".join(lines))
    result = figures("--corpus", str(corpus), "--labels", str(LABELS), "--min-confidence", "low")
    assert sorted(result["misses"]) == sorted(labels())
    assert result["overall"]["found"] == 0
