"""Benchmark secretscan against peer scanners and the physical floor: working tree, full history, staged scan.

    python bench/bench.py --synthetic large                  # build a repository, run everything
    python bench/bench.py --repo PATH                        # a real repository (tree, history, staged)
    python bench/bench.py --tree FOLDER --synthetic large    # a real folder for the tree, synthetic history
    python bench/bench.py --install-peers ...                # first install the peers into bench/.peers

Prints a Markdown table (wall time median of --runs, MB/s, peak RSS, finding count, ratio to secretscan).
See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import floor_read, synth, tools
from bench.content import plant
from bench.measure import Run, Summary, run_once, summarise
from bench.report import Row, markdown, to_json
from bench.tools import WORKS, Job, Target, Tool
from bench.truth import Truth, from_manifest, score

STAGED_FILE = "src/settings_local.py"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    src = parser.add_argument_group("what to scan")
    src.add_argument("--repo", type=Path, help="a git repository (history, staged, and tree unless --tree)")
    src.add_argument("--tree", type=Path, help="a folder for the working-tree scan (default: the repository)")
    src.add_argument("--synthetic", choices=sorted(synth.SIZES), help="build a synthetic repository")
    src.add_argument("--seed", type=int, default=1, help="seed of the synthetic repository (default 1)")
    run = parser.add_argument_group("how")
    run.add_argument("--runs", type=int, default=3, help="runs per tool and work; the median is shown")
    run.add_argument(
        "--warmup", type=int, default=1, help="untimed rounds first (page cache, rule caches; default 1)"
    )
    run.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is cut (default 120)")
    run.add_argument(
        "--quick", action="store_true", help="one run each, no warm-up, no cold run (a smoke test)"
    )
    run.add_argument("--works", default=",".join(WORKS), help="comma-separated subset of tree,history,staged")
    run.add_argument("--secretscan", default=None, help="secretscan command (default: next to this Python)")
    run.add_argument(
        "--secretscan-args",
        default="",
        metavar="ARGS",
        help="extra options for every secretscan run, e.g. '-j 1'",
    )
    run.add_argument("--no-peers", action="store_true", help="only secretscan and the floors")
    run.add_argument(
        "--peers",
        default=None,
        metavar="NAMES",
        help="comma-separated peers to run, e.g. kingfisher,betterleaks (default: every peer found)",
    )
    run.add_argument("--install-peers", action="store_true", help="pip-install peers into bench/.peers first")
    run.add_argument("--keep", action="store_true", help="keep the temporary folder (reports, repository)")
    out = parser.add_argument_group("output")
    out.add_argument("--markdown", type=Path, help="also write the Markdown table to this file")
    out.add_argument("--json", type=Path, help="also write every measurement as JSON to this file")
    args = parser.parse_args(argv)
    if not (args.repo or args.synthetic or args.tree):
        parser.error("give --repo PATH, --tree PATH or --synthetic SIZE")
    if args.repo and args.synthetic:
        parser.error("--repo and --synthetic exclude each other")
    args.works = [w for w in args.works.split(",") if w]
    if bad := set(args.works) - set(WORKS):
        parser.error(f"unknown work(s): {', '.join(sorted(bad))}")
    if args.quick:
        args.runs, args.warmup = 1, 0
    return args


def secretscan_command(given: str | None) -> list[str]:
    if given:
        return given.split()
    script = Path(sys.executable).parent / "secretscan"
    found = str(script) if script.exists() else shutil.which("secretscan")
    return [found] if found else [sys.executable, "-m", "scanner"]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def staged_clone(repo: Path, workdir: Path) -> tuple[Path, tuple[str, ...]]:
    """A clone of `repo` with one new file staged (a config file carrying a fake credential)."""
    clone = workdir / "staged-clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    import random

    item = plant(random.Random(7), "py")
    path = clone / STAGED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('"""Local settings."""\n\nDEBUG = True\n' + "\n".join(item.lines) + "\n")
    git("add", STAGED_FILE, cwd=clone)
    # A checkout written in the same second as its index leaves "racily clean" entries that every later
    # diff must hash again (moto: ~190M instructions per diff-index). A real hook runs long after the
    # checkout, inside `git commit`, which refreshes the index first: so write it once more, a second later.
    time.sleep(1.1)
    git("update-index", "-q", "--refresh", cwd=clone)
    return clone, item.values


def completed(repo: Path, workdir: Path) -> Path:
    """`repo`, or when objects are missing (a fetched snapshot lacks its largest blobs) an object-complete
    copy with the same history less the entries whose blob is missing (bench/complete_repo.sh): betterleaks
    stops at the first missing object, so every tool must read the same complete history."""
    listing = git("rev-list", "--objects", "--all", "--missing=print", cwd=repo)
    if not any(line.startswith("?") for line in listing.splitlines()):
        return repo
    out = workdir / "complete.git"
    print(f"bench: {repo} lacks objects; completing it into {out}", file=sys.stderr, flush=True)
    subprocess.run([str(Path(__file__).parent / "complete_repo.sh"), str(repo), str(out)], check=True)
    return out


def checkout(repo: Path, workdir: Path) -> Path:
    """A bare repository's tree at HEAD, for the working-tree scan (a clone sharing its objects)."""
    if git("rev-parse", "--is-bare-repository", cwd=repo).strip() != "true":
        return repo
    tree = workdir / "tree"
    subprocess.run(["git", "clone", "-q", "--shared", str(repo), str(tree)], check=True)
    return tree


