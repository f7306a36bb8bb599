"""A worker's own blob reader is stopped and waited for as the worker exits: left to exit on its own, its git
was nobody's child, and the CPU it spent went missing from the audit's (what bench.py reports)."""

from __future__ import annotations

import ctypes
import os
import sys
import time
from pathlib import Path

import pytest

from scanner.engine import Engine
from scanner.rules import load_rules
from scanner.scheduler import pool
from tests.helpers.gitrepo import KEY_ID, build, git, key_line

PR_SET_CHILD_SUBREAPER = 36


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux's")
def test_a_workers_reader_is_waited_for_by_the_worker(tmp_path: Path) -> None:
    build(tmp_path, [({"a.txt": key_line(KEY_ID), "b.txt": "clean\n"}, "one")])
    batch = [(git(tmp_path, "rev-parse", f"HEAD:{name}"), name) for name in ("a.txt", "b.txt")]
    libc = ctypes.CDLL(None, use_errno=True)
    # Orphans of our descendants become our children, so one the worker left unwaited can be seen here.
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1) == 0
    try:
        engine = Engine(load_rules())
        with pool.start(engine, False, 1, repo=tmp_path, max_bytes=1 << 20) as workers:
            verdicts = workers.submit(pool.read_and_scan, batch).result()
        assert [status for status, _, _ in verdicts] == ["scanned", "scanned"]
        assert verdicts[0][2] is not None and verdicts[0][2].findings
        orphans = []
        deadline = time.monotonic() + 0.5  # an orphaned git exits once it reads the end of its input
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break  # no child at all: none left behind
            if pid:
                orphans.append(pid)
            else:
                time.sleep(0.02)
        assert orphans == []
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0)
