"""Build a synthetic git repository with a realistic history and planted fake credentials, from a seed.

    python bench/synth.py OUT_DIR --size medium --seed 1

Commits are streamed into one `git fast-import` process (thousands of commits take seconds, not the minutes
that `git commit` in a loop would), with fixed identities and dates, so a seed always gives the same commit
ids. The history has edits, additions, deletions, renames, tags, one unmerged branch, and credentials that are
added and later removed (present only in history). The manifest of planted credentials is written next to
the repository (`OUT.manifest.json`), outside it, so no scanner ever reads it.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.content import EXTENSIONS, WEIGHTS, Plant, fresh_lines, line_pools, plant

LOCKFILE = "package-lock.json"
START_TIME = 1_546_300_800  # 2019-01-01T00:00:00Z
AUTHORS = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson")
DIRS = ("src", "src/api", "src/core", "lib", "pkg/util", "config", "deploy", "docs", "scripts", "tests")


@dataclass(frozen=True, slots=True)
class Spec:
    commits: int
    files: int  # files in the first commit
    plant_every: int  # one planted credential every N commits on average
    lockfile_kb: int  # size of the frequently rewritten generated file (package-lock.json-like)


SIZES: dict[str, Spec] = {
    "tiny": Spec(commits=60, files=25, plant_every=4, lockfile_kb=8),
    "small": Spec(commits=600, files=150, plant_every=20, lockfile_kb=64),
    "medium": Spec(commits=3000, files=600, plant_every=40, lockfile_kb=160),
    "large": Spec(commits=10000, files=1500, plant_every=50, lockfile_kb=150),
}


@dataclass(slots=True)
class Planted:
    kind: str
    values: list[str]
    commit: int  # index of the commit that introduced it (0-based, on its branch)
    branch: str
    decoy: bool
    path: str  # its file (followed through renames; the file may be deleted later)
    head_paths: list[tuple[str, int]] = field(default_factory=list)  # (path, line) at the branch tip


class Builder:
    """Holds the working state (path → lines) and streams commits to git fast-import."""

    def __init__(self, repo: Path, spec: Spec, seed: int) -> None:
        self.rng = random.Random(seed)
        self.spec = spec
        self.pools = line_pools(self.rng)
        self.files: dict[str, list[str]] = {}
        self.planted: list[Planted] = []
        self.mark = 0
        self.clock = START_TIME
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE
        )
        assert self.proc.stdin is not None
        self.out = self.proc.stdin

    def _data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def commit(self, ref: str, message: str, changed: dict[str, list[str] | None], parent: int | None) -> int:
        self.mark += 1
        self.clock += self.rng.randrange(600, 172_800)
        who = self.rng.choice(AUTHORS)
        ident = f"{who} <{who.split()[0].lower()}@example.com> {self.clock} +0000"
        self.out.write(f"commit {ref}\nmark :{self.mark}\nauthor {ident}\ncommitter {ident}\n".encode())
        self._data(message.encode())
        if parent is not None:
            self.out.write(f"from :{parent}\n".encode())
        for path, lines in changed.items():
            if lines is None:
                self.out.write(f"D {path}\n".encode())
            else:
                self.out.write(f"M 100644 inline {path}\n".encode())
                self._data(("\n".join(lines) + "\n").encode())
        self.out.write(b"\n")
        return self.mark

    def finish(self) -> None:
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise RuntimeError("git fast-import failed")

    # --- edits -------------------------------------------------------------------------------------------
    def new_path(self) -> str:
        ext = self.rng.choices(EXTENSIONS, WEIGHTS)[0]
        while True:
            stem = self.rng.choice(("app", "util", "main", "model", "views", "store", "job", "client"))
            path = f"{self.rng.choice(DIRS)}/{stem}_{self.rng.randrange(10_000)}.{ext}"
            if path not in self.files:
                return path

    def ext(self, path: str) -> str:
        return path.rsplit(".", 1)[1]

    def add_file(self, path: str | None = None) -> str:
        path = path or self.new_path()
        size = int(self.rng.lognormvariate(4.0, 0.8)) + 5  # median ~55 lines, long tail
        self.files[path] = fresh_lines(self.rng, self.ext(path), self.pools[self.ext(path)], size)
        return path

    def edit(self, path: str) -> None:
        lines, ext = self.files[path], self.ext(path)
        for _ in range(self.rng.randrange(1, 4)):
            at = self.rng.randrange(len(lines) + 1)
            count = self.rng.randrange(1, 8)
            roll = self.rng.random()
            if roll < 0.5:
                lines[at:at] = fresh_lines(self.rng, ext, self.pools[ext], count)
            elif roll < 0.8:
                lines[at : at + count] = fresh_lines(self.rng, ext, self.pools[ext], count)
            elif len(lines) > 20:
                del lines[at : at + count]
        if len(lines) > 1500 and path != LOCKFILE:  # keep hand-written files in a realistic range
            del lines[1000:]

    def plant_in(self, path: str, index: int, branch: str) -> None:
        item: Plant = plant(self.rng, self.ext(path))
        lines = self.files[path]
        at = self.rng.randrange(len(lines) + 1)
        lines[at:at] = list(item.lines)
        self.planted.append(Planted(item.kind, list(item.values), index, branch, item.decoy, path))

    def unplant(self) -> str | None:
        """Remove a live planted credential from its file: "rotated", it stays in history only."""
        live = [p for p in self.planted if not p.decoy and p.path in self.files]
        if not live:
            return None
        target = self.rng.choice(live)
        lines = self.files[target.path]
        kept = [ln for ln in lines if not any(v in ln for v in target.values)]
        if len(kept) == len(lines):
            return None
        lines[:] = kept or ["# removed"]
        return target.path

    def rename(self, old: str) -> str:
        new = self.new_path().rsplit(".", 1)[0] + "." + self.ext(old)
        self.files[new] = self.files.pop(old)
        for item in self.planted:
            if item.path == old:
                item.path = new
        return new

    def step(self, index: int, branch: str) -> dict[str, list[str] | None]:
        """One commit's worth of changes, drawn at random: edits, adds, deletes, renames, plants, removals."""
        rng, changed = self.rng, dict[str, list[str] | None]()
        paths = list(self.files)
        for path in rng.sample(paths, min(len(paths), rng.randrange(1, 4))):
            self.edit(path)
            changed[path] = self.files[path]
        if rng.random() < 1 / 40:
            self.edit(LOCKFILE)
            changed[LOCKFILE] = self.files[LOCKFILE]
        roll = rng.random()
        victim = rng.choice(paths)
        if roll < 0.10:
            path = self.add_file()
            changed[path] = self.files[path]
        elif roll < 0.14 and victim != LOCKFILE and len(paths) > 10:
            del self.files[victim]
            changed.pop(victim, None)
            changed[victim] = None
        elif roll < 0.18 and victim != LOCKFILE:
            changed[victim] = None
            new = self.rename(victim)
            changed[new] = self.files[new]
        if rng.random() < 1 / self.spec.plant_every:
            target = rng.choice([p for p in self.files if p != LOCKFILE])
            self.plant_in(target, index, branch)
            changed[target] = self.files[target]
        if rng.random() < 1 / (self.spec.plant_every * 2) and (removed := self.unplant()):
            changed[removed] = self.files[removed]
        return changed

    def locate(self, branch: str) -> None:
        """Where each credential of `branch` sits at the branch tip: (path, 1-based line)."""
        for item in self.planted:
            if item.branch != branch:
                continue
            item.head_paths = [
                (path, number)
                for path, lines in self.files.items()
                for number, line in enumerate(lines, 1)
                if item.values[0] in line
            ]


