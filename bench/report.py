"""Render benchmark rows as a Markdown table (for the README) and as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Row:
    work: str  # "tree", "history", "staged"
    tool: str
    kind: str  # "secretscan", "peer", "floor"
    version: str
    wall: float | None  # median seconds; None when the work was not run
    timed_out: bool = False
    peak_kb: int | None = None
    findings: int | None = None
    mb: float | None = None  # input size in MB (the same for every tool of a work)
    note: str = ""
    runs: int = 0
    planted: str = ""  # "found/planted[, N decoys]" on the synthetic repository
    cpu: float | None = None  # median user + system seconds, children included
    pss_kb: int | None = None  # peak summed PSS: pages shared between the tool's processes counted once


WORK_TITLES = {"tree": "working tree", "history": "full history", "staged": "staged one-file commit"}


def _seconds(row: Row) -> str:
    if row.wall is None:
        return "—"
    if row.timed_out:
        return f"> {row.wall:.0f} s"
    return f"{row.wall * 1000:.0f} ms" if row.wall < 1 else f"{row.wall:.2f} s"


def _rate(row: Row) -> str:
    if row.wall is None or not row.mb or row.work == "staged":
        return "—"
    rate = row.mb / row.wall
    return f"< {rate:.1f}" if row.timed_out else f"{rate:.0f}" if rate >= 10 else f"{rate:.1f}"


def _ratio(row: Row, ours: Row | None) -> str:
    """secretscan's time divided by this tool's: below 1, secretscan is faster."""
    if ours is None or ours.wall is None or ours.timed_out or row.wall is None or row is ours:
        return "1.00" if row is ours and row.wall is not None else "—"
    value = ours.wall / row.wall
    return f"< {value:.2f}" if row.timed_out else f"{value:.2f}"


def _cpu(row: Row) -> str:
    if row.cpu is None or row.wall is None or row.timed_out:
        return "—"
    return f"{row.cpu * 1000:.0f} ms" if row.cpu < 1 else f"{row.cpu:.1f} s"


def _memory(row: Row) -> str:
    rss = "—" if row.peak_kb is None else f"{row.peak_kb / 1024:.0f} MB"
    return rss if row.pss_kb is None else f"{rss} ({row.pss_kb / 1024:.0f})"


def _findings(row: Row) -> str:
    if row.kind == "floor" or row.wall is None or row.timed_out:
        return "—"
    return "?" if row.findings is None else str(row.findings)


def markdown(rows: list[Row]) -> str:
    lines = [
        "| work | tool | wall (median) | CPU (median) | MB/s | peak RSS (PSS) | findings | planted found | secretscan ÷ tool |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for work in WORK_TITLES:
        of_work = [r for r in rows if r.work == work]
        ours = next((r for r in of_work if r.kind == "secretscan"), None)
        for row in of_work:
            name = f"{row.tool} {row.version}".strip()
            cells = [
                WORK_TITLES[work],
                name,
                _seconds(row) if row.wall is not None else f"— ({row.note})",
                _cpu(row),
                _rate(row),
                _memory(row),
                _findings(row),
                row.planted or "—",
                _ratio(row, ours),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_json(rows: list[Row], context: dict[str, object]) -> str:
    return json.dumps({"context": context, "rows": [asdict(r) for r in rows]}, indent=2) + "\n"
