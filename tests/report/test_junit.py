"""JUnit XML: parsed back with ElementTree, one failing testcase per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from scanner.report import renderer
from tests.helpers.report_samples import NASTY_PATH, context, finding, sample_result


def _parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def test_one_suite_with_a_failing_case_per_finding() -> None:
    root = _parse(renderer("junit")(sample_result(), context()))
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert suite.get("tests") == "2" and suite.get("failures") == "2" and suite.get("errors") == "0"
    assert [c.get("classname") for c in cases] == ["aws-access-key-id", "aws-secret-access-key"]
    assert cases[0].get("name") == "config/creds.ini:2:21"
    assert cases[1].get("file") == NASTY_PATH  # escaped on output, intact when parsed
    assert cases[1].get("name") == f"{NASTY_PATH}:7:43"
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "aws-access-key-id"
    assert "AKIA*****" in (failure.get("message") or "")
    assert "deactivate the old key" in (failure.text or "")
    history = cases[1].find("failure")
    assert history is not None and "1111111111111111111111111111111111111111" in (history.text or "")


def test_clean_scan_is_one_passing_case_and_errors_error() -> None:
    result = sample_result("scan")
    result.findings = []
    result.errors = ["cannot read x: permission denied"]
    suite = _parse(renderer("junit")(result, context())).findall("testsuite")[0]
    cases = suite.findall("testcase")
    assert len(cases) == 2
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    error = cases[1].find("error")
    assert error is not None and "permission denied" in (error.text or "")
    assert suite.get("failures") == "0" and suite.get("errors") == "1"


def test_control_characters_still_give_well_formed_xml() -> None:
    result = sample_result("scan")
    secret = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
    result.findings = [finding("aws-secret-access-key", secret, "bin\x01.dat", f"\x00\x1bkey={secret}\x07")]
    suite = _parse(renderer("junit")(result, context())).findall("testsuite")[0]
    failure = suite.findall("testcase")[0].find("failure")
    assert failure is not None and "key=v5ZJ*****" in (failure.text or "")