def build(repo: Path, spec: Spec, seed: int = 1) -> dict[str, object]:
    """Create `repo` (must not exist or be empty), fill it, check out main; return the manifest."""
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    builder = Builder(repo, spec, seed)
    for _ in range(spec.files):
        builder.add_file()
    builder.files[LOCKFILE] = ['  "dependency": "1.0.0",'] * (spec.lockfile_kb * 1024 // 26)
    builder.edit(LOCKFILE)
    mark = builder.commit("refs/heads/main", "Initial import", dict(builder.files), None)
    fork_at, fork_state = spec.commits * 2 // 3, dict[str, list[str]]()
    fork_mark = mark
    for index in range(1, spec.commits):
        changed = builder.step(index, "main")
        mark = builder.commit(
            "refs/heads/main", f"Change {index}: {builder.rng.choice(WORDS_MSG)}", changed, mark
        )
        if index % 500 == 0:
            builder.out.write(f"reset refs/tags/v0.{index // 500}\nfrom :{mark}\n\n".encode())
        if index == fork_at:
            fork_state, fork_mark = {p: list(lines) for p, lines in builder.files.items()}, mark
    builder.locate("main")
    main_state, builder.files = builder.files, fork_state
    branch, mark = "feature/old-experiment", fork_mark
    for index in range(1, 6):
        changed = builder.step(index, branch)
        if index == 3:  # an abandoned branch is where forgotten keys live
            target = next(p for p in builder.files if p != LOCKFILE)
            builder.plant_in(target, index, branch)
            changed[target] = builder.files[target]
        mark = builder.commit(f"refs/heads/{branch}", f"WIP {index}", changed, mark)
    builder.locate(branch)
    builder.files = main_state
    builder.finish()
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=repo, check=True)
    manifest = {"seed": seed, "spec": asdict(spec), "planted": [asdict(p) for p in builder.planted]}
    manifest_path(repo).write_text(json.dumps(manifest, indent=1))
    return manifest


WORDS_MSG = ("fix typo", "refactor", "add tests", "bump deps", "update config", "cleanup", "new endpoint")


def manifest_path(repo: Path) -> Path:
    return repo.parent / f"{repo.name}.manifest.json"


def load_manifest(repo: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(manifest_path(repo).read_text())
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build a synthetic git repository with planted fake secrets."
    )
    parser.add_argument("out", type=Path, help="folder to create (must not exist)")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} exists and is not empty")
    manifest = build(args.out, SIZES[args.size], args.seed)
    planted = manifest["planted"]
    assert isinstance(planted, list)
    print(f"{args.out}: {SIZES[args.size].commits} commits, {len(planted)} planted credentials")
    return 0


if __name__ == "__main__":
    sys.exit(main())
