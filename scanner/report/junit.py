"""JUnit XML for CI systems that display test reports (GitLab, Jenkins, Azure Pipelines).

One testsuite; each finding is a failing testcase named after its location, classed by rule, so CI lists
every leaked secret as a failed test. A clean scan is one passing testcase (CI systems hide empty suites),
and scan errors become an erroring testcase so they are not mistaken for a clean result.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from scanner.model import Finding, ScanResult
from scanner.report import ReportContext
from scanner.report.common import char_columns, message, provenance_facts, rule_help, shown_line, summary_line

# XML 1.0 forbids most control characters even escaped; a binary file's line text may contain them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(result: ScanResult, context: ReportContext) -> str:
    suite = ET.Element(
        "testsuite",
        name=f"secretscan {result.mode} {result.target}".strip(),
        tests=str(max(1, len(result.findings)) + bool(result.errors)),
        failures=str(len(result.findings)),
        errors=str(1 if result.errors else 0),
        skipped="0",
    )
    if context.provenance is not None:  # the attributes JUnit readers show for a suite's run
        suite.set("timestamp", context.provenance.started.removesuffix("Z"))
        suite.set("time", f"{context.provenance.duration:.3f}")
    properties = ET.SubElement(suite, "properties")  # before the test cases, as the JUnit schema orders
    for label, value in provenance_facts(result, context.provenance):
        ET.SubElement(properties, "property", name=label.lower().replace(" ", "-"), value=_clean(value))
    for finding in result.findings:
        _finding_case(suite, finding, context)
    if not result.findings:
        ET.SubElement(suite, "testcase", classname="secretscan", name=f"no secrets found ({result.target})")
    if result.errors:
        case = ET.SubElement(suite, "testcase", classname="secretscan", name="scan errors")
        error = ET.SubElement(case, "error", message=f"{len(result.errors)} error(s) during the scan")
        error.text = _clean("\n".join(result.errors))
    out = ET.SubElement(suite, "system-out")
    out.text = _clean(
        summary_line(result) + "".join(f"\nskipped {s.path}: {s.reason}" for s in result.skipped)
    )
    root = ET.Element("testsuites", name="secretscan", tests=suite.get("tests", "0"))
    root.set("failures", suite.get("failures", "0"))
    root.set("errors", suite.get("errors", "0"))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _finding_case(suite: ET.Element, finding: Finding, context: ReportContext) -> None:
    show = context.show_secrets
    where = f"{finding.path}:{finding.line}:{char_columns(finding)[0]}"
    case = ET.SubElement(
        suite, "testcase", classname=finding.rule_id, name=_clean(where), file=_clean(finding.path)
    )
    case.set("line", str(finding.line))
    failure = ET.SubElement(case, "failure", type=finding.rule_id, message=_clean(message(finding, show)))
    details = [
        f"{finding.severity.upper()} {finding.rule_name} ({finding.rule_id})",
        f"confidence: {finding.confidence}",
        f"at: {where}",
        f"line: {shown_line(finding, show)}",
    ]
    if finding.commit is not None:
        c = finding.commit
        details.append(f"commit: {c.sha} by {c.author} <{c.email}> on {c.date}")
    details.append(f"remediation: {rule_help(context, finding.rule_id, finding.rule_name).remediation}")
    failure.text = _clean("\n".join(details))


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
