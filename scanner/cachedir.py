"""Cache folders: created private (0700), and refused when someone else could write into them (issue 14 §2).

What a cache holds steers a scan (a clean verdict skips a blob; a database decides which rules run), so a
folder another user can write to, or a symbolic link that could point anywhere, is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from scanner.errors import UsageError


def private_folder(path: Path) -> Path:
    """`path`, created 0700 if absent; UsageError naming it when it is a symbolic link, not a folder, owned by
    another user, or writable by its group or by others."""
    try:
        path.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    except OSError as exc:
        raise UsageError(f"cannot create the cache folder {path}: {exc.strerror or exc}") from exc
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise UsageError(f"cannot use the cache folder {path}: {exc.strerror or exc}") from exc
    why = ""
    if stat.S_ISLNK(st.st_mode):
        why = "it is a symbolic link"
    elif not stat.S_ISDIR(st.st_mode):
        why = "it is not a folder"
    elif hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        why = "it belongs to another user"
    elif st.st_mode & 0o022:
        why = "others can write to it (chmod 700 it)"
    if why:
        raise UsageError(f"refusing the cache folder {path}: {why}")
    return path


def user_cache() -> Path:
    """secretscan's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache); not created here."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "secretscan"


def private_or_none(path: Path) -> Path | None:
    """`path` as private_folder() makes it, or None where it cannot be: that cache is then not used."""
    try:
        return private_folder(path)
    except UsageError:
        return None


def read_used(path: Path) -> bytes:
    """The bytes of a cached file, marked used now (its mtime) so that prune() keeps it (OSError as reading
    raises it)."""
    data = path.read_bytes()
    with contextlib.suppress(OSError):  # read-only, or removed by a concurrent prune since: the read stands
        os.utime(path)
    return data


def prune(folder: Path, prefix: str, keep: int) -> None:
    """Remove the files named `prefix…` in `folder` except the `keep` most recently used (newest mtime):
    every change of rules or config leaves a compiled file behind (issue 19). Safe beside concurrent runs: a
    run still reading a removed file keeps its open handle, and one that finds it gone builds it again."""
    found: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.name.startswith(prefix):
                    with contextlib.suppress(OSError):  # gone meanwhile: a concurrent prune
                        found.append((entry.stat(follow_symlinks=False).st_mtime, entry.path))
    except OSError:
        return
    found.sort(reverse=True)
    for _, path in found[keep:]:
        with contextlib.suppress(OSError):  # removed by a concurrent run already
            os.remove(path)


def read_sealed(path: Path, magic: bytes) -> object:
    """The data a file write_sealed() wrote with `magic` holds, the file marked used; None when it is absent,
    cut short, damaged or not ours (its digest does not match). Read by marshal, which runs nothing on
    reading; the caller checks the data has the shape it expects."""
    try:
        raw = read_used(path)
    except OSError:
        return None
    head = len(magic)
    body = raw[head + 32 :]
    if raw[:head] != magic or hashlib.sha256(body).digest() != raw[head : head + 32]:
        return None
    try:
        return marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None


def write_sealed(path: Path, magic: bytes, data: Any, keep: int) -> None:
    """Write `magic`, then the digest of `data` marshalled and that body, whole (a temporary file renamed over
    `path`); then keep the `keep` most recently used files of its kind (the name up to its first dash). A
    cache that cannot be written is only a cost next time."""
    prefix = path.name.split("-", 1)[0] + "-"
    try:
        body = marshal.dumps(data)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{prefix}")
        with os.fdopen(fd, "wb") as handle:
            handle.write(magic + hashlib.sha256(body).digest() + body)
        os.replace(tmp, path)
    except (OSError, ValueError):  # ValueError: not plain data, never kept
        return
    prune(path.parent, prefix, keep)
