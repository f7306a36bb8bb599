"""A history audit's progress (issue 18 §3): totals that count the work the audit does, a time left from
the rate of the scan, and heartbeats on stderr, never stdout, when nobody watches a terminal."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from scanner import cli
from scanner import git as git_module
from scanner.commands import progress
from scanner.model import ScanResult
from scanner.scheduler.stream import POOL_AFTER
from scanner.sources import history
from tests.helpers.cli import run_cli
from tests.helpers.gitrepo import ENGINE, build, commit, git


def _census(work: history.Plan, known_clean: progress.KnownClean | None = None) -> progress.Tally:
    """A Tally once its exact census is in (git's answer takes a moment), the messages read."""
    work.load()  # as the scan does before it scans the messages
    done = progress.Tally(work, known_clean)
    deadline = time.monotonic() + 30
    while (done.total_blobs is None or done.provisional) and time.monotonic() < deadline:
        done.add(0, 0)
        time.sleep(0.05)
    done.close()
    return done


def test_a_branch_audit_counts_only_that_branch(tmp_path: Path) -> None:
    """The census counts the blobs the audited revisions reach, not every object in the repository (a
    count of the object database was a bound: 21,285 shown, 14,295 done)."""
    build(tmp_path, [({"a.txt": "a\n", "b.txt": "bb\n"}, "init")])
    git(tmp_path, "checkout", "-q", "-b", "other")
    commit(tmp_path, {"c.txt": "c" * 100 + "\n"}, "other work", 1)
    git(tmp_path, "checkout", "-q", "main")
    git(tmp_path, "hash-object", "-w", "--stdin", stdin="an unreachable blob\n")
    result = ScanResult()
    only_main = history.plan(tmp_path, history.HistoryOptions(branches=("main",)), result)
    done = _census(only_main)
    assert (done.total_blobs, done.total_bytes) == (2 + 1, len("a\nbb\n") + len("init\n"))
    every_ref = _census(history.plan(tmp_path, history.HistoryOptions(), result))
    assert every_ref.total_blobs == 3 + 2  # c.txt and its commit's message join; the loose blob does not


def test_the_database_counts_first_then_the_reachable_blobs(tmp_path: Path) -> None:
    """A count of the object database comes in a moment but is a bound; the exact one replaces it."""
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    loose = git(tmp_path, "hash-object", "-w", "--stdin", stdin="an unreachable blob\n")
    census = git_module.BlobCensus(tmp_path, ["--all"], whole_database=True)
    counts: list[tuple[bool, set[str]]] = []
    deadline = time.monotonic() + 30
    while not census.final and time.monotonic() < deadline:
        counted = census.poll()
        if counted is not None:
            counts.append((census.final, {oid for oid, _, _ in counted}))
        time.sleep(0.02)
    reachable = {git(tmp_path, "rev-parse", "HEAD:a.txt")}
    assert counts[-1] == (True, reachable)
    assert all(ids == reachable | {loose} for final, ids in counts[:-1])
    assert census.poll() is None  # nothing after the exact count


def test_the_exact_count_that_only_refines_the_bound_runs_on_idle_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting the reachable blobs walks every tree (seconds of CPU on a long history): beside the
    database's bound it only refines the totals, so it yields the cores to the audit. Alone, it does not."""
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    niced: list[int] = []
    monkeypatch.setattr(git_module.Running, "yield_cores", lambda self: niced.append(id(self)))
    census = git_module.BlobCensus(tmp_path, ["--all"], whole_database=True)
    deadline = time.monotonic() + 30
    while not census.final and time.monotonic() < deadline:
        census.poll()
        time.sleep(0.02)
    assert census.final and len(niced) == 2  # the listing and the sizing of the exact count
    niced.clear()
    alone = git_module.BlobCensus(tmp_path, ["HEAD"])
    while not alone.final and time.monotonic() < deadline:
        alone.poll()
        time.sleep(0.02)
    assert alone.final and niced == []


def test_a_process_that_yields_the_cores_runs_at_the_lowest_priority(tmp_path: Path) -> None:
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    if not hasattr(os, "getpriority"):
        pytest.skip("no process priorities on this platform")
    read, write = os.pipe()
    with open(read, "rb") as requests:  # git waits on it until it is closed
        listing = git_module.Running(tmp_path, "cat-file", "--batch", stdin=requests)
    try:
        listing.yield_cores()
        assert os.getpriority(os.PRIO_PROCESS, listing._proc.pid) == 19
    finally:
        os.close(write)
        listing.close()


def test_skipped_paths_count_as_blobs_without_bytes(tmp_path: Path) -> None:
    build(tmp_path, [({"a.txt": "a\n", "vendor/big.js": "x" * 1000}, "init")])
    skip = lambda path: path.startswith("vendor/")  # noqa: E731
    done = _census(history.plan(tmp_path, history.HistoryOptions(), ScanResult(), skip))
    assert (done.total_blobs, done.total_bytes) == (2 + 1, len("a\n") + len("init\n"))


def test_blobs_a_warm_cache_knows_clean_are_no_bytes_to_read(tmp_path: Path) -> None:
    build(tmp_path, [({"a.txt": "a\n", "b.txt": "b" * 1000}, "init")])
    b_id = git(tmp_path, "rev-parse", "HEAD:b.txt")
    asked: list[list[str]] = []

    def known_clean(ids: list[str]) -> set[str]:
        asked.append(sorted(ids))
        return {b_id} & set(ids)

    done = _census(history.plan(tmp_path, history.HistoryOptions(), ScanResult()), known_clean)
    assert (done.total_blobs, done.total_bytes) == (2 + 1, len("a\n") + len("init\n"))
    both = sorted([b_id, git(tmp_path, "rev-parse", "HEAD:a.txt")])
    assert asked and all(ids == both for ids in asked)  # asked of each count: the database's, the exact


def test_time_left_is_the_rate_of_the_later_half(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A slow start (git walking from every ref, cold caches) weighs on the estimate only while it is
    recent; setting up before the first content does not count at all."""
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    work = history.plan(tmp_path, history.HistoryOptions(max_commits=1), ScanResult())  # listed: totals known
    clock = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    done = progress.Tally(work)
    done.total_bytes = 2000
    clock[0] += 10  # setting up
    done.add(1, 10)
    assert done.seconds_left() is None  # no rate yet
    for _ in range(4):  # a slow start: 10 bytes a second
        clock[0] += 1
        done.add(1, 10)
    for _ in range(8):  # then 100 bytes a second
        clock[0] += 1
        done.add(1, 100)
    assert done.seconds_left() == pytest.approx((2000 - 850) / 100)


def test_on_a_long_audit_the_rate_waits_for_the_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Workers join a long audit once this process has scanned POOL_AFTER bytes: the rate of one process
    alone is no measure of what follows."""
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    work = history.plan(tmp_path, history.HistoryOptions(max_commits=1), ScanResult())
    clock = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    done = progress.Tally(work)
    done.total_bytes = 10 * POOL_AFTER
    step = POOL_AFTER // 4
    for _ in range(4):  # one process: POOL_AFTER in 8 s
        clock[0] += 2
        done.add(1, step)
    assert done.seconds_left() is None  # workers not in yet
    for _ in range(8):  # then twice as fast
        clock[0] += 1
        done.add(1, step)
    assert done.seconds_left() == pytest.approx((10 * POOL_AFTER - done.bytes) / step)


def test_heartbeats_go_to_stderr_without_a_terminal(tmp_path: Path) -> None:
    build(tmp_path, [({f"f{i}.txt": f"file {i}\n" for i in range(5)}, "init")])
    env = {progress.HEARTBEAT_ENV: "0"}  # a heartbeat at every blob
    proc = run_cli("history", str(tmp_path), "-f", "json", *ENGINE, env=env)
    assert proc.returncode == 0
    json.loads(proc.stdout)  # stdout holds the report alone
    beats = [line for line in proc.stderr.splitlines() if line.startswith("secretscan: history audit: ")]
    assert beats and beats[-1].startswith("secretscan: history audit: 6")  # 5 blobs and the message
    assert run_cli("history", str(tmp_path), "-q", *ENGINE, env=env).stderr == ""
    default = run_cli("history", str(tmp_path), *ENGINE, env={progress.HEARTBEAT_ENV: ""})
    assert default.stderr == ""  # every 30 s by default: a short audit says nothing


def test_in_process_progress_never_touches_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build(tmp_path, [({"a.txt": "a\n"}, "init")])
    monkeypatch.setenv(progress.HEARTBEAT_ENV, "0")
    assert cli.main(["history", str(tmp_path), "-f", "json", *ENGINE]) == 0
    out, err = capsys.readouterr()
    assert "history audit" in err and "history audit" not in out


def test_heartbeat_line() -> None:
    done = progress.Tally.__new__(progress.Tally)
    done.blobs, done.bytes, done.total_blobs, done.total_bytes = 1200, 3 << 20, None, None
    done._times, done._done, done.provisional = [], [], False
    assert progress.heartbeat(done) == "history audit: 1,200 blobs, 3.0 MiB"
    done.total_blobs, done.total_bytes = 2400, 6 << 20
    assert progress.heartbeat(done) == "history audit: 1,200/2,400 blobs, 3.0 MiB/6.0 MiB (50%)"
    done.provisional = True  # a bound from the object database, the exact count to come
    assert progress.heartbeat(done) == "history audit: 1,200/~2,400 blobs, 3.0 MiB/~6.0 MiB (50%)"
