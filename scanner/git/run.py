"""Running git: one command to its output (run), a listing read later (Running, Later), a clean stop.

Plain `git` subprocesses with machine-readable output for everything on the hot paths (the pre-commit hook
must start fast). Requires git >= 2.32 (`rev-list --filter=object:type=blob`; `log --diff-merges`, 2.31).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Generic, TypeVar, cast

from scanner.errors import GitError

T = TypeVar("T")
GITLINK_MODE = "160000"
# Quiet, machine-stable output whatever the user's config says; and a scan of a repository never runs a
# program its config names (core.fsmonitor), never opens a socket (a partial clone's lazy fetch: no protocol
# allowed), and reads the objects as committed, never what refs/replace substitutes (issue 14 §2, §4).
_BASE = (
    "git",
    "--no-replace-objects",
    "-c",
    "core.quotePath=true",
    "-c",
    "color.ui=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.allow=never",
)


def git_env() -> dict[str, str]:
    """The environment of every git we run: no lazy fetch (git >= 2.44; older ones fail on the protocol)."""
    return {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_NO_REPLACE_OBJECTS": "1"}


# git maps pack files in windows and keeps them mapped up to 8 GB by default: a process reading a whole
# history holds as much of the packs as it touched (a 145 MB pack: 152 MB resident for one cat-file, and an
# audit runs a reader per scanning process). Small windows, few kept: a reader of blobs keeps 64 MB mapped. In
# 1 MB windows, not 32 MB ones: reads jump all over a pack, and with a few large windows each jump evicts one,
# to be mapped and faulted in again (numpy's blob reader: 8.1 -> 7.4 s of CPU, as resident as before). 64 MB,
# not 32: fewer windows unmapped and faulted in again, the readers' kernel time most of what they save
# (moto's two readers 4.8 -> 4.4 s of CPU, its audit 9.1 -> 8.6 s; peak summed memory 430 -> 472 MB, numpy's
# 444 -> 445 MB); 96 MB saved little more and took moto's peak to 528 MB.
PACK_MEMORY = ("-c", "core.packedGitWindowSize=1m", "-c", "core.packedGitLimit=64m")
# A reader of blobs: git's delta-base cache, 96 MB by default, is most of a reader's memory, and an audit runs
# one per scanning process. 64 MB: 40 MB less resident each, 0.2-0.4 s more CPU each on moto and numpy.
READ_MEMORY = ("-c", "core.deltaBaseCacheLimit=64m", *PACK_MEMORY)
# For walks that read only commits and trees. git's default 96 MB delta-base cache per process made each
# walk of a 10,000-commit history hold ~150 MB: with 16 MB, ~60 MB each, at the same speed. A tree walk jumps
# about the pack the most: 64 MB of 1 MB windows took numpy's `log --raw` walk from 7.8 s of CPU (half in
# the kernel, remapping four 32 MB windows) to 4.4 s, for 11 MB more resident; 128 MB of them to 4.5-4.7 s
# from 4.9-5.4 s (moto's: 1.3-1.6 -> 1.2 s), for 28 MB (39 MB) more.
WALK_MEMORY = (
    "-c", "core.deltaBaseCacheLimit=16m",
    "-c", "core.packedGitWindowSize=1m", "-c", "core.packedGitLimit=128m",
)  # fmt: skip


def run(
    repo: Path | None,
    *args: str,
    stdin: bytes | None = None,
    ok: Sequence[int] = (0,),
    config: Sequence[str] = (),
) -> bytes:
    """Run one git command and return its stdout; a failure becomes a GitError carrying git's message."""
    cmd = [*_BASE, *config, *(["-C", str(repo)] if repo is not None else []), *args]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False, env=git_env())
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if proc.returncode not in ok:
        raise GitError(f"git {args[0]} failed: {_message(proc.stderr, proc.returncode)}")
    return proc.stdout


def _message(stderr: bytes, code: int) -> str:
    """What git said when it failed, or its exit code when it said nothing."""
    return stderr.decode("utf-8", "replace").strip() or f"exit code {code}"


class Running:
    """A git command started now and read later: its output goes to a temporary file, so git never waits
    on us, and runs on the other core while this process does something else. A `piped` one writes to a
    pipe instead, and its reader copies what it reads into that file (`pipe`, `spool`)."""

    def __init__(
        self,
        repo: Path,
        *args: str,
        config: Sequence[str] = (),
        piped: bool = False,
        stdin: IO[bytes] | None = None,
    ) -> None:
        self._name = args[0]
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by output() or close()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        cmd = [*_BASE, *config, "-C", str(repo), *args]
        stdout = subprocess.PIPE if piped else self.spool
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=stdin or subprocess.DEVNULL, stdout=stdout, stderr=self._err, env=git_env()
            )
        except FileNotFoundError as exc:
            self.spool.close()
            self._err.close()
            raise GitError("git is not installed or not on PATH") from exc

    @property
    def pipe(self) -> io.BufferedReader:
        assert self._proc.stdout is not None, "not piped"
        return cast(io.BufferedReader, self._proc.stdout)

    def ended(self) -> bool:
        return self._proc.poll() is not None

    def yield_cores(self) -> None:
        """Let git run only on what the machine leaves idle (the lowest priority): for work that only
        refines an answer already had. Nothing where priorities cannot be set."""
        with contextlib.suppress(AttributeError, OSError):  # not POSIX; or the process has ended
            os.setpriority(os.PRIO_PROCESS, self._proc.pid, 19)

    def failure(self, ok: Sequence[int] = (0,)) -> str | None:
        """Once git has ended: its message if it failed (an exit code not in `ok`), else None."""
        code = self._proc.wait()
        if code in ok:
            return None
        self._err.seek(0)
        return _message(self._err.read(), code)

    def output(self, ok: Sequence[int] = (0,)) -> bytes:
        """Its output, once it has ended; a failure (an exit code not in `ok`) becomes a GitError carrying
        git's message."""
        with self.spool, self._err:
            message = self.failure(ok)
            if message is not None:
                raise GitError(f"git {self._name} failed: {message}")
            self.spool.seek(0)
            return self.spool.read()

    def close(self) -> None:
        """Stop git if it still runs and drop its output."""
        stop(self._proc)
        self.spool.close()
        self._err.close()


class Later(Generic[T]):
    """A listing git makes now, parsed the first time it is asked for."""

    def __init__(self, listing: Running, parse: Callable[[Running], T]) -> None:
        self._listing: Running | None = listing
        self._parse = parse
        self._value: list[T] = []  # empty until parsed

    def get(self) -> T:
        if self._listing is not None:
            listing, self._listing = self._listing, None
            self._value.append(self._parse(listing))
        return self._value[0]


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a git process we started (killed if it still runs) and close our ends of its pipes."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):  # git died: nothing left to tell it
                pipe.close()
    if proc.poll() is None:
        proc.kill()
    proc.wait()
