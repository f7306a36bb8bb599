"""A folder scan's files read where they are scanned (issue 19): in this process for a small tree, by worker
processes once it is large. Both give the same findings, copies of one content included (a path allowlist
holds for its own path only), and what cannot be read is reported, the scan going on."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.scheduler import blobs, files, pool
from tests.helpers.gitrepo import KEY_ID, MORE_KEY_IDS, key_line

FILLER = "".join(f"row {j}: nothing to see\n" for j in range(2000))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / ".secretscan.yml").write_text("allowlist:\n  paths: ['/allowed/']\n")
    leak = key_line(KEY_ID) + 'password = "Zx9Kq2Lm4N07"\n'
    for folder in ("allowed", "a", "b", "allowed/deep"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "copy.cfg").write_text(leak)  # one content at allowlisted and plain paths
    for i in range(30):
        body = FILLER + (key_line(MORE_KEY_IDS[0]) if i in (3, 29) else "")
        (root / f"f{i:02d}.txt").write_text(body)
    (root / "empty1.txt").write_text("")
    (root / "empty2.txt").write_text("")
    return root


def scan(tree: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[Any], dict[str, Any]]:
    code = main(["scan", str(tree), "-q", "-f", "json", "--show-secrets", "--min-confidence", "low", *args])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1, doc
    found = sorted(
        (f["path"], f["line"], f["rule_id"], f["secret"], f["fingerprint"]) for f in doc["findings"]
    )
    return found, doc["summary"]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count: list[int] = []
    real_start = pool.start

    def recording_start(*args: Any, **kwargs: Any) -> Any:
        count.append(1)
        return real_start(*args, **kwargs)

    monkeypatch.setattr(pool, "start", recording_start)
    return count


def test_workers_reading_files_find_what_one_process_finds(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, started: list[int]
) -> None:
    alone, summary = scan(tree, capsys, "--jobs", "1")
    assert started == []
    paths = {Path(p).relative_to(tree).as_posix() for p, *_ in alone}
    assert {"a/copy.cfg", "b/copy.cfg", "f03.txt", "f29.txt"} <= paths
    assert not any(p.startswith("allowed/") for p in paths)  # the copies there are allowlisted
    monkeypatch.setattr(blobs, "INLINE_BYTES", 64 * 1024)
    monkeypatch.setattr(files, "BATCH_FILES", 3)  # copies meet different workers
    parallel, parallel_summary = scan(tree, capsys, "--jobs", "2")
    assert started == [1]
    assert parallel == alone
    assert parallel_summary == summary  # each content counted once


def test_a_warm_result_cache_is_asked_by_the_workers(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobs, "INLINE_BYTES", 64 * 1024)
    cache = str(tmp_path / "cache")
    first, summary = scan(tree, capsys, "--jobs", "2", "--cache", cache)
    again, warm = scan(tree, capsys, "--jobs", "2", "--cache", cache)
    assert again == first
    assert warm["blobs_scanned"] < summary["blobs_scanned"]  # the clean files were not scanned again


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_what_a_worker_cannot_read_is_reported_and_the_scan_goes_on(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobs, "INLINE_BYTES", 1)
    real_read = files.read_file

    def vanishing(path: str, display: str, max_bytes: int) -> Any:
        if path.endswith("f10.txt"):
            os.remove(path)  # gone between the walk and the read
        elif path.endswith("f11.txt"):
            os.remove(path)
            os.mkfifo(path)  # a FIFO swapped in: must not block
        return real_read(path, display, max_bytes)

    monkeypatch.setattr(files, "read_file", vanishing)
    code = main(["scan", str(tree), "-q", "-f", "json", "--jobs", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 2
    reasons = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert reasons["f10.txt"].startswith("unreadable")
    assert reasons["f11.txt"] == "not a regular file"
    assert any(f["path"].endswith("f29.txt") for f in doc["findings"])


def test_a_first_run_compiles_its_database_before_the_workers_fork(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no compiled database cached, the matcher compiles it once it has matched a little: in this
    process before the pool starts, never once in each forked worker."""
    pytest.importorskip("hyperscan")
    from scanner.engine.matcher import AdaptiveMatcher

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    monkeypatch.delenv("SECRETSCAN_NO_DB_CACHE", raising=False)
    monkeypatch.setattr(blobs, "INLINE_BYTES", 64 * 1024)
    monkeypatch.setattr(AdaptiveMatcher, "SMALL", 16 * 1024)
    backends: list[str] = []
    real_start = pool.start

    def recording_start(engine: Any, *args: Any, **kwargs: Any) -> Any:
        backends.append(engine.backend)
        return real_start(engine, *args, **kwargs)

    monkeypatch.setattr(pool, "start", recording_start)
    found, _ = scan(tree, capsys, "--jobs", "2")
    assert backends == ["hyperscan"]
    assert any(p.endswith("f29.txt") for p, *_ in found)
