"""Run one command and measure wall time and peak memory, with a timeout that kills its whole process group.

Peak memory is the larger of two figures: the maximum resident set size of the largest single process of
the command, as the kernel reports it to `wait4` (what `/usr/bin/time -v` prints), and, on Linux, the
largest sum of the resident sets of all the command's processes, sampled every 0.2 s from /proc. The second
matters for tools that fork workers (each worker holds its own copy of the pattern database); the first
catches short peaks the sampler misses. The same rule for every tool.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"
# Fallback where GNU time is missing (macOS, slim containers): a tiny Python parent that reports its
# children's peak RSS. Costs ~20 ms of start-up, which is why GNU time is preferred.
RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "peak = usage.ru_maxrss // (1024 if sys.platform == 'darwin' else 1)\n"
    "open(sys.argv[1], 'w').write(f'Maximum resident set size (kbytes): {peak}\\n'\n"
    "    f'User time (seconds): {usage.ru_utime}\\nSystem time (seconds): {usage.ru_stime}\\n')\n"
    "sys.exit(code)\n"
)


# Installed Python tools carry compiled bytecode (pip compiles at install). A shell that forbids writing it
# (PYTHONDONTWRITEBYTECODE) would charge each run of a Python tool its compilation, ~40 ms for ours.
_USERS_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True, slots=True)
class Run:
    wall: float  # seconds
    peak_kb: int | None
    code: int
    timed_out: bool
    cpu: float | None = None  # user + system seconds of the command and every child it waited for
    pss_kb: int | None = None  # largest sum of the processes' proportional set sizes (Linux)


@dataclass(frozen=True, slots=True)
class Summary:
    wall: float  # median seconds; the cap when timed out
    peak_kb: int | None  # max over runs
    codes: tuple[int, ...]
    timed_out: bool
    runs: int
    cpu: float | None = None  # median user + system seconds
    pss_kb: int | None = None  # max over runs


def _wrapper(report: str) -> list[str]:
    if Path(GNU_TIME).exists() and os.access(GNU_TIME, os.X_OK):
        return [GNU_TIME, "-v", "-o", report]
    return [sys.executable, "-c", RUSAGE_WRAPPER, report]


def _peak(report: Path) -> int | None:
    value = _field(report, "Maximum resident set size")
    return None if value is None else int(value)


def _cpu(report: Path) -> float | None:
    """User + system CPU seconds: on two shared cores, steadier than wall time, and it shows what a tool
    costs the machine, not only how long it took."""
    user, system = _field(report, "User time"), _field(report, "System time")
    return None if user is None or system is None else user + system


def _field(report: Path, name: str) -> float | None:
    try:
        text = report.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if name in line:
            return float(line.rsplit(":", 1)[1])
    return None


def run_once(
    argv: list[str], cwd: Path, timeout: float, stdout: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run argv once; output goes to `stdout` (a file) or nowhere. The clock includes process start-up."""
    with tempfile.TemporaryDirectory(prefix="bench-time-") as tmp:
        report = Path(tmp) / "time.txt"
        out = stdout.open("wb") if stdout else subprocess.DEVNULL
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [*_wrapper(str(report)), *argv],
                cwd=cwd,
                stdout=out,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                env={**_USERS_ENV, **(env or {})},
                start_new_session=True,  # so a timeout can kill the tool's workers too
            )
            sampler = GroupSampler(proc.pid)
            # A blocking wait sees the end at once; wait(timeout=...) polls with sleeps that double up to
            # 50 ms, which rounded every short run up to 63, 113, 163, 213 ms... (a staged commit's 110 ms
            # read 165). The timeout is a timer that kills the group instead.
            fired = threading.Event()
            deadline = threading.Timer(timeout, _kill_group, (proc.pid, fired))
            deadline.start()
            try:
                code = proc.wait()
            finally:
                deadline.cancel()
            wall = time.perf_counter() - start
            timed_out = fired.is_set()
            group_kb = sampler.stop()
            pss_kb = sampler.peak_pss_kb or None
        finally:
            if stdout:
                out.close()  # type: ignore[union-attr]
        single_kb = _peak(report)
        peak = max(single_kb or 0, group_kb) or None
        if timed_out:
            return Run(wall, None, code, timed_out)
        return Run(wall, peak, code, timed_out, _cpu(report), pss_kb)


def _kill_group(pgid: int, fired: threading.Event) -> None:
    fired.set()
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.killpg(pgid, signal.SIGKILL)


class GroupSampler:
    """Largest total RSS of the processes in process group `pgid`, sampled from /proc in a thread; and the
    largest total PSS, where a page several processes map (git's mapped pack, shared by every reader) counts
    once in all, split between them: what the group holds in memory, where RSS counts such pages once per
    process."""

    INTERVAL = 0.2

    def __init__(self, pgid: int) -> None:
        self.pgid, self.peak_kb, self.peak_pss_kb = pgid, 0, 0
        self._done = threading.Event()
        self._page_kb = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
        self._thread = threading.Thread(target=self._run, daemon=True)
        if Path("/proc/self/stat").exists():
            self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self.INTERVAL):
            rss, pss = self._sample()
            self.peak_kb = max(self.peak_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)

    def _sample(self) -> tuple[int, int]:
        total = pss = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
            # After the command name: state ppid pgrp ...; rss (pages) is the 22nd field from there.
            if int(fields[2]) == self.pgid:
                total += int(fields[21]) * self._page_kb
                pss += _pss(entry.name)
        return total, pss

    def stop(self) -> int:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak_kb


def _pss(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass  # exited meanwhile, or a kernel without smaps_rollup
    return 0


def summarise(done: list[Run], timeout: float) -> Summary:
    """Median wall time of the runs of one tool; a timed-out run makes the whole entry "> timeout"."""
    codes = tuple(r.code for r in done)
    if any(r.timed_out for r in done):
        return Summary(timeout, None, codes, True, len(done))
    peaks = [r.peak_kb for r in done if r.peak_kb is not None]
    wall = statistics.median(r.wall for r in done)
    cpus = [r.cpu for r in done if r.cpu is not None]
    cpu = statistics.median(cpus) if cpus else None
    psss = [r.pss_kb for r in done if r.pss_kb is not None]
    return Summary(
        wall, max(peaks) if peaks else None, codes, False, len(done), cpu, max(psss) if psss else None
    )


def which(name: str, extra_dirs: tuple[Path, ...] = ()) -> str | None:
    """An executable on PATH or in one of `extra_dirs`."""
    for folder in extra_dirs:
        candidate = folder / name
        if candidate.exists() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)
