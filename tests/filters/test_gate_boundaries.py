"""The gate filters and the baseline at their edges, through their public functions (issue 21 §1).

Each of these decides whether a finding of a real scan is reported; a one-line slip in any of them hides a
new secret from a pull-request gate, a pre-commit hook or a baselined repository.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.baseline import Baseline
from scanner.engine import Engine
from scanner.filters import baseline as baseline_filter
from scanner.filters.added import is_added, keep_added, on_added_line
from scanner.filters.preexisting import drop_preexisting
from scanner.model import Blob, Finding, Origin, ScanResult
from scanner.rules import load_rules
from scanner.sources.common import Ranges
from tests.helpers.gitrepo import KEY_ID, SECRET_KEY, commit, init

RANGES: Ranges = [(1, 1), (10, 3)]  # line 1, and lines 10-12


def finding(
    line: int, secret: str = "Zx9Kq2Lm4Np7Rv2X", rule_id: str = "generic-secret-assignment"
) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=rule_id,
        severity="high",
        confidence="high",
        origin=Origin("app/config.py"),
        line=line,
        column=1,
        end_column=len(secret) + 1,
        secret=secret,
        line_text="",
        fingerprint=f"{rule_id}{line}",
    )


@pytest.mark.parametrize(
    ("line", "added", "why"),
    [
        (1, True, "a one-line range"),
        (2, False, "one past a one-line range"),
        (9, False, "one before a range"),
        (10, True, "the first line of a range"),
        (12, True, "the last line of a range"),
        (13, False, "one past the last line"),
    ],
)
def test_added_lines(line: int, added: bool, why: str) -> None:
    assert is_added(RANGES, line) is added, why


def test_nothing_is_added_in_an_empty_change() -> None:
    assert not is_added([], 1)


def test_a_pair_counts_where_its_secret_key_is_added() -> None:
    key_id = dataclasses.replace(finding(5), facts=(("paired_secret_line", "11"),))
    assert on_added_line(key_id, RANGES)
    assert not on_added_line(dataclasses.replace(key_id, facts=(("paired_secret_line", "7"),)), RANGES)


def test_keep_added_keeps_files_the_change_does_not_cover() -> None:
    # A lookup of None: a file scanned whole (a staged check's named file with nothing staged): every line counts.
    result = ScanResult(findings=[finding(2), finding(10), finding(13)])
    keep_added(result, lambda origin: RANGES, explain=True)
    assert [f.line for f in result.findings] == [10]
    assert [d.line for d in result.dropped] == [2, 13]
    result = ScanResult(findings=[finding(2)])
    keep_added(result, lambda origin: None, explain=False)
    assert [f.line for f in result.findings] == [2]


def test_a_secret_the_base_held_is_dropped_and_a_new_one_of_the_same_rule_kept(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    old = f"aws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
    base = commit(repo, {"old.cfg": old}, "base", 0)
    engine = Engine(load_rules(), backend="python")

    def scan(blobs: Iterator[Blob]) -> list[Finding]:
        return [f for blob in blobs for f in engine.scan(blob).findings]

    moved = finding(1, KEY_ID, "aws-access-key-id")
    new = finding(2, "AKIAEUVW75EFR6EDT4SY", "aws-access-key-id")
    result = ScanResult(findings=[moved, new])
    drop_preexisting(repo, [base], result, scan, explain=True, where="the base")
    assert [f.secret for f in result.findings] == ["AKIAEUVW75EFR6EDT4SY"]
    assert [d.secret for d in result.dropped] == [KEY_ID]


# ---- the baseline ----


def path_of(origin: Origin) -> str:
    return origin.path


def test_a_baseline_matches_rule_path_and_secret_only() -> None:
    known = finding(3, "Zx9Kq2Lm4Np7Rv2X")
    baseline, _ = Baseline.new().updated([known], path_of)
    other_secret = finding(3, "Wq8Zt3Lm9Rv2XkP7")
    other_rule = dataclasses.replace(known, rule_id="other")
    other_path = dataclasses.replace(known, origin=Origin("app/other.py"))
    moved = dataclasses.replace(known, line=40)
    result = ScanResult(findings=[other_secret, known, other_rule, other_path, moved])
    unused = baseline_filter.apply(result, baseline, path_of, explain=True)
    assert result.findings == [other_secret, other_rule, other_path]
    assert len(result.dropped) == 2
    assert unused == []


def test_a_new_secret_paired_with_a_baselined_key_id_is_reported() -> None:
    pair = dataclasses.replace(
        finding(1, KEY_ID, "aws-access-key-id"), companions=(("secret_access_key", "a"),)
    )
    baseline, _ = Baseline.new().updated([pair], path_of)
    rotated = dataclasses.replace(pair, companions=(("secret_access_key", "b"),))
    alone = dataclasses.replace(pair, companions=())
    result = ScanResult(findings=[rotated, alone, pair])
    baseline_filter.apply(result, baseline, path_of, explain=False)
    assert result.findings == [rotated, alone]


def test_an_empty_baseline_keeps_every_finding() -> None:
    result = ScanResult(findings=[finding(1), finding(2, "Wq8Zt3Lm9Rv2XkP7")])
    unused = baseline_filter.apply(result, Baseline.new(), path_of, explain=False)
    assert len(result.findings) == 2 and unused == []
