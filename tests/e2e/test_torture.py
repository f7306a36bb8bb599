"""The torture run of issue 14 §6, end to end: the corpus of bench/torture.py, scanned by the installed command in
every mode and format.

Each check states what the issue demands. A check that today's code fails keeps its assertion and is marked
`xfail(strict=True)` with the part of the issue it belongs to and what goes wrong (bench/TORTURE.md has the
details), so the suite stays green and each fix flips exactly the checks it makes pass.
"""

from __future__ import annotations

import http.server
import os
import pickle
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.torture_helpers import (
    FORMATS,
    MODES,
    SEED,
    SMALL_FILES,
    Planted,
    Run,
    alive,
    descendants,
    isolated_env,
    meets,
    outcome,
    planned_ids,
    plants,
    raw_values,
    run,
    torture,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="FIFOs, /proc and process groups as on Linux")

# Where each mode's run starts and what it scans (the corpus folder is the working directory unless given).
MODE_RUNS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # mode: (arguments, working directory inside the corpus, where its plants are)
    "scan": (("scan", "."), "tree", "tree"),
    "history": (("history", "repos/audit"), "", "repos/audit"),
    "diff": (("diff", "--repo", "repos/pr", "--base", "main", "--head", "feature"), "", "repos/pr"),
    "staged": (("staged",), "repos/staged", "repos/staged"),
}
CATASTROPHE_BOUND = 8.0  # seconds: "finishes every catastrophic-regex case within seconds"

# Planted values today's code does not report as the manifest says, and why.
KNOWN_MISSED: dict[str, str] = {}


@dataclass
class Torture:
    """The corpus, built once for the module, and the runs made on it (each made once, then reused)."""

    base: Path
    manifest: dict[str, Any]
    env: dict[str, str]
    runs: dict[tuple[str, ...], Run] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def corpus(self) -> Path:
        return self.base / "corpus"

    def run(self, argv: tuple[str, ...], cwd: str = "", to_file: str = "") -> Run:
        key = (cwd, to_file, *argv)
        with self.lock:
            if key in self.runs:
                return self.runs[key]
        report = self.base / "reports" / to_file if to_file else None
        if report is not None:
            report.parent.mkdir(exist_ok=True)
        done = run(argv, self.corpus / cwd, self.env, report=report)
        with self.lock:
            self.runs[key] = done
        return done

    def mode_run(self, mode: str, fmt: str, dest: str = "stdout", show: bool = False) -> Run:
        argv, cwd, _ = MODE_RUNS[mode]
        extra = ("--show-secrets",) if show else ()
        to_file = f"{mode}-{fmt}{'-shown' if show else ''}.out" if dest == "file" else ""
        return self.run((*argv, "-f", fmt, "-q", *extra), cwd, to_file)

    def plant(self, plant_id: str) -> Planted:
        return next(p for p in plants(self.manifest) if p.id == plant_id)


@pytest.fixture(scope="module")
def t(tmp_path_factory: pytest.TempPathFactory) -> Torture:
    base = tmp_path_factory.mktemp("torture")
    manifest = torture.build(base / "corpus", SEED, files=SMALL_FILES, big=True)
    return Torture(base, manifest, isolated_env(base / "env"))


@pytest.fixture(scope="module")
def matrix(t: Torture) -> Torture:
    """Every mode in every format, to stdout and to a file (-o), two runs at a time."""
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: t.mode_run(*job), MATRIX))
    return t


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


def params(ids: list[str], known: dict[str, str]) -> list[Any]:
    return [pytest.param(i, id=i, marks=[xfail(known[i])] if i in known else []) for i in ids]


# --- the generator -------------------------------------------------------------------------------------------


