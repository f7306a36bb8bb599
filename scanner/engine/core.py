"""Bytes in, findings out. Pure: no I/O, no global state.

Pipeline per blob: the matcher nominates rules (Hyperscan or keyword prefilter) → keywords → the rule's `re`
from where the matcher said → secret group → entropy → validator → allowlists → inline marker. Then
AWS key ids are paired with nearby secret keys and session tokens (pairing.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from scanner import __version__
from scanner.engine import budget, decode
from scanner.engine.anchors import LineMemo, anchored_secrets, matches_near
from scanner.engine.facts import PatternFacts
from scanner.engine.leads import Lead, lead_matches
from scanner.engine.lines import LineIndex
from scanner.engine.matcher import (
    KUBE_SECRET,
    SIGNAL_KEYS,
    Hits,
    Matcher,
    Nominations,
    make_matcher,
)
from scanner.engine.pairing import pair_aws_credentials, without_companion_copies
from scanner.model import Blob, Dropped, DropReason, Finding, Origin
from scanner.patterns import compiled
from scanner.rules import Allowlist, Rule, allowlist_key, builtin_rules_dir, rules_hash
from scanner.validators import VALIDATORS, Verdict
from scanner.validators.generic import is_password_digest
from scanner.validators.randomness import shannon_entropy

# Inline markers: ours, and those of the tools users migrate from (gitleaks, detect-secrets).
ALLOW_MARKERS = (b"secretscan:allow", b"gitleaks:allow", b"pragma: allowlist secret")
NEXT_LINE_MARKER = b"pragma: allowlist nextline secret"
_MAX_LINE_TEXT = 400
# A lead this short is frequent, and finding it (in the blob's lowered copy when caseless) would cost as much
# as a plain search.
_LEAD_SHORTEST = 3
_VERDICTS_KEPT = 100_000  # values remembered by the judge memo (a few MB at most), then it starts afresh
_CONF_RANK = {"high": 0, "medium": 1, "low": 2}
_SEV_RANK = {
    "critical": 0,
    "high": 1,
    "medium": 2,
    "low": 3,
    "info": 4,
}  # characters of context kept around a secret on very long (minified) lines


@dataclass(slots=True)
class ScanOutcome:
    findings: list[Finding] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    error: str = ""  # set when scanning this blob failed: reported, and the scan goes on
    kube_secret: bool = False  # the text says `kind: Secret` (its base64 values are decoded)
    # Where the matcher saw each of decode.TEXT_SIGNALS end first (None: it did not look); used by decode.
    signals: dict[str, int] | None = field(default=None, repr=False)
    # Whether the path took part in the verdict (a path allowlist was consulted, or a manifest's suffix chose
    # what to decode): such an outcome holds for its own path only, never for a copy elsewhere (issue 14 §2).
    path_dependent: bool = False
    path_allowlisted: bool = False  # a candidate was dropped by a path allowlist
    # Every candidate value and its offset, reported or dropped: each finding's line context hides its
    # neighbours. Their lines are looked up only when the blob has a finding.
    candidates: list[tuple[int, str]] = field(default_factory=list, repr=False)
    # Rules that gave up on this blob (their time budget ran out): named in the report's errors, while the
    # other rules' findings in it stand.
    rule_errors: list[str] = field(default_factory=list)


def fingerprint(rule_id: str, secret: str, path: str, key: bytes = b"") -> str:
    """Stable identity of a finding: rule + hash of the secret + path; no line number, so edits keep it.
    Reports show it keyed (filters.fingerprint): unkeyed, it would confirm a guessed secret."""
    digest = hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()
    # A path that is not UTF-8 is surrogate-escaped: encoded back to its bytes (issue 14 §1).
    material = f"{rule_id}\0{digest}\0{path}".encode("utf-8", "surrogateescape")
    keyed = hmac.new(key, material, hashlib.sha256) if key else hashlib.sha256(material)
    return keyed.hexdigest()[:32]


def relocate(finding: Finding, origin: Origin) -> Finding:
    """The same finding at another place (a duplicate file, the commit that introduced it): the origin
    changes, and with it the fingerprint, which includes the path."""
    return dataclasses.replace(
        finding, origin=origin, fingerprint=fingerprint(finding.rule_id, finding.secret, origin.path)
    )


class Engine:
    """Compiled rules plus the global allowlist. Build once, scan many blobs; picklable for workers."""

    def __init__(
        self,
        rules: Sequence[Rule],
        allowlist: Allowlist | None = None,
        backend: str = "auto",
        inline_allow: bool = True,
    ) -> None:
        self.rules = list(rules)
        self.allowlist = allowlist or Allowlist()
        # False (--no-inline-allow): markers suppress nothing, so a CI gate refuses self-granted exceptions.
        self.inline_allow = inline_allow
        self.rules_digest = rules_hash(self.rules)  # reports name it too (pipeline.provenance)
        # What a verdict depends on besides the blob: keys the result cache, so any change of it is a miss.
        key = json.dumps(
            [
                __version__,
                self.rules_digest,
                allowlist_key(self.allowlist),
                "markers" if inline_allow else "",
            ]
        )
        self.digest = hashlib.sha256(key.encode()).hexdigest()
        # (rule, value) -> what the value alone says. A history holds each file in many versions, so the same
        # candidates come again and again: the generic judge, the costliest check, then runs once per value.
        self._verdicts: dict[tuple[str, str], tuple[tuple[DropReason, str] | None, Verdict | None]] = {}
        self._lines: LineMemo = {}  # likewise, the lines one-line rules searched (anchors.py)
        self.matcher: Matcher = make_matcher(self.rules, backend)
        self._keywords = [tuple(k.encode() for k in r.keywords) for r in self.rules]
        # Each rule's compiled pattern, the literal its every match begins with (leads.py), how long its match
        # is at most and how far `re` reads past a start: cached between runs, else derived on first use, as
        # deriving them for every pattern would cost each start of the hook more than most scans (issue 19).
        self._facts = PatternFacts(self.rules)
        shipped = str(builtin_rules_dir())
        # The rules a user wrote run on a time budget (budget.py); the shipped ones are tested.
        self._timed = {i for i, r in enumerate(self.rules) if r.source and not r.source.startswith(shipped)}
        # When two rules report overlapping text, the more specific one wins: generic rules rank last.
        self._rank = {
            r.id: (("generic" in r.tags), _CONF_RANK[r.confidence], _SEV_RANK[r.severity], i)
            for i, r in enumerate(self.rules)
        }

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_verdicts": {}, "_lines": {}}  # workers start with empty memos

    @property
    def backend(self) -> str:
        return self.matcher.name

    def holds_nothing(self, data: bytes) -> bool:
        """Whether one pass of the matcher proves `data` would scan clean: no rule nominated and no encoded
        text signalled, which is all scan() looks at. False when the matcher does not signal (the pure-Python
        one): then only a scan can tell."""
        return bool(data) and self.matcher.signals and not self.matcher.candidates(data)

    def scan(self, blob: Blob, explain: bool = False, depth: int = 0) -> ScanOutcome:
        outcome = self._scan_text(blob, explain)
        if depth < decode.MAX_DEPTH:  # then what base64, percent or escapes hide (issue 7 §3)
            work = decode.decoded(blob, outcome.dropped, outcome.kube_secret, outcome.signals)
            if work is not None:
                inner = self.scan(Blob.from_bytes(work.text, blob.origin), explain=False, depth=depth + 1)
                outcome.findings = decode.merge(outcome.findings, inner.findings, work, self._is_generic)
                outcome.path_dependent |= inner.path_dependent
                outcome.path_allowlisted |= inner.path_allowlisted
                outcome.rule_errors += inner.rule_errors
        outcome.signals = None  # used: never sent back by a worker
        outcome.path_dependent |= outcome.kube_secret  # a manifest's values are decoded by its file suffix
        if outcome.findings:
            outcome.findings = without_companion_copies(outcome.findings)
        # Unless explaining, only what markers suppressed is kept: every report counts it (issue 15 §2).
        if not explain and outcome.dropped:
            outcome.dropped = [d for d in outcome.dropped if d.reason == "inline-marker"]
        return outcome

    def _scan_text(self, blob: Blob, explain: bool) -> ScanOutcome:
        outcome = ScanOutcome()
        data = blob.data
        nominated = self.matcher.candidates(data) if data else {}
        if self.matcher.signals or not data:
            outcome.signals = _signals(nominated)
        if not nominated:
            return outcome
        outcome.kube_secret = nominated.pop(KUBE_SECRET, None) is not None
        lines = LineIndex(data)
        for index in sorted(nominated):
            if index in self._timed and budget.available():
                try:
                    with budget.limited():
                        self._match(index, nominated[index], data, lines, blob.origin, outcome, explain)
                except budget.OutOfTime:
                    outcome.rule_errors.append(
                        f"rule {self.rules[index].id}: gave up on {blob.origin.path} after "
                        f"{budget.SECONDS:g} s (the pattern backtracks catastrophically: rewrite it)"
                    )
            else:
                self._match(index, nominated[index], data, lines, blob.origin, outcome, explain)
        if outcome.findings:
            outcome.findings = pair_aws_credentials(_dedupe(outcome.findings, self._rank), lines)
            outcome.findings = _with_line_secrets(outcome.findings, _by_line(outcome.candidates, lines))
        outcome.candidates = []  # used: never kept, nor sent back by a worker
        return outcome

    def _match(
        self,
        index: int,
        where: int | list[int] | Hits,
        data: bytes,
        lines: LineIndex,
        origin: Origin,
        outcome: ScanOutcome,
        explain: bool,
    ) -> None:
        """Search one nominated rule from where the matcher said, and consider each candidate."""
        rule = self.rules[index]
        regex = self._facts.regex(index)
        secrets: Iterator[tuple[int, bytes]]
        if isinstance(where, (int, Hits)):
            group = rule.secret_group
            matches: Iterator[re.Match[bytes]]
            lead = self._lead(index)
            if isinstance(where, Hits):
                near = None if lead is None else (lead.texts, lines.lowered() if lead.caseless else data)
                horizon = None if near is not None else self._horizon(index)
                matches = matches_near(regex, data, where.ends, where.width, lead=near, horizon=horizon)
            elif lead is not None and (lead.caseless or len(lead.texts) > 1) and _long_enough(lead):
                haystack = lines.lowered() if lead.caseless else data
                matches = lead_matches(regex, data, haystack, lead.texts, where)
            else:  # `re` finds a case-sensitive literal prefix itself
                matches = regex.finditer(data, where)
            found = ((m.start(group), m.group(group)) for m in matches)
            secrets = ((start, raw) for start, raw in found if raw)
        else:
            width = self._facts.width(index)
            horizon = None if width is None else self._horizon(index)
            secrets = anchored_secrets(regex, rule.secret_group, data, where, self._lines, width, horizon)
        keyworded = False
        for start, raw in secrets:
            if not keyworded:  # asked once the rule matches: most nominations never do
                if not self._has_keyword(index, lines, lines.around(start)):
                    break
                keyworded = True
            self._consider(rule, start, raw, origin, lines, outcome, explain)

    def _lead(self, index: int) -> Lead | None:
        return self._facts.lead(index)

    def _horizon(self, index: int) -> int | None:
        return self._facts.horizon(index)

    def _is_generic(self, rule_id: str) -> bool:
        return any(rule.id == rule_id and "generic" in rule.tags for rule in self.rules)

    def _has_keyword(self, index: int, lines: LineIndex, line: bytes) -> bool:
        """Whether one of the rule's keywords is in the blob: in the line of its match (most often, and
        cheap), else anywhere (an absent keyword costs a read of the whole blob per keyword)."""
        keywords = self._keywords[index]
        lowered = line.lower()
        if any(k in lowered for k in keywords):
            return True
        lowered = lines.lowered()
        return any(k in lowered for k in keywords)

    def _consider(
        self,
        rule: Rule,
        start: int,
        raw: bytes,
        origin: Origin,
        lines: LineIndex,
        outcome: ScanOutcome,
        explain: bool,
    ) -> None:
        secret = raw.decode("utf-8", "replace")
        outcome.candidates.append((start, secret))
        measured = self._measured(rule, secret)
        if not explain and measured[0] is not None and not decode.worth_decoding(*measured[0]):
            # Dropped by its value alone, and the drop is neither shown nor decoded: where it stands is never
            # asked. Most candidates of a history are such values, in each version of a file.
            return
        line_no = lines.line_of(start)
        line = lines.text(line_no)
        column = start - lines.start(line_no) + 1
        drop, verdict = self._judge(rule, measured, raw, secret, line, lines, line_no, origin.path)
        if (drop is None or drop[0] not in _VALUE_DROPS) and (rule.allowlist.paths or self.allowlist.paths):
            outcome.path_dependent = True  # reported here, it may be allowlisted elsewhere, and the reverse
            outcome.path_allowlisted |= drop is not None and drop[0] == "allowlist-path"
        if drop is not None:
            # Unless explaining, only the drops scan() keeps (markers are counted in every report) and those
            # decoding needs.
            if explain or drop[0] == "inline-marker" or decode.worth_decoding(*drop):
                outcome.dropped.append(Dropped(rule.id, origin, line_no, column, drop[0], drop[1], secret))
            return
        confidence = (verdict.confidence if verdict else None) or rule.confidence
        facts = rule.facts + (verdict.facts if verdict else ())
        if "generic" in rule.tags and is_password_digest(secret, line[: column - 1]):
            # A bare digest assigned to a password is a stored hash far more often than the password
            # (issue 16 §4: hashes are no passwords): shown at low, as its own kind.
            confidence, facts = "low", (*facts, ("shape", "password-digest"))
        outcome.findings.append(
            Finding(
                rule_id=rule.id,
                rule_name=rule.name,
                severity=rule.severity,
                confidence=confidence,
                origin=origin,
                line=line_no,
                column=column,
                end_column=column + len(raw),
                secret=secret,
                line_text=_context(line, column - 1, len(raw)),
                fingerprint=fingerprint(rule.id, secret, origin.path),
                facts=facts,
            )
        )

    def _measured(self, rule: Rule, secret: str) -> tuple[tuple[DropReason, str] | None, Verdict | None]:
        """What the value alone says (_measure), remembered."""
        key = (rule.id, secret)
        known = self._verdicts.get(key)
        if known is None:
            if len(self._verdicts) >= _VERDICTS_KEPT:
                self._verdicts.clear()
            known = self._verdicts[key] = _measure(rule, secret)
        return known

    def _judge(
        self,
        rule: Rule,
        measured: tuple[tuple[DropReason, str] | None, Verdict | None],
        raw: bytes,
        secret: str,
        line: bytes,
        lines: LineIndex,
        line_no: int,
        path: str,
    ) -> tuple[tuple[DropReason, str] | None, Verdict | None]:
        """Why a candidate is dropped (or None to report it), and the validator's verdict, given what the
        value alone says (`measured`)."""
        drop, verdict = measured
        if drop is not None:
            return drop, verdict
        for allow, scope in ((rule.allowlist, "rule"), (self.allowlist, "global")):
            reason = _allowlisted(allow, raw, secret, line, path)
            if reason is not None:
                return (reason[0], f"{scope} allowlist: {reason[1]}"), verdict
        if not self.inline_allow:
            return None, verdict
        if any(marker in line for marker in ALLOW_MARKERS):
            return ("inline-marker", "allow marker on the line"), verdict
        if line_no > 1 and NEXT_LINE_MARKER in lines.text(line_no - 1):
            return ("inline-marker", "allow marker on the line above"), verdict
        return None, verdict


def _signals(nominated: Nominations) -> dict[str, int]:
    """Where the matcher saw each text signal end first, taken out of the nominations. A loop, not the two
    comprehensions it was: this runs for every blob, and most blobs of a history nominate nothing."""
    signals: dict[str, int] = {}
    for name, key in SIGNAL_KEYS.items():
        if key in nominated:
            end = nominated.pop(key)
            if isinstance(end, int):
                signals[name] = end
    return signals


def _long_enough(lead: Lead) -> bool:
    return min(len(text) for text in lead.texts) >= _LEAD_SHORTEST


_VALUE_DROPS = frozenset({"entropy", "validator", "example-credential"})  # _measure's: the value alone


def _measure(rule: Rule, secret: str) -> tuple[tuple[DropReason, str] | None, Verdict | None]:
    """What the value alone says: the rule's entropy floor, then its validator."""
    if rule.entropy is not None:
        entropy = shannon_entropy(secret)
        if entropy < rule.entropy:
            return ("entropy", f"entropy {entropy:.2f} below the rule's minimum {rule.entropy:g}"), None
    verdict = VALIDATORS[rule.validator](secret) if rule.validator else None
    if verdict is not None and not verdict.ok:
        return (("example-credential" if verdict.example else "validator"), verdict.reason), verdict
    return None, verdict


