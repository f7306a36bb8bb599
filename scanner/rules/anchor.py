"""A one-line rule's anchor: its pattern's text before the secret group (see scanner/engine/anchors.py, which
searches by it). Pure regex-text analysis, computed once when a rule is parsed."""

from __future__ import annotations

import re


def line_anchor(pattern: str, secret_group: int | str) -> str | None:
    """The pattern's text before its secret group, when that group stands at the top level (so the text
    before it is a regex of its own that every match begins with); None otherwise."""
    depth, number, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + _class_literals(pattern, i + 1)
            continue
        elif char == "(":
            capturing = not pattern.startswith("?", i + 1) or pattern.startswith(("?P<", "?<"), i + 1)
            capturing = capturing and not pattern.startswith(("?<=", "?<!"), i + 1)
            if capturing:
                number += 1
                name = _group_name(pattern, i)
                if (number == secret_group or name == secret_group) and depth == 0:
                    return _valid(pattern[:i])
            depth += 1
        elif char == ")":
            depth -= 1
        i += 1
    return None


def _class_literals(pattern: str, i: int) -> int:
    """How many characters at the start of a class are literal: a leading `^`, then a leading `]`."""
    n = 1 if pattern.startswith("^", i) else 0
    return n + (1 if pattern.startswith("]", i + n) else 0)


def _group_name(pattern: str, i: int) -> str | None:
    for opener in ("(?P<", "(?<"):
        if pattern.startswith(opener, i):
            return pattern[i + len(opener) : pattern.index(">", i)]
    return None


def _valid(prefix: str) -> str | None:
    try:
        re.compile(prefix.encode())
    except re.error:
        return None
    return prefix if prefix else None
