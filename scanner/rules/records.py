"""The rule records: what a rule file's mapping becomes once validated (parse.py), immutable and picklable."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from scanner.model import Confidence, Severity

DEFAULT_REMEDIATION = (
    "Revoke the credential at its issuer, replace it with a new one kept outside the code "
    "(environment, secret manager), and purge it from history if it was committed."
)


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Ways to drop a candidate: regexes on the secret or the line, stopwords in the secret, path regexes."""

    regexes: tuple[re.Pattern[bytes], ...] = ()
    line_regexes: tuple[re.Pattern[bytes], ...] = ()
    stopwords: tuple[str, ...] = ()
    paths: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    path: str = "example.txt"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    confidence: Confidence
    pattern: str
    secret_group: int | str
    keywords: tuple[str, ...]  # lower-case; at least one must appear (case-insensitively) in the content
    entropy: float | None = None
    validator: str | None = None
    facts: tuple[tuple[str, str], ...] = ()  # offline facts every finding of the rule carries (key type, ...)
    allowlist: Allowlist = Allowlist()
    remediation: str = DEFAULT_REMEDIATION
    description: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    negative_examples: tuple[Example, ...] = ()
    source: str = ""  # the file the rule came from
    # one_line rules promise each match lies within one line; `anchor` is their pattern before the secret
    # group, which lets the native matcher point `re` at the lines where a match can be (anchors.py).
    anchor: str | None = None
    # A cheaper pattern that every match of `pattern` contains, which the native database searches for
    # instead: where the rare part of a pattern comes late (after a 400-byte gap, or after names found on
    # every page of code), the pattern costs the whole database time (8% for the service-account key's).
    # It must be as rare as the pattern, or the blobs it nominates cost `re` more than it saves.
    prefilter: str | None = None

    @property
    def regex(self) -> re.Pattern[bytes]:
        # Compiled on first use, not at load: most rules never fire in a pre-commit run (issue 6 §5).
        return _compiled(self.pattern)


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[bytes]:
    return re.compile(pattern.encode("utf-8"))
