"""With gitobjects.py (object contents), the only module that talks to git.

Plain `git` subprocesses with machine-readable output for everything on the hot paths (the pre-commit hook
must start fast, and GitPython's import alone costs ~60 ms); GitPython only for cloning a remote as a bare
mirror. Requires git >= 2.32 (`rev-list --filter=object:type=blob`; `log --diff-merges`, 2.31).
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar, cast

from scanner.errors import GitError
from scanner.gitparse import (
    COMMIT_FORMAT,
    MARK,
    CommitDiff,
    filter_raw_log,
    parse_commit,
    parse_diffs,
)
from scanner.model import Commit

T = TypeVar("T")
GITLINK_MODE = "160000"
# Quiet, machine-stable output whatever the user's config says.
_BASE = ("git", "-c", "core.quotePath=true", "-c", "color.ui=false", "-c", "log.showSignature=false")
# git maps pack files in windows and keeps them mapped up to 8 GB by default: a process reading a whole
# history holds as much of the packs as it touched (a 145 MB pack: 152 MB resident for one cat-file, and an
# audit runs a reader per scanning process). Windows of 32 MB, at most 128 MB kept: 7 MB resident, same speed.
PACK_MEMORY = ("-c", "core.packedGitWindowSize=32m", "-c", "core.packedGitLimit=128m")
# For walks that read only commits and trees. git's default 96 MB delta-base cache per process made each
# walk of a 10,000-commit history hold ~150 MB: with 16 MB, ~60 MB each, at the same speed.
WALK_MEMORY = ("-c", "core.deltaBaseCacheLimit=16m", *PACK_MEMORY)
_CHUNK = 1 << 16
_DIFF_OPTS = ("--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[\w.-]+@[\w.-]+:")


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
        proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if proc.returncode not in ok:
        raise GitError(f"git {args[0]} failed: {_message(proc.stderr, proc.returncode)}")
    return proc.stdout


def _message(stderr: bytes, code: int) -> str:
    """What git said when it failed, or its exit code when it said nothing."""
    return stderr.decode("utf-8", "replace").strip() or f"exit code {code}"


def git_dir(path: Path) -> Path:
    """The git directory of the repository at `path` (work tree or bare); GitError when it is none."""
    if not path.is_dir():
        raise GitError(f"{path}: no such folder")
    try:
        out = run(path, "rev-parse", "--absolute-git-dir").decode().strip()
    except GitError as exc:
        raise GitError(f"{path} is not a git repository ({exc})") from exc
    return Path(out)


def toplevel(path: Path) -> Path:
    return Path(run(path, "rev-parse", "--show-toplevel").decode().strip())


def hook_path(repo: Path, name: str) -> Path:
    """Where git looks for hook `name` (honours core.hooksPath)."""
    out = run(repo, "rev-parse", "--path-format=absolute", "--git-path", f"hooks/{name}").decode().strip()
    return Path(out)


def is_url(target: str) -> bool:
    return bool(_URL.match(target)) and not Path(target).exists()


@contextmanager
def open_repository(target: str) -> Iterator[Path]:
    """A local repository path (work tree or bare) as is; a URL cloned as a bare mirror into a temporary
    folder that is removed when the block exits, also on Ctrl-C (issue 3)."""
    if not is_url(target):
        git_dir(Path(target))  # fails clearly on a folder that is not a repository
        yield Path(target)
        return
    import git as gitpython  # GitPython: only this path needs it

    with tempfile.TemporaryDirectory(prefix="secretscan-", ignore_cleanup_errors=True) as tmp:
        mirror = Path(tmp) / "mirror.git"
        try:
            gitpython.Repo.clone_from(target, mirror, mirror=True, env={"GIT_TERMINAL_PROMPT": "0"})
        except gitpython.GitCommandError as exc:
            detail = str(exc.stderr).strip().removeprefix("stderr:").strip(" '\n")
            raise GitError(f"cannot clone {target}: {detail or exc}") from exc
        yield mirror


def resolve(repo: Path, rev: str) -> str | None:
    """The commit SHA that `rev` names, or None."""
    try:
        out = run(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except GitError:
        return None
    return out.decode().strip() or None


def is_shallow(repo: Path) -> bool:
    return run(repo, "rev-parse", "--is-shallow-repository").decode().strip() == "true"


def stash_commits(repo: Path) -> list[str]:
    """Every stash entry, not only the latest one that `--all` sees through refs/stash."""
    if resolve(repo, "refs/stash") is None:
        return []
    return run(repo, "log", "-g", "--format=%H", "refs/stash").decode().split()


def tagged_blobs(repo: Path) -> list[tuple[str, str]]:
    """(blob id, name) of the blobs refs point at directly or through a tree, not through a commit (git's own
    repository tags a public key this way): a walk of commits never meets them. Named ref:path."""
    fmt = "%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname:short)"
    found: list[tuple[str, str]] = []
    for line in run(repo, "for-each-ref", f"--format={fmt}").decode("utf-8", "surrogateescape").splitlines():
        kind, oid, peeled_kind, peeled, name = line.split(" ", 4)
        kind, oid = (peeled_kind, peeled) if kind == "tag" else (kind, oid)
        if kind == "blob":
            found.append((oid, name))
        elif kind == "tree":
            found.extend((e.oid, f"{name}:{e.path}") for e in tree(repo, oid) if e.kind == "blob")
    return found


def merge_base(repo: Path, base: str, head: str) -> str:
    out = run(repo, "merge-base", "--end-of-options", base, head, ok=(0, 1)).decode().strip()
    if not out:
        hint = (
            " in this shallow clone: fetch more history (actions/checkout fetch-depth: 0, GIT_DEPTH: 0)"
            if is_shallow(repo)
            else ""
        )
        raise GitError(f"{base} and {head} have no common ancestor{hint}")
    return out


class Running:
    """A git command started now and read later: its output goes to a temporary file, so git never waits
    on us, and runs on the other core while this process does something else. A `piped` one writes to a
    pipe instead, and its reader copies what it reads into that file (`pipe`, `spool`)."""

    def __init__(self, repo: Path, *args: str, config: Sequence[str] = (), piped: bool = False) -> None:
        self._name = args[0]
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by output() or close()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        cmd = [*_BASE, *config, "-C", str(repo), *args]
        stdout = subprocess.PIPE if piped else self.spool
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=self._err)
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

    def failure(self) -> str | None:
        """Once git has ended: its message if it failed, else None."""
        code = self._proc.wait()
        if code == 0:
            return None
        self._err.seek(0)
        return _message(self._err.read(), code)

    def output(self) -> bytes:
        """Its output, once it has ended; a failure becomes a GitError carrying git's message."""
        with self.spool, self._err:
            message = self.failure()
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


