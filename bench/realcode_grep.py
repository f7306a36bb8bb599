"""A broad grep for credential-looking lines, so that the real-code labels are not limited to what some tool
already finds (bench/realcode.py pools these lines with every tool's hits for a person to judge).

It is deliberately wide and knows nothing of secretscan's rules: a secret-like name followed by a literal in
any common syntax (`=`, `:`, `:=`, `=>`, an XML element, a name/value pair over two lines), CLI password
flags, Authorization headers, URLs with a password, SQL `IDENTIFIED BY`, PEM private-key headers and the
prefixes of well-known provider tokens. It never judges a value; a person does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SECRET_WORD = (
    r"(?:password|passwd|passphrase|pass(?![a-z])|pwd|secret|token|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key"
    r"|secret[_.-]?key|client[_.-]?secret|auth[_.-]?key|credentials?|salt|signing[_.-]?key|master[_.-]?key"
    r"|encryption[_.-]?key|app[_.-]?key|license[_.-]?key|webhook|dsn|conn(?:ection)?[_.-]?string)"
)
# A name holding a secret word, its closing quote, a separator, and a literal: quoted in any file,
# bare only where a bare word is a literal (configuration, shell, Makefile, Dockerfile...).
_NAME = rf"(?<![\w.\-\[\]])[\w.\-\[\]]*{SECRET_WORD}[\w.\-\]]*"
_SEP = r"""["'\]]?\s*(?::=|=>|->|\?=|\+=|=|:|,)\s*(?:\w+\()?"""
QUOTED = re.compile(rf"""(?i){_NAME}{_SEP}[@bru]?(["'`])(?P<value>[^"'`\s]{{3,}}?)\1""")
BARE = re.compile(rf"""(?i){_NAME}["']?\s*(?::=|\?=|=|:)\s*(?P<value>[^\s"'`,;#<>{{}}()]{{3,}})""")
XML = re.compile(rf"""(?i)<(?P<tag>[\w:.-]*{SECRET_WORD}[\w:.-]*)(?:\s[^>]*)?>(?P<value>[^<\n]{{3,}})</""")
NEXT_LINE_VALUE = re.compile(r"""^\s*<(?:value|string)>(?P<value>[^<\n]{3,})</""")
NAME_LINE = re.compile(rf"""(?i)<(?:name|key)>[^<]*{SECRET_WORD}[^<]*</(?:name|key)>\s*$""")
OTHER = [
    re.compile(
        r"""(?i)\bauthorization\b["']?\s*[:=,]\s*["']?(?:bearer|basic|token|bot)\s+(?P<value>[\w.~+/=-]{8,})"""
    ),
    re.compile(r"""(?i)\b(?:bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)"""),
    re.compile(r"""(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s/:@"'<>]{0,64}:(?P<value>[^\s/@"'<>]{3,})@"""),
    re.compile(r"""(?i)\bidentified\s+by\s+(?:password\s+)?["'](?P<value>[^"'\n]{3,})["']"""),
    re.compile(r"""(?i)\bwith\s+(?:encrypted\s+)?password\s+["'](?P<value>[^"'\n]{3,})["']"""),
    re.compile(
        r"""(?i)\b(?:sshpass\s+-p|mysql\w*\b.*?\s-p|--password[= ]|--pass[= ]|-p\s+)\s*["']?(?P<value>[^\s"'-][^\s"']{2,})"""
    ),
    re.compile(r"""(?i)\bcurl\b.*?\s(?:-u|--user)\s+["']?[^\s:"']+:(?P<value>[^\s"']{3,})"""),
    re.compile(r"""-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----"""),
    re.compile(
        r"""(?P<value>\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}"""
        r"""|\bglpat-[\w-]{20}|\bxox[abposr]-[\w-]{10,}|\b[sr]k_(?:live|test)_\w{10,}|\bAIza[\w-]{35}"""
        r"""|\bSG\.[\w-]{22}\.[\w-]{43}|\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]*|\bnpm_\w{36}|\bhf_\w{30,}"""
        r"""|\bsk-(?:proj-)?[\w-]{20,}|\bAccountKey=[\w+/=]{20,}|\bya29\.[\w-]{20,}|\bshp(?:at|ss)_\w{32}"""
        r"""|\bdop_v1_\w{64}|\bAC[a-f0-9]{32}\b|\bpypi-[\w-]{50,})"""
    ),
]
# Any pattern below needs one of these: most lines have none and skip the patterns.
ANY = re.compile(
    r"(?i)pass|pwd|secret|token|key|credential|salt|auth|dsn|conn|identified|bearer|basic|://|-----BEGIN"
    r"|webhook|AKIA|ASIA|gh[pousr]_|github_pat|glpat|xox|[sr]k_|AIza|SG\.|eyJ|npm_|hf_|sk-|ya29|shp|dop_v1"
    r"|AC[a-f0-9]{32}|pypi-"
)
# A value that cannot be a literal credential: a reference, a template, a digest by its own prefix. Tools'
# hits on such lines are pooled all the same; the grep only adds the lines no tool reads.
NOT_LITERAL = re.compile(
    r"(?i)^(?:[$%{<(\[@]|.*(?:\{\{|\$\{|\$\()|(?:hmac-)?(?:sha\d*|md5)[:-]|(?:true|false|null|none)$)"
)
TRANSLATIONS = re.compile(r"(?i)(?:^|/)(?:locales?|i18n|lang|translations?|l10n)(?:/|$)")
SKIP_SUFFIXES = (".lock", ".sum", ".min.js", ".map", ".svg", ".png", ".jpg", ".gif", ".ico", ".woff", ".ttf")
SKIP_NAMES = {"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "composer.lock", "Gemfile.lock", "go.sum"}
CODE_SUFFIXES = {
    ".py", ".js", ".ts", ".tsx", ".jsx", ".java", ".kt", ".go", ".rb", ".php", ".cs", ".c", ".h", ".cpp",
    ".swift", ".m", ".scala", ".rs", ".dart", ".groovy", ".vue", ".html", ".ipynb", ".md", ".rst",
}  # fmt: skip
MAX_LINE = 2000


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str
    line: int
    value: str | None  # the literal, when the pattern captured one


def scan_file(path: Path, rel: str) -> Iterator[Candidate]:
    if path.name in SKIP_NAMES or path.name.endswith(SKIP_SUFFIXES) or TRANSLATIONS.search(rel):
        return
    try:
        data = path.read_bytes()
    except OSError:
        return
    if b"\0" in data[:8000] or len(data) > 4_000_000:
        return
    bare_ok = path.suffix.lower() not in CODE_SUFFIXES
    previous = ""
    for number, text in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
        if len(text) <= MAX_LINE and (ANY.search(text) or NAME_LINE.search(previous)):
            value = line_value(text, previous, bare_ok)
            if value is not None:
                yield Candidate(rel, number, value or None)
        previous = text


def line_value(text: str, previous: str, bare_ok: bool) -> str | None:
    """The literal a credential-looking line holds ("" when the pattern has no value), or None."""
    if NAME_LINE.search(previous):
        found = NEXT_LINE_VALUE.search(text)
        if found:
            return found.group("value")
    patterns = [QUOTED, XML, *OTHER] + ([BARE] if bare_ok else [])
    for pattern in patterns:
        for found in pattern.finditer(text):
            value = found.groupdict().get("value") or ""
            if not NOT_LITERAL.match(value):
                return value
    return None


def scan_tree(tree: Path, top: str) -> Iterator[Candidate]:
    """The candidates under tree/top (paths relative to tree): a value repeated within the repository only
    at its first line, so a fixture that repeats one header a thousand times is one line to judge."""
    seen: set[str] = set()
    for path in sorted((tree / top).rglob("*")):
        if path.is_file() and not path.is_symlink() and ".git" not in path.parts:
            for candidate in scan_file(path, path.relative_to(tree).as_posix()):
                if not candidate.value or candidate.value not in seen:
                    seen.add(candidate.value or "")
                    yield candidate