def test_the_corpus_is_rebuilt_identically(t: Torture, tmp_path: Path) -> None:
    """A second build from the seed (fewer small files, no big ones: those come last and change nothing else)
    plants the same values at the same places and makes the same commits."""
    again = torture.build(tmp_path / "again", SEED, files=20, big=False)
    assert again["repos"] == t.manifest["repos"]
    kept = [p for p in t.manifest["plants"] if not p["id"].startswith(("big/", "tree/many/"))]
    assert [p for p in again["plants"] if not p["id"].startswith("tree/many/")] == kept
    for name in ("audit", "pr", "sha256"):
        refs = ["git", "for-each-ref", "--format=%(objectname) %(refname)"]
        ours = subprocess.run(refs, cwd=t.corpus / "repos" / name, capture_output=True, check=True).stdout
        assert ours == subprocess.run(refs, cwd=tmp_path / "again/repos" / name, capture_output=True).stdout


def test_every_planted_value_is_in_the_corpus_once(t: Torture) -> None:
    places: dict[str, list[str]] = {}
    for plant in plants(t.manifest):
        places.setdefault(plant.value, []).append(plant.id)
    shared = [ids for ids in places.values() if len(ids) > 1]
    assert all("/dedup/" in i for ids in shared for i in ids)  # only the copies of §2 share a value
    for plant in plants(t.manifest, where="tree"):
        data = (t.corpus / "tree" / os.fsdecode(plant.path)).read_bytes()
        encodings = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
        assert any(plant.value.encode(e) in data for e in encodings), plant.id


# --- §1-§3, §5: every planted secret found where the manifest says ---------------------------------------------


def _recall_run(t: Torture, plant: Planted) -> tuple[Run, bytes]:
    """The JSON run (secrets shown, to match them) that covers a plant, and the prefix of its paths."""
    shown = ("-f", "json", "--show-secrets", "-q")
    if plant.where == "tree":
        return t.mode_run("scan", "json", show=True), b""
    if plant.where == "ignores":
        return t.run(("scan", ".", *shown), "ignores"), b""
    name = plant.where.removeprefix("repos/")
    info = t.manifest["repos"][name]
    return t.run((*info["argv"], *shown), info.get("cwd", "")), b""


def _recalled(plant_id: str) -> bool:
    """Plants the JSON runs judge: not those of the URL, big-file and catastrophe tests, nor the values that
    need only never be printed."""
    if (
        plant_id.startswith(("repos/served", "big/", "hostile/"))
        or plant_id == "repos/promisor/remote-userinfo"
    ):
        return False
    return not plant_id.startswith("tree/neighbours/") or plant_id in {
        "tree/neighbours/aws",
        "tree/neighbours/github",
    }


RECALL_IDS = list(dict.fromkeys(i for mode in MODES for i in planned_ids(mode) if _recalled(i)))


@pytest.mark.parametrize("plant_id", params(RECALL_IDS, KNOWN_MISSED))
def test_planted_value_meets_its_expectation(t: Torture, plant_id: str) -> None:
    plant = t.plant(plant_id)
    done, prefix = _recall_run(t, plant)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")[-2000:]
    doc = done.json()
    (mode, expected), *_ = plant.expect.items()
    got = outcome(plant, doc, prefix)
    assert meets(expected, got), f"{plant.id} in {mode}: expected {expected}, got {got}"


def test_big_files_are_skipped_by_name_then_found_when_allowed(t: Torture) -> None:
    big = plants(t.manifest, where="big")
    capped = t.run(("scan", ".", "-f", "json", "--show-secrets", "-q"), "big").json()
    assert all(outcome(p, capped).startswith("skipped:larger than") for p in big)
    lifted = t.run(("scan", ".", "-f", "json", "--show-secrets", "-q", "--max-file-size", "2G"), "big").json()
    assert all(outcome(p, lifted) == "found" for p in big)


# --- §3 nothing leaks; §1 reports escape; §5 errors are not success: every mode × format × destination ---------

# Every format to stdout in every mode; to a file (-o, where the report is written strictly as UTF-8) every
# format of the tree scan and the text and JSON reports of the other modes.
MATRIX = [(m, f, "stdout") for m in MODES for f in FORMATS] + [
    (m, f, "file") for m in MODES for f in FORMATS if m == "scan" or f in ("text", "json")
]


