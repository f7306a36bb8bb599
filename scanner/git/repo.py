"""Questions about a repository: where it is, what a revision resolves to, its refs, hooks and stashes;
opening a URL as a temporary bare mirror (GitPython, for the clone only)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import GitError
from scanner.git.log import tree
from scanner.git.run import _BASE, Running, git_env, run
from scanner.patterns import compiled

_URL = compiled(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[\w.-]+@[\w.-]+:")


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


_USERINFO = compiled(r"(?<=://)[^/@\s]*@")


def without_userinfo(text: str) -> str:
    """`text` with the userinfo (`user:token@`) of every URL in it removed: a report's target, an error."""
    return _USERINFO.sub("", text)


def head_facts(repo: Path) -> tuple[str, str, str]:
    """(HEAD commit, branch, origin URL without userinfo) of the repository at `repo`, each "" when it has
    none (outside a repository, an unborn or detached HEAD, no `origin`): what a report says it read."""
    try:
        out = run(repo, "rev-parse", "HEAD", "--abbrev-ref", "HEAD").decode().split()
    except GitError:
        out = []
    commit, branch = (out[0], out[1]) if len(out) == 2 else ("", "")
    try:
        remote = run(repo, "config", "--get", "remote.origin.url", ok=(0, 1)).decode().strip()
    except GitError:
        remote = ""
    return commit, "" if branch == "HEAD" else branch, without_userinfo(remote)


def refs(repo: Path) -> tuple[list[str], list[str]]:
    """Every ref of `repo`, and the broken ones: a ref file naming no object, which git leaves out, and a
    ref naming an object the repository lacks, which ends a walk of `--all` (issue 14 §5)."""
    cmd = [*_BASE, "-C", str(repo), "for-each-ref", "--format=%(objectname) %(refname)"]
    proc = subprocess.run(cmd, capture_output=True, check=False, env=git_env())
    if proc.returncode != 0:
        raise GitError(f"git for-each-ref failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    broken = [
        line.split(b"ignoring broken ref ", 1)[1].strip().decode("utf-8", "surrogateescape")
        for line in proc.stderr.splitlines()
        if b"ignoring broken ref " in line
    ]
    named = [line.split(" ", 1) for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines()]
    missing = _missing(repo, {oid for oid, _ in named})
    broken += [ref for oid, ref in named if oid in missing]
    return [ref for oid, ref in named if oid not in missing], broken


def _missing(repo: Path, oids: set[str]) -> set[str]:
    """Those of `oids` the repository does not hold, or that are tags of an object it does not hold."""
    asked = sorted(oids)
    return {
        oid
        for oid, held in zip(asked, _object_ids(repo, [f"{o}^{{}}" for o in asked]), strict=True)
        if not held
    }


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
            raise GitError(without_userinfo(f"cannot clone {target}: {detail or exc}")) from None
        yield mirror


