"""The torture corpus's git repositories (repos/): odd histories, broken objects and refs, hostile metadata.

Driven through plain `git` with fixed identities and dates, so a seed always gives the same commit ids, and
with no user or system config (GIT_CONFIG_GLOBAL=/dev/null): what the developer's git does must not show.
Each builder plants its values in the corpus and returns what the repository is for: the mode and arguments
that scan it, and what that run must report besides the planted values.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.torture import ALLOWED_DIR, PROJECT_CONFIG, Corpus, Plant, plant_copies

AUTHOR = ("Torture Author", "author@example.com")
# Terminal escapes (colour, clear screen) and a carriage return survive in a git author name; git drops \n.
HOSTILE_AUTHOR = ("Evil \x1b[31mRed\x1b[0m\x1b[2J\rOverwritten", "evil\x1b[5m@example.com")
# A promisor remote that nothing may contact: the tests point it at a listener of their own.
PROMISOR_URL = "http://torture:{token}@127.0.0.1:9/torture.git"
FSMONITOR_SCRIPT = '#!/bin/sh\ntouch "$(git rev-parse --git-dir)/FSMONITOR_RAN"\nexit 1\n'
Files = dict[bytes, "bytes | None"]


class Repo:
    def __init__(self, path: Path, *init_args: str) -> None:
        self.path = path
        self.tick = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main", *init_args, ".")

    def git(self, *args: str, stdin: bytes | None = None, author: tuple[str, str] = AUTHOR) -> bytes:
        stamp = f"2024-01-01T12:{self.tick // 60:02d}:{self.tick % 60:02d}+00:00"
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": AUTHOR[0],
            "GIT_COMMITTER_EMAIL": AUTHOR[1],
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            env.pop(key, None)
        proc = subprocess.run(
            ["git", *args], cwd=self.path, input=stdin, capture_output=True, env=env, check=False
        )
        if proc.returncode:
            raise RuntimeError(f"git {' '.join(args)} in {self.path}: {proc.stderr.decode(errors='replace')}")
        return proc.stdout

    def write(self, files: Files) -> None:
        for name, data in files.items():
            target = os.path.join(os.fsencode(self.path), name)
            if data is None:
                os.unlink(target)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)

    def commit(self, files: Files, message: str = "change", author: tuple[str, str] = AUTHOR) -> str:
        self.tick += 1
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-F", "-", stdin=message.encode(), author=author)
        return self.git("rev-parse", "HEAD").decode().strip()

    def blob(self, data: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", stdin=data).decode().strip()


def build_repos(corpus: Corpus) -> dict[str, dict[str, Any]]:
    root = corpus.out / "repos"
    root.mkdir(parents=True)
    from bench import torture_gates as gates  # they need this module's Repo: imported once it exists

    builders: dict[str, Callable[[Corpus, Path], dict[str, Any]]] = {
        "audit": _audit,
        "nonutf8": _nonutf8,
        "nonutf8-renamed": _nonutf8_renamed,
        "shallow": _shallow,
        "missing-blob": _missing_blob,
        "promisor": _promisor,
        "broken-ref": _broken_ref,
        "unborn-head": _unborn_head,
        "bare": _bare,
        "empty": _empty,
        "submodule": _submodule,
        "dangling-gitfile": _dangling_gitfile,
        "sha256": _sha256,
        "fsmonitor": gates.fsmonitor,
        "pr": gates.pr,
        "staged": gates.staged,
        "served.git": gates.served,
        "catastrophic": gates.catastrophic,
    }
    return {name: build(corpus, root) for name, build in builders.items()}


def plant_id(repo: str, path: bytes) -> str:
    return f"repos/{repo}/{repr(path)[2:-1]}"  # printable ASCII: a test id


def plant_aws(
    corpus: Corpus, repo: str, path: bytes, mode: str, section: str, outcome: str = "found"
) -> bytes:
    return corpus.aws(plant_id(repo, path), section, f"repos/{repo}", path, {mode: outcome}).encode()


def plant_token(
    corpus: Corpus, repo: str, path: bytes, mode: str, section: str, outcome: str = "found"
) -> str:
    return corpus.github(plant_id(repo, path), section, f"repos/{repo}", path, {mode: outcome})


def history(name: str, **extra: Any) -> dict[str, Any]:
    return {"mode": "history", "argv": ["history", f"repos/{name}"], **extra}


def _audit(corpus: Corpus, root: Path) -> dict[str, Any]:
    """Everything a full audit must reach: removed files, a side branch, tags (annotated, on a blob), a stash,
    notes, a replaced object, a secret in a commit message, and a hostile author."""
    repo, name = Repo(root / "audit"), "audit"
    removed = plant_aws(corpus, name, b"config/app.env", "history", "§6")
    replaced = plant_aws(corpus, name, b"replaced.env", "history", "§2")
    dedup = plant_copies(corpus, "repos/audit", b"dedup/", {"history": "found"}, {"history": "absent"})
    files = {
        b".secretscan.yaml": PROJECT_CONFIG.encode(),
        b"config/app.env": removed,
        b"replaced.env": replaced,
    }
    repo.commit(
        {**files, b"dedup/" + ALLOWED_DIR.encode() + b"/copy.env": dedup, b"dedup/src/copy.env": dedup},
        "initial",
    )
    in_message = plant_token(corpus, name, b"(commit message)", "history", "§3")
    subject = f"::error file=evil.py,line=1::pwned {in_message}"
    utf16 = plant_aws(corpus, name, b"utf16.env", "history", "§5")
    newline = plant_token(corpus, name, b"new\nline.env", "history", "§1")
    repo.commit(
        {
            b"utf16.env": b"\xff\xfe" + utf16.decode().encode("utf-16-le"),
            b"new\nline.env": f"t={newline}\n".encode(),
        },
        f"{subject}\n\nbody",
        HOSTILE_AUTHOR,
    )
    repo.commit({b"config/app.env": None}, "remove the credentials")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({b"side.env": plant_aws(corpus, name, b"side.env", "history", "§6")}, "only on a side branch")
    in_tag = plant_token(corpus, name, b"(tag message)", "history", "§6")
    repo.git("tag", "-a", "v1.0", "-m", f"release notes token {in_tag}")
    repo.git("checkout", "-q", "main")
    repo.git("tag", "blob-tag", repo.blob(plant_aws(corpus, name, b"blob-tag", "history", "§6")))
    repo.write({b"stashed.env": plant_aws(corpus, name, b"stashed.env", "history", "§6")})
    repo.git("add", "stashed.env")
    repo.git("stash", "-q")
    in_note = plant_token(corpus, name, b"(note)", "history", "§6")
    repo.git("notes", "add", "-m", f"deploy token {in_note}", "HEAD")
    # refs/replace: git then shows a clean blob in place of the one the commit holds, hiding the secret.
    original = repo.git("rev-parse", "HEAD:replaced.env").decode().strip()
    repo.git("replace", "-f", original, repo.blob(b"nothing to see here\n"))
    return history(
        name, expect_rc=1, note="no errors; every plant found; the author and subject printed escaped"
    )


def _nonutf8(corpus: Corpus, root: Path) -> dict[str, Any]:
    """§1: a path that is not UTF-8, then renamed: the secret is attributed to the commit with the odd path."""
    repo, name = Repo(root / "nonutf8"), "nonutf8"
    odd = b"bad-\xff\xfe.env"
    repo.commit({odd: plant_aws(corpus, name, odd, "history", "§1")}, "odd path")
    repo.commit({b"clean.env": plant_aws(corpus, name, b"clean.env", "history", "§1")}, "clean path")
    return history(name, expect_rc=1, note="both found, the odd path escaped; no error")


def _nonutf8_renamed(corpus: Corpus, root: Path) -> dict[str, Any]:
    """§1: the secret's blob was first committed at a path that is not UTF-8, and later renamed: attribution
    names the first commit and its odd path."""
    repo, name = Repo(root / "nonutf8-renamed"), "nonutf8-renamed"
    odd = b"bad-\xe9.env"
    repo.commit(
        {odd: plant_aws(corpus, name, b"(renamed from a non-UTF-8 path)", "history", "§1")}, "odd path"
    )
    repo.git("mv", os.fsdecode(odd), "renamed.env")
    repo.tick += 1
    repo.git("commit", "-q", "-m", "rename")
    repo.commit({b"clean.env": plant_aws(corpus, name, b"clean.env", "history", "§1")}, "clean path")
    return history(name, expect_rc=1, note="both found (at the odd path or the new one); no error")


def _shallow(corpus: Corpus, root: Path) -> dict[str, Any]:
    """A depth-1 clone of audit: what lies before the boundary cannot be scanned, and the report says so."""
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-local",
            f"file://{root / 'audit'}",
            str(root / "shallow"),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return history("shallow", expect_rc=1, expect_warning="shallow")


def _missing_blob(corpus: Corpus, root: Path) -> dict[str, Any]:
    """§5: the only secret is in a blob that is gone: an error, and an exit code that fails CI."""
    repo, name = Repo(root / "missing-blob"), "missing-blob"
    data = plant_aws(corpus, name, b"lost.env", "history", "§5", "error")
    repo.commit({b"lost.env": data, b"README": b"nothing secret\n"}, "a blob that will go missing")
    oid = repo.blob(data)
    os.unlink(repo.path / ".git" / "objects" / oid[:2] / oid[2:])
    return history(name, expect_rc="error", note="exit code neither 0 nor 1; the blob named")


def _promisor(corpus: Corpus, root: Path) -> dict[str, Any]:
    """§4: a partial clone whose blobs are all at a promisor remote: git must not fetch them (no socket),
    the missing blobs are errors, and the remote's userinfo is never printed."""
    source = Repo(root / ".promisor-source", "--bare")
    work = Repo(root / ".promisor-work")
    name = "promisor"
    work.commit({b"remote-only.env": plant_aws(corpus, name, b"remote-only.env", "history", "§4", "error")})
    work.git("push", "-q", str(source.path), "main")
    source.git("config", "uploadpack.allowfilter", "true")
    target = root / name
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--bare",
            "--no-local",
            "--filter=blob:none",
            f"file://{source.path}",
            str(target),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    token = corpus.fakes.github()
    corpus.plants.append(
        Plant(
            f"repos/{name}/remote-userinfo",
            "§3",
            f"repos/{name}",
            b"(remote URL)",
            token,
            {"history": "never-raw"},
        )
    )
    subprocess.run(
        ["git", "-C", str(target), "config", "remote.origin.url", PROMISOR_URL.format(token=token)],
        check=True,
    )
    shutil.rmtree(source.path)
    shutil.rmtree(work.path)
    return history(
        name, expect_rc="error", promisor_url=PROMISOR_URL.format(token=token), note="no connection"
    )