def _matrix_params(
    known: dict[tuple[str, str, str], str], cases: list[tuple[str, str, str]] = MATRIX
) -> list[Any]:
    return [pytest.param(*c, id="-".join(c), marks=[xfail(known[c])] if c in known else []) for c in cases]


@pytest.mark.parametrize(("mode", "fmt", "dest"), _matrix_params({}))
def test_no_secret_is_printed_raw(matrix: Torture, mode: str, fmt: str, dest: str) -> None:
    done = matrix.mode_run(mode, fmt, dest)
    assert done.rc == 1 and (done.report if dest == "file" else done.stdout), "no report to judge"
    values = [v for p in plants(matrix.manifest, where=MODE_RUNS[mode][2]) for v in p.values]
    assert raw_values(done.output, values) == []


@pytest.mark.parametrize(("mode", "fmt", "dest"), _matrix_params({}))
def test_report_is_complete_with_the_findings_exit_code(
    matrix: Torture, mode: str, fmt: str, dest: str
) -> None:
    done = matrix.mode_run(mode, fmt, dest)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")[-1500:]
    assert done.rc == 1
    assert done.report if dest == "file" else done.stdout


_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
TEXT_FORMATS = [(m, f, "stdout") for m in MODES for f in ("text", "github", "markdown")]


@pytest.mark.parametrize(("mode", "fmt", "dest"), _matrix_params({}, TEXT_FORMATS))
def test_text_reports_escape_hostile_names(matrix: Torture, mode: str, fmt: str, dest: str) -> None:
    """No terminal escape, control byte or undecodable byte reaches a text report; GitHub sees no command
    that a path, an author or a message injected."""
    out = matrix.mode_run(mode, fmt, dest).stdout
    out.decode("utf-8")  # a non-UTF-8 name is shown escaped, never as raw bytes
    assert _CONTROL.findall(out) == []
    if fmt == "github":
        for line in out.splitlines():
            assert re.match(rb"::(error|warning|notice)[ :]|secretscan: ", line), line


def test_special_files_are_skipped_and_named(matrix: Torture) -> None:
    """A FIFO is never opened (the run would wait for a writer), a dangling link never followed: both named."""
    skipped = {s["path"]: s["reason"] for s in matrix.mode_run("scan", "json", show=True).json()["skipped"]}
    text = matrix.mode_run("scan", "text").stdout
    for case in (c for c in matrix.manifest["cases"] if c["id"].startswith("tree/special/")):
        assert skipped[case["path"]].startswith(case["expect"].removeprefix("skipped").lstrip(":"))
        assert case["path"].encode() in text


def test_every_skip_is_named_in_the_text_report(matrix: Torture) -> None:
    skipped = matrix.mode_run("scan", "json", show=True).json()["skipped"]
    text = matrix.mode_run("scan", "text").stdout.decode("utf-8", "surrogateescape")
    unnamed = [s["path"] for s in skipped if s["path"] not in text]
    assert unnamed == [], "skips only counted, not named"


def test_no_scan_error_on_the_corpus(t: Torture) -> None:
    errors = t.mode_run("scan", "json", show=True).json()["errors"]
    assert errors == []


# --- §5 exit codes -------------------------------------------------------------------------------------------

REPO_RUNS = ["audit", "nonutf8", "nonutf8-renamed", "shallow", "missing-blob", "broken-ref", "unborn-head", "bare",
             "empty", "submodule", "dangling-gitfile", "sha256", "pr", "staged"]  # fmt: skip
KNOWN_REPO_RUNS: dict[str, str] = {}


