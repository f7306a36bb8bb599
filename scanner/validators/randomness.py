"""Measures of how random a candidate secret looks, and a judge that combines them (issue 7 §4).

Shannon entropy alone calls `user_password_field` or `/etc/ssl/private.key` random enough. The judge also
looks at the mix of character classes, how much of the value is dictionary words (after undoing l33t
spelling), repeated or sequential runs, and known shapes that are never secrets (versions, paths, URLs,
lockfile integrity strings, placeholders, templates, environment lookups, base64 of plain text).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from scanner.model import Confidence
from scanner.patterns import compiled
from scanner.validators.wordlist import MAX_WORD, WORDS

_LEET = str.maketrans("0134578@$!", "oieastbasi")
_SEPARATORS = frozenset("_-. /:")

# Shapes that are never a secret on their own, tried in order; the first that matches names the reason.
_REJECT_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "placeholder",
        compiled(
            r"(?i)x{4,}|\*{3,}|#{3,}|\.{3}|…|<[^>]*>|^\[.*\]$|change_?me|example|dummy|placeholder|redacted|sample|"
            r"^your|your[_-]|^my[_-]|not_?a?_?real|fake|foobar|lorem|replace|insert|^todo|^tbd$|^none$|^null$|^undefined$|test|mock"
            r"|JBSWY3DPEHPK3PXP"  # the TOTP secret of every authenticator how-to
        ),
    ),
    (
        "template or variable",
        compiled(
            r"^(?:\$\{|\$\(|\{\{|\{%|%\(|<%|#\{|\$[A-Za-z_]|%[A-Za-z_]+%$|@[A-Za-z_]+@$)|\$\{[^}]*\}|\{\{.*\}\}"
            r"|\{[A-Za-z_][\w.]*\}|\{\d+\}"  # str.format, f-string and positional ({0}, String.Format) fields
            # printf and format fields (%s, %-8s, %(name)s, %d), empty str.format fields ({}), ERB and JSP
            # output tags anywhere (pre<%= x %>): a template filled in at run time, never the secret itself
            r"|%(?:[-+ #0]?\d{0,3}s|\(\w+\)[sdr]|[dr])(?![A-Za-z0-9])|(?<![\w\]])\{\}|<%=?.*%>"
            r"|^\{\.\w"  # a kubectl / JSONPath template: {.users[?(@.name=="e2e")].user.password}
            r"|\{[A-Za-z_][\w.]*(?:\[[^\]{}]{0,20}\]|\([^(){}]{0,30}\))[^{}]{0,20}\}"  # {h[:8]}, {f(x)}
        ),
    ),
    (
        "environment lookup",
        compiled(
            r"(?i)^(?:os\.environ|os\.getenv|getenv|process\.env|import\.meta\.env|system\.getenv|env\[|env\.|"
            r"environment\.|config\[|settings\.|secrets\.|vault:|ssm:|arn:aws:)"
        ),
    ),
    (
        "function call or expression",
        compiled(
            r"^[+!~-]?[\w.$:\[\]'\"-]+\(.*\)(?:\[[^\]]*\]|[\w.])*[?!;]*$|^\w+\[|\w\[[^\]]*\](?:\.|->|$)|[(\[{]$"
            # _asyncToGenerator(/* ... or get_dict(to_ipa=to_ipa, ...: a call cut at a space or a comma
            r"|^[A-Za-z_$][\w.$]{3,}\((?:/\*|\)|[\w.$]+=[\w.$]*$|$)"
            r"|\)\.[A-Za-z_]\w*\("  # a method called on a call's result: f(x).join(sep)
            r"|^[A-Za-z_]\w*!\s*[(\[{]"  # a Rust macro: quote!(#x), Token![struct]
            # Go and Rust composite literals, casts, references: &pkg.Type{}, []v1.Secret{}, (*T)(p), &Config
            r"|^(?:&|\[\]\*?|\*?\(\*(?:\[\])?)[A-Za-z_][\w.]*(?:\)|\{.*\}|$)"
            r"|^!+[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$.]*$"  # a negated member: !this.anonymous
            r"|[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*=[A-Za-z_$]"  # s.host=r.host: code, not a value
            r"|^[A-Za-z_$][\w$]*(?:->|::)[A-Za-z_$][\w$]*"  # this->get_url(), Foo::bar: C++, PHP, Rust code
            r"|^\*[A-Za-z_]\w*\.[\w.]+$"  # a dereference: *params.Registry.AccessKey
            r"|\)[*/+-]\d"  # arithmetic on a call's result: float(x)*60
            r"|^!+[a-z_$][\w$]*$"  # a negated variable: showPwd = !showPwd
            r"|^\([A-Za-z_][\w.]*\s*\*?\)[A-Za-z_$][\w$.]*$"  # a cast of a name: (NSString*)consumerSecret
            # a Swift optional of a UIKit or Foundation type (password: UITextField!), not any word and "!"
            r"|^(?:UI|NS|CG)[A-Z][A-Za-z]+[!?]$|^[A-Z][A-Za-z]*(?:Field|View|Label|Button|Controller|String)[!?]$"
        ),
    ),
    (
        "regular expression",
        compiled(r"^\(\?[:=!<P]|\[\^|\\[dswbDSWB]|\[(?:\w-\w)+|\{\d+,\d*\}|\[\[:[a-z]+:\]\]|\(\.[*+]\??\)"),
    ),
    # Jenkins' encrypted secrets ({AQAAABAAAAAQ...}): useless without the controller's master key.
    ("encrypted with another key (Jenkins secret)", compiled(r"^\{AQAAAB[A-Za-z0-9+/]{16,}={0,2}\}$")),
    # a Composer constraint pinned to a commit: "phpixie/auth": "dev-master#4ad10a6..."
    ("version constraint", compiled(r"^dev-[\w./-]+#[0-9a-f]{7,40}$")),
    ("integrity or digest", compiled(r"(?i)^(?:(?:hmac-)?sha(?:1|224|256|384|512)|md5)[-:]")),
    ("URL", compiled(r"(?i)^[a-z][a-z0-9+.-]*://|^www\.|\]\(https?://|\bhttps?://")),
    (
        "query string",
        # name=value pairs; a value that ran on into the next parameter (abc&oauth_token_secret=...); an
        # option list (jwt,pub-key=app.rsa.pub,sign-method=RS512)
        compiled(
            r"^[\w.-]+=[^&=\s]*(?:&[\w.-]+=[^&=\s]*)+$|&[a-z_]{3,}=|^[\w.-]+(?:=[^,=\s]*)?(?:,[\w.-]+=[^,=\s]*){2,}$"
        ),
    ),
    ("HTML-escaped markup", compiled(r"&(?:lt|gt|amp|quot|#\d{2,4});")),
    ("route (controller#action)", compiled(r"^[a-z][a-z_/]*#[a-z_]+$")),
    # A Smithy shape id or a Javadoc member reference (smithy.api#httpBearerAuth, java.util.Map#get)
    ("reference to another name", compiled(r"^[a-z]\w*(?:\.\w+)+#[A-Za-z_]\w*$")),
    # A list of names (checkstyle's tokens="CLASS_DEF,METHOD_DEF", scopes): keys hold no commas
    ("list of names", compiled(r"^[A-Za-z_][A-Za-z_\d]+(?:, ?[A-Za-z_][A-Za-z_\d]+){2,}$")),
    ("AWS SigV4 credential scope", compiled(r"/\d{8}/(?:[\w-]+/){1,2}aws4_request$")),
    ("e-mail address", compiled(r"^[^@\s]+@[\w-]+(?:\.[\w-]+)+$")),
    (
        "path",
        compiled(
            r"^(?:~|\.{1,2})?/[\w.~?-]|^[A-Za-z]:[\\/]|^\\\\|^[\w./-]+\.(?:pem|key|crt|cer|der|p12|pfx|"
            r"jks|json|ya?ml|txt|env|ini|cfg|conf|properties|toml|xml|secret|gpg|asc|pub)$"
            # lower-case words between slashes (external/cwe/cwe-798, api/v1/users): generated keys that
            # contain '/' are base64, mixed case
            r"|^[a-z0-9._-]*[a-z][a-z0-9._-]*(?:/[a-z0-9._-]+)+/?$"
            r"|^[a-z]+/[a-z]+![\w.-]+(?:/[\w.-]+)+$"  # an AMD module id with its loader: vs/css!vs/editor/x
        ),
    ),
    # A type or class name (TypeScript `apiKey: SensitiveString2048;`, generated `Resource$Projects$Keys`):
    # two capitalised words or more, with digits and $ joints (one word and a symbol is a password: Pass123$)
    ("type or class name", compiled(r"^(?:(?:[A-Z][a-z]{2,}\d*|[A-Z]{1,4}\d*(?=[A-Z][a-z]))\$?){2,}$")),
    ("version", compiled(r"(?i)^v?\d+(?:\.\d+){1,3}(?:[-+._]?[a-z0-9.]+)?$")),
    # A pinned dependency: requirements (name==1.2.3, name>=2.0), npm specifiers (name@1.2.3; with @, a
    # dotted version only: Summer@2024 has a password's shape)
    (
        "package version pin",
        compiled(r"^[A-Za-z][\w.-]*(?:(?:==|>=|<=|~=|!=)v?\d+|@[\^~]?v?\d+\.\d+)(?:\.\d+){0,2}[\w.+-]*$"),
    ),
    # An Ethereum-style address (0x + 40 hex) is public; a dependency range (npm:^4.0.0, ~1.2) is a version.
    ("public address or version range", compiled(r"^0x[0-9a-fA-F]{40}$|(?:^|[:=@])[\^~]\d+\.\d+")),
    ("number or date", compiled(r"(?i)^[\d\s.,:+\-/tz]+$")),
)
_WORD_NUMBER = compiled(r"^[A-Za-z]{3,}(?:[-_.:][A-Za-z]{3,})*[-_.:]\d{1,8}$")
_UUID = compiled(r"(?i)^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$")
# camelCase, PascalCase, snake_case and SCREAMING_CASE names: generated secrets never have this rhythm.
_IDENTIFIER = compiled(
    r"^(?:[a-z]{2,}|[A-Z][a-z]{2,})(?:[A-Z][a-z]{2,})+$|^[a-z]+(?:_[a-z]+)+$|^[A-Z]+(?:_[A-Z]+)+$"
)
# snake_case and SCREAMING_CASE names with digits (DOT11_DIALOG_TOKEN, kubernetes_secret_v1, SASL_SCRAM_256)
# are names when two parts are letters only: a generated value in one letter case with underscores between
# words is not a shape any token format has.
_NAME_WITH_DIGITS = compiled(r"^[a-z0-9]+(?:_[a-z0-9]+)+$|^[A-Z0-9]+(?:_[A-Z0-9]+)+$")
_LETTERS_PART = compiled(r"(?:^|_)[A-Za-z]{3,}(?=_|$)")
# Password hashes (crypt(3) $id$salt$hash, bcrypt, argon2, MySQL's *<40 hex>, PostgreSQL's md5<32 hex>): not
# a working credential but a target for cracking, so reported at low confidence. Juniper $9$ and Jetty OBF:
# are reversible encodings of the password itself and stay out of this shape.
_PASSWORD_HASH = compiled(
    r"^\$(?:1|2[abxy]?|5|6|y|gy|7|sha1|md5|argon2(?:id|i|d))\$[\w./$=,+-]{8,}$|^\*[0-9A-F]{40}$|^md5[0-9a-f]{32}$"
    r"|^(?:pbkdf2_sha(?:1|256)|bcrypt(?:_sha256)?|argon2|scrypt)\$[\w./$=,+-]{8,}$"  # Django's algorithm$...
    r"|^(?:md5|sha1)\$\w{0,32}\$[0-9a-f]{32,40}$"  # Django's legacy salted hashes: md5$salt$hex
    r"|^#jbcrypt:\$2[abxy]?\$[\w./$]{8,}$"  # Jenkins' user database: #jbcrypt:$2a$10$...
)
# Letters outside ASCII (CJK, Cyrillic, accented Latin): translated prose such as MediaWiki's messages, or a
# password a person typed; token generators emit ASCII only.
_NON_ASCII_LETTERS = 3
_HEX = compiled(r"^(?:[0-9a-f]+|[0-9A-F]+)$")
# Brackets and arrows: what is left of code the shapes above did not name; short base64 (a Kubernetes
# Secret's `ZGVtbw==`) is text the decoder reads.
_CODE_PUNCTUATION = compiled(r"[()\[\]{}<>]|^[A-Za-z0-9+/]+={1,2}$")
# Words of test and default passwords: such values stay `low` (shown with --min-confidence low).
_TEST_WORD = compiled(
    r"(?i)test|demo|admin|guest|pass|p@ss|secret|qwerty|letmein|welcome|default|root|abc|123|sivelife"
)
# From 8 characters: a Kubernetes Secret holds short values (`cGFzc3dvcmQ=`), and 8 random characters
# rarely decode to printable text.
_BASE64 = compiled(r"^[A-Za-z0-9+/]{8,}={0,2}$")
# The reason the judge gives for base64 of readable text; scanner/decode.py decodes such drops and scans them.
BASE64_TEXT = "base64 of plain text (the decoder reports what it hides)"
_MODULE_PART = compiled(r"^[a-z_]{3,}$")  # `rust_openssl` in rust_openssl.hpke.MLKEM768PrivateKey
_DOTTED_NAME = compiled(r"^[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)+(?:\(\))?$")


@dataclass(frozen=True, slots=True)
class Judgement:
    """How secret-like a value looks: a confidence, or None with the reason it is not a secret."""

    confidence: Confidence | None
    reason: str
    shape: str = ""  # a recognised shape that lowers confidence (hex digest, uuid) but does not reject


def shannon_entropy(text: str) -> float:
    """Bits per character of `text` (0 for empty or single-symbol text)."""
    if not text:
        return 0.0
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def char_classes(text: str) -> int:
    """How many of lower-case, upper-case, digits and other symbols occur in `text`."""
    return (
        any(c.islower() for c in text)
        + any(c.isupper() for c in text)
        + any(c.isdigit() for c in text)
        + any(not c.isalnum() for c in text)
    )


def uncovered_chars(text: str) -> tuple[int, int]:
    """(characters not explained by dictionary words or separators, letters covered by words).

    l33t spelling is undone first, so `P@ssw0rd` reads as `password`. Each run of letters is covered by the
    best set of non-overlapping words of three letters or more (dynamic programming over the run).
    """
    normal = text.lower().translate(_LEET)
    covered = 0
    uncovered = 0
    for run in re.split(r"([a-z]+)", normal):
        if run and run[0].isalpha():
            best = _cover(run)
            covered += best
            uncovered += len(run) - best
        else:
            uncovered += sum(c not in _SEPARATORS for c in run)
    return uncovered, covered


def _cover(run: str) -> int:
    best = [0] * (len(run) + 1)
    for i in range(1, len(run) + 1):
        best[i] = best[i - 1]
        for width in range(3, min(MAX_WORD, i) + 1):
            if run[i - width : i] in WORDS:
                best[i] = max(best[i], best[i - width] + width)
    return best[len(run)]


def longest_run(text: str) -> int:
    """Length of the longest stretch of repeated (aaaa) or sequential (abcd, 4321) characters."""
    longest = current = 1 if text else 0
    step: int | None = None
    for prev, char in itertools.pairwise(text):
        diff = ord(char) - ord(prev)
        if diff in (-1, 0, 1) and (step is None or diff == step):
            current, step = current + 1, diff
        elif diff in (-1, 0, 1):
            current, step = 2, diff
        else:
            current, step = 1, None
        longest = max(longest, current)
    return longest


def _sequential_run(text: str) -> int:
    """Longest stretch of consecutive characters stepping by +1 or -1 (abcdef, 98765); repeats do not count:
    real keys hold AAAA runs."""
    longest = current = 1 if text else 0
    step = 0
    for prev, char in itertools.pairwise(text):
        diff = ord(char) - ord(prev)
        if diff in (-1, 1) and diff == step:
            current += 1
        elif diff in (-1, 1):
            current, step = 2, diff
        else:
            current, step = 1, 0
        longest = max(longest, current)
    return longest


_REPEATED_UNIT = compiled(r"(.{2,4})\1{3,}")  # a unit of 2-4 characters written four times or more


def dummy_pattern(value: str) -> str | None:
    """Why `value` is a typed-in dummy wherever it stands in the value, or None: a sequential run of six
    (1234567890abcdef, AbCdEf, the case aside), two interleaved sequences (a1b2c3d4), or a short unit
    repeated (abcabcabcabc). Generated keys hold none of these but by a chance far below one in a million."""
    lowered = value.lower()
    run = _sequential_run(lowered)
    if run >= 6:
        return f"sequential run of {run} characters: a typed-in dummy"
    for i in range(len(lowered) - 7):  # both halves of one stretch of eight step along: a1b2c3d4
        window = lowered[i : i + 8]
        if _sequential_run(window[0::2]) == 4 and _sequential_run(window[1::2]) == 4:
            return "two interleaved sequences (a1b2c3d4): a typed-in dummy"
    if _REPEATED_UNIT.search(lowered):
        return "a short unit repeated: a typed-in dummy"
    return None


def _typed_in(value: str) -> str | None:
    """Typed-in dummies of a generic value that dummy_pattern leaves to the provider rules: short runs one
    after another (abc123xyz) and two different sequences of three interleaved (A1B2C3). A generated value
    holds either by a chance well under one in a thousand."""
    lowered = value.lower()
    for part in re.findall(r"[a-z0-9]{9,}", lowered):
        if _made_of_runs(part):
            return "short sequential runs one after another (abc123xyz): a typed-in dummy"
    for i in range(len(lowered) - 5):
        window = lowered[i : i + 6]
        odd, even = window[0::2], window[1::2]
        if odd != even and _sequential_run(odd) == 3 and _sequential_run(even) == 3:
            return "two interleaved sequences (a1b2c3): a typed-in dummy"
    return None


def _made_of_runs(part: str) -> bool:
    """Whether `part` is nothing but ascending or descending runs of three or more (abc123xyz, 321cba)."""
    start = 0
    while start < len(part):
        end = start + 1
        step = ord(part[end]) - ord(part[start]) if end < len(part) else 0
        while end < len(part) and step in (-1, 1) and ord(part[end]) - ord(part[end - 1]) == step:
            end += 1
        if end - start < 3:
            return False
        start = end
    return True


def _is_datastore_key(value: str) -> bool:
    """An App Engine datastore key in its urlsafe form (agxzfm15YXBwcg...): base64url of a Reference
    protobuf whose first field (13, tag 0x6a) names the application (s~app, dev~app). An entity's id,
    printed in URLs, not a secret."""
    if not value.startswith("ag") or len(value) < 12 or not re.fullmatch(r"[\w-]+=*", value):
        return False
    body = value.rstrip("=")[:64]
    try:
        data = base64.urlsafe_b64decode(body[: len(body) - len(body) % 4])
    except (binascii.Error, ValueError):
        return False
    size = data[1] if len(data) > 1 else 0
    app = data[2 : 2 + size]
    named = bool(app) and all(32 < b < 127 for b in app)
    return data[0] == 0x6A and named and (b"~" in app or data[2 + size : 3 + size] == b"\x72")


def rejected_shape(value: str) -> str | None:
    """The name of a never-secret shape `value` has (placeholder, path, version, ...), or None."""
    for name, pattern in _REJECT_SHAPES:
        if pattern.search(value):
            return name
    if _IDENTIFIER.match(value) or (
        _NAME_WITH_DIGITS.match(value) and len(_LETTERS_PART.findall(value)) >= 2
    ):
        return "identifier (camelCase or snake_case name)"
    if _DOTTED_NAME.match(value) and (
        uncovered_chars(value)[1] >= 0.6 * sum(c.isalpha() for c in value)
        or any(_MODULE_PART.match(part) or _IDENTIFIER.match(part) for part in value.split("."))
    ):
        return "reference to another name"
    if _is_base64_text(value):
        return BASE64_TEXT
    return None


def code_shape(value: str) -> str | None:
    """The shape name when `value` is code, a call or an expression (`r.password,s.host=r.host`), else None:
    the one shape that rules out a credential of any format (a `$` or a dot can be part of a token)."""
    return _EXPRESSION_SHAPE if _EXPRESSION.search(value) else None


_EXPRESSION_SHAPE = "function call or expression"
_EXPRESSION = dict(_REJECT_SHAPES)[_EXPRESSION_SHAPE]


def period(value: str) -> int:
    """The length of the shortest unit whose repetition spells `value`, letter case aside (ABC123abc123ab:
    6); len(value) when nothing repeats."""
    text = value.lower()
    for size in range(1, len(text) // 2 + 1):
        if all(text[i] == text[i - size] for i in range(size, len(text))):
            return size
    return len(text)


def unleet(value: str) -> str:
    """`value` in lower case with l33t spelling undone: P@55w0rd -> password."""
    return value.lower().translate(_LEET)


def is_hex(value: str) -> bool:
    """Hex digits in one letter case (a key, a digest)."""
    return _HEX.match(value) is not None


def test_word(value: str) -> bool:
    """Whether a test or default password's word is in `value`, l33t spelling undone (P@55w0rd, 5iveL!fe)."""
    return bool(_TEST_WORD.search(value) or _TEST_WORD.search(unleet(value)))