def _broken_ref(corpus: Corpus, root: Path) -> dict[str, Any]:
    repo, name = Repo(root / "broken-ref"), "broken-ref"
    repo.commit({b"app.env": plant_aws(corpus, name, b"app.env", "history", "§5")})
    (repo.path / ".git" / "refs" / "heads" / "broken").write_text("not a sha\n")
    return history(name, expect_rc=1, note="the good ref still scanned; the broken one named")


def _unborn_head(corpus: Corpus, root: Path) -> dict[str, Any]:
    repo, name = Repo(root / "unborn-head"), "unborn-head"
    repo.commit({b"work.env": plant_aws(corpus, name, b"work.env", "history", "§6")})
    repo.git("branch", "-m", "main", "work")
    repo.git("symbolic-ref", "HEAD", "refs/heads/nothing-yet")
    return history(name, expect_rc=1)


def _bare(corpus: Corpus, root: Path) -> dict[str, Any]:
    work, name = Repo(root / ".bare-work"), "bare"
    work.commit({b"bare.env": plant_aws(corpus, name, b"bare.env", "history", "§6")})
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work.path), str(root / name)], check=True, capture_output=True
    )
    shutil.rmtree(work.path)
    return history(name, expect_rc=1)


def _empty(corpus: Corpus, root: Path) -> dict[str, Any]:
    Repo(root / "empty")
    return history(
        "empty", expect_rc=0, expect_warning="nothing", note="§5: an audit that selects nothing says so"
    )


def _submodule(corpus: Corpus, root: Path) -> dict[str, Any]:
    repo, name = Repo(root / "submodule"), "submodule"
    repo.commit({b"app.env": plant_aws(corpus, name, b"app.env", "history", "§6")})
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},vendor/lib")
    repo.tick += 1
    repo.git("commit", "-q", "-m", "add a submodule")
    return history(name, expect_rc=1, expect_skipped="submodule")


def _dangling_gitfile(corpus: Corpus, root: Path) -> dict[str, Any]:
    folder = root / "dangling-gitfile"
    folder.mkdir()
    (folder / ".git").write_text("gitdir: ../does-not-exist/.git\n")
    return history("dangling-gitfile", expect_rc=2, note="a clear message, no trace")


def _sha256(corpus: Corpus, root: Path) -> dict[str, Any]:
    repo, name = Repo(root / "sha256", "--object-format=sha256"), "sha256"
    repo.commit({b"app.env": plant_aws(corpus, name, b"app.env", "history", "§6")})
    repo.commit({b"app.env": None, b"other.txt": b"removed the key\n"}, "remove")
    return history(name, expect_rc=1, note="64-digit object ids")
