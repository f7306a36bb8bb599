"""Markdown summary: a table that stays a table, with nothing from the scanned content interpreted."""

from __future__ import annotations

from scanner.report import renderer
from scanner.report.markdown import MAX_ROWS, escape
from tests.helpers.report_samples import KEY_ID, context, finding, sample_result


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| critical |") and "Aws" in line]


def _cells(row: str) -> list[str]:
    """Split a table row on unescaped pipes, the way GitHub's table parser does."""
    cells, current, i = [], "", 0
    while i < len(row):
        if row[i] == "\\" and i + 1 < len(row):
            current += row[i : i + 2]
            i += 2
            continue
        if row[i] == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += row[i]
        i += 1
    return cells[1:]


def test_summary_and_one_row_per_finding() -> None:
    text = renderer("markdown")(sample_result(), context())
    assert text.startswith("### :rotating_light: secretscan: 2 findings (2 critical)")
    rows = _rows(text)
    assert len(rows) == 2
    assert all(len(_cells(row)) == 6 for row in rows)  # the '|' in the nasty path is escaped
    assert "AKIA\\*\\*\\*\\*\\*" in rows[0]
    assert "1111111111 Alice &lt;Admin&gt;" in rows[1]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<details><summary>How to fix</summary>" in text
    assert "deactivate the old key" in text
    assert "_Secrets are redacted._" in text


def test_clean_scan() -> None:
    result = sample_result("scan")
    result.findings, result.warnings = [], []
    text = renderer("markdown")(result, context())
    assert text.startswith("### :white_check_mark: secretscan: no findings")
    assert "| Severity |" not in text


def test_table_is_capped() -> None:
    result = sample_result("scan")
    result.findings = [
        finding("aws-access-key-id", KEY_ID, f"f{i}.ini", f"id = {KEY_ID}", severity="critical")
        for i in range(MAX_ROWS + 5)
    ]
    text = renderer("markdown")(result, context())
    assert len(_rows(text)) == MAX_ROWS
    assert "and 5 more" in text


def test_escape() -> None:
    assert escape("a|b*c_d`e[f](g)<h>&") == "a\\|b\\*c\\_d\\`e\\[f\\]\\(g\\)&lt;h&gt;&amp;"
    assert escape("two\nlines") == "two lines"
