"""Validator of the generic rules (rules/generic.yaml): is the value assigned to a secret-like name a secret?

The rule's pattern already found a secret-like name, an assignment and a value; here the value is judged by
randomness.py. Placeholders, templates and environment lookups are rejected as examples (their own
--explain reason); other rejections say which measure failed. Accepted values carry the judge's confidence,
so `--min-confidence` separates generated keys (high) from human-chosen passwords (low).
"""

from __future__ import annotations

import base64
import re

from scanner.patterns import compiled
from scanner.validators.aws import is_example as is_aws_example
from scanner.validators.randomness import (
    BASE64_TEXT,
    is_hex,
    judge,
    longest_run,
    period,
    rejected_shape,
    unleet,
)
from scanner.validators.verdict import Verdict

_EXAMPLE_REASONS = frozenset({"placeholder", "template or variable", "environment lookup"})
# Two or three base64url parts joined by dots, one of them JSON ("eyJ"): a JWS or JWT. The jwt rules judge
# those (header, claims, documentation tokens); reporting here what they rejected would undo their work
# (python-jose's tests hold a dozen deliberately broken tokens assigned to `token`), also one cut down to its
# claims (`.eyJ1c2VyIjoiVG9tIn0.`, header and signature left out).
_JWS_SHAPE = compiled(r"^[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*){1,2}$")
JWS_REASON = "JWS/JWT shape: left to the jwt rules"
# Prefixes that name a provider whose rule checks the token's length, alphabet or checksum. A value carrying
# one that the generic rule sees was either reported by that rule (and deduplicated) or rejected by it as a
# look-alike (`glpat-abc123`, a Stripe key cut short): reporting it here would undo the check (issue 7 §2).
_PROVIDER_PREFIX = compiled(
    r"^(?:gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|ft)-|xox[abpsr]-|xapp-|[sr]k_(?:live|test)_|npm_|pypi-|"
    r"hf_|sk-ant-|shp(?:at|ca|pa|ss)_|dop_v1_|SG\.|SWM(?:TKN|KEY)-1-)"
)
PREFIX_REASON = "provider token prefix: left to that provider's rule"
# Of those, the formats whose rule checks a checksum (GitHub's CRC32, npm's, PyPI's macaroon): a value the
# rule rejected is proven fake. A value of the others may be a real token of a shape the rule does not know
# yet (issue 16 §5): the generic rule reports it, but only at low confidence.
_CHECKSUMMED_PREFIX = compiled(r"^(?:gh[pousr]_|github_pat_|npm_|pypi-)")
# A value this short is a fragment the pattern caught (`"*" * 36`, `$3`, `%`), never a key a person would
# have to keep secret; passwords have their own validator and their own floor.
_SHORTEST = 5
SHORT_REASON = "too short to be a generated secret"
PREFIX_LOW_REASON = "provider token prefix its provider's rule did not accept: reported at low"


def generic_secret(secret: str) -> Verdict:
    """Judge a value found next to a secret-like name."""
    if len(secret) < _SHORTEST:
        return Verdict(False, SHORT_REASON)
    if "eyJ" in secret and _JWS_SHAPE.match(secret):
        return Verdict(False, JWS_REASON)
    if is_aws_example(secret):  # AWS's documentation keys, under any name (AWS_SECRET_ACCESS_KEY=wJalr...)
        return Verdict(False, "AWS documentation example", example=True)
    prefixed = _PROVIDER_PREFIX.match(secret) is not None
    if prefixed and _CHECKSUMMED_PREFIX.match(secret):
        return Verdict(False, PREFIX_REASON)
    judgement = judge(secret)
    if judgement.confidence is None:
        return Verdict(False, judgement.reason, example=judgement.reason in _EXAMPLE_REASONS)
    facts: tuple[tuple[str, str], ...] = (("randomness", judgement.reason),)
    if judgement.shape:
        facts += (("shape", judgement.shape),)
    if prefixed:  # reported by its provider's rule (which wins the overlap), or a shape that rule refused
        return Verdict(True, facts=(*facts, ("prefix", PREFIX_LOW_REASON)), confidence="low")
    return Verdict(True, facts=facts, confidence=judgement.confidence)


