"""Secrets hidden by an encoding: base64 values, percent-encoding, JSON/string escapes (issue 7 §3).

After the normal pass, lines that hold encoded text are rewritten with the text decoded in place (so the
name next to a value still gives the generic rules their context: `password: aHVudGVy…` reads as
`password: hunter…`; decoded()), the engine scans the rewritten lines one level deeper, and each finding
that lies in decoded text is mapped back to the encoded text's line and column with the fact
("encoding", "base64" | "percent" | "escape") (merge()). Pure: the engine drives it, it never calls the
engine. Depth and decoded size are bounded, and a blob with no encoded-looking text costs a few substring
searches.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from scanner.engine.lines import LineIndex
from scanner.model import Blob, Dropped, Finding
from scanner.patterns import compiled
from scanner.validators.randomness import BASE64_TEXT

MAX_DEPTH = 2  # an encoded value inside an encoded value (a base64 Docker config inside a Kubernetes Secret)
MAX_DECODED = 512 * 1024  # decoded bytes scanned per blob, at most
MAX_LINE = 64 * 1024  # longer lines (minified bundles, inline images) are not rewritten

# Base64 values are decoded when the generic judge dropped them as base64 of text (a secret-like name holds
# them) and, in Kubernetes Secrets, under `data:` whatever the key. Each gate has a literal prefix, so `re`
# finds it with memchr speed.
_B64_VALUE = compiled(rb"(?m):[ \t]*[\"']?([A-Za-z0-9+/]{8,}={0,2})[\"']?,?[ \t]*\r?$")
_PERCENT = compiled(rb"%[2-7][0-9A-Fa-f]")
# Escaped quotes (`\"`) are common in source code and read by the generic rules directly; decode the
# escapes that only JSON writers produce: \u00XX and \/.
_ESCAPE = compiled(rb"\\(?:u00[2-7][0-9A-Fa-f]|/)")
_ESCAPE_PIECE = compiled(rb"\\u([0-9A-Fa-f]{4})|\\([\"/\\])")
_PERCENT_PIECE = compiled(rb"%([0-9A-Fa-f]{2})")
# (gate byte, line test, piece, name, escapes a line needs): one %xx is common in URLs, so two are required.
_TEXT_ENCODINGS = (
    (b"%", _PERCENT, _PERCENT_PIECE, "percent", 2),
    (b"\\", _ESCAPE, _ESCAPE_PIECE, "escape", 1),
)
# What the native matcher looks for in the same pass as the rules (matcher.py): where each encoding's line
# test first matches, and how long a match is at most. Source code holds `%` and `\\` everywhere, and `re`
# read such blobs to their end for a match that is seldom there (on numpy's history, most of decoding's time).
TEXT_SIGNALS = (("percent", _PERCENT.pattern, 3), ("escape", _ESCAPE.pattern, 6))
_SIGNAL_WIDTHS = {name: width for name, _, width in TEXT_SIGNALS}
_BACKSLASH = 92
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", "-")  # "-": standard input


class Piece(NamedTuple):
    """A stretch of rewritten text and the raw bytes it came from (absolute offsets). A named tuple, not a
    frozen dataclass: a file of percent-encoded lines makes tens of thousands, and a tuple is made in a
    third of the time."""

    start: int  # in the rewritten text
    end: int
    raw_start: int  # in the blob
    raw_end: int
    encoding: str | None  # None: copied unchanged


@dataclass(frozen=True, slots=True)
class Decoded:
    """The lines of a blob that hold encoded text, rewritten with that text decoded, and the way back."""

    text: bytes  # to scan one level deeper
    pieces: list[Piece]
    raw_lines: LineIndex  # of the original blob


def decoded(
    blob: Blob, dropped: list[Dropped], kube_secret: bool, signals: dict[str, int] | None = None
) -> Decoded | None:
    """The rewritten lines worth scanning again, or None when `blob` holds no encoded text worth decoding.
    `dropped`: the first pass's drops (they name base64 values under secret-like names); `kube_secret`: the
    matcher saw `kind: Secret`; `signals`: where the matcher saw each of TEXT_SIGNALS end first (None: it
    did not look)."""
    if signals is not None and not signals and not kube_secret and not any(map(_base64_drop, dropped)):
        return None  # the matcher saw nothing encoded: most blobs of a history, skipped at once
    data = blob.data
    raw_lines = LineIndex(data)
    base64_spans = _dropped_base64(dropped, raw_lines)
    spans = _encoded_spans(data, blob.origin.path, base64_spans, kube_secret, signals)
    if not spans:
        return None
    text, pieces = _rewrite(data, spans)
    return Decoded(text, pieces, raw_lines)


def merge(
    findings: list[Finding], inner: list[Finding], work: Decoded, is_generic: Callable[[str], bool]
) -> list[Finding]:
    """`findings` plus what the decoded text's findings (`inner`) add, each mapped back to its encoded
    text."""
    text_lines = LineIndex(work.text)
    for finding in inner:
        mapped = _map_back(finding, work.pieces, work.raw_lines, text_lines)
        if mapped is not None:
            findings = _add(findings, mapped, is_generic)
    return findings


def _add(findings: list[Finding], mapped: Finding, is_generic: Callable[[str], bool]) -> list[Finding]:
    """Add a decoded finding unless another finding covers its place.

    A provider rule found in decoded text (a GitHub token inside a Kubernetes `data:` value) replaces a rule
    that reported the encoded text as such; a generic one does not replace a rule that understood the
    encoding (npm `_auth`, Docker `auth`).
    """
    same = [kept for kept in findings if _same_place(mapped, kept)]
    if same and is_generic(mapped.rule_id):
        return findings
    if all(_hides(kept.secret.encode(), mapped.secret.encode(), MAX_DEPTH) for kept in same):
        return [f for f in findings if f not in same] + [mapped]
    return findings


def _dropped_base64(dropped: list[Dropped], lines: LineIndex) -> list[tuple[int, int]]:
    """Where the generic judge found base64 of text assigned to a secret-like name."""
    spans = []
    for drop in dropped:
        if _base64_drop(drop):
            start = lines.start(drop.line) + drop.column - 1
            spans.append((start, start + len(drop.secret.encode())))
    return spans


def worth_decoding(reason: str, detail: str) -> bool:
    """Whether a drop (its reason and detail) names a value to decode: the generic judge found base64 of text
    assigned to a secret-like name. The engine keeps such drops even when it shows none."""
    return reason == "validator" and detail == BASE64_TEXT


def _base64_drop(drop: Dropped) -> bool:
    return worth_decoding(drop.reason, drop.detail)


Span = tuple[int, int, bytes, str]


def _encoded_spans(
    data: bytes,
    path: str,
    base64_spans: list[tuple[int, int]],
    kube_secret: bool,
    signals: dict[str, int] | None = None,
) -> list[Span]:
    """(start, end, decoded bytes, encoding) for each encoded stretch worth decoding, by offset.
    `kube_secret`: the matcher saw `kind: Secret` in `data`; `signals` as decoded()."""
    kube_spans = []
    if kube_secret and path.endswith(_MANIFEST_SUFFIXES):
        kube_spans = [m.span(1) for m in _B64_VALUE.finditer(data)]
    spans: list[Span] = []
    budget = MAX_DECODED
    for start, end in base64_spans + kube_spans:
        decoded = _base64_text(data[start:end])
        if decoded is not None and budget > 0:
            if (start, end) in kube_spans and _lone_token(decoded) and not _secret_key(data, start):
                # A Secret's data value is a secret whatever its key is called (issue 16 §7): named so the
                # generic rules judge the decoded value alone.
                decoded = _KUBE_NAME + decoded
            spans.append((start, end, decoded, "base64"))
            budget -= len(decoded)
    for gate, pattern, piece, encoding, least in _TEXT_ENCODINGS:
        first = _first(data, gate, pattern, encoding, signals)
        if first < 0:
            continue
        for line_start, line_end in _lines_with(pattern, data, first, least):
            for match in piece.finditer(data, line_start, line_end):
                spans.append((match.start(), match.end(), _unescape(match), encoding))
    spans.sort()
    return _without_overlaps(spans)


def _first(
    data: bytes, gate: bytes, pattern: re.Pattern[bytes], encoding: str, signals: dict[str, int] | None
) -> int:
    """Where `pattern` first matches in `data`, or -1."""
    if signals is None:  # a one-byte gate at memchr speed; the regex (about 10x slower) only where it occurs
        start = data.find(gate)
        found = pattern.search(data, start) if start >= 0 else None
    else:  # the first match ends where the matcher says, so it starts at most its width before
        end = signals.get(encoding)
        found = None if end is None else pattern.search(data, max(0, end - _SIGNAL_WIDTHS[encoding]))
    return -1 if found is None else found.start()


_KUBE_NAME = b"secret_value="
_TOKEN = compiled(rb"^[!-~]{8,200}$")  # one printable word: a password or key, not a file or a sentence
_SECRET_KEY = compiled(rb"(?i)pass|pwd|secret|token|key|auth|credential")


def _lone_token(decoded: bytes) -> bool:
    return _TOKEN.match(decoded) is not None


def _secret_key(data: bytes, start: int) -> bool:
    """Whether the key before a value on its line already names a secret (the generic rules read it)."""
    return _SECRET_KEY.search(data, data.rfind(b"\n", 0, start) + 1, start) is not None


def _base64_text(candidate: bytes) -> bytes | None:
    """The decoded bytes when `candidate` is base64 of readable text (not of an image, a font, a hash)."""
    if len(candidate) > MAX_LINE:
        return None
    padded = candidate + b"=" * (-len(candidate) % 4)
    try:
        decoded = base64.b64decode(
            padded, altchars=b"-_" if b"-" in padded or b"_" in padded else None, validate=True
        )
    except (binascii.Error, ValueError):
        return None
    if len(decoded) < 6 or not all(32 <= b < 127 or b in (9, 10, 13) for b in decoded):
        return None
    return decoded


def _hides(encoded: bytes, secret: bytes, depth: int) -> bool:
    """Whether base64 `encoded` decodes (once or, nested, up to `depth` times) to text holding `secret`."""
    decoded = _base64_text(encoded)
    if decoded is None or depth == 0:
        return False
    if secret in decoded:
        return True
    return any(_hides(m.group(1), secret, depth - 1) for m in _B64_VALUE.finditer(decoded))


def _lines_with(pattern: re.Pattern[bytes], data: bytes, position: int, least: int) -> list[tuple[int, int]]:
    """(start, end) of each line holding at least `least` matches of `pattern`, skipping overlong lines."""
    found: list[tuple[int, int]] = []
    while (match := pattern.search(data, position)) is not None:
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.end())
        end = len(data) if end < 0 else end
        if end - start <= MAX_LINE and _count(pattern, data, start, end) >= least:
            found.append((start, end))
        position = end + 1
    return found


def _count(pattern: re.Pattern[bytes], data: bytes, start: int, end: int) -> int:
    """Matches of `pattern` in data[start:end], leaving out escapes that are not: the `\\/` of `\\\\/` (an
    escaped backslash, then a slash) is how JSON writes a regex, common in schemas, and hides nothing."""
    count = 0
    for match in pattern.finditer(data, start, end):
        at = match.start()
        if data[at] == _BACKSLASH:
            before = at
            while before > start and data[before - 1] == _BACKSLASH:
                before -= 1
            if (at - before) % 2:
                continue
        count += 1
    return count


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code is None:
        return match.group(match.lastindex or 0)
    value = int(code, 16)
    if len(code) == 2:
        return bytes([value])
    return chr(value).encode("utf-8", "replace")  # a lone surrogate half (\ud800) becomes "?"


def _without_overlaps(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _rewrite(data: bytes, spans: list[Span]) -> tuple[bytes, list[Piece]]:
    """The lines holding `spans`, with each span replaced by its decoded bytes, and the offset map."""
    out = bytearray()
    pieces: list[Piece] = []
    by_line: dict[int, list[Span]] = {}
    for span in spans:
        by_line.setdefault(data.rfind(b"\n", 0, span[0]) + 1, []).append(span)
    for line_start, line_spans in by_line.items():
        end = data.find(b"\n", line_start)
        line_end = len(data) if end < 0 else end
        cursor = line_start
        for start, stop, decoded, encoding in [*line_spans, (line_end, line_end, b"", "")]:
            if start > cursor:
                pieces.append(Piece(len(out), len(out) + start - cursor, cursor, start, None))
                out += data[cursor:start]
            if decoded:
                pieces.append(Piece(len(out), len(out) + len(decoded), start, stop, encoding))
                out += decoded
            cursor = stop
        out += b"\n"
    return bytes(out), pieces


def _map_back(finding: Finding, pieces: list[Piece], raw: LineIndex, text: LineIndex) -> Finding | None:
    """The finding moved to the encoded text it came from; None if nothing on its line was encoded."""
    start = text.start(finding.line) + finding.column - 1
    end = text.start(finding.line) + finding.end_column - 1
    touched = [p for p in pieces if p.start < end and start < p.end]
    # The secret itself may be plain text whose context was encoded (`%22password%22%3A%22…`): name the
    # encoding of the stretch nearest before it on its line.
    line_start = text.start(finding.line)
    around = [p.encoding for p in pieces if line_start <= p.start < end and p.encoding]
    encodings = [p.encoding for p in touched if p.encoding] or around[-1:]
    if not touched or not encodings:
        return None
    first, last = touched[0], touched[-1]
    raw_start = first.raw_start + (start - first.start if first.encoding is None else 0)
    raw_end = last.raw_start + (end - last.start) if last.encoding is None else last.raw_end
    line = raw.line_of(raw_start)
    column = raw_start - raw.start(line) + 1
    end_column = (
        column + raw_end - raw_start if raw.line_of(max(raw_start, raw_end - 1)) == line else column + 1
    )
    inner = finding.fact("encoding")
    encoding = encodings[0] if inner is None else f"{encodings[0]}>{inner}"
    facts = (*tuple(f for f in finding.facts if f[0] != "encoding"), ("encoding", encoding))
    return dataclasses.replace(finding, line=line, column=column, end_column=end_column, facts=facts)


def _same_place(a: Finding, b: Finding) -> bool:
    return a.line == b.line and a.column < b.end_column and b.column < a.end_column
