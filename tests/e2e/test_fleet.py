"""`secretscan fleet` as a user runs it (issue 20 §5): a dozen generated repositories (a corrupt one, a bigger
one split over two tasks, a secret only on a side branch, one that cannot be opened) audited on a real Dask
LocalCluster on 127.0.0.1 and on the local pool, each giving exactly the findings of one `history` run per
repository; reruns skip what is unchanged and audit only new commits.

The cluster runs its two workers as threads of this test process (processes=False) but over TCP: every task
and every outcome is serialised as on a cluster of machines, while starting takes a fraction of a second
instead of spawning two interpreters that import the scanner afresh.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import default_sigint, run_cli, secretscan_command
from tests.helpers.fleet import make_fleet
from tests.helpers.gitrepo import ENGINE, KEY_ID, MORE_KEY_IDS, SECRET_KEY, aws_config, build, secret_key

FLEET = ("fleet", *ENGINE, "--no-cache", "-q")


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    path = root / "repos.txt"
    path.write_text("\n".join(make_fleet(root / "repos")) + "\n")
    return path


def sources(listing: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (repository, history's --branch arguments), as the listing says."""
    out = {}
    for line in listing.read_text().splitlines():
        doc = json.loads(line) if line.startswith("{") else {"repo": line, "name": line}
        branch = doc.get("branch")
        out[doc["name"]] = (doc["repo"], ["--branch", branch] if branch else [])
    return out


def history_findings(listing: Path) -> dict[str, list[dict[str, Any]] | None]:
    """What one `history` run per repository finds (None: history could not audit it)."""
    found: dict[str, list[dict[str, Any]] | None] = {}
    for name, (repo, branch) in sources(listing).items():
        proc = run_cli("history", repo, *branch, "-f", "json", *ENGINE, "--no-cache", "-q")
        # A repository it cannot open: no report (exit 2); a corrupt object: a report, and exit 2 too.
        found[name] = json.loads(proc.stdout)["findings"] if proc.stdout.strip() else None
    return found


def fleet_findings(report: dict[str, Any]) -> dict[str, list[dict[str, Any]] | None]:
    found: dict[str, list[dict[str, Any]] | None] = {}
    for repo in report["repositories"]:
        name = repo["repository"]
        mine = [
            {k: v for k, v in f.items() if k != "repository"}
            for f in report["findings"]
            if f["repository"] == name
        ]
        found[name] = None if repo["status"] == "failed" else mine
    return found


@pytest.fixture(scope="module")
def reference(listing: Path) -> dict[str, list[dict[str, Any]] | None]:
    return history_findings(listing)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        assert local.scheduler_address.startswith("tcp://127.0.0.1:")
        yield local.scheduler_address


def test_cluster_gives_the_findings_of_history(
    listing: Path, reference: dict[str, Any], cluster: str, tmp_path: Path
) -> None:
    assert sum(len(found or []) for found in reference.values()) >= 8  # the fleet is not trivially clean
    state = tmp_path / "state.json"
    proc = run_cli(*FLEET, str(listing), "--cluster", cluster, "--state", str(state), "-f", "json")
    assert proc.returncode == 2, proc.stderr  # findings, and what could not be audited: as `history`
    report = json.loads(proc.stdout)
    assert fleet_findings(report) == reference
    failed = [r for r in report["repositories"] if r["status"] == "failed"]
    assert [r["repository"] for r in failed] == [str(listing.parent / "repos" / "missing")]
    assert "no such folder" in failed[0]["error"]
    raw = state.read_text() + proc.stdout
    assert KEY_ID not in raw and SECRET_KEY not in raw  # sealed: redacted before they left the workers
    # A rerun with no new commit reads no repository's history again.
    started = time.monotonic()
    again = run_cli(*FLEET, str(listing), "--cluster", cluster, "--state", str(state), "-f", "json")
    assert time.monotonic() - started < 20
    rerun = json.loads(again.stdout)
    assert fleet_findings(rerun) == reference
    assert {r["status"] for r in rerun["repositories"]} == {"unchanged", "failed"}