_DEMOTED = {"high": "medium", "medium": "low", "low": "low"}
# A Windows product key (five groups of five): Microsoft publishes the volume-licensing client keys.
_PRODUCT_KEY = compiled(r"^[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}$")


def generic_key(secret: str) -> Verdict:
    """Judge a value under a name that only says "key" (STRIPE_KEY, key:, nkey): such names hold ids and
    lookups as often as secrets, so the value must earn its confidence: one level below the judge's."""
    if _PRODUCT_KEY.match(secret):
        return Verdict(False, "Windows product key: the published ones are setup keys, not secrets")
    verdict = generic_secret(secret)
    if not verdict.ok or verdict.confidence is None:
        return verdict
    return Verdict(True, facts=verdict.facts, confidence=_DEMOTED[verdict.confidence])  # type: ignore[arg-type]


# Values a password field holds that are no password: the field's own name, UI words, empty markers.
_LITERAL_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "admin",
        "administrator",
        "root",
        "test",
        "changeme",
        "changeit",
        "none",
        "null",
        "nil",
        "empty",
        "string",
        "str",
        "text",
        "required",
        "optional",
        "hidden",
        "confirm",
        "confirmation",
        "current",
        "new",
        "old",
        "default",
        "example",
        "sample",
        "value",
        "true",
        "false",
        "yes",
        "no",
        "blank",
        "undefined",
        "masked",
        "redacted",
        "unknown",
        "invalid",
        "wrong",
        "incorrect",
        "pass123",
        "password123",
        "secret123",
        "123456",
        "12345678",
        "qwerty",
        "changethis",
        "5ivel!fe",  # GitLab's documented default root password
        "hunter2",  # the internet's example password (bash.org), as documentation writes it
        "nullptr",
        "undef",
        # the configuration passes of a Windows answer file (<settings pass="specialize">)
        "generalize",
        "specialize",
        "oobesystem",
        "windowspe",
        "offlineservicing",
        "auditsystem",
        "audituser",
        "nothing",
        "unset",
    }
)
# Password, Passwort, Contrasena: a label in a form or a translation
_UI_LABEL = compiled(r"^[A-Z][a-z]{3,}[.!:]?$")
# A value that describes a password instead of being one (mysecretpassword, the-password, hashedpass,
# password-of-userid, wrongpass), a version range (^1.0.0), a hex constant, a negation or a dereference
# (!showPwd, *resp.Token), a Swift optional type (UITextField!), a Ruby instance variable (@auth_string).
# "hash" as a word (hashedpass, password_hash, Hash1), not a name that begins with it (hashicorp); searched
# in the value as written and with l33t undone (1 reads as i).
_DESCRIBES_A_PASSWORD = compiled(r"(?i)pass|secret|hash(?:ed|[^a-z]|$)|fake|dummy|wrong|invalid|matching")
# Of those, the words a chosen password is built on (Somepass1, Ag3ntP@ssw0rd): mixed case with a digit or
# a symbol, eight characters or more, no code punctuation (`.tls.certPassword`, `,rePassword:`, `ENV-x_pass`),
# no other word that says what the value is about (hashedPassword1, MyP@ssw0rd: "my password"), and more
# than the word in leet (P@55w0rd!, s3cur3s3cr3T: the word itself, as a documentation example writes it).
_PASSWORD_BUILT = compiled(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[^A-Za-z])[^\s.,:;_()\[\]{}<>=/\\\"'`]{8,}$")
_SAYS_WHAT_IT_IS = compiled(r"(?i)^(?:my|your|the|new|old)|hash|fake|dummy|wrong|invalid|matching")
_THE_WORD = compiled(r"pass(?:word|wd|phrase)?|secret|secure")
_NOT_A_VALUE = compiled(
    r"^[\^~]?\d+(?:\.\d+)+|^0x[0-9a-fA-F]+$|^[!*&][A-Za-z_]|^[A-Z]\w+[!?]$|^@{1,2}[a-z_]+$"
)
# Spring's anonymous principal and Swagger's example value for a string field (string1) are in the same class
_TEST_PASSWORD = compiled(r"(?i)^(?:(?:test|user|demo|guest|anonymous)[\W_]?\d{0,4}|string[\W_]?\d{1,4})\W?$")
# The passwords attackers try first (admin123, P@ssw0rd1, root1!): a default that works wherever nobody
# changed it, so a working credential, not a test word.
# Also an account's role joined to the word (rootpass, devpass, adminsecret, adminadmin), a default of
# installers and container images; with a separator (root-password, db_password) it names the setting.
_DEFAULT_PASSWORD = compiled(
    r"(?i)^(?:root|admin|dev|sys)?(?:password|passw0rd|p@ssw0rd|pass|admin|secret|root)[\W_]?\d{0,4}\W?$"
)


