"""A single self-contained HTML audit report: one file an auditor can hand on, that opens offline.

No scripts, no external assets, and a Content-Security-Policy that forbids every network load, so opening
the report never reaches anything. Every piece of scanned content is HTML-escaped; secrets are redacted
unless --show-secrets. The first screen says how bad it is (issue 18 §2): open secrets by severity and by
liveness, the oldest exposure, who to ask, and how the scan was made; then one collapsible row per secret
(html_findings.py), the secrets the baseline triaged, labelled, and a collapsed breakdown by month, path and
author. Printed, every row opens (html_style.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from scanner.model import ScanResult, suppressed_note
from scanner.redact import redact
from scanner.report import ReportContext
from scanner.report.common import (
    EPOCH,
    provenance_facts,
    repository_line,
    severity_rank,
    utc_date,
)
from scanner.report.html_breakdown import NOT_HISTORY, breakdown, table
from scanner.report.html_findings import LIVENESS_ORDER, Secret, badge, fix_section, group, secrets_section
from scanner.report.html_style import CSS

_PEOPLE_SHOWN = 6  # who to ask, on the first screen; the rest one click away
# What each kind of scan read, as the header names it.
_MODES = {
    "scan": "folder scan",
    "history": "history audit",
    "diff": "diff scan",
    "staged": "staged changes",
    "pre-receive": "pushed commits",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render(result: ScanResult, context: ReportContext) -> str:
    findings = sorted(result.findings, key=lambda f: (severity_rank(f.severity), f.path, f.line, f.column))
    secrets = group(findings)
    triaged = group([], result.triaged)
    body = [
        _header(result, context, secrets),
        _overview(result, context, secrets, triaged),
        secrets_section("secrets", "Secrets", secrets, context, "No secrets found."),
        fix_section(findings),
        secrets_section("triaged", "Triaged in the baseline", triaged, context, "") if triaged else "",
        breakdown(findings),
        _dropped(result, context),
        _notes(result),
    ]
    title = escape(f"secretscan report: {repository_line(context.provenance, result.target)}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main>\n</body>\n</html>\n"
    )


def _header(result: ScanResult, context: ReportContext, secrets: list[Secret]) -> str:
    redaction = "Secrets are shown in full." if context.show_secrets else "Secrets are redacted."
    where = escape(repository_line(context.provenance, result.target))
    return (
        f'<header><h1>Secret scan report</h1><p class="meta"><code>{where}</code> · '
        f"{escape(_MODES.get(result.mode, result.mode))} · {redaction}</p>"
        f"{_verdict(secrets, context, result.suppressed)}</header>"
    )


def _verdict(secrets: list[Secret], context: ReportContext, suppressed: dict[str, int]) -> str:
    """One sentence: how many secrets, how severe, whether any is known to work; and what exceptions let
    through (issue 15 §2)."""
    note = suppressed_note(suppressed)
    tail = f' <span class="note">({escape(note)})</span>' if note else ""
    if not secrets:
        return f'<p class="verdict verdict-clean">No secrets found.{tail}</p>'
    severities = Counter(s.first.severity for s in secrets)
    worst = ", ".join(
        f"{n} {sev}" for sev, n in sorted(severities.items(), key=lambda kv: severity_rank(kv[0]))
    )
    alive = Counter(s.liveness for s in secrets)
    if alive["live"]:
        state = f"{alive['live']} verified live: rotate now."
    elif alive["possibly live"]:
        state = f"{alive['possibly live']} possibly live: treat as live until checked."
    elif _verified(context):
        state = "None verified live."
    else:
        state = "Not verified: treat every one as live (secretscan --verify checks AWS keys)."
    noun = "secret" if len(secrets) == 1 else "secrets"
    level = "bad" if severities["critical"] or alive["live"] else "warn"
    return (
        f'<p class="verdict verdict-{level}">{len(secrets)} {noun} found ({worst}). {escape(state)}{tail}</p>'
    )


def _verified(context: ReportContext) -> bool:
    return context.provenance is not None and context.provenance.verification not in ("off", "dry-run")


def _overview(
    result: ScanResult, context: ReportContext, secrets: list[Secret], triaged: list[Secret]
) -> str:
    places = sum(s.place_count for s in secrets)
    where = f"in {places} place{'s' if places != 1 else ''}" if places else ""
    cards = [("Secrets", str(len(secrets)), where, "")]
    severities = Counter(s.first.severity for s in secrets)
    cards += [
        (sev.capitalize(), str(n), "", f"c-{sev}")
        for sev, n in sorted(severities.items(), key=lambda kv: severity_rank(kv[0]))
    ]
    alive = Counter(s.liveness for s in secrets)
    cards += [
        (state.capitalize(), str(alive[state]), "", f"c-{state.replace(' ', '-')}")
        for state in LIVENESS_ORDER
        if alive[state]
    ]
    cards.append(("Oldest exposure", *_oldest(secrets, context), ""))
    if triaged:
        labels = Counter(s.label for s in triaged)
        cards.append(
            ("Triaged", str(len(triaged)), ", ".join(f"{n} {label}" for label, n in labels.most_common()), "")
        )
    card_html = "".join(
        f'<div class="card {cls}"><b>{escape(value)}</b><span>{escape(label)}</span>'
        + (f"<small>{escape(sub)}</small>" if sub else "")
        + "</div>"
        for label, value, sub, cls in cards
    )
    facts = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in provenance_facts(result, context.provenance)
    )
    return (
        f'<section id="overview"><div class="cards">{card_html}</div><div class="split">'
        f"<div><h2>Who to ask</h2>{_who(secrets)}</div>"
        f'<div><h2>How this scan was made</h2><dl class="provenance">{facts}</dl></div>'
        "</div></section>"
    )


def _oldest(secrets: list[Secret], context: ReportContext) -> tuple[str, str]:
    """The date the oldest open secret entered history, and how long ago that was."""
    dates = [
        d for s in secrets if s.introduced is not None and (d := utc_date(s.introduced.date)) is not None
    ]
    if not dates:
        return "—", "no commit dates (not a history scan)" if secrets else "nothing exposed"
    oldest = min(dates)
    now = utc_date(context.provenance.started) if context.provenance is not None else None
    ago = f"{(now - oldest).days} days ago" if now is not None else ""
    return oldest.strftime("%Y-%m-%d"), ago


def _who(secrets: list[Secret]) -> str:
    """The authors of the commits that introduced the secrets: the people who know where each one is used."""
    if not secrets:
        return '<p class="empty">Nobody: nothing was found.</p>'
    people: dict[tuple[str, str], list[Secret]] = defaultdict(list)
    for secret in secrets:
        if secret.introduced is not None:
            people[(secret.introduced.author, secret.introduced.email)].append(secret)
    if not people:
        hint = "<code>secretscan history</code> names who introduced each secret."
        return f'<p class="empty">{NOT_HISTORY} {hint}</p>'
    rows = []
    for (author, email), owned in sorted(people.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        worst = min(owned, key=lambda s: severity_rank(s.first.severity)).first.severity
        latest = max(
            (s.introduced.date for s in owned if s.introduced is not None), key=lambda d: utc_date(d) or EPOCH
        )
        rows.append(
            (
                f"{escape(author)}<br><small>{escape(email)}</small>",
                badge(worst),
                str(len(owned)),
                f'<span class="date">{escape(latest[:10])}</span>',
            )
        )
    headers = ["Author", "Worst", "Secrets", "Latest"]
    shown = table(headers, rows[:_PEOPLE_SHOWN], [2])
    if len(rows) <= _PEOPLE_SHOWN:
        return shown
    more = len(rows) - _PEOPLE_SHOWN  # a long history has dozens of authors: the first screen keeps the top
    return (
        f'{shown}<details class="more"><summary>{more} more</summary>'
        f"{table(headers, rows[_PEOPLE_SHOWN:], [2])}</details>"
    )


def _dropped(result: ScanResult, context: ReportContext) -> str:
    """With --explain: candidates that matched a pattern but were not reported, and why."""
    if not context.explain or not result.dropped:
        return ""
    rows = [
        (
            f"<code>{escape(f'{d.origin.path}:{d.line}:{d.column}')}</code>",
            escape(d.rule_id),
            f"<code>{escape(redact(d.secret, context.show_secrets))}</code>",
            escape(d.reason),
            escape(d.detail),
        )
        for d in result.dropped
    ]
    headers = ["Location", "Rule", "Candidate", "Reason", "Detail"]
    return f'<section id="dropped"><h2>Dropped candidates</h2>{table(headers, rows)}</section>'


def _notes(result: ScanResult) -> str:
    items = [f"<li>error: {escape(e)}</li>" for e in result.errors]
    items += [f"<li>warning: {escape(w)}</li>" for w in result.warnings]
    if result.skipped:  # a history can skip thousands of binaries: counted on the first screen, listed here
        skipped = "".join(
            f"<li><code>{escape(s.path)}</code>: {escape(s.reason)}</li>" for s in result.skipped
        )
        items.append(
            f"<li><details><summary>{len(result.skipped)} skipped (not scanned)</summary><ul>{skipped}</ul>"
            "</details></li>"
        )
    if not items:
        return ""
    return f'<section id="notes"><h2>Scan notes</h2><ul>{"".join(items)}</ul></section>'
