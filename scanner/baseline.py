"""Baselines: known findings a team has accepted, so that scans report only new ones.

An entry is rule id + path + a keyed hash of the secret (and of its paired companions): HMAC-SHA256 under a
random key stored in the file, so the file never holds a secret, nor a plain hash that could be looked up
in a table or matched across repositories. No line numbers: moving or reformatting code keeps a finding
suppressed, while a different secret on the same line hashes differently and is reported.

The file is stable JSON (sorted keys and entries, indent 2, no timestamps) so it diffs cleanly in review.
Paths in it are relative to the folder holding the baseline (the repository root, normally).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from scanner.config import BASELINE_NAME, Config, repository_root, search_dirs
from scanner.errors import BaselineError
from scanner.model import Finding, Origin

Label = Literal["false-positive", "accepted-risk", "revoked"]
LABELS: tuple[Label, ...] = ("false-positive", "accepted-risk", "revoked")
FORMAT_VERSION = 1
_ENTRY_KEYS = {"rule_id", "path", "secret_hash", "label", "note"}
PathOf = Callable[[Origin], str]


@dataclass(frozen=True, slots=True)
class Entry:
    rule_id: str
    path: str
    secret_hash: str
    label: Label | None = None
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.rule_id, self.secret_hash)

    def describe(self) -> str:
        triage = f", {self.label}" if self.label else ""
        note = f": {self.note}" if self.note else ""
        return f"{self.path} ({self.rule_id}, {self.secret_hash[:12]}{triage}){note}"


@dataclass(frozen=True, slots=True)
class Baseline:
    hmac_key: bytes = field(repr=False)
    entries: tuple[Entry, ...] = ()

    @classmethod
    def new(cls) -> Baseline:
        return cls(secrets.token_bytes(32))

    def secret_hash(self, finding: Finding) -> str:
        # Companions count: a new secret key paired with a baselined key id is a new credential.
        material = "\0".join([finding.secret, *(f"{k}={v}" for k, v in sorted(finding.companions))])
        return hmac.new(
            self.hmac_key, material.encode("utf-8", "surrogateescape"), hashlib.sha256
        ).hexdigest()

    def entry_for(self, finding: Finding, path_of: PathOf) -> Entry:
        return Entry(finding.rule_id, path_of(finding.origin), self.secret_hash(finding))

    def index(self) -> dict[tuple[str, str, str], Entry]:
        return {e.key: e for e in self.entries}

    def updated(
        self, findings: Iterable[Finding], path_of: PathOf, scanned: Sequence[str] = (".",)
    ) -> tuple[Baseline, list[Entry]]:
        """The baseline for the current findings, keeping labels and notes of entries still present.

        Returns it with the entries under the `scanned` paths that matched nothing any more (dropped from
        the new baseline); entries outside them are kept as they are.
        """
        old = self.index()
        fresh = {e.key: old.get(e.key, e) for e in (self.entry_for(f, path_of) for f in findings)}
        gone = [e for key, e in sorted(old.items()) if key not in fresh and in_scope(e, scanned, path_of)]
        fresh.update((key, e) for key, e in old.items() if key not in fresh and e not in gone)
        return Baseline(self.hmac_key, tuple(fresh[k] for k in sorted(fresh))), gone


def in_scope(entry: Entry, scanned: Sequence[str], path_of: PathOf) -> bool:
    """Whether `entry` lies under one of the scanned paths (so a scan of them can tell it is unused)."""
    for path in scanned:
        if path == "-":
            continue
        prefix = path_of(Origin(path))
        if prefix == "." or entry.path == prefix or entry.path.startswith(prefix + "/"):
            return True
    return False


def locate(explicit: str | None, disabled: bool, config: Config, start: Path) -> Path | None:
    """The baseline a scan uses: --baseline FILE, the config's `baseline`, else one found at the root."""
    if disabled:
        return None
    if explicit is not None:
        if not Path(explicit).is_file():
            raise BaselineError(
                f"{explicit}: baseline file not found (create one: secretscan baseline create)"
            )
        return Path(explicit)
    if config.baseline is not None:
        return config.baseline if config.baseline.is_file() else None
    return next((d / BASELINE_NAME for d in search_dirs(start) if (d / BASELINE_NAME).is_file()), None)


def path_mapper(baseline_path: Path, start: Path) -> PathOf:
    """How a finding's path is written in a baseline: relative to the baseline's folder.

    Files are reported relative to where the command ran; git sources report repository-relative paths.
    """
    base = os.path.abspath(baseline_path.parent)
    repo = repository_root(start)

    def path_of(origin: Origin) -> str:
        if origin.kind == "stdin":
            return origin.path
        if origin.kind == "file":
            full = os.path.abspath(origin.path)
        elif repo is not None:
            full = os.path.join(repo, origin.path)
        else:
            return origin.path
        return Path(os.path.relpath(full, base)).as_posix()

    return path_of


def load(path: Path) -> Baseline:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("secretscan_baseline") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not a secretscan baseline (version {FORMAT_VERSION})")
    try:
        key = bytes.fromhex(doc["hmac_key"])
    except (KeyError, TypeError, ValueError):
        raise BaselineError(f"{path}: 'hmac_key' must be a hex string") from None
    if not isinstance(doc.get("entries"), list):
        raise BaselineError(f"{path}: 'entries' must be a list")
    return Baseline(key, tuple(_entry(item, path, i) for i, item in enumerate(doc["entries"])))


def dumps(baseline: Baseline) -> str:
    doc = {
        "secretscan_baseline": FORMAT_VERSION,
        "hmac_key": baseline.hmac_key.hex(),
        "entries": [_entry_dict(e) for e in sorted(baseline.entries, key=lambda e: e.key)],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def save(baseline: Baseline, path: Path) -> None:
    try:
        path.write_text(dumps(baseline), encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from exc


def relabel(baseline: Baseline, chosen: Iterable[Entry], label: Label | None, note: str | None) -> Baseline:
    keys = {e.key for e in chosen}
    entries = tuple(
        dataclasses.replace(e, label=label, note=e.note if note is None else note) if e.key in keys else e
        for e in baseline.entries
    )
    return Baseline(baseline.hmac_key, entries)


def _entry(item: Any, path: Path, index: int) -> Entry:
    where = f"{path}: entry #{index + 1}"
    if not isinstance(item, dict) or not {"rule_id", "path", "secret_hash"} <= set(item):
        raise BaselineError(f"{where}: needs 'rule_id', 'path' and 'secret_hash'")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise BaselineError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if not all(isinstance(item.get(k, ""), str) for k in ("rule_id", "path", "secret_hash", "note")):
        raise BaselineError(f"{where}: values must be strings")
    label = item.get("label")
    if label is not None and label not in LABELS:
        raise BaselineError(f"{where}: label must be one of {', '.join(LABELS)}")
    return Entry(
        item["rule_id"], item["path"], item["secret_hash"], cast("Label | None", label), item.get("note", "")
    )


def _entry_dict(entry: Entry) -> dict[str, str]:
    out = {"rule_id": entry.rule_id, "path": entry.path, "secret_hash": entry.secret_hash}
    if entry.label:
        out["label"] = entry.label
    if entry.note:
        out["note"] = entry.note
    return out
