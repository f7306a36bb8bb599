"""The CI recipes of docs/ci.md (issue 18 §4): the workflow files in docs/ci/ are what the page shows, they
parse, the GitHub one passes zizmor at every severity and persona, and the commands they run do what the
page says on a scratch repository, with the installed command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner import __version__
from tests.helpers.cli import secretscan_command
from tests.helpers.gitrepo import aws_config, build, commit, git, secret_key

DOCS = Path(__file__).resolve().parents[2] / "docs"
GITHUB = DOCS / "ci" / "github-actions.yml"
GITLAB = DOCS / "ci" / "gitlab-ci.yml"
OLD_KEY = "AKIAUJZDEGXDNCF32EPF"
NEW_KEY = "AKIAQYLPMN5HFIQR7XQZ"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (DOCS / "ci.md").read_text(), re.DOTALL)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_the_page_shows_the_files_verbatim() -> None:
    blocks = _yaml_blocks()
    assert GITHUB.read_text() in blocks
    assert GITLAB.read_text() in blocks


def test_github_workflow_grants_pins_and_fetches_what_it_needs() -> None:
    workflow = _load(GITHUB)
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert {use.split("@")[0] for use in uses} == {
        "actions/checkout",
        "actions/setup-python",
        "github/codeql-action/upload-sarif",
        "actions/upload-artifact",
    }
    assert all(re.fullmatch(r"[^@]+@[0-9a-f]{40}", use) for use in uses), uses
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    for step in job["steps"]:  # an expression pasted into a script would run a crafted branch name
        assert "${{" not in step.get("run", ""), step


def test_gitlab_job_keeps_junit_sarif_and_json() -> None:
    job = _load(GITLAB)["secretscan"]
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {"junit": "secretscan-junit.xml"}
    assert set(artifacts["paths"]) == {"secretscan-junit.xml", "secretscan.sarif", "secretscan.json"}
    assert job["variables"]["GIT_DEPTH"] == "0"


def _zizmor() -> str | None:
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.exists() else shutil.which("zizmor")


@pytest.mark.parametrize("persona", ["regular", "pedantic", "auditor"])
def test_github_workflow_passes_zizmor(persona: str, tmp_path: Path) -> None:
    zizmor = _zizmor()
    if zizmor is None:  # the test extra installs it; a platform without its wheel may not have it
        pytest.skip("zizmor is not installed")
    proc = subprocess.run(
        [zizmor, "--offline", "--no-config", f"--persona={persona}", "--format=json", str(GITHUB)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path)},  # no user config, no cached token
        check=False,
    )
    assert (proc.returncode, json.loads(proc.stdout or "[]")) == (0, []), proc.stdout + proc.stderr


def test_pre_commit_rev_and_install_lines_name_this_version() -> None:
    """A `rev:` and a pip address must name a tag that exists: the release tag of this version."""
    tag = f"v{__version__}"
    texts = [(DOCS / "ci.md").read_text(), (DOCS.parent / "README.md").read_text()]
    texts += [GITHUB.read_text(), GITLAB.read_text(), (DOCS.parent / ".pre-commit-hooks.yaml").read_text()]
    revs = [rev for text in texts for rev in re.findall(r"\brev: ([^\s,}]+)", text)]
    pins = [pin for text in texts for pin in re.findall(r"git\+https://\S+?/secretscan@([\w.]+)", text)]
    assert revs and pins and set(revs) | set(pins) == {tag}
    assert not any("pip install secretscan" in text or "'secretscan[aws]'" in text for text in texts)
    (config,) = [block for block in _yaml_blocks() if block.startswith("repos:")]
    assert _load_text(config)["repos"][0]["rev"] == tag


def _load_text(text: str) -> Any:
    return yaml.safe_load(text)


# The commands the recipes run, on a scratch repository: a remote with an old leak on main, a clone.


def _shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `script` as GitHub and GitLab run a step, with the installed secretscan first on PATH."""
    bindir = str(Path(secretscan_command()[0]).parent)
    path = f"{bindir}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone of a repository whose main holds an old secret, recorded in a committed baseline as the
    page says (baseline first), with a pull-request branch that adds a new one."""
    origin = tmp_path / "origin"
    build(origin, [({"README.md": "hello\n", "old.cfg": aws_config(OLD_KEY, secret_key(1))}, "old leak")])
    baseline = re.search(r"```sh\n(secretscan baseline create.*?)```", (DOCS / "ci.md").read_text(), re.S)
    assert baseline is not None
    assert _shell(baseline.group(1), origin, {}).returncode == 0, "the baseline step"
    git(origin, "checkout", "-q", "-b", "topic")
    commit(origin, {"new.cfg": aws_config(NEW_KEY, secret_key(2))}, "new leak", 2)
    git(origin, "checkout", "-q", "main")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    return clone


def _steps(name_part: str) -> dict[str, Any]:
    (job,) = _load(GITHUB)["jobs"].values()
    (step,) = [step for step in job["steps"] if name_part in step.get("name", "")]
    return dict(step)


def _sarif_keys(path: Path) -> list[str]:
    results = json.loads(path.read_text())["runs"][0]["results"]
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]


def test_github_pull_request_gate_reports_only_what_the_branch_adds(checkout: Path) -> None:
    step = _steps("pull request")
    head = git(checkout, "rev-parse", "origin/topic")
    env = {"BASE_REF": "main", "HEAD_SHA": head}
    assert step["env"] == {
        "BASE_REF": "${{ github.base_ref }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
    }
    proc = _shell(step["run"], checkout, env)
    assert proc.returncode == 1, proc.stderr
    assert _sarif_keys(checkout / "secretscan.sarif") == ["new.cfg"]


def test_github_history_audit_passes_once_old_findings_are_in_the_baseline(checkout: Path) -> None:
    step = _steps("history")
    proc = _shell(step["run"], checkout, {})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _sarif_keys(checkout / "secretscan.sarif") == []
    git(checkout, "merge", "-q", "origin/topic")  # the new secret reaches main: the audit fails
    assert _shell(step["run"], checkout, {}).returncode == 1


def test_gitlab_merge_request_job(checkout: Path) -> None:
    script = [line for line in _load(GITLAB)["secretscan"]["script"] if not line.startswith("pip install")]
    git(checkout, "checkout", "-q", "topic")
    env = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_COMMIT_SHA": git(checkout, "rev-parse", "HEAD")}
    proc = _shell("\n".join(script), checkout, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    suite = ET.parse(checkout / "secretscan-junit.xml").getroot()
    assert "new.cfg" in ET.tostring(suite, encoding="unicode")
    assert _sarif_keys(checkout / "secretscan.sarif") == ["new.cfg"]
    assert [f["path"] for f in json.loads((checkout / "secretscan.json").read_text())["findings"]] == [
        "new.cfg"
    ]