def resolve(repo: Path, rev: str) -> str | None:
    """The commit SHA that `rev` names, or None."""
    try:
        out = run(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except GitError:
        return None
    return out.decode().strip() or None


def resolve_all(repo: Path, revs: Sequence[str]) -> list[str | None]:
    """The commit SHA each of `revs` names, or None: resolve() for several names in one git process."""
    return _object_ids(repo, [f"{rev}^{{commit}}" for rev in revs])


def _object_ids(repo: Path, names: Sequence[str]) -> list[str | None]:
    """The id of the object each of `names` names, or None where the repository holds none (one cat-file
    for all: ~2 µs a name)."""
    asked = "".join(f"{name}\n" for name in names).encode("utf-8", "surrogateescape")
    answers = run(repo, "cat-file", "--batch-check=%(objectname)", stdin=asked)
    lines = answers.decode("utf-8", "surrogateescape").splitlines()
    return [None if answer.endswith(" missing") or " " in answer else answer for answer in lines]


def boundary(repo: Path, tips: Sequence[str], exclude: Sequence[str] = ("--all",)) -> list[str]:
    """The commits already in the repository (reachable from `exclude`) that the new commits of `tips`
    sit on: their parents outside the new set."""
    out = run(repo, "rev-list", "--boundary", *tips, "--not", *exclude, "--")
    return [line[1:] for line in out.decode().split() if line.startswith("-")]


def is_shallow(repo: Path) -> bool:
    return run(repo, "rev-parse", "--is-shallow-repository").decode().strip() == "true"


def stash_commits(repo: Path) -> list[str]:
    """Every stash entry, not only the latest one that `--all` sees through refs/stash."""
    if resolve(repo, "refs/stash") is None:
        return []
    return run(repo, "log", "-g", "--format=%H", "refs/stash").decode().split()


_TAGGED_FORMAT = "%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname:short)"
Peeled = tuple[str, str, str]  # (type, id, short ref name) of what a ref names, a tag peeled


def start_tagged_blobs(repo: Path) -> Running:
    """Start listing the blobs refs point at directly or through a tree, not through a commit (git's own
    repository tags a public key this way; a walk of commits never meets them): read it with
    tagged_blobs_of(). Peeling every ref costs git a read of each object it names (moto's 7,305 refs:
    0.25 s), better spent while the scan runs."""
    return Running(repo, "for-each-ref", f"--format={_TAGGED_FORMAT}")


def tagged_blobs_of(repo: Path, listing: Running) -> list[tuple[str, str]]:
    """(blob id, name) of each blob start_tagged_blobs() listed, named ref or ref:path."""
    try:
        out = listing.output()
    except GitError:  # a ref names an object the repository lacks: git names none of them then
        return _tagged(repo, _peeled_each(repo))
    return _tagged(repo, _peeled(out))


def _peeled(out: bytes) -> list[Peeled]:
    rows = []
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        kind, oid, peeled_kind, peeled, name = line.split(" ", 4)
        rows.append((peeled_kind, peeled, name) if kind == "tag" else (kind, oid, name))
    return rows


def _peeled_each(repo: Path) -> list[Peeled]:
    """What _peeled() reads, where a ref names a missing object: each ref peeled by cat-file, which
    answers "missing" for that one and goes on."""
    refs = [
        line.split("\0", 1)
        for line in run(repo, "for-each-ref", "--format=%(refname)%00%(refname:short)")
        .decode("utf-8", "surrogateescape")
        .splitlines()
    ]
    asked = "".join(f"{ref}^{{}}\n" for ref, _ in refs).encode("utf-8", "surrogateescape")
    answers = run(repo, "cat-file", "--batch-check=%(objecttype) %(objectname)", stdin=asked).decode()
    peeled = (answer.partition(" ") for answer in answers.splitlines())  # "TYPE ID", or "NAME missing"
    return [(kind, oid, short) for (_, short), (kind, _, oid) in zip(refs, peeled, strict=True)]


def _tagged(repo: Path, refs: list[Peeled]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for kind, oid, name in refs:
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


def grep_files(repo: Path, rev: str | None, needles: Sequence[str]) -> list[str]:
    """Paths in the tree of `rev` that contain any of `needles` (fixed strings, read from stdin so they
    never appear in a process listing). With no `rev`, the files the index tracks, as the work tree holds
    them (git reads the files on disk, in threads, where a tree's blobs must each be inflated)."""
    if not needles:
        return []
    where = (rev,) if rev is not None else ()
    out = run(repo, *_grep(where), stdin=_patterns(needles), ok=(0, 1))
    prefix = rev.encode() + b":" if rev is not None else b""
    return [p.removeprefix(prefix).decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def start_grep_files(repo: Path, needles: Sequence[str]) -> Running:
    """Start grep_files of the work tree (no `rev`): read it with grepped_files()."""
    with tempfile.TemporaryFile() as patterns:  # git reads it from its own descriptor once started
        patterns.write(_patterns(needles))
        patterns.seek(0)
        return Running(repo, *_grep(()), stdin=patterns)


def grepped_files(listing: Running) -> list[str]:
    out = listing.output(ok=(0, 1))  # 1: no file holds any
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def _grep(where: Sequence[str]) -> tuple[str, ...]:
    return ("grep", "-F", "-l", "-z", "-I", "-f", "-", *where, "--")


def _patterns(needles: Sequence[str]) -> bytes:
    return "\n".join(needles).encode("utf-8", "surrogateescape") + b"\n"


@dataclass(slots=True)
class TreeSearch:
    """Listings started together that tell which files of a commit, the one checked out, may hold one of
    `terms`: the work tree's tracked files that hold one (grep), the paths the index or the work tree
    changed from it, and the files a sparse checkout left out of the work tree."""

    terms: list[str]
    grep: Running
    changed: Running
    sparse: Running

    def close(self) -> None:
        """Stop whatever still runs (a search nobody reads) and drop its output."""
        for listing in (self.grep, self.changed, self.sparse):
            listing.close()


def start_tree_search(repo: Path, rev: str, terms: Sequence[str]) -> TreeSearch:
    """Start the three listings of a TreeSearch of `rev` (read them with grepped_files, changed_files and
    skip_worktree): git runs them on the other cores meanwhile."""
    return TreeSearch(
        list(terms),
        start_grep_files(repo, terms),
        start_changed_files(repo, rev),
        start_skip_worktree(repo),
    )


def start_changed_files(repo: Path, rev: str) -> Running:
    """Start listing the paths whose index entry or work-tree file may differ from the tree of `rev`: read
    it with changed_files()."""
    return Running(repo, "diff-index", "-z", "--name-status", rev, "--")


def changed_files(listing: Running) -> list[tuple[str, str]]:
    """(status letter, path) of each path listed (A added, D deleted, M modified, U unmerged...), including
    any file whose stat data the index does not vouch for: the index is never refreshed (listing a file
    too many is safe, too few is not)."""
    out = listing.output().split(b"\0")
    return [
        (status.decode(), path.decode("utf-8", "surrogateescape"))
        for status, path in zip(out[0::2], out[1::2], strict=False)
        if path
    ]


def start_skip_worktree(repo: Path) -> Running:
    """Start listing the index: read the entries marked skip-worktree (a sparse checkout's files left out
    of the work tree) with skip_worktree()."""
    return Running(repo, "ls-files", "-z", "-t")


def skip_worktree(listing: Running) -> list[str]:
    return [
        entry[2:].decode("utf-8", "surrogateescape")
        for entry in listing.output().split(b"\0")
        if entry.startswith(b"S ")
    ]


def tracked_files(path: str) -> list[str]:
    """The files git tracks under the folder `path`, relative to it (empty outside a work tree)."""
    try:
        out = run(Path(path), "ls-files", "-z", "--cached")
    except GitError:
        return []
    return [name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name]