@pytest.mark.parametrize("name", params(REPO_RUNS, KNOWN_REPO_RUNS))
def test_repository_run_exit_code_and_messages(t: Torture, name: str) -> None:
    info = t.manifest["repos"][name]
    done = t.run((*info["argv"], "-f", "json", "--show-secrets", "-q"), info.get("cwd", ""))  # the recall run
    assert b"Traceback" not in done.stderr
    expected = info["expect_rc"]
    if expected == 2:
        assert done.rc == 2 and done.stderr.startswith(b"secretscan: error: ")
        return
    doc = done.json()
    if expected == "error":  # a scan error fails the run with a code of its own, in every mode and in CI
        assert doc["errors"] and done.rc not in (0, 1)
        return
    assert done.rc == expected and doc["errors"] == []
    if "expect_warning" in info:
        assert any(info["expect_warning"] in w for w in doc["warnings"])
    if "expect_skipped" in info:
        assert any(info["expect_skipped"] in s["reason"] for s in doc["skipped"])


def test_scan_errors_fail_the_run_unless_told_not_to(t: Torture) -> None:
    """An incomplete audit exits 2, the report still written; --no-fail-on-error or the config's
    `fail_on_error: false` report the error and exit by the findings alone."""
    argv = ("history", "repos/missing-blob", "-f", "json", "-q")
    failed = t.run(argv)
    assert failed.rc == 2 and failed.json()["errors"] and b"scan error" in failed.stderr
    in_ci = run(argv, t.corpus, {**t.env, "CI": "true"})
    assert in_ci.rc == 2 and in_ci.json()["errors"]
    told = t.run((*argv, "--no-fail-on-error"))
    assert told.rc in (0, 1) and told.json()["errors"]


EXCLUDE_RUNS = {
    "scan": (("scan", ".", "--exclude", "*.log"), "tree"),
    "history": (("history", "repos/nonutf8", "--config", "configs/exclude-logs.yaml"), ""),
    "diff": ((*MODE_RUNS["diff"][0], "--config", "configs/exclude-logs.yaml"), ""),
    "staged": (("staged", "--config", "../../configs/exclude-logs.yaml"), "repos/staged"),
}


@pytest.mark.parametrize("mode", list(EXCLUDE_RUNS))
def test_exclude_patterns_take_non_utf8_paths(t: Torture, mode: str) -> None:
    argv, cwd = EXCLUDE_RUNS[mode]
    done = t.run((*argv, "-f", "json", "-q"), cwd)
    assert b"Traceback" not in done.stderr and done.rc == 1
    assert done.json()["findings"]


def test_a_listed_audit_finds_what_a_streamed_one_finds(t: Torture) -> None:
    """--max-commits (or --since) lists the blobs up front instead of streaming the walk: same results."""
    shown = ("-f", "json", "--show-secrets", "-q")
    streamed = t.run(("history", "repos/audit", *shown)).json()
    listed = t.run(("history", "repos/audit", "--max-commits", "1000", *shown)).json()
    assert listed["errors"] == []
    assert sorted((f["path"], f["secret"]) for f in listed["findings"]) == sorted(
        (f["path"], f["secret"]) for f in streamed["findings"]
    )


CONFIG_CASES = ["rules/invalid-regex", "rules/not-utf8", "rules/empty", "configs/invalid-yaml", "configs/unknown-key",
                "configs/bad-size", "configs/bad-path-regex"]  # fmt: skip


@pytest.mark.parametrize("case_id", CONFIG_CASES)
def test_bad_rules_and_configs_are_usage_errors(t: Torture, case_id: str) -> None:
    case = next(c for c in t.manifest["cases"] if c["id"] == case_id)
    done = t.run((*case["argv"], "-q"))
    assert done.rc == 2 and b"Traceback" not in done.stderr
    named = case["argv"][-1].encode()
    assert named in done.stderr or b"no rules" in done.stderr


USAGE_CASES = {
    "since-not-a-date": (("history", "repos/audit", "--since", "not-a-date"), ""),
    "negative-max-file-size": (("scan", ".", "--max-file-size", "-1"), "tree"),
    "negative-max-blob-size": (("history", "repos/audit", "--max-blob-size", "-1"), ""),
    "exclude-selects-nothing": (("scan", ".", "--exclude", "*"), "tree"),
    "empty-folder": (("scan", "hostile/empty-folder"), ""),
}
KNOWN_USAGE = {}


