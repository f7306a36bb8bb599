"""The folder walk: .gitignore, excludes, binary, oversized, non-UTF-8, unreadable files, symlink loops."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.sources.files import WalkOptions, WalkReport, walk
from tests.helpers.cli import run_cli

KEY = "AKIAUJZDEGXDNCF32EPF"


def paths(root: Path, **options: object) -> tuple[list[str], WalkReport]:
    report = WalkReport()
    found = [b.origin.path for b in walk([str(root)], WalkOptions(**options), report)]  # type: ignore[arg-type]
    return sorted(os.path.relpath(p, root) for p in found), report


def test_gitignore_nested_and_excludes(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.log\nbuild/\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local.txt\n")
    for name in [
        "a.txt",
        "x.log",
        "build/out.txt",
        "sub/local.txt",
        "sub/keep.txt",
        "vendor/lib.js",
        ".git/config",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("data\n")
    found, _ = paths(tmp_path, excludes=["vendor/"])
    assert found == [".gitignore", "a.txt", "sub/.gitignore", "sub/keep.txt"]
    found, _ = paths(tmp_path, use_gitignore=False)
    assert "x.log" in found and "build/out.txt" in found and ".git/config" not in found


def test_binary_oversized_and_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "img.bin").write_bytes(b"\x89PNG\0\0" + KEY.encode())
    (tmp_path / "big.txt").write_text(KEY + "\n" + "x" * 2000)
    (tmp_path / "latin1.txt").write_bytes("clé = ".encode("latin-1") + KEY.encode())
    found, report = paths(tmp_path, max_bytes=1000)
    assert found == ["latin1.txt"]
    reasons = {os.path.basename(s.path): s.reason for s in report.skipped}
    assert reasons["img.bin"] == "binary"
    assert reasons["big.txt"].startswith("larger than 1000 bytes")


def test_symlink_loop_is_not_followed_forever(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("x")
    (tmp_path / "d" / "loop").symlink_to(tmp_path)
    found, _ = paths(tmp_path)
    assert found == ["d/f.txt"]
    found, report = paths(tmp_path, follow_symlinks=True)
    assert found == ["d/f.txt"]
    assert any("symlink loop" in s.reason for s in report.skipped)


def test_unreadable_file_is_reported_and_the_walk_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    real_open = os.open  # files are opened with os.open (non-blocking, then checked: issue 14 §4)

    def fake_open(file: object, *args: object, **kwargs: object) -> int:
        if str(file).endswith("a.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)
    found, report = paths(tmp_path)
    assert found == ["b.txt"]
    assert [(os.path.basename(s.path), s.reason) for s in report.skipped] == [
        ("a.txt", "unreadable: Permission denied")
    ]


def test_cli_reports_skipped_files_and_still_finds_secrets(tmp_path: Path) -> None:
    (tmp_path / "img.bin").write_bytes(b"\0\0" + KEY.encode())
    (tmp_path / "cfg.ini").write_text(f"key = {KEY}\n")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing")
    proc = run_cli("scan", str(tmp_path), "-f", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert [Path(f["path"]).name for f in doc["findings"]] == ["cfg.ini"]
    skipped = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert skipped["img.bin"] == "binary"
    assert skipped["dangling"].startswith("broken symbolic link")
    text = run_cli("scan", str(tmp_path)).stdout
    assert "skipped " in text and "1 binary" in text


def test_same_content_in_two_files_is_scanned_once_and_reported_twice(tmp_path: Path) -> None:
    for name in ("a.cfg", "b.cfg"):
        (tmp_path / name).write_text(f"key = {KEY}\n")
    doc = json.loads(run_cli("scan", str(tmp_path), "-f", "json").stdout)
    assert doc["summary"]["blobs_scanned"] == 1
    assert sorted(Path(f["path"]).name for f in doc["findings"]) == ["a.cfg", "b.cfg"]
    assert len({f["fingerprint"] for f in doc["findings"]}) == 2


def test_gitignore_hides_untracked_files_only(tmp_path: Path) -> None:
    """As in git: a committed `.env.example` that a later .gitignore pattern matches is still a file of the
    repository and is scanned (the real-code set lost 11 keys this way); an untracked `.env`, or a folder
    holding no tracked file, stays out. `.secretscanignore` drops tracked files too."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / ".gitignore").write_text(".env*\nbuild/\nnotes.txt\n")
    for name in (".env.example", ".env", "notes.txt"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "kept.cfg").write_text("x\n")
    (tmp_path / "build" / "out.bin").write_text("x\n")
    git("add", ".gitignore")
    git("add", "-f", ".env.example", "build/kept.cfg", "notes.txt")
    (tmp_path / ".secretscanignore").write_text("notes.txt\n")
    found, _ = paths(tmp_path)
    assert sorted(found) == [".env.example", ".gitignore", "build/kept.cfg"]


IGNORE_LINES = [
    "*.log",
    "!keep.log",
    "build/",
    "/root-only.txt",
    "docs/**/draft*",
    "a?c",
    "[Tt]emp",
    "\\#hash",
    "trailing\\ ",
    "caf\u00e9/",
    "# a comment",
    "",
    "name\udcff",  # a non-UTF-8 name, surrogate-escaped
]
IGNORE_PATHS = [
    "x.log",
    "sub/keep.log",
    "keep.log",
    "build/",
    "build/out.o",
    "sub/build/",
    "root-only.txt",
    "sub/root-only.txt",
    "docs/a/b/draft1.md",
    "docs/draft.md",
    "abc",
    "a/c",
    "Temp",
    "temp/x",
    "#hash",
    "trailing ",
    "caf\u00e9/",
    "caf\u00e9/menu",
    "name\udcff",
    "plain.txt",
    "dir/",
]


@pytest.mark.parametrize("lines", [IGNORE_LINES, IGNORE_LINES[:3], ["!*.txt", "*.txt"], []])
def test_the_joined_ignore_regex_answers_as_pathspec(lines: list[str]) -> None:
    import pathspec

    from scanner.sources.common import PATHSPEC_BACKEND, _any_pattern, ignore_matcher

    spec = pathspec.GitIgnoreSpec.from_lines(lines, backend=PATHSPEC_BACKEND)
    assert (_any_pattern(spec.patterns) is not None) == bool(lines)  # joined, not pathspec alone
    drops = ignore_matcher(lines)
    assert [drops(p) for p in IGNORE_PATHS] == [spec.match_file(p) for p in IGNORE_PATHS]
    assert any(drops(p) for p in IGNORE_PATHS) or not lines


def test_a_file_is_read_to_its_end_or_one_byte_past_the_cap_whatever_its_size_said(tmp_path: Path) -> None:
    from scanner.sources.files import _read_at

    file = tmp_path / "grew.txt"
    content = os.urandom(3 << 20)
    file.write_bytes(content)
    fd = os.open(file, os.O_RDONLY)
    try:
        assert _read_at(fd, len(content) + 1, 10) == content  # grew since the stat: read on
        assert _read_at(fd, 1000, len(content)) == content[:1000]  # the cap, from the start again
        assert _read_at(fd, len(content) + 1, len(content) + 50) == content  # shrank: to its end
    finally:
        os.close(fd)
