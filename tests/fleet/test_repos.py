"""The repositories file: plain lines and JSON lines, mistakes named by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.fleet.repos import RepoSpec, read


def test_plain_and_json_lines(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(
        "# our repositories\n\nrepo-a\n"
        "https://user:tok@example.invalid/org/b.git\n"
        '{"repo": "c", "name": "cee", "branch": "main", "since": "v1", "max-commits": 5, "split": 3}\n'
    )
    specs = read(listing)
    assert specs[0] == RepoSpec(str(tmp_path / "repo-a"), "repo-a")
    # A URL stays a URL, and its name leaves the credentials out (reports and the state file carry it).
    assert specs[1].source == "https://user:tok@example.invalid/org/b.git"
    assert "tok" not in specs[1].name
    assert specs[2] == RepoSpec(str(tmp_path / "c"), "cee", ("main",), "v1", 5, 3)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"repo": "a", "colour": "red"}', "unknown key"),
        ('{"name": "a"}', "'repo'"),
        ('{"repo": "a", "split": 0}', "'split'"),
        ('{"repo": "a", "max_commits": true}', "'max_commits'"),
        ('{"repo": "a", "branch": [1]}', "'branch'"),
        ('{"repo": "a"', "Expecting"),
        ("[1]", None),
    ],
)
def test_mistakes_name_the_line(tmp_path: Path, line: str, says: str | None) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(f"ok\n{line}\n")
    if line.startswith("["):  # not JSON by its first character: a path like any other
        assert [s.name for s in read(listing)] == ["ok", "[1]"]
        return
    with pytest.raises(UsageError, match=r"repos.txt:2: ") as raised:
        read(listing)
    assert says is not None and says in str(raised.value)


def test_twice_and_empty_are_refused(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text("a\na\n")
    with pytest.raises(UsageError, match="listed twice"):
        read(listing)
    listing.write_text("# nothing\n")
    with pytest.raises(UsageError, match="no repositories"):
        read(listing)
    with pytest.raises(UsageError, match="cannot read"):
        read(tmp_path / "absent.txt")