def _dedupe(findings: list[Finding], rank: dict[str, tuple[bool, int, int, int]]) -> list[Finding]:
    """Keep one finding per stretch of text: two rules matching overlapping bytes report one secret. A
    provider's rule wins over a generic one; between two of a kind, the finding whose validator gave it the
    higher confidence (a generic rule that judged a value low must not hide one that judged it medium)."""
    best: list[Finding] = []
    by_line: dict[int, list[Finding]] = {}  # overlapping findings share a line: a test file holds thousands

    def order(f: Finding) -> tuple[bool, int, int, int, int]:
        generic, declared, severity, index = rank[f.rule_id]
        return generic, _CONF_RANK[f.confidence], declared, severity, index

    for finding in sorted(findings, key=order):
        kept_here = by_line.setdefault(finding.line, [])
        if not any(_overlaps(finding, kept) for kept in kept_here):
            kept_here.append(finding)
            best.append(finding)
    return sorted(best, key=lambda f: (f.line, f.column, f.rule_id))


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.line == b.line and a.column < b.end_column and b.column < a.end_column


def _allowlisted(
    allow: Allowlist, raw: bytes, secret: str, line: bytes, path: str
) -> tuple[DropReason, str] | None:
    for regex in allow.regexes:
        if regex.search(raw):
            return "allowlist-secret", f"secret matches {regex.pattern.decode()!r}"
    lowered = secret.lower()
    for word in allow.stopwords:
        if word in lowered:
            return "stopword", f"secret contains stopword {word!r}"
    for regex in allow.line_regexes:
        if regex.search(line):
            return "allowlist-line", f"line matches {regex.pattern.decode()!r}"
    for path_regex in allow.paths:
        if path_regex.search(path):
            return "allowlist-path", f"path matches {path_regex.pattern!r}"
    return None