def test_local_pool_incremental_rerun_matches_history(
    listing: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = run_cli(*FLEET, str(listing), "-j", "2", "--state", str(state), "-f", "json")
    assert fleet_findings(json.loads(first.stdout)) == reference
    repos = listing.parent / "repos"
    build(repos / "at_head", [({"more.ini": aws_config(MORE_KEY_IDS[2], secret_key(40))}, "more")], start=5)
    build(repos / "removed", [({"again.ini": aws_config(MORE_KEY_IDS[0], secret_key(1))}, "back")], start=5)
    second = run_cli(*FLEET, str(listing), "-j", "2", "--state", str(state), "-f", "json")
    report = json.loads(second.stdout)
    statuses = {r["repository"]: r["status"] for r in report["repositories"]}
    assert statuses[str(repos / "at_head")] == statuses[str(repos / "removed")] == "incremental"
    assert statuses[str(repos / "clean")] == "unchanged"
    assert fleet_findings(report) == history_findings(listing)


def test_failing_repository_exit_codes(listing: Path, tmp_path: Path) -> None:
    only = tmp_path / "two.txt"
    only.write_text(f"{listing.parent / 'repos' / 'clean'}\n{tmp_path / 'nowhere'}\n")
    strict = run_cli(*FLEET, str(only), "-j", "1")  # as `history` fails on what it could not read
    assert strict.returncode == 2 and "--no-fail-on-error" in strict.stderr
    assert "failed" in strict.stdout and "nowhere" in strict.stdout
    proc = run_cli(*FLEET, str(only), "-j", "1", "--no-fail-on-error")
    assert proc.returncode == 0, proc.stderr  # reported only: the exit code by the findings alone


def test_report_formats(listing: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    run_cli(*FLEET, str(listing), "-j", "2", "--state", str(state), "-f", "json")
    outputs = {}
    for fmt in ("sarif", "jsonl", "markdown", "html", "text"):  # from the state: no repository read again
        proc = run_cli(*FLEET, str(listing), "--state", str(state), "-f", fmt)
        assert proc.returncode == 2, proc.stderr
        assert KEY_ID not in proc.stdout and SECRET_KEY not in proc.stdout
        outputs[fmt] = proc.stdout
    names = list(sources(listing))
    runs = json.loads(outputs["sarif"])["runs"]
    assert [run["properties"]["repository"] for run in runs] == names
    records = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    assert all(r["repository"] in names for r in records)
    assert sum(r["type"] == "summary" for r in records) == len(names)
    assert "| Repository | Status |" in outputs["markdown"]
    assert (
        outputs["html"].count('<section id="repo-') == len(names) and "<th>Repository</th>" in outputs["html"]
    )


def test_show_secrets_sends_them_and_keeps_none(listing: Path, tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text(f"{listing.parent / 'repos' / 'at_head'}\n")
    state = tmp_path / "state.json"
    proc = run_cli(*FLEET, str(one), "-j", "1", "--show-secrets", "--state", str(state), "-f", "json")
    assert KEY_ID in proc.stdout
    assert KEY_ID not in state.read_text()


def test_ctrl_c_leaves_a_state_that_resumes(listing: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    command = [*secretscan_command(), "fleet", str(listing), *ENGINE, "--no-cache", "-j", "1"]
    proc = subprocess.Popen(
        [*command, "--state", str(state), "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("secretscan: [2/"):  # two repositories finished: interrupt the third
            proc.send_signal(signal.SIGINT)
            break
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    done = json.loads(state.read_text())["repositories"]
    assert len(done) >= 2
    again = run_cli(*FLEET, str(listing), "-j", "1", "--state", str(state), "-f", "json")
    statuses = {r["repository"]: r["status"] for r in json.loads(again.stdout)["repositories"]}
    assert all(statuses[name] == "unchanged" for name in done)
    assert len(statuses) == len(sources(listing))