@pytest.mark.parametrize("case", params(list(USAGE_CASES), KNOWN_USAGE))
def test_empty_selections_and_bad_values_are_loud(t: Torture, case: str) -> None:
    argv, cwd = USAGE_CASES[case]
    (t.corpus / "hostile" / "empty-folder").mkdir(exist_ok=True)
    done = t.run((*argv, "-f", "json", "-q"), cwd)
    assert b"Traceback" not in done.stderr
    if done.rc == 2:  # a usage error: ours, or argparse's for a flag's value (usage, then the error)
        assert done.stderr.startswith(b"secretscan: error: ") or b"error: argument --max-" in done.stderr
        return
    assert done.json()["warnings"], f"exit {done.rc}, and not a word of warning"


# --- §2 caches -----------------------------------------------------------------------------------------------


def _fresh_env(t: Torture, name: str) -> dict[str, str]:
    """An environment of its own (home, temporary folder, cache), the cache starting as a copy of the
    module's: its compiled rules and database, never compiled again (the --cache folders are apart)."""
    env = isolated_env(t.base / name)
    shutil.copytree(t.env["XDG_CACHE_HOME"], env["XDG_CACHE_HOME"], dirs_exist_ok=True)
    return env


def test_result_cache_never_hides_a_copy_at_another_path(t: Torture) -> None:
    env, cache = _fresh_env(t, "cache-dedup"), str(t.base / "cache-dedup" / "results")
    tree = t.corpus / "tree"
    config = ("--config", ".secretscan.yaml", "--cache", cache, "-f", "json", "--show-secrets", "-q")
    first = run(("scan", "dedup/allowed", *config), tree, env)
    assert first.rc == 0
    second = run(("scan", "dedup/src", *config), tree, env)
    assert second.rc == 1 and second.json()["findings"]


def test_result_cache_stores_no_secret(t: Torture) -> None:
    env, cache = _fresh_env(t, "cache-plain"), t.base / "cache-plain" / "results"
    run(("scan", ".", "--cache", str(cache), "-q", "--show-secrets"), t.corpus / "tree", env)
    stored = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert (
        stored and raw_values(stored, [v for p in plants(t.manifest, where="tree") for v in p.values]) == []
    )


def test_cache_folder_is_created_private(t: Torture) -> None:
    env, cache = _fresh_env(t, "cache-mode"), t.base / "cache-mode" / "new" / "results"
    run(("scan", "control", "--cache", str(cache), "-q"), t.corpus / "tree", env)
    assert cache.is_dir() and (cache.stat().st_mode & 0o777) == 0o700


def _unsafe_cache(base: Path, kind: str) -> Path:
    target = base / f"unsafe-{kind}"
    if kind == "world-writable":
        target.mkdir(mode=0o777)
        target.chmod(0o777)
    elif kind == "symlink":
        (base / "elsewhere").mkdir()
        target.symlink_to(base / "elsewhere")
    else:
        target.mkdir(mode=0o700)
        os.chown(target, 65534, 65534)
    return target


UNSAFE = ["world-writable", "symlink", *(["other-owner"] if os.geteuid() == 0 else [])]


@pytest.mark.parametrize("kind", UNSAFE)
def test_unsafe_cache_folder_is_refused(t: Torture, kind: str) -> None:
    env = _fresh_env(t, f"cache-{kind}")
    folder = _unsafe_cache(t.base / f"cache-{kind}", kind)
    done = run(("scan", "control", "--cache", str(folder), "-q"), t.corpus / "tree", env)
    assert done.rc == 2 and str(folder).encode() in done.stderr


