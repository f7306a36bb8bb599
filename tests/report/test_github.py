"""GitHub workflow commands: one annotation line per finding, escaped so nothing can break out of it."""

from __future__ import annotations

import re

from scanner.report import renderer
from scanner.report.github import command
from tests.helpers.report_samples import NASTY_PATH, context, finding, sample_result

_COMMAND = re.compile(r"^::(?P<name>\w+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = _COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
    return match["name"], {k: _unescape(v) for k, v in props.items()}, _unescape(match["message"])


def test_annotation_per_finding_with_location() -> None:
    lines = renderer("github")(sample_result(), context()).splitlines()
    name, props, message = _parse(lines[0])
    assert name == "error"
    assert props == {
        "file": "config/creds.ini",
        "line": "2",
        "endLine": "2",
        "col": "21",
        "endColumn": "41",
        "title": "Aws access key id (critical)",
    }
    assert message.startswith("Aws access key id: AKIA***** + secret access key v5ZJ*****\n")
    assert "deactivate the old key" in message
    assert lines[-1] == "secretscan: 2 findings (2 critical)"


def test_special_characters_round_trip() -> None:
    lines = renderer("github")(sample_result(), context()).splitlines()
    _, props, _ = _parse(lines[1])
    assert props["file"] == NASTY_PATH  # ',' ':' '%' escaped, restored by the runner
    assert props["col"] == "43"  # characters, not bytes
    name, props, message = _parse(lines[2])
    assert name == "warning" and message == "a warning, with: 100% odd\ncharacters"


def test_newline_in_path_cannot_start_a_new_command() -> None:
    result = sample_result("scan")
    secret = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"
    path = "x\n::error file=evil::injected\r.txt"
    result.findings = [finding("aws-secret-access-key", secret, path, f"key={secret}", severity="medium")]
    result.warnings = []
    lines = renderer("github")(result, context()).splitlines()
    assert len(lines) == 2 and all(not line.startswith("::error file=evil") for line in lines)
    name, props, _ = _parse(lines[0])
    assert name == "warning" and props["file"] == path


def test_command_escapes_data_and_properties() -> None:
    assert command("notice", "50%\r\ndone", title="a,b:c") == "::notice title=a%2Cb%3Ac::50%25%0D%0Adone"
    assert command("error", "plain") == "::error::plain"


def test_overflow_warns_past_what_github_shows() -> None:
    from scanner.report.github import PER_STEP, overflow

    def lines(errors: int, warnings: int = 0, notices: int = 0) -> str:
        kinds = ["error"] * errors + ["warning"] * warnings + ["notice"] * notices
        return (
            "\n".join(command(kind, "found", file="a.py", line=1) for kind in kinds) + "\nsecretscan: done\n"
        )

    assert overflow(lines(PER_STEP, PER_STEP, PER_STEP)) is None
    too_many = overflow(lines(PER_STEP + 1))
    assert too_many is not None and "11 error" in too_many and "--format sarif" in too_many
    assert overflow(lines(0, PER_STEP + 1)) is not None
