"""What git's index vouches for in a work tree (issue 19): a warm re-scan skips tracked files unread only
when their stat is the index's, no attributes file may filter them, and git hashed them after they last
changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.git.index import IndexIds
from tests.helpers.gitrepo import KEY_ID, MORE_KEY_IDS, build, git, key_line


def settled(repo: Path) -> None:
    """Files older than the index, as after a checkout a while ago (not racily clean)."""
    for name in git(repo, "ls-files").splitlines():
        os.utime(repo / name, (1_600_000_000, 1_600_000_000))
    git(repo, "update-index", "--refresh")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    build(root, [({"a.cfg": key_line(KEY_ID), "src/b.txt": "nothing\n", "src/c.txt": "plain\n"}, "one")])
    settled(root)
    return root


def test_the_index_vouches_for_settled_tracked_files(repo: Path) -> None:
    index = IndexIds(str(repo / "src"))
    vouched = index.vouched()
    index.close()
    assert vouched is not None
    top, known = vouched
    assert Path(top) == repo.resolve()
    assert known["src/b.txt"][0] == git(repo, "rev-parse", "HEAD:src/b.txt")
    st = os.stat(repo / "src/b.txt")
    assert known["src/b.txt"][1:] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def test_nothing_is_vouched_where_attributes_or_racy_stat_could_mislead(repo: Path, tmp_path: Path) -> None:
    (repo / "src/c.txt").write_text("changed just now\n")
    index = IndexIds(str(repo))
    vouched = index.vouched()
    index.close()
    assert vouched is not None and "src/c.txt" in vouched[1]  # listed, but its stat no longer matches
    assert vouched[1]["src/c.txt"][2] != os.stat(repo / "src/c.txt").st_mtime_ns
    (repo / ".gitattributes").write_text("*.txt text eol=crlf\n")
    index = IndexIds(str(repo))
    assert index.vouched() is None
    index.close()
    (repo / ".gitattributes").unlink()
    index = IndexIds(str(repo))
    assert index.vouched() is not None  # the control: without the attributes file, vouched again
    index.close()
    # A filter driver, which an untracked attributes file in any subfolder may name: nothing vouched.
    git(repo, "config", "filter.crypt.smudge", "cat")
    index = IndexIds(str(repo))
    assert index.vouched() is None
    index.close()
    outside = tmp_path / "plain"
    outside.mkdir()
    index = IndexIds(str(outside))
    assert index.vouched() is None  # not a work tree
    index.close()


def scan(repo: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    main(["scan", str(repo), "-q", "-f", "json", "--show-secrets", "--cache", str(cache), "--jobs", "1"])
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_a_warm_rescan_reads_only_what_changed(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    first = scan(repo, cache, capsys)
    again = scan(repo, cache, capsys)
    assert again["findings"] == first["findings"]
    assert again["summary"]["blobs_scanned"] == 1  # type: ignore[index]  # a.cfg: not clean, read again
    (repo / "src/b.txt").write_text(key_line(MORE_KEY_IDS[0]))  # tracked, changed since: read
    changed = scan(repo, cache, capsys)
    secrets = {f["secret"] for f in changed["findings"]}  # type: ignore[attr-defined]
    assert secrets == {KEY_ID, MORE_KEY_IDS[0]}
