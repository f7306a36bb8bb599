"""The floor of a working-tree scan: read every file a scanner should read, and do nothing with it.

    python bench/floor_read.py FOLDER

In a git work tree, "every file" is what git lists (tracked, plus untracked that .gitignore does not
exclude), as a scanner honouring .gitignore reads; elsewhere, every regular file outside `.git` folders.
Standard library only, no imports from bench/, so its start-up is the bare interpreter's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator


def listing(top: str) -> Iterator[str]:
    """Paths of the regular files under `top` (no symlinks)."""
    candidates = _git_listed(top) if os.path.exists(os.path.join(top, ".git")) else _walked(top)
    for path in candidates:
        if os.path.isfile(path) and not os.path.islink(path):
            yield path


def _git_listed(top: str) -> Iterator[str]:
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    out = subprocess.run(command, cwd=top, capture_output=True, check=True).stdout
    for name in out.decode("utf-8", "surrogateescape").split("\0"):
        if name:
            yield os.path.join(top, name)


def _walked(top: str) -> Iterator[str]:
    for root, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            yield os.path.join(root, name)


def main() -> int:
    total = 0
    for path in listing(sys.argv[1]):
        with open(path, "rb") as handle:
            total += len(handle.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
