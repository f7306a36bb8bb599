"""Build the torture corpus of issue 14 §6 from a seed: hostile file names and contents, big files, odd git
repositories, bad configs and rules, each planted fake secret listed in `manifest.json` with the outcome
every mode must give.

    python bench/torture.py OUT_DIR [--seed 14] [--files 1000] [--no-big] [--huge]

OUT_DIR/
  tree/      scanned by `secretscan scan .` from inside it: hostile names, contents, copies at an allowlisted
             path and elsewhere, special files, many small files (torture_tree.py)
  ignores/   a .gitignore beside names that are not UTF-8, scanned from inside it too
  big/       20 MB and 50 MB files with a secret near the end (--huge adds 1 GB); skipped at the default cap
  repos/     git repositories for history (torture_repos.py), staged, diff and audits by URL (torture_gates.py)
  hostile/   content that only the hostile rules are run against (catastrophic backtracking, workers)
  rules/     user rule files, good and bad
  configs/   project config files, bad ones
  manifest.json   every planted value, its place and the expected outcome per mode; outside every scanned
                  folder, so no scanner ever reads it

Outcomes: `found` (reported at that place), `absent` (must not be reported there: allowlisted, or already on
the base branch), `skipped:<reason>` (not scanned, and named with that reason), `error` (named as an error,
with a failing exit code), `never-raw` (need not be reported, but never printed in full).
Values are fakes (bench/torture_secrets.py), so the manifest holds them in full for the tests.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.torture_secrets import Fakes, aws_lines

MANIFEST_VERSION = 1
DEFAULT_SEED = 14
ALLOWED_DIR = "allowed"  # the project configs allowlist this folder by path (dedup, §2)
PROJECT_CONFIG = f"allowlist:\n  paths: ['(^|/){ALLOWED_DIR}/']\n"


@dataclass(slots=True)
class Plant:
    """One planted value: where it is and what each mode must make of it."""

    id: str
    section: str  # the part of issue 14 it tortures: "§1".."§5", or "control"
    where: str  # "tree", "big", "repos/<name>"
    path: bytes  # relative to `where`; "(commit message)" and "(tag message)" for values in git metadata
    value: str  # what a finding's secret, or one of its companions, must equal
    expect: dict[str, str]  # mode -> outcome (see the module docstring)
    companion: str = ""  # the AWS secret access key paired with a key id
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section,
            "where": self.where,
            "path_b64": base64.b64encode(self.path).decode(),
            "path_repr": repr(self.path)[2:-1],
            "value": self.value,
            "value_sha256": hashlib.sha256(self.value.encode()).hexdigest(),
            "value_prefix": self.value[:4],
            "companion": self.companion,
            "expect": self.expect,
            "note": self.note,
        }


@dataclass(slots=True)
class Corpus:
    out: Path
    fakes: Fakes
    rng: random.Random
    plants: list[Plant] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # runs with no planted value: configs, rules

    def write(self, where: str, path: bytes, data: bytes) -> Path:
        target = Path(os.fsdecode(os.path.join(os.fsencode(self.out / where), path)))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def aws(
        self, plant_id: str, section: str, where: str, path: bytes, expect: dict[str, str], note: str = ""
    ) -> str:
        """Plant an AWS key pair in its own file; returns the file's text."""
        key_id, secret = self.fakes.aws_pair()
        self.plants.append(Plant(plant_id, section, where, path, key_id, expect, secret, note))
        return aws_lines(key_id, secret)

    def github(
        self, plant_id: str, section: str, where: str, path: bytes, expect: dict[str, str], note: str = ""
    ) -> str:
        """Plant a GitHub token; returns it (the caller writes it where it belongs)."""
        token = self.fakes.github()
        self.plants.append(Plant(plant_id, section, where, path, token, expect, note=note))
        return token


def plant_copies(
    corpus: Corpus, where: str, prefix: bytes, shown: dict[str, str], hidden: dict[str, str]
) -> bytes:
    """§2: the same content at an allowlisted path (walked first) and at an ordinary one; returns it."""
    token = corpus.fakes.github()
    data = f"GITHUB_TOKEN={token}\n".encode()
    for folder, expect in ((ALLOWED_DIR.encode(), hidden), (b"src", shown)):
        path = prefix + folder + b"/copy.env"
        corpus.plants.append(Plant(f"{where}/dedup/{folder.decode()}", "§2", where, path, token, expect))
        if where == "tree":
            corpus.write(where, path, data)
    return data


def filler(rng: random.Random, size: int, alphabet: bytes) -> bytes:
    """`size` seeded bytes drawn from `alphabet`, fast enough for a gigabyte."""
    return rng.randbytes(size).translate(bytes(alphabet[i % len(alphabet)] for i in range(256)))


def build(
    out: Path, seed: int = DEFAULT_SEED, files: int = 1000, big: bool = True, huge: bool = False
) -> dict[str, Any]:
    """Write the corpus into `out` (an earlier corpus there is removed first) and return the manifest (also
    written to manifest.json)."""
    from bench.torture_repos import build_repos
    from bench.torture_tree import build_big, build_hostile, build_ignores, build_many, build_tree

    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.json").is_file():
            raise SystemExit(f"{out}: not empty and not a torture corpus; choose another folder")
        _make_removable(out)
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    corpus = Corpus(out, Fakes(rng), rng)
    build_tree(corpus)
    build_ignores(corpus)
    build_hostile(corpus)
    repos = build_repos(corpus)
    # Last, so that their size options leave every other value as it was.
    build_many(corpus, 100_000 if huge else files)
    if big or huge:
        build_big(corpus, huge)
    manifest = {
        "version": MANIFEST_VERSION,
        "seed": seed,
        "files": 100_000 if huge else files,
        "huge": huge,
        "outcomes": ["found", "absent", "skipped:<reason>", "error", "never-raw"],
        "plants": [p.as_json() for p in corpus.plants],
        "repos": repos,
        "cases": corpus.cases,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=True) + "\n")
    return manifest


def _make_removable(folder: Path) -> None:
    """Give back read access to the unreadable file of an earlier run (os.walk follows no symlink loop)."""
    for parent, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            if not os.path.islink(path) and os.path.isfile(path) and not os.access(path, os.R_OK):
                os.chmod(path, 0o600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output folder: new, empty, or an earlier corpus (replaced)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--files", type=int, default=1000, help="small files under tree/many (default 1000)")
    parser.add_argument("--no-big", action="store_true", help="leave out the 20 MB and 50 MB files")
    parser.add_argument("--huge", action="store_true", help="100,000 small files and a 1 GB file too")
    args = parser.parse_args(argv)
    manifest = build(args.out, args.seed, args.files, big=not args.no_big, huge=args.huge)
    print(f"{len(manifest['plants'])} planted values, {len(manifest['repos'])} repositories in {args.out}")
    return 0


if __name__ == "__main__":
    from bench import torture  # one copy of this module: torture_repos imports it by that name

    raise SystemExit(torture.main())
