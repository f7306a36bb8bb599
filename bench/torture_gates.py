"""The torture corpus's repositories for the gates and the URL audit: `staged` (the pre-commit hook), `diff`
(the pull-request gate), a repository served over HTTP, and one that hangs an audit so it can be signalled.
See bench/torture_repos.py for how they are built."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.torture import ALLOWED_DIR, PROJECT_CONFIG, Corpus, Plant, plant_copies
from bench.torture_repos import FSMONITOR_SCRIPT, HOSTILE_AUTHOR, Repo, plant_aws, plant_token


def fsmonitor(corpus: Corpus, root: Path) -> dict[str, Any]:
    """§4: a repository's config names programs git runs on a status check: scanning must run none."""
    repo, name = Repo(root / "fsmonitor"), "fsmonitor"
    repo.commit({b"README": b"x\n"})
    repo.write({b"staged.env": plant_aws(corpus, name, b"staged.env", "staged", "§4")})
    repo.git("add", "staged.env")
    script = repo.path / ".git" / "torture-fsmonitor.sh"
    script.write_text(FSMONITOR_SCRIPT)
    script.chmod(0o755)
    repo.git("config", "core.fsmonitor", ".git/torture-fsmonitor.sh")
    return {
        "mode": "staged",
        "cwd": f"repos/{name}",
        "argv": ["staged"],
        "expect_rc": 1,
        "marker": ".git/FSMONITOR_RAN",
    }


def pr(corpus: Corpus, root: Path) -> dict[str, Any]:
    """diff: a branch adds secrets at hostile places; the secret already on the base is never reported."""
    repo, name = Repo(root / "pr"), "pr"
    old = plant_aws(corpus, name, b"old.env", "diff", "§6", "absent")
    repo.commit({b".secretscan.yaml": PROJECT_CONFIG.encode(), b"old.env": old}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    odd = b"names/bad-\xff.env"
    repo.commit({odd: plant_aws(corpus, name, odd, "diff", "§1")}, "odd path", HOSTILE_AUTHOR)
    utf16 = plant_aws(corpus, name, b"utf16.env", "diff", "§5")
    repo.commit({b"utf16.env": b"\xff\xfe" + utf16.decode().encode("utf-16-le")}, "utf-16")
    dedup = plant_copies(corpus, "repos/pr", b"dedup/", {"diff": "found"}, {"diff": "absent"})
    repo.commit(
        {b"dedup/" + ALLOWED_DIR.encode() + b"/copy.env": dedup, b"dedup/src/copy.env": dedup}, "copies"
    )
    token = plant_token(corpus, name, b"new\nline.env", "diff", "§1")
    repo.commit(
        {b"new\nline.env": f"t={token}\n".encode(), b"moved.env": old}, "newline, and the old key moved"
    )
    return {
        "mode": "diff",
        "argv": ["diff", "--repo", f"repos/{name}", "--base", "main", "--head", "feature"],
        "expect_rc": 1,
    }


def staged(corpus: Corpus, root: Path) -> dict[str, Any]:
    """staged: the pre-commit hook's view of hostile names, encodings and copies."""
    repo, name = Repo(root / "staged"), "staged"
    repo.commit({b".secretscan.yaml": PROJECT_CONFIG.encode(), b"README": b"x\n"}, "base")
    odd, ansi = b"names/bad-\xff.env", b"names/ansi-\x1b[31mred.env"
    utf16 = plant_aws(corpus, name, b"utf16.env", "staged", "§5")
    dedup = plant_copies(corpus, "repos/staged", b"dedup/", {"staged": "found"}, {"staged": "absent"})
    token = plant_token(corpus, name, b"new\nline.env", "staged", "§1")
    repo.write(
        {
            odd: plant_aws(corpus, name, odd, "staged", "§1"),
            ansi: plant_aws(corpus, name, ansi, "staged", "§1"),
            b"utf16.env": b"\xff\xfe" + utf16.decode().encode("utf-16-le"),
            b"dedup/" + ALLOWED_DIR.encode() + b"/copy.env": dedup,
            b"dedup/src/copy.env": dedup,
            b"new\nline.env": f"t={token}\n".encode(),
        }
    )
    repo.git("add", "-A")
    return {"mode": "staged", "cwd": f"repos/{name}", "argv": ["staged"], "expect_rc": 1}


def served(corpus: Corpus, root: Path) -> dict[str, Any]:
    """A bare repository for git's dumb HTTP protocol: the tests serve repos/ on loopback and audit it by a URL
    with userinfo, which must never be printed (§3)."""
    work, name = Repo(root / ".served-work"), "served.git"
    work.commit({b"served.env": plant_aws(corpus, "served", b"served.env", "history", "§3")})
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work.path), str(root / name)], check=True, capture_output=True
    )
    subprocess.run(["git", "-C", str(root / name), "update-server-info"], check=True)
    shutil.rmtree(work.path)
    token = corpus.fakes.github()
    corpus.plants.append(
        Plant(
            "repos/served/url-userinfo", "§3", "repos/served.git", b"(URL)", token, {"history": "never-raw"}
        )
    )
    url = "http://torture:" + token + "@127.0.0.1:{port}/served.git"
    return {"mode": "history", "argv": ["history", url], "url": url, "expect_rc": 1}


def catastrophic(corpus: Corpus, root: Path) -> dict[str, Any]:
    """§4: audited by a file:// URL (so cloned into a temporary folder) with the catastrophic rule, the scan
    hangs long enough to be sent SIGTERM or SIGHUP: no git, worker or temporary folder may outlive it."""
    from bench.torture_tree import BACKTRACK

    repo, name = Repo(root / "catastrophic"), "catastrophic"
    repo.commit({b"a-backtrack.txt": BACKTRACK})
    url = "file://{corpus}/repos/" + name  # the tests fill in where they built the corpus
    return {
        "mode": "history",
        "argv": ["history", url, "--rules", "rules/catastrophic.yaml"],
        "signal_target": True,
    }
