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


Pointed = tuple[str, str, str]  # (type, id, ref) of a blob or tree a ref names, through tags or directly


def refs(repo: Path) -> tuple[list[str], list[str], list[Pointed]]:
    """Every ref of `repo`; the broken ones: a ref file naming no object, which git leaves out, and a ref
    naming an object the repository lacks, which ends a walk of `--all` (issue 14 §5); and the refs that
    name a blob or a tree, not through a commit (git's own repository tags a public key this way; a walk of
    commits never meets them). One listing of the refs and one peeling of each, which a second listing
    made again (numpy's 20,714 loose refs: 0.67 s of CPU)."""
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
    asked = sorted({oid for oid, _ in named})
    peeled = dict(zip(asked, _objects(repo, [f"{o}^{{}}" for o in asked]), strict=True))
    good: list[str] = []
    pointed: list[Pointed] = []
    for oid, ref in named:
        found = peeled[oid]
        if found is None:
            broken.append(ref)
            continue
        good.append(ref)
        target, kind = found
        if kind in ("blob", "tree"):
            pointed.append((kind, target, ref))
    return good, broken, pointed


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
    """The id of the object each of `names` names, or None where the repository holds none."""
    return [None if found is None else found[0] for found in _objects(repo, names)]


def _objects(repo: Path, names: Sequence[str]) -> list[tuple[str, str] | None]:
    """(id, type) of the object each of `names` names, or None where the repository holds none (one
    cat-file for all: ~2 µs a name)."""
    asked = "".join(f"{name}\n" for name in names).encode("utf-8", "surrogateescape")
    answers = run(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=asked)
    found: list[tuple[str, str] | None] = []
    for answer in answers.decode("utf-8", "surrogateescape").splitlines():
        oid, _, kind = answer.partition(" ")
        found.append((oid, kind) if kind in _KINDS else None)  # else "NAME missing" (or ambiguous)
    return found


_KINDS = ("blob", "tree", "commit", "tag")


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


def tagged_blobs(repo: Path, pointed: list[Pointed]) -> list[tuple[str, str]]:
    """(blob id, name) of each blob the refs of refs()' `pointed` name, directly or in a tree: named
    `ref` or `ref:path`, the ref by its short name."""
    if not pointed:
        return []
    names = (ref for _, _, ref in pointed)
    listed = run(repo, "for-each-ref", "--format=%(refname) %(refname:short)", *names)
    short = dict(line.split(" ", 1) for line in listed.decode("utf-8", "surrogateescape").splitlines())
    found: list[tuple[str, str]] = []
    for kind, oid, ref in pointed:
        name = short.get(ref, ref)
        if kind == "blob":
            found.append((oid, name))
        else:
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
