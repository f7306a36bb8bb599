"""Accuracy on real public repositories, every credential-looking line judged by hand (issue 16, section 8).

    python bench/realcode.py                        # materialise, run every tool, score, print the table
    python bench/realcode.py --mirrors DIR          # where the bare copies are (default /work/.mirror)
    python bench/realcode.py --reuse-reports        # score the last run's reports again
    python bench/realcode.py --misses /tmp/m.txt    # secretscan's missed true lines, with their text
    python bench/realcode.py --pool /tmp/pool.yaml  # lines nobody judged yet (tool hits and the broad grep)

bench/realcode-labels.yaml pins each repository at a commit and holds the judged lines (path, line, SHA-256
and length of the value: never the value). Each tree is read from a bare copy of the repository: the
`fetch` layout (DIR/owner+name/repo) or `git clone --bare` copies (DIR/owner+name.git); the script prints
the clone commands for missing ones. Every tool runs with its defaults on the whole tree (bench/tools.py);
secretscan also at `--min-confidence low`. The misses and the pool carry line text: keep them out of the
repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import realcode_grep
from bench.external import PARSERS, line_reader, run_tools
from bench.external_score import Hit, Label, label_from_yaml, relative
from bench.realcode_score import Index, missed, render, score

HERE = Path(__file__).resolve().parent
LABELS = HERE / "realcode-labels.yaml"
DEFAULT_MIRRORS = Path("/work/.mirror")
DEFAULT_CACHE = Path.home() / ".cache" / "secretscan-bench" / "realcode"
LOW = "secretscan --min-confidence low"


@dataclass(frozen=True, slots=True)
class Material:
    repos: dict[str, str]  # owner/name -> commit
    skip: frozenset[str]  # tree paths left out of the material (see `skip` in the labels file)
    labels: list[Label]


def load(path: Path) -> Material:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    repos = {str(r["repo"]): str(r["commit"]) for r in doc.get("repositories", [])}
    skip = frozenset(str(s["path"]) for s in doc.get("skip", []))
    return Material(repos, skip, [label_from_yaml(entry) for entry in doc.get("labels", [])])


def folder(repo: str) -> str:
    return repo.replace("/", "+")


def bare_copy(mirrors: Path, repo: str) -> Path | None:
    for candidate in (
        mirrors / folder(repo) / "repo",
        mirrors / f"{folder(repo)}.git",
        mirrors / folder(repo),
    ):
        if (candidate / "HEAD").exists() or (candidate / ".git" / "HEAD").exists():
            return candidate
    return None


def materialise(material: Material, mirrors: Path, tree: Path) -> list[str]:
    """Extract each repository at its commit into tree/owner+name; return the repositories missing."""
    missing = []
    for repo, commit in material.repos.items():
        dest = tree / folder(repo)
        stamp = dest / ".realcode-commit"
        if stamp.exists() and stamp.read_text() == commit:
            continue
        source = bare_copy(mirrors, repo)
        has = source is not None and _git(source, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0
        if source is None or not has:
            missing.append(repo)
            continue
        shutil.rmtree(dest, ignore_errors=True)
        extract(source, commit, dest)
        stamp.write_text(commit)
    for path in material.skip:
        (tree / path).unlink(missing_ok=True)
    return missing


def extract(git_dir: Path, commit: str, dest: Path) -> None:
    """Write the commit's regular files under dest. Not `git archive`: a snapshot may lack its largest
    blobs, and a file that is not there is skipped rather than failing the whole tree."""
    listing = _git(git_dir, "ls-tree", "-r", "-z", commit).stdout.decode("utf-8", "surrogateescape")
    files = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob" and mode in ("100644", "100755"):
            files.append((sha, path))
    batch = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert batch.stdin is not None and batch.stdout is not None
    requests = "".join(f"{sha}\n" for sha, _ in files).encode()
    # Written from a thread: git answers while it reads, and a full pipe on both sides would deadlock.
    writer = threading.Thread(target=lambda: (batch.stdin.write(requests), batch.stdin.close()))  # type: ignore[union-attr]
    writer.start()
    for _sha, path in files:
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    writer.join()
    batch.wait()


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=False)


# The materialised tree holds exactly the files each repository commits, with no `.git` beside them: scanned
# as a plain folder, the repositories' own .gitignore files would hide committed files (an `.env.example`
# that `.env*` matches) that a scan of the real checkout reads, as a .gitignore only hides untracked files.
CHECKOUT = ["--no-gitignore"]


def run_low(tree: Path, out: Path, secretscan: str) -> Path:
    """secretscan at --min-confidence low, with --explain: its findings score the `low` row, its dropped
    candidates join the pool."""
    report = out / "secretscan-low-tree.json"
    argv = [secretscan, "scan", str(tree), "-q", "-f", "json", "-o", str(report), "--show-secrets", *CHECKOUT]
    subprocess.run([*argv, "--no-cache", "--min-confidence", "low", "--explain"], check=False)
    return report


def hits_of(reports: dict[str, Path], tree: Path) -> tuple[list[Hit], list[Hit]]:
    """Every tool's hits, and secretscan's dropped candidates (for the pool only)."""
    hits = [hit for name, report in reports.items() if name in PARSERS for hit in PARSERS[name](report, tree)]
    low = reports.get(LOW)
    dropped: list[Hit] = []
    if low is not None and low.exists():
        doc = json.loads(low.read_text(encoding="utf-8", errors="replace"))
        for key, into, tool in (("findings", hits, LOW), ("dropped", dropped, "secretscan (dropped)")):
            into += [
                Hit(tool, relative(f["path"], tree), f["line"], f.get("secret"), f["rule_id"])
                for f in doc.get(key, [])
            ]
    return hits, dropped


def grep_hits(tree: Path, repos: dict[str, str]) -> list[Hit]:
    return [
        Hit("grep", c.path, c.line, c.value, "broad grep")
        for repo in repos
        for c in realcode_grep.scan_tree(tree, folder(repo))
    ]


def pool(candidates: list[Hit], labels: list[Label], line_text: Any) -> list[dict[str, Any]]:
    """One unjudged entry per line that no label covers, naming who saw it; `text` is for the person
    judging and must not reach the labels file."""
    index, seen = Index(labels), {}
    for hit in candidates:
        if index.match(hit, line_text) is not None:
            continue
        entry = seen.setdefault((hit.path, hit.line), {"path": hit.path, "line": hit.line, "seen_by": []})
        entry["seen_by"].append(f"{hit.tool}: {hit.rule}")
        text = line_text(hit.path, hit.line)
        if hit.value and "value" not in entry and hit.value in text:
            entry["value"] = hit.value
        entry["text"] = text.strip()[:300]
    return list(seen.values())


def write_misses(path: Path, labels: list[Label], line_text: Any) -> None:
    lines = [f"{x.path}:{x.line}\t{x.kind}\t{line_text(x.path, x.line).strip()[:300]}" for x in labels]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS, help="folder of bare copies")
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"work folder (default {DEFAULT_CACHE})"
    )
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--reuse-reports", action="store_true", help="score the last run's reports again")
    parser.add_argument("--pool", type=Path, help="write the unjudged lines (with their text) to this file")
    parser.add_argument("--misses", type=Path, help="write secretscan's missed true lines (with their text)")
    parser.add_argument(
        "--distinct", action="store_true", help="count each value once per repository, not each line"
    )
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="write the tallies here")
    parser.add_argument("--secretscan", default=str(Path(sys.executable).parent / "secretscan"))
    args = parser.parse_args(argv)
    material = load(args.labels)
    repos, labels = material.repos, material.labels
    tree, out = args.cache / "tree", args.cache / "reports"
    missing = materialise(material, args.mirrors, tree)
    if missing:
        print("missing bare copies; make them with:", file=sys.stderr)
        for repo in missing:
            print(
                f"  git clone --bare https://github.com/{repo} {args.mirrors / folder(repo)}.git",
                file=sys.stderr,
            )
        return 2
    if args.reuse_reports:
        reports = {n: out / f"{n}-tree.json" for n in PARSERS if (out / f"{n}-tree.json").exists()}
        reports[LOW] = out / "secretscan-low-tree.json"
    else:
        shutil.rmtree(out, ignore_errors=True)
        reports = run_tools(tree, out, [args.secretscan], CHECKOUT)
        reports[LOW] = run_low(tree, out, args.secretscan)
    hits, dropped = ([h for h in found if h.path not in material.skip] for found in hits_of(reports, tree))
    line_text = line_reader(tree)
    if args.pool:
        new = pool([*hits, *dropped, *grep_hits(tree, repos)], labels, line_text)
        args.pool.write_text(yaml.safe_dump({"labels": new}, sort_keys=False, allow_unicode=True))
        print(f"{len(new)} unjudged line(s) written to {args.pool}")
    if args.misses:
        write_misses(args.misses, missed(hits, labels, "secretscan", line_text), line_text)
    tallies = score(hits, labels, line_text, args.distinct, reports)
    print(render(tallies, args.markdown))
    if args.json:
        doc = {
            tool: {
                k: {
                    "true": t.secrets,
                    "found": len(t.found),
                    "false_alarms": len(t.false),
                    "unjudged": t.unjudged,
                }
                for k, t in per.items()
            }
            for tool, per in tallies.items()
        }
        args.json.write_text(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
