"""bench/realcode_score.py and bench/realcode_grep.py: judged lines matched by line, precision, recall and F1
per kind over every true label, the misses; the broad grep's reading of credential-looking lines. No
mirrors: the lines are given inline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.external_score import Hit, Label, digest
from bench.realcode_grep import line_value
from bench.realcode_score import ALL, missed, render, score

LINES = {
    ("r/app.env", 1): "DB_PASSWORD=Zq8wPx2mLk",
    ("r/app.env", 2): "API_KEY=changeme",
    ("r/app.env", 3): "url=postgres://admin:Tr0ub4dor@db/app?sslmode=disable&user=admin",
    ("r/k.pem", 1): "-----BEGIN RSA PRIVATE KEY-----",
    ("r/Makefile", 4): "TOKEN := 9f2c81d04a7be6351f0d",
}


def line_text(path: str, line: int) -> str:
    return LINES.get((path, line), "")


def label(path: str, line: int, value: str, verdict: str, kind: str, last_line: int = 0) -> Label:
    return Label(path, line, digest(value), len(value), verdict, kind, last_line=last_line)


PASSWORD = label("r/app.env", 1, "Zq8wPx2mLk", "secret", "password")
PLACEHOLDER = label("r/app.env", 2, "changeme", "false-alarm", "generic-token")
URL = label("r/app.env", 3, "Tr0ub4dor", "secret", "connection-string")
KEY = label("r/k.pem", 1, "-----BEGIN RSA PRIVATE KEY-----", "secret", "private-key", last_line=9)
MAKE = label("r/Makefile", 4, "9f2c81d04a7be6351f0d", "secret", "generic-token")
LABELS = [PASSWORD, PLACEHOLDER, URL, KEY, MAKE]


def test_precision_recall_f1_per_kind_over_every_true_label() -> None:
    hits = [
        Hit("a", "r/app.env", 1, "Zq8wPx2mLk"),
        Hit("a", "r/app.env", 1, "Zq8wPx2mLk"),  # twice on one line: one label
        Hit("a", "r/app.env", 2, "changeme"),
        Hit("a", "r/k.pem", 5, None),  # inside the key's body
        Hit("a", "r/other.txt", 7, "x"),  # on no label
    ]
    per = score(hits, LABELS, line_text)["a"]
    overall = per[ALL]
    assert (len(overall.found), len(overall.false), len(overall.secrets), overall.unjudged) == (2, 1, 4, 1)
    assert overall.precision == pytest.approx(2 / 3)
    assert overall.recall == pytest.approx(2 / 4)
    assert overall.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert per["password"].recall == 1.0
    assert per["generic-token"].precision == 0.0  # the placeholder counts under the kind it looks like
    assert len(per["generic-token"].secrets) == 1
    assert per["connection-string"].recall == 0.0


def test_distinct_counts_a_repeated_value_once_per_repository() -> None:
    again = label("r/other.env", 5, "Zq8wPx2mLk", "secret", "password")
    hits = [Hit("a", "r/other.env", 5, None)]
    per = score(hits, [*LABELS, again], line_text, distinct=True)["a"]
    assert (len(per[ALL].secrets), len(per[ALL].found)) == (4, 1)  # one password value on two lines
    assert per["password"].recall == 1.0


def test_a_hit_anywhere_on_a_judged_line_is_on_it() -> None:
    """The whole URL, or only the user name: one judged line, one label."""
    for value in ("postgres://admin:Tr0ub4dor@db/app", "admin", None):
        per = score([Hit("t", "r/app.env", 3, value)], LABELS, line_text)["t"]
        assert per[ALL].found == {URL}


def test_a_tool_that_reported_nothing_has_a_row() -> None:
    per = score([], LABELS, line_text, tools=["quiet"])["quiet"]
    assert (len(per[ALL].secrets), per[ALL].recall, per[ALL].precision) == (4, 0.0, 1.0)


def test_missed_lists_the_true_labels_a_tool_did_not_report() -> None:
    hits = [Hit("secretscan", "r/app.env", 1, "Zq8wPx2mLk"), Hit("peer", "r/Makefile", 4, None)]
    assert missed(hits, LABELS, "secretscan", line_text) == [MAKE, URL, KEY]


def test_render_names_every_tool_and_kind() -> None:
    text = render(
        score([Hit("a", "r/app.env", 1, None), Hit("b", "r/app.env", 2, None)], LABELS, line_text), True
    )
    assert text.splitlines()[0] == "| kind | true | a | b |"
    assert "| all | 4 | 1 +0FA P1.00 R0.25 F0.40 | 0 +1FA P0.00 R0.00 F0.00 |" in text
    assert "| password | 1 |" in text
    assert text.splitlines()[-1] == "| hits on no judged line |  | 0 | 0 |"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('password = "Zq8wPx2mLk"', "Zq8wPx2mLk"),
        ("TOKEN := 9f2c81d04a7be6351f0d", "9f2c81d04a7be6351f0d"),
        ("mysql -uroot -pTr0ub4dor app", "Tr0ub4dor"),
        ("sshpass -p 'Tr0ub4dor' ssh host", "Tr0ub4dor"),
        ("redis://:Tr0ub4dor@cache:6379/0", "Tr0ub4dor"),
        ("  <password>Tr0ub4dor</password>", "Tr0ub4dor"),
        ("CREATE USER 'app'@'%' IDENTIFIED BY 'Tr0ub4dor';", "Tr0ub4dor"),
        ('headers = {"Authorization": "Bearer 9f2c81d04a7be6351f0d"}', "9f2c81d04a7be6351f0d"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", ""),
    ],
)
def test_the_broad_grep_reads_many_syntaxes(text: str, value: str) -> None:
    assert line_value(text, "", True) == value


@pytest.mark.parametrize(
    "text", ["password: ${DB_PASSWORD}", "token = '{{ vault_token }}'", "Context 'When passing parameter'"]
)
def test_the_broad_grep_skips_references_and_prose(text: str) -> None:
    assert line_value(text, "", True) is None


def test_the_broad_grep_reads_a_value_under_its_name() -> None:
    assert line_value("  <value>Tr0ub4dor</value>", "<name>javax.jdo.option.ConnectionPassword</name>", True)
