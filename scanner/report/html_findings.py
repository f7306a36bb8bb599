"""The findings section of the HTML report: one card per finding with concrete remediation steps."""

from __future__ import annotations

from html import escape

from scanner.model import Commit, Finding
from scanner.redact import redact
from scanner.report import ReportContext
from scanner.report.common import char_columns, rule_help, shown_line, verification_state

# Said after the rule's own steps: rewriting history without rotating first leaves a working leaked secret.
PURGE_HISTORY = (
    "Purge it from git history only after it is revoked: rewrite with git filter-repo --replace-text "
    "(or BFG), force-push every branch and tag, ask the hosting service to drop cached views, and have "
    "collaborators re-clone. "
    "Anyone who fetched the repository still has the old history."
)
KEEP_OUT = "Load the new credential from the environment or a secret manager instead of the code."


def badge(severity: str) -> str:
    return f'<span class="sev sev-{escape(severity)}">{escape(severity)}</span>'


def finding_section(findings: list[Finding], context: ReportContext) -> str:
    if not findings:
        return '<section id="findings"><h2>Findings</h2><p class="empty">No secrets found.</p></section>'
    cards = "\n".join(_card(i, f, context) for i, f in enumerate(findings, 1))
    return f'<section id="findings"><h2>Findings</h2>\n{cards}\n</section>'


def _card(number: int, f: Finding, context: ReportContext) -> str:
    show = context.show_secrets
    rows = [("Secret", f"<code>{escape(redact(f.secret, show))}</code>")]
    rows += [
        (name.replace("_", " ").capitalize(), f"<code>{escape(redact(value, show))}</code>")
        for name, value in f.companions
    ]
    rows += [
        ("Location", f"<code>{escape(f.path)}</code> line {f.line}, column {char_columns(f)[0]}"),
        ("Line", f"<code>{escape(shown_line(f, show))}</code>"),
        ("Commit", _commit(f.commit) if f.commit else "working tree (not attributed to a commit)"),
    ]
    status = _status(f)
    if status:
        rows.append(("Status", status))
    rows.append(("Verification", _verification(f)))
    if f.verification is not None and f.verification.next_step:
        rows.append(("Next step", f"<strong>{escape(f.verification.next_step)}</strong>"))
    if f.facts:
        rows.append(("Facts", escape(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in f.facts))))
    rows.append(("Confidence", escape(f.confidence)))
    rows.append(("Fingerprint", f"<code>{escape(f.fingerprint)}</code>"))
    fields = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        f'<article class="finding" id="finding-{number}"><h3>{badge(f.severity)} {escape(f.rule_name)} '
        f"<small>{escape(f.rule_id)}</small></h3><dl>{fields}</dl>{_remediation(f, context)}</article>"
    )


def _commit(c: Commit) -> str:
    who = escape(f"{c.author} <{c.email}>")
    text = f"<code>{escape(c.sha[:12])}</code> by {who} on {escape(c.date)}"
    return text + (f" — {escape(c.summary)}" if c.summary else "")


def _status(f: Finding) -> str:
    if f.present_at_head:
        return '<span class="alert">still present at HEAD</span>'
    if f.removed_in is not None:
        merge = f.removal_merged_in
        merged = f", merged by {_commit(merge)}" if merge is not None else ""
        return f"removed in {_commit(f.removed_in)}{merged}; still in history"
    if f.present_at_head is False:
        return "not at HEAD (only on branches or tags not merged into it); still in history"
    return ""


def _verification(f: Finding) -> str:
    state = verification_state(f)
    text = f'<span class="state state-{escape(state)}">{escape(state)}</span>'
    if f.verification is not None:
        if f.verification.reason:
            text += f" ({escape(f.verification.reason)})"
        if f.verification.details:
            text += " — " + escape(", ".join(f"{k}: {v}" for k, v in f.verification.details))
    return text


def _remediation(f: Finding, context: ReportContext) -> str:
    help_ = rule_help(context, f.rule_id, f.rule_name)
    steps = [escape(help_.remediation), escape(KEEP_OUT), escape(PURGE_HISTORY)]
    if f.commit is None and not f.present_at_head:
        steps[2] = escape("If this file was ever committed, " + PURGE_HISTORY[0].lower() + PURGE_HISTORY[1:])
    items = "".join(f"<li>{step}</li>" for step in steps)
    refs = "".join(
        f'<li><a href="{escape(ref)}" rel="noopener noreferrer">{escape(ref)}</a></li>'
        if ref.startswith("https://")
        else f"<li>{escape(ref)}</li>"
        for ref in help_.references
    )
    references = f"<p>References:</p><ul>{refs}</ul>" if refs else ""
    return f'<div class="fix"><h4>Remediation</h4><ol>{items}</ol>{references}</div>'