# MD5, SHA-256, SHA-512 in hex. Not 40: as many tokens as SHA-1 digests have that shape (ggshield's tests
# hold a real 40-hex password).
_DIGEST_LENGTHS = frozenset({32, 64, 128})
_PASSWORD_NAME = compiled(rb"(?i)(?:pass(?:word|wd|phrase)?|pwd)[\W_]{0,8}$")


def is_password_digest(secret: str, before: bytes) -> bool:
    """A hex value of a digest's length right after a password's name (`before`: the line up to the value):
    a stored hash far more often than the password (issue 16 §4). The value alone cannot say it, so the
    engine asks with the name."""
    return (
        len(secret) in _DIGEST_LENGTHS and is_hex(secret) and _PASSWORD_NAME.search(before[-40:]) is not None
    )


def describes_a_password(value: str) -> bool:
    """A value that names a password rather than being one (mypassword, fake_password, wrongpass), unless it
    is a default password (P@ssw0rd1), which works wherever nobody changed it, or a password built on the
    word (Somepass1, SqlS3v!c3P@ssw0rd)."""
    return (
        _DEFAULT_PASSWORD.match(value) is None
        and any(_DESCRIBES_A_PASSWORD.search(text) for text in (unleet(value), value.lower()))
        and not _built_on_the_word(value)
    )


def _built_on_the_word(value: str) -> bool:
    """How people make a password of the word (Somepass1, Ag3ntP@ssw0rd, P@ssw0rd-12): see _PASSWORD_BUILT."""
    plain = unleet(value)
    rest = _THE_WORD.sub("", plain)
    return (
        _PASSWORD_BUILT.match(value) is not None
        and _SAYS_WHAT_IT_IS.search(plain) is None
        and sum(c.isalnum() for c in rest) >= 2
    )