class _Planted:
    """A pickle that runs a command when loaded: what a hostile cache file holds."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_planted_cache_files_are_never_executed(t: Torture) -> None:
    """Every file a first run left in the cache folder is replaced by a hostile pickle: the next run must not
    execute it, must not crash, and must still find the secrets."""
    env = _fresh_env(t, "cache-planted")
    marker = t.base / "cache-planted" / "EXECUTED"
    tree = t.corpus / "tree"
    first = run(("scan", "control", "--engine", "hyperscan", "-q"), tree, env)
    assert first.rc == 1
    planted = [p for p in Path(env["XDG_CACHE_HOME"]).rglob("*") if p.is_file()]
    assert planted
    for path in planted:
        path.write_bytes(pickle.dumps(_Planted(marker)))
    again = run(("scan", "control", "-f", "json", "--show-secrets", "-q"), tree, env)
    assert not marker.exists(), "a planted cache file was executed"
    assert again.rc == 1 and len(again.json()["findings"]) == 2


def test_database_of_other_rules_is_not_trusted(t: Torture) -> None:
    """A valid Hyperscan database compiled from other rules, put where ours is cached: it must be detected (a
    digest), not used to nominate the wrong rules."""
    env = _fresh_env(t, "cache-swapped")
    cache = Path(env["XDG_CACHE_HOME"])
    tiny = t.base / "cache-swapped" / "tiny.yaml"
    tiny.write_text(
        "rules:\n  - id: torture-tiny\n    name: Tiny\n    severity: low\n    pattern: 'zzqq([0-9]{8})'\n"
        "    secret_group: 1\n    keywords: [zzqq]\n    examples: ['zzqq12345678']\n"
    )
    tree = t.corpus / "tree"
    run(("scan", "control", "--engine", "hyperscan", "-q"), tree, env)
    ours = set(cache.rglob("hsdb-*"))
    run(
        ("scan", "control", "--engine", "hyperscan", "-q", "--no-builtin-rules", "--rules", str(tiny)),
        tree,
        env,
    )
    (theirs,) = set(cache.rglob("hsdb-*")) - ours
    for path in ours:
        shutil.copyfile(theirs, path)
    done = run(("scan", "control", "-f", "json", "-q", "--show-secrets"), tree, env)
    assert done.rc == 1 and len(done.json()["findings"]) == 2


def test_concurrent_runs_sharing_caches_agree(t: Torture) -> None:
    env = _fresh_env(t, "concurrent")
    cache = str(t.base / "concurrent" / "results")
    argv = ("scan", ".", "-f", "json", "--show-secrets", "-q", "--cache", cache)
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda _: run(argv, t.corpus / "tree", env), range(3)))
    found = [sorted((f["path"], f["secret"]) for f in r.json()["findings"]) for r in runs]
    assert [r.rc for r in runs] == [1, 1, 1] and found[0] == found[1] == found[2]
    with sqlite3.connect(next(Path(cache).glob("*.sqlite3"))) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --- §3 keyed fingerprints, URL userinfo ---------------------------------------------------------------------


def test_fingerprints_are_keyed(t: Torture) -> None:
    """A fingerprint that anyone can recompute from the path and a guessed secret confirms the guess offline."""
    import hashlib

    doc = t.mode_run("scan", "json", show=True).json()
    for finding in doc["findings"]:
        digest = hashlib.sha256(finding["secret"].encode()).hexdigest()
        plain = hashlib.sha256(
            f"{finding['rule_id']}\0{digest}\0{finding['path']}".encode("utf-8", "surrogateescape")
        )
        assert finding["fingerprint"] != plain.hexdigest()[:32]


@pytest.fixture()
def served(t: Torture) -> Iterator[int]:
    """repos/ over git's dumb HTTP protocol on loopback, for audits by URL."""
    handler = partial(_QuietHandler, directory=str(t.corpus / "repos"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    "target",
    ["served.git", "missing.git"],
)
def test_url_userinfo_is_never_printed(t: Torture, served: int, target: str) -> None:
    info = t.manifest["repos"]["served.git"]
    url = info["url"].format(port=served).replace("served.git", target)
    token = t.plant("repos/served/url-userinfo").value
    tmp = Path(t.env["TMPDIR"])
    for fmt in ("json", "text"):
        done = t.run(("history", url, "-f", fmt, "-q"))
        assert done.rc == (1 if target == "served.git" else 2), done.stderr
        assert raw_values(done.output, [token]) == [], fmt
    assert not list(tmp.glob("secretscan-*")), "a temporary clone outlived a normal run"


# --- §4 no surprise network, no surprise programs ------------------------------------------------------------


def test_no_socket_is_opened_without_verify(t: Torture) -> None:
    """A partial clone's promisor remote points at a listener: the audit must not contact it (lazy fetch)."""
    repo = t.corpus / "repos" / "promisor"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    url = t.manifest["repos"]["promisor"]["promisor_url"].replace(
        "127.0.0.1:9", f"127.0.0.1:{listener.getsockname()[1]}"
    )
    subprocess.run(["git", "-C", str(repo), "config", "remote.origin.url", url], check=True)
    accepted: list[bytes] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn.recv(200))
            conn.close()

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        done = run(("history", "repos/promisor", "-f", "json", "-q"), t.corpus, t.env)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert raw_values(done.output, [t.plant("repos/promisor/remote-userinfo").value]) == []
    assert accepted == [], f"git fetched from the promisor remote: {accepted[0][:60]!r}"


