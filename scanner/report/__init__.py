"""Reporters: one module per format, each a function (ScanResult, ReportContext) → text.

Every reporter redacts secrets unless `context.show_secrets`; tests check each format for raw secrets.
Formats are imported lazily so the pre-commit path only loads the one it prints.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.model import Provenance, ScanResult

if TYPE_CHECKING:  # the rule set loads after the command line is read: the hook's search starts first
    from scanner.rules import Rule

# format name → module under scanner.report defining `render(result, context) -> str`
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "jsonl": "jsonl",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
}


@dataclass(frozen=True, slots=True)
class ReportContext:
    show_secrets: bool = False
    color: bool = False
    rules: Mapping[str, Rule] = field(default_factory=dict)
    tool_version: str = ""
    explain: bool = False
    hints: tuple[str, ...] = ()  # how to proceed, printed by the text reporter after findings (hook mode)
    provenance: Provenance | None = None  # how the report was made (issue 18 §1); None in unit tests


Renderer = Callable[[ScanResult, ReportContext], str]


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"scanner.report.{FORMATS[name]}")
    render: Renderer = module.render
    from scanner.report.printable import hidden_summaries, printable_context, printable_result

    # Paths, authors and errors are data: escaped before any format but JSON, which escapes what it must
    # itself and keeps names exact, prints them (issue 14 §1). GitHub escapes CR and LF its own way, and
    # must name a file exactly.
    escape = name not in ("json", "jsonl")
    keep_lines = name == "github"

    def safe(result: ScanResult, context: ReportContext) -> str:
        if not context.show_secrets:  # a secret in a commit subject is printed in every commit's summary
            result = hidden_summaries(result)
        if not escape:
            return render(result, context)
        return render(printable_result(result, keep_lines), printable_context(context, keep_lines))

    return safe
