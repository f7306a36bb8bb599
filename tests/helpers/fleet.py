"""A fleet of throwaway repositories for `secretscan fleet` tests (issue 20 §5): built from recipes with fixed
dates (stable SHAs), each showing one thing a fleet must get right: a clean one, a secret still at HEAD, one
removed, one only on a side branch, one with its own config, one with its own baseline, a bare one, a tagged
one, a corrupt one (a blob object deleted), a larger one (many commits, for a split audit), one given as a clone
URL, one that cannot be opened at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.gitrepo import (
    AWS_CONFIG,
    KEY_ID_2,
    MORE_KEY_IDS,
    aws_config,
    build,
    git,
    private_key,
    secret_key,
)

BIG_COMMITS = 28  # one a day in January 2024 (gitrepo.git's dates)
BIG_FILES = 12  # changed by each commit


def make_fleet(root: Path) -> list[str]:
    """Build the repositories under `root`; return the lines of a repositories file listing them."""
    makers = [_clean, _at_head, _removed, _side_branch, _own_config, _own_baseline, _bare, _tagged, _corrupt]
    lines = [str(maker(root / maker.__name__.strip("_"))) for maker in makers]
    big = _big(root / "big")
    lines.append(json.dumps({"repo": str(big), "name": "big", "split": 2}))
    lines.append(
        json.dumps({"repo": str(_at_head(root / "main-only")), "name": "main-only", "branch": "main"})
    )
    lines.append(str(root / "missing"))  # no repository there: that one fails, the rest go on
    return lines


def _clean(repo: Path) -> Path:
    build(repo, [({"README.md": "hello\n"}, "init"), ({"src/app.py": "print('hi')\n"}, "code")])
    return repo


def _at_head(repo: Path) -> Path:
    build(repo, [({"README.md": "x\n"}, "init"), ({"config/aws.ini": AWS_CONFIG}, "add config")])
    return repo


def _removed(repo: Path) -> Path:
    config = aws_config(MORE_KEY_IDS[0], secret_key(1))
    build(repo, [({"deploy.ini": config}, "deploy"), ({"deploy.ini": None}, "oops, remove it")])
    return repo


def _side_branch(repo: Path) -> Path:
    build(repo, [({"README.md": "main\n"}, "init")])
    git(repo, "checkout", "-q", "-b", "feature")
    build(repo, [({"keys/id_rsa": private_key(7)}, "wip key")], start=1)
    git(repo, "checkout", "-q", "main")
    build(repo, [({"README.md": "main 2\n"}, "more")], start=2)
    return repo


def _own_config(repo: Path) -> Path:
    # The repository's own config allowlists its fixtures folder: that finding is not reported.
    config = "allowlist:\n  paths:\n    - fixtures/\n"
    files = {".secretscan.yaml": config, "fixtures/aws.ini": aws_config(MORE_KEY_IDS[1], secret_key(2))}
    build(repo, [(files, "fixtures"), ({"app.ini": aws_config(MORE_KEY_IDS[2], secret_key(3))}, "app")])
    return repo


def _own_baseline(repo: Path) -> Path:
    build(repo, [({"old.ini": aws_config(KEY_ID_2, secret_key(4))}, "old key")])
    made = subprocess.run(
        [sys.executable, "-m", "scanner", "baseline", "create", str(repo), "--history"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (repo / ".secretscan-baseline.json").is_file(), made.stderr
    build(repo, [({"new.ini": aws_config(MORE_KEY_IDS[3], secret_key(5))}, "new key")], start=1)
    return repo


def _bare(repo: Path) -> Path:
    work = _at_head(repo.with_name(repo.name + "-work"))
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(repo)], check=True)
    return repo


def _tagged(repo: Path) -> Path:
    # A commit only a tag reaches: its branch is gone.
    build(repo, [({"README.md": "main\n"}, "init")])
    git(repo, "checkout", "-q", "-b", "release-prep")
    build(repo, [({"deploy/key.pem": private_key(9)}, "release key")], start=1)
    git(repo, "tag", "-a", "v1", "-m", "release")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-q", "-D", "release-prep")
    return repo


def _corrupt(repo: Path) -> Path:
    build(repo, [({"a.ini": AWS_CONFIG, "b.txt": "lost content\n"}, "two files")])
    blob = git(repo, "rev-parse", "HEAD:b.txt")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    return repo


def _big(repo: Path) -> Path:
    commits: list[dict[str, str | bytes | None]] = [
        {f"pkg/m{(i + j) % 31}.py": f"# module {i}.{j}\nVALUE = {i * j}\n" * 40 for j in range(BIG_FILES)}
        for i in range(BIG_COMMITS)
    ]
    commits[7]["pkg/settings.py"] = aws_config(MORE_KEY_IDS[0], secret_key(11))
    commits[20]["pkg/settings.py"] = aws_config(MORE_KEY_IDS[1], secret_key(12))
    commits[24]["pkg/old.py"] = aws_config(MORE_KEY_IDS[0], secret_key(11))  # the same key again, later
    build(repo, [(files, f"change {i}") for i, files in enumerate(commits)])
    return repo
