"""Persistent cache of clean blobs by blob id and engine digest (issue 6 §4).

Re-auditing a repository then reads and scans only blobs it has not seen. Only *clean* blobs are recorded
(nothing found, nothing dropped): blobs with findings are scanned again, so no secret is ever written to the
cache, and the cache stays small. Keyed by the engine's digest (rules, allowlists, config), so a change of
rules or config invalidates it automatically. SQLite from the standard library: one file, no dependency.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from scanner.cachedir import private_folder, user_cache
from scanner.errors import UsageError

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS clean (digest TEXT, blob TEXT, PRIMARY KEY (digest, blob)) WITHOUT ROWID"
)


def default_dir() -> Path | None:
    """In CI (the CI variable set), a folder under the user cache, which CI systems commonly keep."""
    if not os.environ.get("CI"):
        return None
    return user_cache() / "results"


class ResultCache:
    def __init__(self, folder: Path, digest: str) -> None:
        private_folder(folder)
        self.folder = folder  # a worker opens the same cache (scheduler/files.py)
        try:
            self._db = sqlite3.connect(folder / "clean-blobs.sqlite3", isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"cannot use the result cache in {folder}: {exc}") from exc
        self._digest = self.digest = digest
        self._pending: list[tuple[str, str]] = []
        self.hits = 0
        # Empty for these rules (a first run): no lookup can hit, so none is made (22,000 in a big audit).
        self._warm = self._knows_any()

    @property
    def warm(self) -> bool:
        """Whether an earlier run with the same rules left entries (else listing ids first saves nothing)."""
        return self._warm

    def _knows_any(self) -> bool:
        row = self._db.execute("SELECT 1 FROM clean WHERE digest = ? LIMIT 1", (self._digest,)).fetchone()
        return row is not None

    def is_clean(self, blob_id: str) -> bool:
        if not self._warm:
            return False
        row = self._db.execute(
            "SELECT 1 FROM clean WHERE digest = ? AND blob = ?", (self._digest, blob_id)
        ).fetchone()
        if row is not None:
            self.hits += 1
        return row is not None

    def clean_among(self, blob_ids: Iterable[str]) -> set[str]:
        """The subset of `blob_ids` known clean: one query per chunk, for sources that list ids first."""
        if not self._warm:
            return set()
        ids = list(blob_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT blob FROM clean WHERE digest = ? AND blob IN ({marks})", (self._digest, *chunk)
            )
            found.update(row[0] for row in rows)
        self.hits += len(found)
        return found

    def mark_clean(self, blob_id: str) -> None:
        self._pending.append((self._digest, blob_id))
        if len(self._pending) >= 5000:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        try:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO clean VALUES (?, ?)", self._pending)
            self._db.execute("COMMIT")
        except sqlite3.Error:
            # A full disk or a locked file loses only cache entries: the next run scans those blobs again.
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        self._pending.clear()

    def close(self) -> None:
        self.flush()
        self._db.close()
