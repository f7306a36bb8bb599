"""The secrets of the HTML report: one collapsible row per secret with every place it appears, what the
verification said and the concrete remediation (issue 18 §2). Baselined secrets show the same way, labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from scanner.model import Commit, Finding, Triaged, secret_identity
from scanner.redact import redact
from scanner.report import ReportContext
from scanner.report.common import (
    EPOCH,
    char_columns,
    rule_help,
    severity_rank,
    shown_line,
    shown_secret,
    utc_date,
    verification_state,
)

# Said after the rule's own steps: rewriting history without rotating first leaves a working leaked secret.
PURGE_HISTORY = (
    "Purge it from git history only after it is revoked: rewrite with git filter-repo --replace-text "
    "(or BFG), force-push every branch and tag, ask the hosting service to drop cached views, and have "
    "collaborators re-clone. "
    "Anyone who fetched the repository still has the old history."
)
KEEP_OUT = "Load the new credential from the environment or a secret manager instead of the code."

# Verification states as a responder reads them: can the secret still be used?
LIVENESS: dict[str, str] = {
    "active": "live",
    "unknown": "possibly live",
    "foreign-account": "possibly live",
    "invalid": "dead",
    "inactive": "dead",
    "not-found": "dead",
    "canary": "canary",
    "not-checked": "not verified",
}
LIVENESS_ORDER = ("live", "possibly live", "not verified", "canary", "dead")


def liveness(finding: Finding) -> str:
    return LIVENESS.get(verification_state(finding), "not verified")


@dataclass(frozen=True, slots=True)
class Secret:
    """One secret and every place it appears (findings of one value, most severe first)."""

    places: tuple[Finding, ...]
    label: str = ""  # the baseline's triage label when the secret is triaged ("unlabelled" without one)
    note: str = ""

    @property
    def first(self) -> Finding:
        return self.places[0]

    @property
    def place_count(self) -> int:
        return len(self.places) + sum(len(f.also_at) for f in self.places)

    @property
    def liveness(self) -> str:
        return min((liveness(f) for f in self.places), key=LIVENESS_ORDER.index)

    @property
    def exposure(self) -> str:
        """`at HEAD` when any place still holds it, `history only` when every place was removed (or lives
        on other branches), "" for files not from history."""
        if any(f.present_at_head for f in self.places):
            return "at HEAD"
        if any(f.present_at_head is False or f.removed_in is not None for f in self.places):
            return "history only"
        return ""

    @property
    def introduced(self) -> Commit | None:
        """The oldest commit that brought the secret in, if any place came from history."""
        commits = [f.commit for f in self.places if f.commit is not None]
        return min(commits, key=lambda c: utc_date(c.date) or EPOCH) if commits else None


def group(findings: Sequence[Finding], triaged: Sequence[Triaged] = ()) -> list[Secret]:
    """Findings grouped by secret value (whitespace aside), worst first: severity, liveness, age."""
    places: dict[str, list[Finding]] = {}
    labels: dict[str, tuple[str, str]] = {}
    for finding in findings:
        places.setdefault(secret_identity(finding.secret), []).append(finding)
    for item in triaged:
        key = secret_identity(item.finding.secret)
        places.setdefault(key, []).append(item.finding)
        labels.setdefault(key, (item.label or "unlabelled", item.note))
    secrets = [
        Secret(
            tuple(sorted(found, key=lambda f: (severity_rank(f.severity), f.path, f.line))),
            *labels.get(key, ("", "")),
        )
        for key, found in places.items()
    ]
    return sorted(secrets, key=_order)


def _order(secret: Secret) -> tuple[int, int, object, str]:
    introduced = secret.introduced
    when = (utc_date(introduced.date) or EPOCH) if introduced is not None else EPOCH
    level = LIVENESS_ORDER.index(secret.liveness)
    return severity_rank(secret.first.severity), level, when, secret.first.path


def badge(severity: str) -> str:
    return f'<span class="sev sev-{escape(severity)}">{escape(severity)}</span>'


def pill(kind: str, text: str) -> str:
    return f'<span class="pill pill-{escape(kind.replace(" ", "-"))}">{escape(text)}</span>'


def secrets_section(
    section: str, title: str, secrets: list[Secret], context: ReportContext, empty: str
) -> str:
    if not secrets:
        return (
            f'<section id="{section}"><h2>{escape(title)}</h2><p class="empty">{escape(empty)}</p></section>'
        )
    rows = "\n".join(_row(f"{section}-{i}", s, context) for i, s in enumerate(secrets, 1))
    return (
        f'<section id="{section}"><h2>{escape(title)} <small>{len(secrets)}</small></h2>'
        f'<div class="secrets">\n{rows}\n</div></section>'
    )


def _row(anchor: str, secret: Secret, context: ReportContext) -> str:
    f = secret.first
    show = context.show_secrets
    introduced = secret.introduced
    where = f"{secret.place_count} places" if secret.place_count > 1 else f"{f.path}:{f.line}"
    since = escape(introduced.date[:10]) if introduced is not None else "working tree"
    tags = pill(secret.liveness, secret.liveness)
    if secret.exposure:
        tags += " " + pill(secret.exposure, secret.exposure)
    if secret.label:
        tags = pill("triage", secret.label) + " " + tags
    summary = (
        f'<summary>{badge(f.severity)}<span class="what"><b>{escape(f.rule_name)}</b> '
        f"<code>{escape(redact(f.secret, show))}</code></span>"
        f'<span class="tags">{tags}</span><span class="where">{escape(where)}</span>'
        f'<span class="since">{since}</span></summary>'
    )
    body = f'<div class="body">{_body(secret, context)}</div>'
    return f'<details class="secret" id="{anchor}">{summary}{body}</details>'


def _body(secret: Secret, context: ReportContext) -> str:
    f = secret.first
    show = context.show_secrets
    facts = [("Secret", f"<code>{escape(shown_secret(f, show))}</code>")]
    if secret.label:
        note = f" — {escape(secret.note)}" if secret.note else ""
        facts.append(("Triage", f"{pill('triage', secret.label)}{note} (from the baseline)"))
    facts.append(("Line", f"<code>{escape(shown_line(f, show))}</code>"))
    facts.append(("Verification", _verification(f)))
    if f.verification is not None and f.verification.next_step:
        facts.append(("Next step", f"<strong>{escape(f.verification.next_step)}</strong>"))
    if f.facts:
        facts.append(("Facts", escape(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in f.facts))))
    facts.append(("Rule", f"{escape(f.rule_id)}, confidence {escape(f.confidence)}"))
    fields = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts)
    return f"<dl>{fields}</dl>{_places(secret)}{_remediation(f, context)}"


def _places(secret: Secret) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(f.path)}</code>:{f.line}:{char_columns(f)[0]}</td>"
        f"<td>{_commit(f.commit) if f.commit else 'working tree'}</td><td>{_status(f)}</td></tr>"
        + "".join(
            f'<tr><td><code>{escape(path)}</code></td><td colspan="2">committed here too</td></tr>'
            for path in f.also_at
        )
        for f in secret.places
    )
    return (
        '<table class="places"><thead><tr><th>Where</th><th>Introduced by</th><th>Now</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _commit(c: Commit) -> str:
    who = escape(f"{c.author} <{c.email}>")
    text = f"<code>{escape(c.sha[:12])}</code> {who}, {escape(c.date[:10])}"
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
    return "in the files scanned"


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
    """The rule's own steps; what every secret needs besides (keep it out, purge history) is said once,
    after the list (fix_section)."""
    help_ = rule_help(context, f.rule_id, f.rule_name)
    refs = " ".join(
        f'<a href="{escape(ref)}" rel="noopener noreferrer">{escape(ref)}</a>'
        if ref.startswith("https://")
        else escape(ref)
        for ref in help_.references
    )
    references = f'<p class="refs">References: {refs}</p>' if refs else ""
    return f'<div class="fix"><b>Remediation:</b> {escape(help_.remediation)}{references}</div>'


def fix_section(findings: Sequence[Finding]) -> str:
    """The steps every secret needs after its rule's own: said once rather than under each secret."""
    if not findings:
        return ""
    purge = PURGE_HISTORY
    if all(f.commit is None and not f.present_at_head for f in findings):
        purge = "If these files were ever committed, " + PURGE_HISTORY[0].lower() + PURGE_HISTORY[1:]
    steps = [
        "Revoke or rotate each secret first, with the steps under it: until then it works for anyone who "
        "has a copy.",
        KEEP_OUT,
        purge,
    ]
    items = "".join(f"<li>{escape(step)}</li>" for step in steps)
    return f'<section id="fix"><h2>For every secret</h2><ol>{items}</ol></section>'
