"""GitHub Actions workflow commands: an annotation on each offending line of the pull request.

Format and escaping from GitHub's "Workflow commands" docs:
`::error file=F,line=L,col=C,endColumn=E,title=T::MSG`. In the message `%`, CR and LF are escaped as %25,
%0D, %0A, and in property values also `:` and `,` (%3A, %2C). Unescaped, a newline in a path or message
would end the command and let the rest of the text be read as a new command.
"""

from __future__ import annotations

from scanner.model import Finding, ScanResult
from scanner.report import ReportContext
from scanner.report.common import char_columns, message, rule_help, summary_line

# What GitHub shows of the annotations a step writes; the rest are dropped without a word (actions/toolkit,
# docs/problem-matchers.md, "Limitations": 10 of each kind per step, 50 per job).
PER_STEP = 10
PER_JOB = 50
_COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, text: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(text)}"


def render(result: ScanResult, context: ReportContext) -> str:
    lines = [_annotation(finding, context) for finding in result.findings]
    lines += [command("warning", warning) for warning in result.warnings]
    lines += [command("error", error, title="secretscan error") for error in result.errors]
    lines.append(f"secretscan: {summary_line(result)}")
    return "\n".join(lines) + "\n"


def _annotation(finding: Finding, context: ReportContext) -> str:
    start, end = char_columns(finding)
    remediation = rule_help(context, finding.rule_id, finding.rule_name).remediation
    text = f"{message(finding, context.show_secrets)}\n{remediation}"
    return command(
        _COMMAND.get(finding.severity, "warning"),
        text,
        file=finding.path,
        line=finding.line,
        endLine=finding.line,
        col=start,
        endColumn=end,
        title=f"{finding.rule_name} ({finding.severity})",
    )


def overflow(text: str) -> str | None:
    """A warning when `text` holds more annotations than GitHub shows, else None."""
    kinds = [
        line[2:].split(" ", 1)[0].split("::", 1)[0] for line in text.splitlines() if line.startswith("::")
    ]
    counts = {kind: kinds.count(kind) for kind in ("error", "warning", "notice")}
    over = {kind: n for kind, n in counts.items() if n > PER_STEP}
    if not over and sum(counts.values()) <= PER_JOB:
        return None
    listed = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    return (
        f"{listed} annotations, but GitHub shows only {PER_STEP} of each kind per step and {PER_JOB} per "
        "job and drops the rest silently: upload --format sarif with github/codeql-action/upload-sarif "
        "to see every finding (docs/ci.md)"
    )
