"""Helpers of the torture tests (issue 14 §6): build the corpus, run the installed command, read its reports.

Self-contained on purpose: the end-to-end tests judge the installed `secretscan` from the outside, through its
command line and its JSON report, and import nothing from scanner/ (which moves while they stay).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # bench/ is not installed: the corpus generator is imported from the tree

from bench import torture  # noqa: E402

FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown", "html")
MODES = ("scan", "history", "diff", "staged")
SEED = torture.DEFAULT_SEED
SMALL_FILES = 300  # tree/many: enough to walk, dedupe and batch; the 100,000 of --huge are for the bench


def secretscan() -> list[str]:
    """The installed console script next to this Python (what a user runs), else the one on PATH."""
    script = Path(sys.executable).parent / "secretscan"
    if script.exists():
        return [str(script)]
    found = shutil.which("secretscan")
    return [found] if found else [sys.executable, "-m", "scanner"]


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """No user config, cache or CI setting leaks in; temporary files go where the test can see them."""
    for name in ("home", "cache", "tmp"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "SECRETSCAN_")) and k != "CI"}
    env.update(
        HOME=str(home / "home"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "home" / ".config"),
        TMPDIR=str(home / "tmp"),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
        LC_ALL="C.UTF-8",
    )
    env.update(extra)
    return env


@dataclass(frozen=True, slots=True)
class Run:
    argv: tuple[str, ...]
    rc: int
    stdout: bytes
    stderr: bytes
    report: bytes = b""  # the -o file, when one was asked for
    seconds: float = 0.0

    @property
    def output(self) -> bytes:
        """Everything the run printed or wrote: where a leak would show."""
        return self.stdout + b"\n" + self.stderr + b"\n" + self.report

    def json(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.report or self.stdout)
        return doc


def run(
    argv: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 120, report: Path | None = None
) -> Run:
    """Run the installed command; on timeout its whole process group is killed and rc is -9."""
    args = [*argv, *(["-o", str(report)] if report is not None else [])]
    start = time.monotonic()
    proc = subprocess.Popen(
        [*secretscan(), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        proc.returncode = -9
    written = report.read_bytes() if report is not None and report.exists() else b""
    return Run(tuple(args), proc.returncode, out, err, written, time.monotonic() - start)


# --- the manifest --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    id: str
    section: str
    where: str
    path: bytes
    value: str
    companion: str
    expect: dict[str, str]

    @classmethod
    def of(cls, item: dict[str, Any]) -> Planted:
        path = base64.b64decode(item["path_b64"])
        return cls(
            item["id"], item["section"], item["where"], path, item["value"], item["companion"], item["expect"]
        )

    @property
    def values(self) -> tuple[str, ...]:
        return (self.value, self.companion) if self.companion else (self.value,)

    @property
    def in_metadata(self) -> bool:
        """A value in a commit or tag message, a note, a URL: matched by value alone, not by path."""
        return self.path.startswith(b"(")


def plants(manifest: dict[str, Any], mode: str | None = None, where: str | None = None) -> list[Planted]:
    found = [Planted.of(item) for item in manifest["plants"]]
    return [
        p
        for p in found
        if (mode is None or mode in p.expect)
        and (where is None or p.where == where or p.where.startswith(where + "/"))
    ]


def planned_ids(mode: str) -> list[str]:
    """The ids of the values planted for `mode`, known without building the corpus (for parametrize)."""
    return [p.id for p in _plan() if mode in p.expect]


_PLAN: list[Planted] = []


def _plan() -> list[Planted]:
    """The plants of the default small corpus, from a build into a throw-away folder (once per session)."""
    if not _PLAN:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="torture-plan-") as tmp:
            manifest = torture.build(Path(tmp) / "corpus", SEED, files=SMALL_FILES, big=False)
        _PLAN.extend(plants(manifest))
    return _PLAN


# --- reading a report ----------------------------------------------------------------------------------------


def path_bytes(text: str) -> bytes:
    """A path from a JSON report as the bytes it names (non-UTF-8 bytes come back as lone surrogates)."""
    return os.fsencode(text)


def outcome(plant: Planted, doc: dict[str, Any], prefix: bytes = b"") -> str:
    """What a JSON report (run with --show-secrets) made of a planted value: found, skipped:<reason>,
    error, or absent."""
    for finding in doc.get("findings", []):
        values = {finding.get("secret"), *(finding.get("companions") or {}).values()}
        if plant.value in values and (
            plant.in_metadata or path_bytes(finding["path"]) == prefix + plant.path
        ):
            return "found"
    for skip in doc.get("skipped", []):
        if path_bytes(skip["path"]).startswith(prefix + plant.path):
            return f"skipped:{skip['reason']}"
    name = os.fsdecode(plant.path)
    if not plant.in_metadata and any(name in error for error in doc.get("errors", [])):
        return "error"
    return "absent"


def meets(expected: str, got: str) -> bool:
    if expected == "never-raw":
        return True
    if expected.startswith("skipped:"):
        return got.startswith("skipped:") and expected[len("skipped:") :] in got
    return got == expected


def raw_values(output: bytes, values: Iterable[str]) -> list[str]:
    """The values printed in full, in any of the encodings a report may use."""
    leaked = []
    for value in values:
        raw = value.encode()
        escaped = json.dumps(value)[1:-1].encode()  # / stays, but a JSON writer may escape it
        if raw in output or escaped in output or escaped.replace(b"\\/", b"/") in output:
            leaked.append(value)
    return leaked


def descendants(pid: int) -> set[int]:
    """Every process below `pid` now (Linux /proc): the children a signal must not leave behind."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            ppid = int(stat.rsplit(b")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: Iterable[int]) -> set[int]:
    """The processes of `pids` that still run (zombies count as ended)."""
    living = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z":
            living.add(pid)
    return living
