"""Reporters: one module per format, each a function (ScanResult, ReportContext) → text.

Every reporter redacts secrets unless `context.show_secrets`; tests check each format for raw secrets.
Formats are imported lazily so the pre-commit path only loads the one it prints.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from scanner.model import ScanResult
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


Renderer = Callable[[ScanResult, ReportContext], str]


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"scanner.report.{FORMATS[name]}")
    render: Renderer = module.render
    if name in ("json", "jsonl"):  # JSON escapes what it must itself, and keeps names exact
        return render
    from scanner.report.printable import printable_result

    # Paths, authors and errors are data: escaped before any other format prints them (issue 14 §1).
    keep_lines = name == "github"  # escapes CR and LF its own way, and must name a file exactly
    return lambda result, context: render(printable_result(result, keep_lines), context)
