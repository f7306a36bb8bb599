"""The paths real scans take (issue 21 §4): a tree larger than what is scanned in process goes partly to
worker processes, forked or spawned (a spawned worker receives the Hyperscan matcher pickled), and a history
audit long enough hands batches to workers that read blobs themselves. Each gives the findings of a scan in
one process, exactly."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.engine import Engine
from scanner.engine.matcher import HyperscanMatcher
from scanner.model import Blob, Origin
from scanner.rules.parse import parse_rule
from scanner.scheduler import blobs, pool, stream
from scanner.scheduler.work import reads
from tests.helpers.gitrepo import KEY_ID, MORE_KEY_IDS, build, key_line

FILES = 23
FILE_BYTES = 32 * 1024
INLINE_BYTES = 256 * 1024  # lowered from blobs.INLINE_BYTES (megabytes) to keep the tree small: same path
SECRETS = [KEY_ID, *MORE_KEY_IDS]
LEAKY = (0, 8, 16, FILES - 1)  # early files (scanned in process) and late ones (in workers)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for i in range(FILES):
        filler = "".join(f"row {i} {j}: nothing to see\n" for j in range(FILE_BYTES // 24))
        body = filler[:FILE_BYTES]
        if i in LEAKY:
            body = key_line(SECRETS[LEAKY.index(i)]) + body + f'password = "Zx9Kq2Lm4N{i:02d}"\n'
        (root / f"f{i:02d}.txt").write_text(body)
    return root


def scan(tree: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[tuple[Any, ...]]:
    code = main(["scan", str(tree), "-q", "-f", "json", "--show-secrets", "--engine", "hyperscan", *args])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1, doc
    return sorted((Path(f["path"]).name, f["line"], f["rule_id"], f["secret"]) for f in doc["findings"])


def spawned(fork_ok: bool = True) -> Any:
    return multiprocessing.get_context("spawn")


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each worker pool of the test started (fork or spawn)."""
    methods: list[str] = []
    real_start = pool.start

    def recording_start(*args: Any, **kwargs: Any) -> Any:
        methods.append(pool.worker_context(kwargs.get("fork_ok", True)).get_start_method())
        return real_start(*args, **kwargs)

    monkeypatch.setattr(pool, "start", recording_start)
    return methods


def test_workers_forked_and_spawned_find_what_one_process_finds(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, started: list[str]
) -> None:
    pytest.importorskip("hyperscan")
    monkeypatch.setattr(blobs, "INLINE_BYTES", INLINE_BYTES)
    assert FILES * FILE_BYTES > 2 * INLINE_BYTES  # the last files go to workers
    alone = scan(tree, capsys, "--jobs", "1")
    assert started == []
    assert len(alone) == 2 * len(LEAKY)
    assert ("f22.txt", 1, "aws-access-key-id", SECRETS[3]) in alone  # in the last file: a worker's
    native = pool.worker_context().get_start_method()  # fork where the platform forks
    assert scan(tree, capsys, "--jobs", "2") == alone
    monkeypatch.setattr(pool, "worker_context", spawned)
    assert scan(tree, capsys, "--jobs", "2") == alone
    assert started == [native, "spawn"]


def test_a_hyperscan_matcher_survives_pickling() -> None:
    pytest.importorskip("hyperscan")
    import pickle

    from scanner.rules import load_rules

    engine = Engine(load_rules(), backend="hyperscan")
    copy = pickle.loads(pickle.dumps(engine))
    assert isinstance(copy.matcher, HyperscanMatcher)
    blob = Blob.from_bytes(key_line(KEY_ID).encode(), Origin("a.cfg"))
    assert [f.secret for f in copy.scan(blob).findings] == [KEY_ID]


def test_a_long_history_hands_batches_to_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, started: list[str]
) -> None:
    repo = tmp_path / "repo"
    build(
        repo,
        [({f"d{i}/app.cfg": f'password = "Wq8Zt3Lm9R{i:02d}x"\n' for i in range(c * 6, c * 6 + 6)},
          f"c{c}") for c in range(4)],
    )  # fmt: skip

    def audit(*args: str) -> list[tuple[Any, ...]]:
        code = main(["history", str(repo), "-q", "-f", "json", "--engine", "python", "--show-secrets", *args])
        doc = json.loads(capsys.readouterr().out)
        assert code == 1, doc
        return sorted((f["path"], f["commit"]["sha"], f["secret"]) for f in doc["findings"])

    alone = audit("--jobs", "1")
    assert len(alone) == 24
    assert started == []
    monkeypatch.setattr(stream, "POOL_AFTER", 0)  # workers join from the first batch
    assert audit("--jobs", "2") == alone
    assert len(started) == 1


def test_a_rule_hyperscan_rejects_falls_back_to_its_keywords_and_still_matches() -> None:
    pytest.importorskip("hyperscan")
    # The whole pattern is optional, so it matches the empty string: `re` accepts it, Hyperscan refuses it even
    # as a prefilter, and the rule is nominated by its keywords instead.
    custom = parse_rule(
        {
            "id": "custom-optional",
            "name": "Custom rule whose pattern may match nothing",
            "severity": "high",
            "pattern": r"(?:zq_([A-Za-z0-9]{16}))?",
            "keywords": ["zq_"],
            "examples": ["'zq_Zx9Kq2Lm4Np7Rv2X'"],
        },
        "custom.yaml",
    )
    engine = Engine([custom], backend="hyperscan")
    assert engine.backend == "hyperscan"
    assert engine.matcher.candidates(b"nothing here") == {}  # nominated by keyword, not by the empty match
    found = engine.scan(Blob.from_bytes(b"x = 'zq_Zx9Kq2Lm4Np7Rv2X'\n", Origin("a.py"))).findings
    assert [f.secret for f in found] == ["Zx9Kq2Lm4Np7Rv2X"]


def test_a_worker_reads_the_batch_named_ahead_and_drops_one_another_took(tmp_path: Path) -> None:
    """A lone worker asks git for its next batch while it scans this one; if the next batch it is handed is
    another (it never is with one worker, but a worker must not depend on it), the answers asked ahead are
    read and dropped, and the batch is asked anew."""
    from scanner.git.objects import BatchReader
    from scanner.rules import load_rules

    build(tmp_path, [({f"f{i}.txt": f"file {i}\n" for i in range(6)}, "one")])
    ids = git_ids(tmp_path, [f"f{i}.txt" for i in range(6)])
    batches = [[(ids[i], f"f{i}.txt"), (ids[i + 1], f"f{i + 1}.txt")] for i in (0, 2, 4)]
    setup = pool._Setup(Engine(load_rules(), backend="python"), False, tmp_path, 1 << 20)
    with BatchReader(tmp_path, 1 << 20) as reader:
        pool._worker = (setup, reader)
        try:
            first = pool.read_and_scan(batches[0], ahead=batches[1])
            assert reader.asked([oid for oid, _ in batches[1]])
            third = pool.read_and_scan(batches[2])  # not the batch named ahead
            second = pool.read_and_scan(batches[1])
        finally:
            pool._worker = None
    for verdicts, batch in ((first, batches[0]), (second, batches[1]), (third, batches[2])):
        named = reads(batch, verdicts)
        assert [(r.oid, r.path, r.status) for r in named] == [(oid, path, "scanned") for oid, path in batch]


def git_ids(repo: Path, paths: list[str]) -> list[str]:
    from tests.helpers.gitrepo import git

    return [git(repo, "rev-parse", f"HEAD:{path}") for path in paths]
