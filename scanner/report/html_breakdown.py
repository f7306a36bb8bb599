"""The HTML report's tables, and its breakdown of findings by month, path, author and rule: collapsed under
the first screen, for the audit rather than the verdict."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from html import escape

from scanner.model import Finding
from scanner.report.common import EPOCH, commits_of, severity_rank, utc_date
from scanner.report.html_findings import badge

NOT_HISTORY = "Not a history scan."


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """An HTML table; `headers` are plain text, cells are HTML the caller has already escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def breakdown(findings: list[Finding]) -> str:
    """Where and when, for the audit: collapsed, the first screen is for the verdict."""
    if not findings:
        return ""
    parts = [_timeline(findings), _by_path(findings), _by_author(findings), _by_rule(findings)]
    return (
        '<details class="breakdown" id="breakdown">'
        "<summary><h2>Breakdown by month, path, author and rule</h2></summary>"
        f"{''.join(parts)}</details>"
    )


def _by_rule(findings: list[Finding]) -> str:
    rules: Counter[tuple[str, str, str]] = Counter((f.rule_id, f.rule_name, f.severity) for f in findings)
    rows = [
        (f"{escape(name)}<br><small>{escape(rule_id)}</small>", badge(severity), str(count))
        for (rule_id, name, severity), count in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return (
        f'<section id="rules"><h3>By rule</h3>{table(["Rule", "Severity", "Findings"], rows, [2])}</section>'
    )


def _timeline(findings: list[Finding]) -> str:
    head = '<section id="timeline"><h3>When secrets entered history</h3>'
    dated = [f for f in findings if f.commit is not None]
    if not dated:
        return (
            head
            + f'<p class="empty">{NOT_HISTORY} These findings come from files, not commits.</p></section>'
        )
    months: Counter[str] = Counter()
    for f in dated:
        assert f.commit is not None  # filtered above; narrows the type for mypy
        when = utc_date(f.commit.date)
        months[when.strftime("%Y-%m") if when else "unknown date"] += 1
    peak = max(months.values())
    bars = "".join(
        f'<div class="bar"><span class="label">{escape(month)}</span>'
        f'<span class="fill" style="width:{max(2, round(60 * n / peak))}%"></span>'
        f'<span class="count">{n}</span></div>'
        for month, n in sorted(months.items())
    )
    per_commit: dict[str, list[Finding]] = defaultdict(list)
    for f in dated:
        assert f.commit is not None
        per_commit[f.commit.sha].append(f)
    rows = []
    for commit in commits_of(dated):
        introduced = per_commit[commit.sha]
        rules = ", ".join(sorted({escape(f.rule_name) for f in introduced}))
        rows.append(
            (
                f'<span class="date">{escape(commit.date[:10])}</span>',
                f"<code>{escape(commit.sha[:12])}</code>",
                escape(f"{commit.author} <{commit.email}>"),
                escape(commit.summary),
                rules,
                str(len(introduced)),
            )
        )
    headers = ["Date", "Commit", "Author", "Summary", "Secrets", "Findings"]
    return head + f'<div class="bars">{bars}</div>' + table(headers, rows, [5]) + "</section>"


def _by_path(findings: list[Finding]) -> str:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.path].append(f)
    rows = []
    for path, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        worst = min(items, key=lambda f: severity_rank(f.severity)).severity
        rules = ", ".join(sorted({escape(f.rule_name) for f in items}))
        rows.append((f"<code>{escape(path)}</code>", badge(worst), rules, str(len(items))))
    return (
        '<section id="paths"><h3>By path</h3>'
        + (table(["Path", "Worst", "Rules", "Findings"], rows, [3]) if rows else '<p class="empty">None.</p>')
        + "</section>"
    )


def _by_author(findings: list[Finding]) -> str:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in findings:
        if f.commit is not None:
            groups[(f.commit.author, f.commit.email)].append(f.commit.date)
    head = '<section id="authors"><h3>By author</h3>'
    if not groups:
        return (
            head + f'<p class="empty">{NOT_HISTORY} No commit authors to attribute findings to.</p></section>'
        )
    rows = []
    for (author, email), dates in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ordered = sorted(dates, key=lambda d: utc_date(d) or EPOCH)
        rows.append((escape(author), escape(email), escape(ordered[0]), escape(ordered[-1]), str(len(dates))))
    return head + table(["Author", "Email", "First", "Last", "Findings"], rows, [4]) + "</section>"