def _worded_password(value: str) -> bool:
    """Words a person made a password of: a capital or a digit, and a symbol (StrongOne7., P@ssw0rd1), not a
    name with a counter (access-1), code (saveOAuth2Tokens, tag-$1) or a reference."""
    return (
        len(value) >= 8
        and char_classes(value) >= 3
        and any(not c.isalnum() for c in value)
        and not _WORD_NUMBER.match(value)
        and not _CODE_PUNCTUATION.search(value)
        and not _DOTTED_NAME.match(value)
        and "$" not in value
    )


def dictionary_made(value: str) -> bool:
    """Whether `value` is words (l33t undone) with at most three other characters: somepassword, foobared."""
    return _words_only(*uncovered_chars(value), len(value))


def _words_only(uncovered: int, covered: int, length: int) -> bool:
    return uncovered <= 3 and covered >= length / 2


def _is_base64_text(value: str) -> bool:
    if not _BASE64.match(value) or len(value) % 4:
        return False
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return all(32 <= b < 127 or b in (9, 10, 13) for b in decoded)


def judge(value: str) -> Judgement:
    """Combine the measures into a confidence (high/medium/low) or a rejection with its reason."""
    shape = rejected_shape(value)
    if shape is not None:
        return Judgement(None, shape)
    length = len(value)
    run = longest_run(value)
    if run >= max(4, length // 3):
        return Judgement(None, f"repeated or sequential run of {run} characters")
    unit = period(value) if length >= 8 else length
    if unit * 2 <= length:
        return Judgement(None, f"a pattern of {unit} characters repeated")
    dummy = dummy_pattern(value) or _typed_in(value)
    if dummy is not None:
        return Judgement(None, dummy)
    if _is_datastore_key(value):
        return Judgement(None, "identifier (App Engine datastore key)")
    entropy = shannon_entropy(value)
    if entropy < min(3.0, 0.8 * math.log2(length)):
        return Judgement(None, f"entropy {entropy:.2f} too low for a generated secret")
    uncovered, covered = uncovered_chars(value)
    if _words_only(uncovered, covered, length):
        if _worded_password(value):
            # Words with a capital, a digit and a symbol are how people build passwords (StrongOne7.); a
            # test word (P@ssw0rd1, Somepass1) is still a working default password, shown at low.
            if test_word(value):
                return Judgement("low", "default or test password (words, digits, symbols)", "test-password")
            return Judgement("medium", "human-chosen password: words, digits and symbols", "human-password")
        return Judgement(None, "made of dictionary words")
    if sum(c.isalpha() and not c.isascii() for c in value) >= _NON_ASCII_LETTERS:
        return Judgement("low", "letters outside ASCII: prose or a human-chosen password", "non-ascii")
    if _PASSWORD_HASH.match(value):  # a cracking target, not a working credential: not a generic secret
        return Judgement(None, "password hash (crypt, bcrypt, Django, MySQL, PostgreSQL), not a password")
    if _UUID.match(value):  # many providers issue UUID keys (Heroku, Mailgun's old keys, New Relic, ...)
        return Judgement("medium", "UUID under a secret-like name: a key of many providers", "uuid")
    if _WORD_NUMBER.match(value):  # handler-5757, invoice_73685: names with a counter, rarely a secret
        return Judgement("low", "a word and a number: usually an identifier", "word-number")
    classes = char_classes(value)
    if is_hex(value):
        hex_conf: Confidence = "medium" if length >= 20 and entropy >= 3.3 else "low"
        return Judgement(hex_conf, "hexadecimal string (key or digest)", "hex")
    wordy = covered > uncovered
    if length >= 16 and classes >= 3 and entropy >= 3.5 and covered * 4 < length:
        return Judgement(
            "high", f"random: {length} chars, {classes} character classes, entropy {entropy:.2f}"
        )
    if length >= 10 and classes >= 2 and entropy >= 3.0 and not wordy:
        return Judgement("medium", f"fairly random: {classes} character classes, entropy {entropy:.2f}")
    if length >= 8 and classes >= 3 and not test_word(value) and not _CODE_PUNCTUATION.search(value):
        # Summer2024!, Kx7#mail: a person's password in a configuration works as well as a generated one.
        return Judgement("medium", f"human-chosen password: {classes} character classes", "human-password")
    return Judgement("low", "human-chosen looking value (words, digits, symbols)")
