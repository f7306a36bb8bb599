"""The state file: plain JSON, written atomically, recording each repository's last finished audit (the ref
tips audited, the recipe digest, the sealed findings and counts), so a rerun skips what is unchanged, audits
only the new commits of what changed, and an interrupted run resumes where it stopped (issue 20 §3)."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.errors import UsageError
from scanner.fleet.task import Outcome, Prior
from scanner.fleet.transit import dropped_from_json, dropped_to_json, finding_from_json, finding_to_json
from scanner.model import ScanResult, Skipped

FORMAT = "secretscan-fleet-state"
VERSION = 1


@dataclass(slots=True)
class State:
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> its last finished audit

    def prior(self, name: str) -> Prior | None:
        entry = self.repos.get(name)
        if entry is None or entry.get("findings") is None:  # findings not kept (--show-secrets)
            return None
        present = [f["origin"] for f in entry["findings"] if f.get("present_at_head")]
        where = tuple((o["commit"]["sha"], o["path"]) for o in present if o.get("commit"))
        return Prior(dict(entry["tips"]), entry["recipe"], where)

    def stored(self, name: str) -> tuple[ScanResult, list[str]]:
        """The result recorded for `name` (a repository the state holds) and its findings' digests."""
        return result_from_json(self.repos[name])

    def record(self, outcome: Outcome, result: ScanResult, keys: list[str], keep: bool) -> None:
        """Record a finished audit; `keep` False stores no findings (they hold raw secrets)."""
        entry: dict[str, Any] = result_to_json(result, keys) if keep else {"findings": None}
        entry.update(tips=outcome.tips, recipe=outcome.recipe, rules=outcome.rules, version=__version__)
        self.repos[outcome.name] = entry


def load(path: Path) -> State:
    """The state at `path`, or a new one when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except OSError as exc:
        raise UsageError(f"cannot read fleet state {path}: {exc.strerror or exc}") from exc
    try:
        doc = json.loads(text)
        if doc.get("format") != FORMAT or doc.get("version") != VERSION:
            raise ValueError(f"not a {FORMAT} version {VERSION} file")
        return State(bytes.fromhex(doc["key"]), dict(doc["repositories"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path}: not a fleet state file ({exc}); move it away to start afresh") from None


def save(state: State, path: Path) -> None:
    """Write atomically: a file beside it, then renamed over it (an interrupted write leaves the old one)."""
    doc = {"format": FORMAT, "version": VERSION, "key": state.key.hex(), "repositories": state.repos}
    folder = path.absolute().parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write fleet state {path}: {exc.strerror or exc}") from exc


def result_to_json(result: ScanResult, keys: list[str]) -> dict[str, Any]:
    return {
        "findings": [finding_to_json(f) for f in result.findings],
        "keys": keys,
        "dropped": [dropped_to_json(d) for d in result.dropped],
        "skipped": [[s.path, s.reason] for s in result.skipped],
        "ignored": [[s.path, s.reason] for s in result.ignored],
        "errors": result.errors,
        "warnings": result.warnings,
        "blobs_scanned": result.blobs_scanned,
        "bytes_scanned": result.bytes_scanned,
        "suppressed": result.suppressed,
        "target": result.target,
    }


def result_from_json(doc: dict[str, Any]) -> tuple[ScanResult, list[str]]:
    result = ScanResult(
        findings=[finding_from_json(f) for f in doc["findings"]],
        dropped=[dropped_from_json(d) for d in doc.get("dropped", [])],
        skipped=[Skipped(path, reason) for path, reason in doc.get("skipped", [])],
        ignored=[Skipped(path, reason) for path, reason in doc.get("ignored", [])],
        errors=list(doc.get("errors", [])),
        warnings=list(doc.get("warnings", [])),
        blobs_scanned=int(doc.get("blobs_scanned", 0)),
        bytes_scanned=int(doc.get("bytes_scanned", 0)),
        suppressed=dict(doc.get("suppressed", {})),
        mode="history",
        target=str(doc.get("target", "")),
    )
    return result, list(doc.get("keys", []))