def test_repository_config_runs_no_program(t: Torture) -> None:
    info = t.manifest["repos"]["fsmonitor"]
    repo = t.corpus / info["cwd"]
    done = t.run((*info["argv"], "-f", "json", "-q"), info["cwd"])
    assert done.rc == 1
    assert not (repo / info["marker"]).exists(), "core.fsmonitor of the scanned repository was run"


# --- §4 catastrophic rules and signals -----------------------------------------------------------------------


def test_catastrophic_rule_ends_within_seconds_with_a_named_error(t: Torture) -> None:
    env = _fresh_env(t, "catastrophe")
    argv = (
        "scan",
        "hostile/catastrophic",
        "--rules",
        "rules/catastrophic.yaml",
        "-f",
        "json",
        "--show-secrets",
        "-q",
    )
    done = run(argv, t.corpus, env, timeout=CATASTROPHE_BOUND)
    assert done.rc != -9, f"still running after {CATASTROPHE_BOUND} s"
    doc = done.json()
    assert any("torture-catastrophic" in e for e in doc["errors"])
    after = t.plant("hostile/after-catastrophe")
    assert any(f["secret"] == after.value for f in doc["findings"])


SIGNAL_CASES = [("workers", signal.SIGTERM), ("history-url", signal.SIGTERM), ("history-url", signal.SIGHUP)]


@pytest.mark.parametrize(
    ("case", "signum"), [pytest.param(c, s, id=f"{c}-{s.name}") for c, s in SIGNAL_CASES]
)
def test_signal_mid_run_leaves_no_process_nor_temporary_folder(
    t: Torture, case: str, signum: signal.Signals
) -> None:
    env = _fresh_env(t, f"signal-{case}-{signum.name}")
    if case == "workers":
        argv = next(c["argv"] for c in t.manifest["cases"] if c["id"] == "signals/workers")
        wanted = 2  # the process pool's workers
    else:
        argv = [a.format(corpus=t.corpus) for a in t.manifest["repos"]["catastrophic"]["argv"]]
        wanted = 1  # git cat-file, at least
    proc = subprocess.Popen(
        [*_command(), *argv, "-q"],
        cwd=t.corpus,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None and len(alive(seen)) < wanted:
            seen |= descendants(proc.pid)
            time.sleep(0.1)
        time.sleep(1.0)  # into the hanging part: workers busy, the clone done
        assert proc.poll() is None, "the run ended before it could be interrupted"
        seen |= descendants(proc.pid)
        proc.send_signal(signum)
        proc.wait(timeout=10)
        time.sleep(0.5)
        left = alive(seen)
        temps = list(Path(env["TMPDIR"]).iterdir())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in alive(seen):  # only processes this test started
            os.kill(pid, signal.SIGKILL)
    assert left == set(), f"{len(left)} process(es) outlived the run"
    assert temps == [], f"left behind: {[p.name for p in temps]}"


def _command() -> list[str]:
    from tests.e2e.torture_helpers import secretscan

    return secretscan()
