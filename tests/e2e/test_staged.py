"""`secretscan staged`: the index content of added/changed files, and only the lines the commit adds."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers.cli import run_cli, secretscan_command
from tests.helpers.gitrepo import (
    AWS_CONFIG,
    ENGINE,
    KEY_ID,
    KEY_ID_2,
    SECRET_KEY,
    aws_config,
    build,
    git,
    init,
    key_line,
    private_key,
    secret_key,
    write,
)


def staged(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = run_cli("staged", "-f", "json", *ENGINE, *args, cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    doc.pop("provenance")  # when and how long: differs run to run
    return proc.returncode, doc


def stage(repo: Path, files: dict[str, str | bytes | None]) -> None:
    write(repo, files)
    git(repo, "add", "-A")


def test_index_content_is_scanned_not_the_working_tree(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    stage(tmp_path, {"config.ini": AWS_CONFIG})
    write(tmp_path, {"config.ini": "cleaned on disk, but not staged\n"})
    code, doc = staged(tmp_path)
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["path"], finding["line"], finding["commit"]) == ("config.ini", 2, None)
    assert finding["companions"] == {"secret_access_key": "v5ZJ*****"}
    # The reverse: a secret only in the working tree is not part of the commit.
    git(tmp_path, "reset", "-q")
    write(tmp_path, {"config.ini": AWS_CONFIG})
    git(tmp_path, "add", "README.md")
    assert staged(tmp_path) == (0, staged(tmp_path)[1])
    assert staged(tmp_path)[1]["findings"] == []


def test_only_added_lines_are_reported(tmp_path: Path) -> None:
    build(tmp_path, [({"app.py": key_line(KEY_ID) + "x = 1\n"}, "old leak")])
    stage(tmp_path, {"app.py": key_line(KEY_ID) + "x = 2\n"})
    code, doc = staged(tmp_path, "--explain")
    assert code == 0 and doc["findings"] == []
    assert [(d["reason"], d["line"]) for d in doc["dropped"]] == [("not-added-line", 1)]
    stage(tmp_path, {"app.py": key_line(KEY_ID) + "x = 2\n" + key_line(KEY_ID_2)})
    code, doc = staged(tmp_path)
    assert code == 1
    assert [(f["line"], f["secret"]) for f in doc["findings"]] == [(3, "AKIA*****")]


def test_first_commit_in_an_empty_repository(tmp_path: Path) -> None:
    init(tmp_path)
    stage(tmp_path, {"a.txt": key_line(KEY_ID)})
    assert staged(tmp_path)[0] == 1


def test_nothing_staged_is_clean(tmp_path: Path) -> None:
    build(tmp_path, [({"a.txt": key_line(KEY_ID)}, "committed long ago")])
    code, doc = staged(tmp_path)
    assert (code, doc["findings"], doc["summary"]["blobs_scanned"]) == (0, [], 0)


def test_rename_of_an_old_secret_is_not_new(tmp_path: Path) -> None:
    build(tmp_path, [({"old.cfg": AWS_CONFIG}, "old")])
    git(tmp_path, "mv", "old.cfg", "new.cfg")
    assert staged(tmp_path)[0] == 0


def test_a_regenerated_key_and_a_new_secret_beside_an_old_key_id_are_new(tmp_path: Path) -> None:
    # Issue 15 §1: each finding is anchored on an unchanged line (BEGIN, the key id); its secret changed.
    build(tmp_path, [({"id_rsa": private_key(1), "aws.ini": aws_config(KEY_ID, secret_key(1))}, "init")])
    stage(tmp_path, {"id_rsa": private_key(2), "aws.ini": aws_config(KEY_ID, secret_key(2))})
    for named in ((), ("id_rsa", "aws.ini")):
        code, doc = staged(tmp_path, *named)
        assert code == 1
        assert sorted(f["rule_id"] for f in doc["findings"]) == ["aws-access-key-id", "private-key-rsa"]


def test_moved_old_secrets_are_not_new(tmp_path: Path) -> None:
    """Renamed with edits, copied, reindented, reordered: the secrets were all in the last commit."""
    key, creds = private_key(1), aws_config(KEY_ID, secret_key(1))
    build(tmp_path, [({"keys/id_rsa": key, "aws.ini": creds}, "init")])
    git(tmp_path, "mv", "aws.ini", "creds.ini")
    reordered = "\n".join(reversed(creds.splitlines())) + "\n# moved\n"
    indented = "tls:\n  key: |\n" + "".join(f"    {line}\n" for line in key.splitlines())
    stage(tmp_path, {"creds.ini": reordered, "deploy.yaml": indented, "copy/id_rsa": key})
    for named in ((), ("creds.ini", "deploy.yaml", "copy/id_rsa")):
        code, doc = staged(tmp_path, *named, "--explain")
        assert (code, doc["findings"]) == (0, [])
        assert {d["reason"] for d in doc["dropped"] if d["rule_id"] != "aws-secret-access-key"} <= {
            "baseline",
            "not-added-line",
        }


def test_the_last_commit_says_what_is_old_never_the_working_tree(tmp_path: Path) -> None:
    """The pre-existing check reads the work tree's unchanged files for speed: a file changed or deleted
    on disk still counts as the last commit holds it, and a secret only on disk is new."""
    old, new = aws_config(KEY_ID, secret_key(1)), aws_config(KEY_ID_2, secret_key(2))
    build(tmp_path, [({"aws.ini": old, "gone.ini": old, "notes.txt": "hello\n"}, "init")])
    write(tmp_path, {"aws.ini": "cleaned on disk, not staged\n", "gone.ini": None, "copy.ini": old})
    git(tmp_path, "add", "copy.ini")
    assert staged(tmp_path)[0] == 0
    git(tmp_path, "rm", "-q", "--cached", "aws.ini")  # staged deletion: still the last commit's
    assert staged(tmp_path)[0] == 0
    # The new pair is on disk in a tracked file (not staged) and an untracked one: still new.
    write(tmp_path, {"notes.txt": new, "untracked.ini": new, "copy.ini": new})
    git(tmp_path, "add", "copy.ini")
    code, doc = staged(tmp_path)
    assert code == 1
    assert [(f["path"], f["rule_id"]) for f in doc["findings"]] == [("copy.ini", "aws-access-key-id")]


def test_files_a_sparse_checkout_leaves_out_still_hold_old_secrets(tmp_path: Path) -> None:
    old = aws_config(KEY_ID, secret_key(1))
    build(tmp_path, [({"kept/a.txt": "a\n", "out/aws.ini": old}, "init")])
    git(tmp_path, "sparse-checkout", "set", "kept")
    assert not (tmp_path / "out").exists()
    write(tmp_path, {"kept/copy.ini": old})
    git(tmp_path, "add", "kept/copy.ini")
    assert staged(tmp_path)[0] == 0


MARKED_PAIR = (
    f"aws_access_key_id = {KEY_ID}  # secretscan:allow\n"
    f"aws_secret_access_key = {secret_key(3)}  # secretscan:allow\n"
)


def test_markers_are_counted_and_refused_on_demand(tmp_path: Path) -> None:
    # Issue 15 §2: a change granting itself exceptions says so, and a CI job can refuse them.
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    stage(tmp_path, {"creds.py": MARKED_PAIR})
    code, doc = staged(tmp_path)
    assert (code, doc["findings"], doc["summary"]["suppressed"]) == (0, [], {"inline-marker": 2})
    assert "dropped" not in doc
    code, doc = staged(tmp_path, "--no-inline-allow")
    assert code == 1 and [f["rule_id"] for f in doc["findings"]] == ["aws-access-key-id"]
    write(tmp_path, {".secretscan.yaml": "inline_allow: false\n"})
    assert staged(tmp_path)[0] == 1


def test_every_report_counts_what_exceptions_suppressed(tmp_path: Path) -> None:
    build(tmp_path, [({".secretscanignore": "fixtures/\n"}, "init")])
    stage(tmp_path, {"creds.py": MARKED_PAIR, "fixtures/aws.ini": aws_config(KEY_ID_2, secret_key(4))})
    code, doc = staged(tmp_path, "--explain")
    assert (code, doc["findings"]) == (0, [])
    assert doc["summary"]["suppressed"] == {"ignore-file": 1, "inline-marker": 2}
    assert {d["reason"] for d in doc["dropped"]} >= {"ignore-file", "inline-marker"}
    for fmt in ("text", "markdown", "junit", "html", "github"):
        proc = run_cli("staged", "-f", fmt, *ENGINE, cwd=tmp_path)
        assert "3 suppressed (1 by ignore file, 2 by inline marker)" in proc.stdout, fmt
    sarif = json.loads(run_cli("staged", "-f", "sarif", *ENGINE, cwd=tmp_path).stdout)
    assert sarif["runs"][0]["properties"]["suppressed"] == {"ignore-file": 1, "inline-marker": 2}


def test_inline_marker_and_binary_files(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    stage(
        tmp_path,
        {
            "test_fixture.py": f"KEY = '{KEY_ID}'  # secretscan:allow\n",
            "blob.bin": b"\0\0" + KEY_ID.encode(),
        },
    )
    code, doc = staged(tmp_path)
    assert code == 0 and doc["findings"] == []
    assert {"path": "blob.bin", "reason": "binary"} in doc["skipped"]


def test_hook_output_says_how_to_proceed_and_redacts(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    stage(tmp_path, {"creds": AWS_CONFIG})
    proc = run_cli("staged", *ENGINE, cwd=tmp_path)
    assert proc.returncode == 1
    for hint in ("secretscan:allow", "baseline", "filter-repo", "Rotate"):
        assert hint in proc.stdout
    assert SECRET_KEY not in proc.stdout and KEY_ID not in proc.stdout


def test_the_hint_names_a_command_that_runs_where_the_user_is(tmp_path: Path) -> None:
    # Issue 15 §5: pre-commit installs secretscan in its own environment, off the user's PATH.
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    stage(tmp_path, {"creds": AWS_CONFIG})
    bindir = Path(secretscan_command()[0]).parent
    on_path = run_cli("staged", *ENGINE, cwd=tmp_path, env={"PATH": f"{bindir}:/usr/bin:/bin"})
    assert "Record it in the baseline: secretscan baseline update (it writes" in on_path.stdout
    framework = run_cli("staged", *ENGINE, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PRE_COMMIT": "1"})
    (line,) = [x for x in framework.stdout.splitlines() if "Record it in the baseline" in x]
    assert "pre-commit framework installed secretscan in its own environment" in line
    command = shlex.split(line.split("baseline: ", 1)[1].split(" baseline update")[0])
    assert Path(command[0]).is_absolute()
    shown = subprocess.run(
        [*command, "baseline", "update", "--help"], capture_output=True, env={"PATH": "/usr/bin"}
    )
    assert shown.returncode == 0


def test_named_files_limit_the_check_and_unstaged_ones_are_scanned_whole(tmp_path: Path) -> None:
    build(tmp_path, [({"committed.txt": key_line(KEY_ID)}, "init")])
    stage(tmp_path, {"staged.txt": key_line(KEY_ID_2)})
    # A named file with nothing staged (pre-commit run --files / --all-files) is scanned whole.
    code, doc = staged(tmp_path, "committed.txt")
    assert code == 1
    assert [f["path"] for f in doc["findings"]] == ["committed.txt"]
    # Named staged files are checked on their staged lines only; other staged files are left out.
    stage(tmp_path, {"other.txt": "fine\n"})
    code, doc = staged(tmp_path, "other.txt")
    assert (code, doc["findings"]) == (0, [])
    sub = tmp_path / "sub"
    sub.mkdir()
    proc = run_cli("staged", "-f", "json", *ENGINE, "../staged.txt", cwd=sub)
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["staged.txt"]


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("staged", cwd=tmp_path)
    assert proc.returncode == 2 and "git" in proc.stderr


def test_odd_paths_and_lines_that_look_like_diff_headers(tmp_path: Path) -> None:
    build(tmp_path, [({"README.md": "hello\n"}, "init")])
    stage(
        tmp_path, {"dir with space/tab\there.txt": "x\n++ " + key_line(KEY_ID), "ünï.txt": key_line(KEY_ID_2)}
    )
    code, doc = staged(tmp_path)
    assert code == 1
    found = sorted((f["path"], f["line"]) for f in doc["findings"])
    assert found == [("dir with space/tab\there.txt", 2), ("ünï.txt", 1)]


def test_project_config_excludes_staged_files(tmp_path: Path) -> None:
    build(tmp_path, [({".secretscan.yaml": "exclude:\n  - fixtures/\n"}, "config")])
    stage(tmp_path, {"fixtures/sample.txt": key_line(KEY_ID), "app.cfg": key_line(KEY_ID_2)})
    _, doc = staged(tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["app.cfg"]
    assert [f["path"] for f in staged(tmp_path, "fixtures/sample.txt", "app.cfg")[1]["findings"]] == [
        "app.cfg"
    ]