def start_commit_messages(repo: Path, revs: Sequence[str]) -> Running:
    """Start listing every commit of `revs` with its full message: read it with commit_messages()."""
    return Running(repo, "log", "-z", f"--format={COMMIT_FORMAT}%x1f%B", *revs, "--")


def commit_messages(listing: Running) -> Iterator[tuple[Commit, bytes]]:
    """Every commit of a listing (newest first) with its full message."""
    out = listing.output()
    for record in out.split(b"\0"):
        if not record:
            continue
        *head, message = record.split(b"\x1f", 5)
        yield parse_commit(b"\x1f".join(head).decode("utf-8", "replace")), message


def list_blobs(repo: Path, revs: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(blob id, a path it had) for every blob reachable from `revs`, in traversal order; and the ids of
    objects the traversal found missing or unreadable (reported, never fatal: PERF-NOTES §5)."""
    out = run(
        repo,
        "rev-list",
        "--objects",
        "--filter=object:type=blob",
        "--missing=print",
        *revs,
        "--",
        config=WALK_MEMORY,
    )
    blobs: list[tuple[str, str]] = []
    missing: list[str] = []
    for line in out.split(b"\n"):
        if line.startswith(b"?"):
            missing.append(line[1:].decode())
        elif len(line) > 41 and line[40:41] == b" ":  # commits come without a path
            blobs.append((line[:40].decode(), line[41:].decode("utf-8", "surrogateescape")))
    return blobs, missing


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str
    kind: str  # blob | tree | commit (a submodule gitlink)
    oid: str
    path: str


def start_blob_census(repo: Path) -> Running:
    """Start counting the blobs in the object database (in pack order: no walk, ~1 µs an object): the
    totals of a progress bar that streams. Read them with blob_census()."""
    return Running(
        repo, "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objecttype) %(objectsize)"
    )


def blob_census(listing: Running) -> tuple[int, int]:
    """(blobs, their bytes) in the object database: reachable or not, so a bound of what an audit reads."""
    sizes = [int(line[5:]) for line in listing.output().split(b"\n") if line.startswith(b"blob ")]
    return len(sizes), sum(sizes)


def start_tree(repo: Path, rev: str) -> Running:
    """Start listing the tree of `rev`: read it with tree_entries()."""
    return Running(repo, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev)


def tree(repo: Path, rev: str) -> list[TreeEntry]:
    """Every entry of the tree of `rev`, recursively."""
    return tree_entries(start_tree(repo, rev))


def tree_entries(listing: Running) -> list[TreeEntry]:
    out = listing.output()
    entries = []
    for record in out.split(b"\0"):
        if record:
            meta, path = record.split(b"\t", 1)
            mode, kind, oid = meta.decode().split(" ")
            entries.append(TreeEntry(mode, kind, oid, path.decode("utf-8", "surrogateescape")))
    return entries


def staged_diff(repo: Path, paths: Sequence[str] = ()) -> CommitDiff:
    """What the next commit adds: index versus HEAD (or the empty tree before the first commit)."""
    out = run(
        repo,
        "diff", "--cached", "--raw", "-p", "-U0", "--no-abbrev", "-M", "--diff-filter=ACMRT",
        *_DIFF_OPTS, "--", *paths,
    )  # fmt: skip
    return next(parse_diffs(out), CommitDiff(None))


def range_diffs(repo: Path, revs: Sequence[str]) -> list[CommitDiff]:
    """Per commit of `revs`, oldest first: changed files and the lines each commit adds."""
    out = run(
        repo,
        "log", "--reverse", f"--format={MARK}{COMMIT_FORMAT}", "--raw", "-p", "-U0", "--no-abbrev",
        "-M", "--diff-filter=ACMRT", *_DIFF_OPTS, *revs, "--",
    )  # fmt: skip
    return list(parse_diffs(out))


class BlobLog:
    """`git log --raw` over `revs`: per commit, newest first, which blobs its diff adds and removes (no
    patches, so no file contents are read). Renames show as delete + add. A merge shows its diff against its
    first parent only: every blob of a merge is in a parent (and so added by a commit before it) or new in
    the merge, and then in that diff too. Diffs against every parent (-m) cost 2.2 x the lines and 1.5 x the
    time on a history of pull requests (4,545 merges), for nothing new.

    Started as soon as it is known to be likely needed, with its output spooled to a temporary file: the walk
    runs on another core while this process scans, and costs no wall time of its own (issue 6). `diffs()`
    later keeps the commits that touch the blobs asked for. A `piped` walk is also read as it runs
    (`chunks()`): the history audit learns from it which blobs to read, so one walk serves both.

    Newest first, because git stores a file's older versions as deltas of its newer ones: blobs asked for in
    that order find their bases in git's cache. Oldest first, git read the blobs of a history of large,
    often edited files (850 MB) in 1.62 s instead of 0.75 s; on histories of small files the two orders are
    within 15% of each other. It also lets git write its first commit at once, where --reverse makes it
    list every commit first.
    """

    def __init__(
        self, repo: Path, revs: Sequence[str], *, first_parent: bool = False, piped: bool = False
    ) -> None:
        walk = ["--first-parent"] if first_parent else ["--diff-merges=first-parent"]
        self._run: Running | None = Running(
            repo,
            "log", f"--format={MARK}{COMMIT_FORMAT}", "--raw", "--no-abbrev", "--no-renames",
            "--root", "--no-relative", *walk, *revs, "--",
            config=WALK_MEMORY,
            piped=piped,
        )  # fmt: skip
        self._unread = piped  # piped output not yet copied to the spool

    def chunks(self) -> Iterator[bytes]:
        """A piped walk's output as git writes it, in chunks of whole lines, each kept for diffs(). Read it
        once, to the end, before diffs()."""
        assert self._run is not None, "chunks() after close()"
        pipe, spool, rest = self._run.pipe, self._run.spool, b""
        while chunk := pipe.read1(_CHUNK):
            spool.write(chunk)
            cut = chunk.rfind(b"\n") + 1
            if cut:
                yield rest + chunk[:cut]
                rest = chunk[cut:]
            else:
                rest += chunk
        if rest:
            yield rest
        self._unread = False

    def failure(self) -> str | None:
        """Once the walk has ended: git's message if it failed, else None."""
        assert self._run is not None, "failure() after close()"
        if self._unread:
            for _ in self.chunks():
                pass
        return self._run.failure()

    def diffs(self, objects: Iterable[str], partial: bool = False) -> list[CommitDiff]:
        """The commits whose diff adds or removes one of `objects`, oldest first, each with only those
        changes. If git failed part way: a GitError, or with `partial`, what it walked before."""
        message = self.failure()
        if message is not None and not partial:
            raise GitError(f"git log failed: {message}")
        assert self._run is not None
        self._run.spool.seek(0)
        return list(filter_raw_log(self._run.spool, {oid.encode() for oid in objects}))[::-1]

    def close(self) -> None:
        """Stop the walk if it still runs (nothing was found to trace) and drop its output."""
        if self._run is not None:
            self._run.close()
            self._run = None

    def __enter__(self) -> BlobLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a git process we started (killed if it still runs) and close our ends of its pipes."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):  # git died: nothing left to tell it
                pipe.close()
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def blob_log(
    repo: Path, revs: Sequence[str], objects: Iterable[str], *, first_parent: bool = False
) -> list[CommitDiff]:
    """BlobLog, run now: oldest first, the commits of `revs` whose diff touches one of `objects`."""
    with BlobLog(repo, revs, first_parent=first_parent) as log:
        return log.diffs(objects)


def start_first_parent_chain(repo: Path, head: str) -> Running:
    """Start listing HEAD's first-parent chain: read it with first_parent_chain()."""
    return Running(repo, "rev-list", "--first-parent", "--reverse", head, "--")


def first_parent_chain(listing: Running) -> dict[str, int]:
    """HEAD's first-parent chain: commit -> position, oldest first."""
    return {sha: i for i, sha in enumerate(listing.output().decode().split())}


def grep_files(repo: Path, rev: str, needles: Sequence[str]) -> list[str]:
    """Paths in the tree of `rev` that contain any of `needles` (fixed strings, read from stdin so they
    never appear in a process listing)."""
    if not needles:
        return []
    patterns = "\n".join(needles).encode("utf-8", "surrogateescape") + b"\n"
    out = run(repo, "grep", "-F", "-l", "-z", "-I", "-f", "-", rev, "--", stdin=patterns, ok=(0, 1))
    prefix = rev.encode() + b":"
    return [p.removeprefix(prefix).decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]
