"""bench/external_score.py: how tool hits are matched to labels (by value hash, by overlapping spans, by the
lines of a multi-line value) and tallied per tool and source. No network: the lines are given inline."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.external_score import Hit, Label, digest, label_from_yaml, label_to_yaml, match, pool, score

LINES = {
    (
        "src/a.py",
        3,
    ): 'token = "SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"  # uuid 1f0e',
    ("src/a.py", 4): "db = 'postgres://user:hunter2Xy9@db/app'",
    ("src/k.pem", 1): "-----BEGIN RSA PRIVATE KEY-----",
    ("src/k.pem", 2): "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
}
SG = "SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def line_text(path: str, line: int) -> str:
    return LINES.get((path, line), "")


def value_label(path: str, line: int, value: str, verdict: str) -> Label:
    return Label(path, line, digest(value), len(value), verdict)


SECRET = value_label("src/a.py", 3, SG, "secret")
PASSWORD = value_label("src/a.py", 4, "hunter2Xy9", "secret")
KEY = Label("src/k.pem", 1, digest("-----BEGIN RSA PRIVATE KEY-----"), 31, "secret", last_line=5)
LABELS = [SECRET, PASSWORD, KEY]


def test_same_value_matches_by_hash_and_a_wider_cut_by_overlap() -> None:
    assert match(Hit("t", "src/a.py", 3, SG), LABELS, line_text) is SECRET
    wide = Hit("t", "src/a.py", 4, "postgres://user:hunter2Xy9@db/app")
    assert match(wide, LABELS, line_text) is PASSWORD


def test_a_value_elsewhere_on_the_line_or_on_another_line_does_not_match() -> None:
    assert match(Hit("t", "src/a.py", 3, "1f0e"), LABELS, line_text) is None
    assert match(Hit("t", "src/a.py", 5, SG), LABELS, line_text) is None
    assert match(Hit("t", "src/b.py", 3, SG), LABELS, line_text) is None


def test_lines_of_a_multi_line_value_and_hits_without_a_value() -> None:
    body = Hit("t", "src/k.pem", 2, "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu")
    assert match(body, LABELS, line_text) is KEY
    whole = Hit("t", "src/k.pem", 1, "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34")
    assert match(whole, LABELS, line_text) is KEY
    assert match(Hit("detect-secrets", "src/a.py", 4, None), LABELS, line_text) is PASSWORD
    assert match(Hit("t", "src/k.pem", 6, "x"), LABELS, line_text) is None


def test_pool_makes_one_item_per_unlabelled_value_shared_by_tools() -> None:
    hits = [
        Hit("a", "src/a.py", 3, "1f0e"),
        Hit("b", "src/a.py", 3, "uuid 1f0e"),
        Hit("c", "src/a.py", 3, SG),
    ]
    new = pool(hits, LABELS, line_text)
    assert [(x.line, x.length, x.verdict) for x in new] == [(3, 4, "?")]


def test_score_counts_labels_once_per_tool_and_source_and_judged_sources_default_to_false() -> None:
    fa = value_label("src/a.py", 3, "1f0e", "false-alarm")
    hits = [
        Hit("t", "src/a.py", 3, SG),
        Hit("t", "src/a.py", 3, SG),  # the same secret twice: one found
        Hit("t", "src/a.py", 3, "1f0e"),
        Hit("t", "other/x.py", 1, "zzz"),  # judged source, no label: a false alarm
        Hit("t", "loose/y.py", 1, "zzz"),  # unjudged source, no label: unjudged
    ]
    tallies = score(hits, [*LABELS, fa], line_text, frozenset({"other"}))["t"]
    every = tallies["all"]
    assert (len(every.found), every.secrets, len(every.false), every.unjudged, every.hits) == (1, 3, 2, 1, 5)
    assert every.precision == 1 / 3
    assert (len(tallies["src"].found), len(tallies["src"].false), tallies["src"].secrets) == (1, 1, 3)


def test_labels_round_trip_through_yaml_without_the_value() -> None:
    text = yaml.safe_dump({"labels": [label_to_yaml(KEY), label_to_yaml(SECRET)]})
    assert SG not in text
    back = [label_from_yaml(entry) for entry in yaml.safe_load(text)["labels"]]
    assert back == [KEY, SECRET]
