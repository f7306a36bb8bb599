"""Object contents from git: one persistent `git cat-file --batch` process per pass, never one per object.

`ObjectReader` reads a known list of objects, fed from a temporary file so reading is fully pipelined without
a writer thread. `BatchReader` reads objects asked for in batches as a history walk names them, so contents
flow while git is still walking the history.
"""

from __future__ import annotations

import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scanner.git.run import _BASE, READ_MEMORY, git_env, stop

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    oid: str  # the object id git answered with (the request itself when missing)
    kind: str  # blob, tree, commit, tag; "missing" when absent or unreadable
    size: int


class ObjectReader:
    """One `git cat-file --batch` (or `--batch-check`) process per pass over a known list of objects.

    Requests go through a temporary file on stdin, so git streams every answer without waiting on us. If git
    dies on a corrupt object, the objects after it are requested again from a fresh process.
    """

    def __init__(self, repo: Path) -> None:
        self.repo = repo

    def infos(self, names: Sequence[str]) -> Iterator[ObjectInfo]:
        for info, _ in self._stream(names, contents=False, max_bytes=0):
            yield info

    def contents(self, names: Sequence[str], max_bytes: int) -> Iterator[tuple[ObjectInfo, bytes | None]]:
        """(info, data) per name; data is None when missing or larger than `max_bytes` (not read)."""
        yield from self._stream(names, contents=True, max_bytes=max_bytes)

    def _stream(
        self, names: Sequence[str], contents: bool, max_bytes: int
    ) -> Iterator[tuple[ObjectInfo, bytes | None]]:
        done = 0
        while done < len(names):
            answered = 0
            for item in self._one_process(names[done:], contents, max_bytes):
                answered += 1
                yield item
            if answered == 0:  # git died on the very first object: report it and move past it
                yield ObjectInfo(names[done], "missing", 0), None
                answered = 1
            done += answered

    def _one_process(
        self, names: Sequence[str], contents: bool, max_bytes: int
    ) -> Iterator[tuple[ObjectInfo, bytes | None]]:
        with tempfile.TemporaryFile() as requests:
            requests.write("".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape"))
            requests.seek(0)
            mode = "--batch" if contents else "--batch-check"
            proc = subprocess.Popen(
                [*_BASE, *READ_MEMORY, "-C", str(self.repo), "cat-file", mode],
                stdin=requests,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=_CHUNK,
                env=git_env(),
            )
            assert proc.stdout is not None
            _widen_pipe(proc.stdout)
            try:
                for name in names:
                    header = proc.stdout.readline()
                    if not header:
                        return  # git exited early (corrupt object): the caller restarts after it
                    parts = header.split()
                    if len(parts) != 3:
                        yield ObjectInfo(name, "missing", 0), None
                        continue
                    info = ObjectInfo(parts[0].decode(), parts[1].decode(), int(parts[2]))
                    data = _read_body(proc.stdout, info.size, max_bytes) if contents else None
                    if data is not None and len(data) < info.size:  # git died inside this object
                        yield ObjectInfo(name, "missing", 0), None
                        return
                    yield info, data
            finally:
                proc.kill()
                proc.wait()
                proc.stdout.close()


def _widen_pipe(stream: IO[bytes]) -> int:
    """Let the pipe hold 1 MB (Linux; the default is 64 kB): fewer switches between git and us, which share
    two cores with the scan. Returns what it holds now; 0 where that cannot be told (not Linux)."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, _CHUNK)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or capped by /proc/sys/fs/pipe-max-size: the default pipe works, a little slower
    try:
        return int(fcntl.fcntl(stream.fileno(), fcntl.F_GETPIPE_SZ))
    except (NameError, AttributeError, OSError):
        return 0


def _read_body(stream: IO[bytes], size: int, max_bytes: int) -> bytes | None:
    read = stream.read
    if size <= max_bytes:
        data = read(size)
        read(1)  # the newline after each object
        return data
    left = size + 1
    while left:  # too large: drain without keeping it
        left -= len(read(min(left, _CHUNK))) or left
    return None


class BatchReader:
    """One persistent `git cat-file --batch` for objects asked for in batches as they become known (the
    history audit learns blob ids from a walk while it scans).

    `ask()` queues a batch and `answers()` reads the oldest queued batch back, so a caller that asks for the
    next batch before reading the current one keeps git reading while it scans. git stops reading requests
    while its answers wait to be read, so a writer could wait on git while git waits on it, unless the pipe
    holds every request outstanding (two batches). Where the pipe can be made to hold them (Linux: 1 MB),
    they are written directly; elsewhere a thread of their own writes them (`threaded`: a process with it
    must not fork). If git dies on a corrupt object, that object is answered as missing and the rest are
    asked of a fresh process.
    """

    MAX_BATCH = 512
    OUTSTANDING = 2 * MAX_BATCH * 65  # bytes of two batches' requests, at most (SHA-256 ids: 64 digits)

    def __init__(self, repo: Path, max_bytes: int) -> None:
        self.repo = repo
        self.max_bytes = max_bytes
        self._queued: list[list[str]] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._requests: _Requests | None = None
        self.threaded = False

    def ask(self, oids: list[str]) -> None:
        assert len(oids) <= self.MAX_BATCH
        self._queued.append(oids)
        self._send(oids)

    def asked(self, oids: list[str]) -> bool:
        """Whether `oids` is the oldest batch asked and not read yet (asked ahead of its turn)."""
        return bool(self._queued) and self._queued[0] == oids

    def forget(self) -> None:
        """Read and drop the answers to every batch asked (a batch asked ahead that another took)."""
        while self._queued:
            for _ in self.answers():
                pass

    def answers(self) -> Iterator[tuple[ObjectInfo, bytes | None]]:
        """(info, data) for each object of the oldest batch; data is None when missing or larger than
        `max_bytes` (not kept)."""
        oids = self._queued.pop(0)
        done = 0
        while done < len(oids):
            proc = self._process()
            assert proc.stdout is not None
            header = proc.stdout.readline()
            parts = header.split()
            if len(parts) == 2 and parts[1] == b"missing":
                yield ObjectInfo(oids[done], "missing", 0), None
                done += 1
                continue
            data = None
            if len(parts) == 3:
                info = ObjectInfo(parts[0].decode(), parts[1].decode(), int(parts[2]))
                data = _read_body(proc.stdout, info.size, self.max_bytes if info.kind == "blob" else 0)
                if data is None or len(data) == info.size:
                    yield info, data
                    done += 1
                    continue
            # git died at this object (no header, or a body cut short): a fresh git takes the rest
            yield ObjectInfo(oids[done], "missing", 0), None
            done += 1
            self._restart([oids[done:], *self._queued])

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()  # first: a write blocked on a full pipe then fails, and its thread ends
            if self._requests is not None:
                self._requests.close()
                self._requests = None
            stop(self._proc)
            self._proc = None

    def __enter__(self) -> BatchReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                [*_BASE, *READ_MEMORY, "-C", str(self.repo), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=_CHUNK,
                env=git_env(),
            )
            assert self._proc.stdout is not None and self._proc.stdin is not None
            _widen_pipe(self._proc.stdout)
            if _widen_pipe(self._proc.stdin) < self.OUTSTANDING:
                self._requests = _Requests(self._proc.stdin)
                self.threaded = True
        return self._proc

    def _send(self, oids: list[str]) -> None:
        stdin = self._process().stdin
        assert stdin is not None
        data = "".join(f"{oid}\n" for oid in oids).encode()
        if self._requests is not None:
            self._requests.put(data)
            return
        try:
            stdin.write(data)
            stdin.flush()
        except OSError:  # git died: the read side notices, and restarts it
            pass

    def _restart(self, pending: list[list[str]]) -> None:
        self.close()
        for oids in pending:
            if oids:
                self._send(oids)


class _Requests:
    """Writes requests to a git process from a thread of its own, in order, until closed or git dies (the
    reading side then notices a missing answer)."""

    def __init__(self, stdin: IO[bytes]) -> None:
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._write, args=(stdin,), name="secretscan-requests", daemon=True
        )
        self._thread.start()

    def put(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        """Stop after what was put (git was killed, or has read it all) and wait for the thread."""
        self._queue.put(None)
        self._thread.join()

    def _write(self, stdin: IO[bytes]) -> None:
        try:
            while (data := self._queue.get()) is not None:
                stdin.write(data)
                stdin.flush()
        except (OSError, ValueError):  # git died (a corrupt object, or killed at close)
            pass
