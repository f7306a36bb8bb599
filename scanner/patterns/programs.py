"""Compiled regular expressions kept as data: the program `re` compiles a pattern into, so that a later run
builds the same Pattern without parsing and compiling it again (issue 19: the pre-commit hook compiled its
modules' patterns, its allowlists and the rules a commit nominates at every start, a large part of its time).

The modules' own patterns come from store.py; the rule cache and the engine's facts keep their patterns'
programs themselves.

A program is only valid for the Python that made it: whoever stores one keys it by PYTHON. It is made
through `re`'s private compiler, whose shape is the same from 3.10 to 3.13, and checked equal to what
re.compile builds (patterns compare by their compiled code); rebuild() compiles anew whenever a program does
not fit, so another Python, a renamed internal or a damaged program costs time, never a different match.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any, AnyStr

# An exact build: compiled code differs between versions (opcodes, sizes).
PYTHON = f"{sys.implementation.cache_tag}|{sys.version}|{sys.hexversion}"

# (flags, code, groups, groupindex, indexgroup): the arguments of _sre.compile after the pattern.
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


@functools.lru_cache(maxsize=1)
def internals() -> tuple[Any, Any] | None:
    """`re`'s parser and its C engine, or None where they are not where 3.10 to 3.13 keep them."""
    try:
        import _sre  # type: ignore[import-not-found]

        if sys.version_info >= (3, 11):
            from re import _compiler, _parser
        else:  # pragma: no cover
            import sre_compile as _compiler
            import sre_parse as _parser
        if not hasattr(_compiler, "_code") or not hasattr(_sre, "compile"):
            return None  # pragma: no cover
        return (_parser, _compiler), _sre
    except ImportError:  # pragma: no cover - another implementation of Python
        return None


def program(regex: re.Pattern[Any]) -> Program | None:
    """The program of a compiled `regex`, or None where it cannot be had or would not rebuild it exactly."""
    found = internals()
    if found is None:
        return None
    (parser, compiler), sre = found
    try:
        parsed = parser.parse(regex.pattern, regex.flags)
        groups = parsed.state.groupdict
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groups.items():
            indexgroup[index] = name
        made: Program = (
            int(regex.flags | parsed.state.flags),
            [int(op) for op in compiler._code(parsed, regex.flags)],
            int(parsed.state.groups - 1),
            {str(name): int(index) for name, index in groups.items()},
            tuple(indexgroup),
        )
        same = sre.compile(regex.pattern, *made) == regex  # equal patterns have the same compiled code
    except Exception:  # pragma: no cover - internals of a Python this was not written against
        return None
    return made if same else None


def rebuild(pattern: AnyStr, flags: int, made: object) -> re.Pattern[AnyStr]:
    """re.compile(pattern, flags), from its stored program `made` when that fits."""
    found = internals()
    if found is not None and isinstance(made, tuple) and len(made) == 5:
        try:
            built: re.Pattern[AnyStr] = found[1].compile(pattern, *made)
        except Exception:  # _sre refuses a program it cannot run (it validates every one)
            pass
        else:
            if built.flags == made[0] and built.pattern == pattern and (flags & ~built.flags) == 0:
                return built
    return re.compile(pattern, flags)
