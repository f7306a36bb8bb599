"""Cache of validated rule files, keyed by content: start-up skips YAML parsing and validation (issue 6 §5).

A pre-commit hook runs on every commit; parsing and validating a few hundred rules costs more than scanning
the commit. The cache holds pickled Rule records (regexes compile lazily), one file per rule file content.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from scanner import __version__

_FORMAT = "1"


def _cache_file(path: Path, raw: bytes, salt: str) -> Path | None:
    if os.environ.get("SECRETSCAN_NO_RULE_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha256(f"{_FORMAT}:{__version__}:{salt}:{path}\0".encode() + raw).hexdigest()[:32]
    return Path(base) / "secretscan" / f"rules-{key}.pickle"


def load(path: Path, raw: bytes, salt: str) -> Any | None:
    file = _cache_file(path, raw, salt)
    if file is None:
        return None
    try:
        with open(file, "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # absent or from another version: parse again


def store(path: Path, raw: bytes, salt: str, rules: Any) -> None:
    file = _cache_file(path, raw, salt)
    if file is None:
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".rules-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(rules, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)
    except OSError:
        pass  # a read-only cache only costs a re-parse next time