_USERINFO = compiled(r"://[^/\s:@'\"]*:([^/\s@'\"]+)@")
# A value assigned to a secret-like name: a rule's match may span it (matches never overlap), so it is
# hidden in a line context whether or not a rule reported it.
_ASSIGNED = compiled(
    r"(?i)(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|credential)[\w.-]*[\"']?[ \t]*[:=][ \t]*[\"']?"
    r"([^\s\"'`,;]{4,})"
)
_MIN_HIDDEN = 4  # a shorter candidate is no secret worth hiding, and masking it would garble the line


def _by_line(candidates: list[tuple[int, str]], lines: LineIndex) -> dict[int, set[str]]:
    """The candidates' values by line, found in order of offset: each line counted on from the one before."""
    by_line: dict[int, set[str]] = {}
    for start, secret in sorted(candidates):
        by_line.setdefault(lines.line_of(start), set()).add(secret)
    return by_line


def _with_line_secrets(findings: list[Finding], candidates: dict[int, set[str]]) -> list[Finding]:
    """Each finding with the other candidates of its line, and the password of any URL on it."""
    out = []
    for finding in findings:
        line = finding.line_text
        others = (
            set(candidates.get(finding.line, ()))
            | set(_USERINFO.findall(line))
            | set(_ASSIGNED.findall(line))
        )
        others -= {finding.secret, *(value for _, value in finding.companions)}
        hidden = tuple(sorted(s for s in others if len(s) >= _MIN_HIDDEN and s in line))
        out.append(dataclasses.replace(finding, line_secrets=hidden) if hidden else finding)
    return out


def _context(line: bytes, offset: int, length: int) -> str:
    """The matched line, cut around the secret when the line is very long (minified files)."""
    if len(line) > _MAX_LINE_TEXT:
        begin = max(0, offset - 100)
        line = line[begin : begin + max(_MAX_LINE_TEXT, length + 200)]
    return line.decode("utf-8", "replace").rstrip("\r")
