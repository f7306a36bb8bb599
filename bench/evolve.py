"""Build a history from a real folder: its files as the first commit, then commits that edit them as work does.

    python bench/evolve.py SOURCE_FOLDER OUT_DIR --commits 5000 --seed 1

Where bench/synth.py writes small generated files, this keeps the texture of a real project: real source files
of real sizes, most commits touching one to four of them, a few files edited far more often than the rest,
now and then a file added, copied or deleted. Each edit changes a line or two of a file, so a file's
versions share almost all their content, as in real histories (and as `git log -p` tools like it). The
credentials are whatever the folder holds (real projects' test keys, documentation examples); nothing is
planted. Commits stream into one `git fast-import`, with fixed identities and dates: a seed gives the same
commit ids.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

START_TIME = 1_546_300_800  # 2019-01-01T00:00:00Z
AUTHORS = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson")
VERBS = ("Fix", "Refactor", "Add", "Update", "Remove", "Document", "Test", "Tidy")
MAX_FILE = 512 * 1024


def read_folder(root: Path) -> dict[str, list[bytes]]:
    """Text files under `root` (no .git, no binaries, none over 512 kB): path -> lines with endings."""
    files: dict[str, list[bytes]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            path = Path(folder, name)
            try:
                if path.is_symlink() or path.stat().st_size > MAX_FILE:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" not in data[:8192]:
                files[path.relative_to(root).as_posix()] = data.splitlines(keepends=True) or [b"\n"]
    return files


class Evolver:
    def __init__(
        self, files: dict[str, list[bytes]], seed: int, by_size: bool = False, hunks: int = 1
    ) -> None:
        self.files = files
        self.hunks = hunks
        self.random = random.Random(seed)
        paths = sorted(files)
        # Real histories are skewed: a few files take most edits. With `by_size`, large files are edited
        # more (in proportion to their size, as more code draws more changes): a history heavy in bytes.
        self.weights = [sum(map(len, files[p])) for p in paths] if by_size else None
        count = max(1, len(paths) // 50)
        if self.weights is None:
            self.hot = self.random.sample(paths, count)
        else:
            self.hot = sorted(set(self.random.choices(paths, self.weights, k=count)))

    def pick(self) -> str:
        if self.random.random() < 0.6:
            return self.random.choice(self.hot)
        paths = sorted(self.files)
        if self.weights is None or len(paths) != len(self.weights):
            return self.random.choice(paths)
        return self.random.choices(paths, self.weights)[0]

    def edit(self, path: str, index: int) -> None:
        lines = self.files[path]
        at = self.random.randrange(len(lines))
        donor = lines[self.random.randrange(len(lines))]
        roll = self.random.random()
        if roll < 0.45:  # change a line
            lines[at] = lines[at].rstrip(b"\r\n") + f"  # r{index}\n".encode()
        elif roll < 0.85 or len(lines) < 3:  # add a line like another one
            lines.insert(at, donor if donor.strip() else f"# note {index}\n".encode())
        else:  # drop a line
            del lines[at]

    def step(self, index: int) -> dict[str, list[bytes] | None]:
        """One commit's changes: path -> new lines, or None for a deletion."""
        roll = self.random.random()
        changed: dict[str, list[bytes] | None] = {}
        if roll < 0.02 and len(self.files) > 10:
            victim = self.random.choice(sorted(self.files))
            if victim not in self.hot:
                del self.files[victim]
                changed[victim] = None
        elif roll < 0.06:
            source = self.pick()
            copy = f"{Path(source).parent.as_posix()}/copy_{index}_{Path(source).name}".lstrip("./")
            self.files[copy] = list(self.files[source])
            changed[copy] = self.files[copy]
        for _ in range(self.random.choice((1, 1, 1, 2, 2, 3, 4))):
            path = self.pick()
            if path in self.files:
                for _ in range(self.random.randint(1, self.hunks)):
                    self.edit(path, index)
                changed[path] = self.files[path]
        return changed


class Writer:
    """Commits into one `git fast-import` stream, with fixed identities and dates (a seed gives the same ids)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.marks = 0

    def commit(
        self,
        ref: str,
        message: str,
        changed: dict[str, list[bytes] | None],
        parents: Sequence[int] = (),
    ) -> int:
        n = self.marks  # commits written before this one
        self.marks += 1
        author = AUTHORS[n % len(AUTHORS)]
        email = author.split()[0].lower() + "@example.com"
        when = START_TIME + n * 3600
        out = self.out
        out.write(f"commit {ref}\nmark :{self.marks}\n".encode())
        out.write(f"committer {author} <{email}> {when} +0000\n".encode())
        out.write(f"data {len(message.encode())}\n{message}".encode())
        for i, parent in enumerate(parents):
            out.write(f"{'from' if i == 0 else 'merge'} :{parent}\n".encode())
        for path, lines in sorted(changed.items()):
            quoted = '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if lines is None:
                out.write(f"D {quoted}\n".encode())
                continue
            data = b"".join(lines)
            out.write(f"M 100644 inline {quoted}\ndata {len(data)}\n".encode() + data + b"\n")
        return self.marks


def build(
    source: Path,
    repo: Path,
    commits: int,
    seed: int,
    by_size: bool = False,
    hunks: int = 1,
    merges: bool = False,
) -> int:
    files = read_folder(source)
    if not files:
        raise SystemExit(f"evolve: no text files under {source}")
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    evolver = Evolver(files, seed, by_size, hunks)
    writer = Writer(proc.stdin)
    main = [writer.commit("refs/heads/main", "Import the project\n", dict(files))]  # main's commits
    index = 1
    while index <= commits:
        if not merges:
            changed = evolver.step(index)
            message = f"{evolver.random.choice(VERBS)} change {index}\n"
            main.append(writer.commit("refs/heads/main", message, changed, [main[-1]]))
            index += 1
            continue
        # A pull request: one to three commits on a branch forked from main a few merges back, then a
        # merge commit on main that brings its files in.
        tip = main[-1 - evolver.random.randrange(min(len(main), 10))]
        brought: dict[str, list[bytes] | None] = {}
        for _ in range(evolver.random.choice((1, 1, 2, 3))):
            changed = evolver.step(index)
            message = f"{evolver.random.choice(VERBS)} change {index}\n"
            tip = writer.commit("refs/heads/topic", message, changed, [tip])
            brought.update(changed)
            index += 1
        message = f"Merge pull request #{index} from topic\n"
        main.append(writer.commit("refs/heads/main", message, brought, [main[-1], tip]))
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("evolve: git fast-import failed")
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)
    subprocess.run(["git", "-C", str(repo), "gc", "-q", "--aggressive", "--prune=now"], check=True)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=Path, help="a folder of real files (a project's source tree)")
    parser.add_argument("out", type=Path, help="where to create the repository (must not exist)")
    parser.add_argument("--commits", type=int, default=5000, help="commits after the first (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--by-size",
        action="store_true",
        help="edit files in proportion to their size: a history heavy in bytes, as large projects' are",
    )
    parser.add_argument(
        "--hunks",
        type=int,
        default=1,
        metavar="N",
        help="edit each changed file in 1 to N places (default 1); real commits' diffs have several hunks",
    )
    parser.add_argument(
        "--merges",
        action="store_true",
        help="make every change a pull request: 1-3 commits on a branch forked from main up to 10 merges "
        "back, merged with a merge commit (as on hosted projects)",
    )
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists")
    count = build(args.source, args.out, args.commits, args.seed, args.by_size, args.hunks, args.merges)
    print(f"evolve: {args.out}: {count} files, {args.commits + 1} commits", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