def tree_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) the floor reads (bench/floor_read.py): the input size of the tree scan."""
    paths = list(floor_read.listing(str(folder)))
    return len(paths), sum(os.path.getsize(p) for p in paths)


def history_size(repo: Path) -> tuple[int, int, int]:
    """(commits on all refs, unique blobs, their bytes)."""
    commits = int(git("rev-list", "--all", "--count", cwd=repo).strip())
    listing = git("cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectsize)", cwd=repo)
    sizes = [int(line.split()[1]) for line in listing.splitlines() if line.startswith("blob ")]
    return commits, len(sizes), sum(sizes)


def row_for(tool: Tool, work: str, job: Job, summary: Summary, mb: float | None, truth: Truth | None) -> Row:
    """The table row of one tool on one work: time and memory, and the findings its report lists."""
    base = Row(
        work,
        tool.name,
        tool.kind,
        tool.version,
        summary.wall,
        summary.timed_out,
        summary.peak_kb,
        mb=mb,
        runs=summary.runs,
        cpu=summary.cpu,
        pss_kb=summary.pss_kb,
    )
    if summary.timed_out:
        return base
    bad = [c for c in summary.codes if c not in job.ok_codes]
    if bad:
        return replace(base, wall=None, peak_kb=None, note=f"failed: exit {bad[0]}")
    if tool.count is None or job.report is None:
        return base
    try:
        counted = replace(base, findings=tool.count(job.report))
        if truth is None or not tool.shows_secrets:
            return counted
        return replace(counted, planted=score(job.report, truth))
    except (OSError, ValueError, KeyError, AssertionError):
        return replace(base, wall=None, peak_kb=None, note="no readable report")


def run_work(
    work: str, contestants: list[Tool], target: Target, args: argparse.Namespace, mb: float | None
) -> list[Row]:
    """Round-robin: run 1 of every tool, then run 2 of every tool, … so that a burst of noise on a shared
    machine lands on all tools alike instead of on the one that happened to be running."""
    rows: list[Row] = []
    jobs: list[tuple[Tool, Job]] = []
    for tool in contestants:
        builder = tool.works.get(work)
        if builder is None:
            continue
        job = builder(target)
        if isinstance(job, str):
            rows.append(Row(work, tool.name, tool.kind, tool.version, None, note=job))
        else:
            jobs.append((tool, job))
    done: dict[str, list[Run]] = {tool.name: [] for tool, _ in jobs}
    for number in range(-args.warmup, args.runs):  # negative numbers: warm-up rounds, not counted
        for tool, job in jobs:
            runs = done[tool.name]
            if (runs and runs[-1].timed_out) or (tool.once and (number < 0 or runs)):
                continue  # a second try would time out too; a cold run is cold only once
            label = "warm-up" if number < 0 else f"run {number + 1}/{args.runs}"
            print(f"bench: {work} {label}: {tool.name}", file=sys.stderr, flush=True)
            stdout = job.report if job.report_is_stdout else None
            run = run_once(job.argv, job.cwd, args.timeout, stdout=stdout)
            if number >= 0 or run.timed_out:
                runs.append(run)
    expected = target.truths.get(work)
    measured = [
        row_for(tool, work, job, summarise(done[tool.name], args.timeout), mb, expected) for tool, job in jobs
    ]
    order = {tool.name: i for i, tool in enumerate(contestants)}
    return sorted(rows + measured, key=lambda r: order[r.tool])


def run_all(
    contestants: list[Tool], target: Target, args: argparse.Namespace, mbs: dict[str, float]
) -> list[Row]:
    return [row for work in args.works for row in run_work(work, contestants, target, args, mbs.get(work))]


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "git": git("--version", cwd=Path.cwd()).strip().removeprefix("git version "),
    }


def build_synthetic(args: argparse.Namespace, repo: Path) -> dict[str, object]:
    started = time.perf_counter()
    manifest = synth.build(repo, synth.SIZES[args.synthetic], args.seed)
    planted = manifest["planted"]
    assert isinstance(planted, list)
    live = [p for p in planted if p["head_paths"] and not p["decoy"] and p["branch"] == "main"]
    return {
        "size": args.synthetic,
        "seed": args.seed,
        "planted": sum(not p["decoy"] for p in planted),
        "decoys": sum(bool(p["decoy"]) for p in planted),
        "planted_at_head": len(live),
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def prepare(args: argparse.Namespace, workdir: Path) -> tuple[Target, dict[str, object]]:
    """Build or locate the inputs; describe them."""
    context: dict[str, object] = {}
    repo: Path | None = completed(args.repo.resolve(), workdir) if args.repo else None
    if args.synthetic:
        repo = workdir / "synthetic"
        context["synthetic"] = build_synthetic(args, repo)
    tree = args.tree.resolve() if args.tree else (checkout(repo, workdir) if repo else None)
    assert tree is not None  # parse_args demands --tree, --repo or --synthetic
    files, tree_bytes = tree_size(tree)
    context["tree"] = {"path": str(tree), "files": files, "mb": round(tree_bytes / 1e6, 1)}
    if repo is not None:
        commits, blobs, blob_bytes = history_size(repo)
        context["history"] = {
            "path": str(repo),
            "commits": commits,
            "blobs": blobs,
            "mb": round(blob_bytes / 1e6, 1),
        }
    out = workdir / "reports"
    out.mkdir()
    staged, staged_values = staged_clone(repo, workdir) if repo and "staged" in args.works else (None, ())
    truths = {}
    if args.synthetic and repo is not None:
        truths = from_manifest(synth.load_manifest(repo), tree == repo, staged_values)
    return Target(tree, repo, staged, STAGED_FILE, out, truths), context


def sizes(context: dict[str, object]) -> dict[str, float]:
    mbs: dict[str, float] = {}
    for work in ("tree", "history"):
        described = context.get(work)
        if isinstance(described, dict):
            mbs[work] = float(described["mb"])
    return mbs


def describe(context: dict[str, object]) -> str:
    m = context["machine"]
    assert isinstance(m, dict)
    lines = [
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}, "
        f"git {m['git']}; median of {context['runs']} run(s) after {context['warmup']} untimed warm-up "
        "round(s), tools interleaved round by round.",
    ]
    tree = context["tree"]
    assert isinstance(tree, dict)
    lines.append(f"Working tree: `{tree['path']}`, {tree['files']} files, {tree['mb']} MB.")
    if isinstance(hist := context.get("history"), dict):
        lines.append(
            f"History: `{hist['path']}`, {hist['commits']} commits, {hist['blobs']} unique blobs, "
            f"{hist['mb']} MB."
        )
    if isinstance(syn := context.get("synthetic"), dict):
        lines.append(
            f"Synthetic repository `{syn['size']}` (seed {syn['seed']}): {syn['planted']} planted "
            f"credentials ({syn['planted_at_head']} at the tip of main), {syn['decoys']} decoy(s)."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.install_peers:
        tools.install_peers()
    workdir = Path(tempfile.mkdtemp(prefix="secretscan-bench-"))
    try:
        target, context = prepare(args, workdir)
        context.update(machine=machine(), runs=args.runs, warmup=args.warmup)
        ours = tools.secretscan(secretscan_command(args.secretscan), shlex.split(args.secretscan_args))
        contestants = [*tools.floors(sys.executable), *ours]
        if args.quick:  # a smoke test: no deliberately cold run (it pays the full rule compilation)
            contestants = [tool for tool in contestants if not tool.once]
        if not args.no_peers:
            wanted = set(args.peers.split(",")) if args.peers else None
            contestants += [p for p in tools.peers() if wanted is None or p.name in wanted]
        rows = run_all(contestants, target, args, sizes(context))
        text = describe(context) + "\n" + markdown(rows)
        sys.stdout.write(text)
        if args.markdown:
            args.markdown.write_text(text)
        if args.json:
            args.json.write_text(to_json(rows, context))
    finally:
        if args.keep:
            print(f"bench: kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
