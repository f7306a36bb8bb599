"""Every option of one run, resolved once from flags, the project config and defaults; one parser per kind
of value, shared by the command line and the config file so both accept and refuse the same text."""

from __future__ import annotations

import re

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
SIZE_EXAMPLES = "examples: 500000, 512k, 10M"


def parse_size(raw: str | int) -> int:
    """A size in bytes, at least one: 500000, 512k, 1.5M, 10MB, 2G. Raises ValueError with the reason.

    Zero and negative sizes are refused: a cap that skips every file turns a scan into "no findings"."""
    if isinstance(raw, bool):
        raise ValueError(f"not a size: {raw!r} ({SIZE_EXAMPLES})")
    if isinstance(raw, int):
        size = raw
    else:
        match = _SIZE.match(raw)
        if match is None:
            raise ValueError(f"not a size: {raw!r} ({SIZE_EXAMPLES})")
        size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < 1:
        raise ValueError(f"a size must be at least 1 byte, not {raw!r} ({SIZE_EXAMPLES})")
    return size
