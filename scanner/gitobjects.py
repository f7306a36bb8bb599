"""Object contents from git: one persistent `git cat-file --batch` process per pass, never one per object.

`ObjectReader` reads a known list of objects, fed from a temporary file so reading is fully pipelined without
a writer thread (threads and the scan's fork-based worker pool do not mix). `BlobStream` pipes `rev-list
--objects` straight into `cat-file`, so contents flow while git is still walking the history.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scanner.errors import GitError
from scanner.git import _BASE, WALK_MEMORY

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
                [*_BASE, "-C", str(self.repo), "cat-file", mode],
                stdin=requests,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=_CHUNK,
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


def _widen_pipe(stream: IO[bytes]) -> None:
    """Let git write up to 1 MB ahead of us (Linux; the default is 64 kB): fewer switches between the two
    processes, which share two cores with the scan."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, _CHUNK)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or capped by /proc/sys/fs/pipe-max-size: the default pipe works, a little slower


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


@dataclass(frozen=True, slots=True)
class Streamed:
    oid: str
    kind: str  # blob, commit, ...; "missing" when absent or unreadable
    size: int
    path: str  # the first path the walk met the blob at; "" for commits and missing objects


class BlobStream:
    """Every blob reachable from `revs`, with a path it had: `rev-list --objects` piped straight into
    `cat-file --batch` (two gits and an OS pipe, no thread of ours), so reading starts at once instead of
    after a full listing. The walk also names commits (read and dropped) and missing objects.

    `complete` tells, after the stream ends, whether every listed object was answered: cat-file stops at
    a corrupt object, and the caller then reads the rest one by one with ObjectReader.
    """

    def __init__(self, repo: Path, revs: Sequence[str]) -> None:
        git = [*_BASE, "-C", str(repo)]
        walk = [*git, *WALK_MEMORY, "rev-list", "--objects", "--filter=object:type=blob", "--missing=print"]
        read = [*git, "cat-file", "--batch=%(objectname) %(objecttype) %(objectsize) %(rest)"]
        self.complete = False
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._walk = subprocess.Popen([*walk, *revs, "--"], stdout=subprocess.PIPE, stderr=self._err)
        assert self._walk.stdout is not None
        self._read = subprocess.Popen(
            read, stdin=self._walk.stdout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=_CHUNK
        )
        self._walk.stdout.close()  # cat-file holds the read end now
        assert self._read.stdout is not None
        _widen_pipe(self._read.stdout)

    def objects(self, max_bytes: int) -> Iterator[tuple[Streamed, bytes | None]]:
        """(object, data) in walk order; data is None when missing or larger than `max_bytes` (drained)."""
        stream = self._read.stdout
        assert stream is not None
        while header := stream.readline():
            fields = header.rstrip(b"\n").split(b" ", 3)
            if len(fields) == 2 and fields[1] == b"missing":
                yield Streamed(fields[0].decode().lstrip("?"), "missing", 0, ""), None
                continue
            oid, kind, size = fields[0].decode(), fields[1].decode(), int(fields[2])
            path = fields[3].decode("utf-8", "surrogateescape") if len(fields) > 3 else ""
            data = _read_body(stream, size, max_bytes if kind == "blob" else 0)
            if data is not None and len(data) < size:
                return  # cat-file died inside this object: incomplete
            yield Streamed(oid, kind, size, path), data
        self._finish()

    def _finish(self) -> None:
        if self._read.wait() != 0:
            return  # cat-file stopped at a corrupt object: incomplete
        if self._walk.wait() != 0:
            self._err.seek(0)
            message = self._err.read().decode("utf-8", "replace").strip()
            raise GitError(f"git rev-list failed: {message or f'exit code {self._walk.returncode}'}")
        self.complete = True

    def close(self) -> None:
        for proc in (self._read, self._walk):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if self._read.stdout is not None:
            self._read.stdout.close()
        self._err.close()

    def __enter__(self) -> BlobStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