def generic_password(secret: str) -> Verdict:
    """Judge a literal in a password field (password:, PASSWD=, pwd =). People choose these, so randomness is
    not asked for: what the field holds is a working password unless its shape says it is no value at all
    (a placeholder, a template, an expression, a path, a name, a UI word, a typed-in sequence). A value of
    six characters or more is medium, a default password (admin123, P@ssw0rd1) too; a test account's
    (test1, demo2) and short ones are low."""
    if ("eyJ" in secret and _JWS_SHAPE.match(secret)) or _PROVIDER_PREFIX.match(secret):
        return generic_secret(secret)  # the token rules and the prefix policy decide those
    shape = rejected_shape(secret)
    if shape == BASE64_TEXT:
        return _encoded_password(secret)
    if shape is not None:
        return Verdict(False, shape, example=shape in _EXAMPLE_REASONS)
    if secret.lower() in _LITERAL_WORDS or _UI_LABEL.match(secret):
        return Verdict(False, "a word a password field shows, not a password", example=True)
    if _TEST_PASSWORD.match(secret):  # test1, demo2: a test account's password, shown at low
        return Verdict(True, facts=(("shape", "test-password"),), confidence="low")
    if _DEFAULT_PASSWORD.match(secret):
        return Verdict(
            True, facts=(("shape", "default-password"),), confidence="medium" if len(secret) >= 6 else "low"
        )
    if describes_a_password(secret):
        return Verdict(False, "a description of a password (mysecretpassword, wrongpass)", example=True)
    if _NOT_A_VALUE.search(secret):
        return Verdict(False, "a version, constant, negation or type, not a password")
    length = len(secret)
    # People build passwords on sequences (Harbor12345, Aa123456): only a value that is nothing else is out;
    # and on a password typed twice (P@ssw0rd-12P@ssw0rd-12): a repeated unit is a dummy only when short.
    unit = period(secret)
    repeated = length >= 6 and unit * 2 <= length and not _built_on_the_word(secret[:unit])
    if longest_run(secret) >= length - 1 or repeated:
        return Verdict(False, "a typed-in sequence or repetition", example=True)
    judged = judge(secret)
    if judged.shape == "password-hash" or "password hash" in judged.reason:
        return Verdict(False, judged.reason)
    facts: tuple[tuple[str, str], ...] = (("randomness", judged.reason),)
    if judged.confidence == "high":
        return Verdict(True, facts=facts, confidence="high")
    weak = length < 6 or any(not c.isascii() for c in secret)
    facts += (("shape", "test-password" if weak else "password"),)
    return Verdict(True, facts=facts, confidence="low" if weak else "medium")


def _encoded_password(secret: str) -> Verdict:
    """Base64 of text in a password field. Text the password judge accepts or calls a placeholder is left
    to the decoder, which reports a password decoded (a Kubernetes Secret's `cG9zdGdyZXM=`, "postgres") and
    no placeholder (cGFzc3dvcmQ= is "password"); text of another shape (an e-mail address, a name) is no
    password once decoded, so the password is the encoded text itself: what the program sends."""
    decoded = base64.b64decode(secret).decode("ascii", "replace")
    inner = generic_password(decoded)
    if inner.ok or inner.example:
        return Verdict(False, BASE64_TEXT)
    return Verdict(True, facts=(("randomness", f"base64 of text ({inner.reason})"),), confidence="medium")


# Words of a message or a description, never of a passphrase: a validation error (`password: 'is too
# short'`, "can't be blank"), a form's hint ("Enter your password") or a field's documentation ("used to
# sign the session").
_MESSAGE_WORDS = frozenset(
    re.findall(
        r"\S+",
        "is are be been was were must should can cannot can't not please enter required invalid character "
        "characters least match matches field value input type length minimum maximum min max contain "
        "contains letter letters number numbers digit digits symbol uppercase lowercase empty blank missing "
        "incorrect wrong failed error expired reset change confirm current username login used use using "
        "to for the this that with your you if when will here see set sets default optional string null none",
    )
)
_PHRASE_WORD = compiled(r"[A-Za-z0-9'$@!.&>-]+")


def generic_passphrase(secret: str) -> Verdict:
    """Judge a quoted value of several words in a password field ('kitten lesser pooch karate' under a
    password's name). A passphrase is a password people choose; a message, a hint or a description in that
    place is not, and it says so with its words (is, must, enter, characters, the) or by naming the
    password."""
    words = secret.split()
    if len(words) < 2 or not all(_PHRASE_WORD.fullmatch(w) for w in words):
        return Verdict(False, "not words separated by spaces")
    if any(w.lower().strip(".!'") in _MESSAGE_WORDS for w in words):
        return Verdict(False, "a message, hint or description, not a passphrase")
    shape = rejected_shape(secret)
    if shape is not None or _DESCRIBES_A_PASSWORD.search(unleet(secret)):
        return Verdict(False, shape or "a description of a password", example=shape in _EXAMPLE_REASONS)
    if len(words) >= 3 and len(secret) >= 12:
        return Verdict(True, facts=(("shape", "passphrase"),), confidence="medium")
    return Verdict(True, facts=(("shape", "passphrase"),), confidence="low")  # two words: a name as often
