"""Property-based torture (issue 14 §6): the engine, the file walker and every reporter driven with arbitrary
bytes and surrogate-escaped paths (how Python names a file whose name is not UTF-8).

In process, unlike the rest of tests/e2e: a property needs thousands of calls, not thousands of processes. The
budget is bounded (examples and a deadline per example) and derandomized, so CI runs the same examples every
time. A property today's code breaks is xfail(strict=True), with an explicit failing example so it fails at
once instead of after a search.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bench.torture_secrets import Fakes, aws_lines
from scanner.engine import Engine
from scanner.engine.core import NEXT_LINE_MARKER
from scanner.model import Blob, Commit, Finding, Origin, ScanResult, Skipped
from scanner.report import FORMATS, ReportContext, renderer
from scanner.rules import load_rules
from scanner.sources.files import WalkOptions, WalkReport, walk
from tests.e2e.torture_helpers import torture  # noqa: F401 - puts the repository root on sys.path for bench

BUDGET = settings(
    max_examples=40,
    deadline=3000,  # ms per example: generous for a loaded CI machine, still a bound
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_FAKES = Fakes(random.Random("properties"))
KEY_ID, SECRET_KEY = _FAKES.aws_pair()
TOKEN = _FAKES.github()
KEY_TEXT = aws_lines(KEY_ID, SECRET_KEY).encode()
ODD_NAME = b"bad-\xff\xfe.env"  # not UTF-8: Python's name for it is "bad-\udcff\udcfe.env"


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The built-in rules on the pure-Python matcher (the same findings as Hyperscan, no compilation)."""
    built = Engine(load_rules(), backend="python")
    built.scan(Blob.from_bytes(KEY_TEXT, Origin("warm-up.env")))  # compile the regexes outside the deadline
    return built


def name_bytes() -> st.SearchStrategy[bytes]:
    """A file name as POSIX allows it: any bytes but '/' and NUL; none of the names a walk treats apart."""
    reserved = {b".", b"..", b".git", b".gitignore", b".secretscanignore", b".secretscan.yaml"}
    return st.binary(min_size=1, max_size=40).filter(
        lambda b: b"/" not in b and b"\0" not in b and b not in reserved
    )


def odd_paths() -> st.SearchStrategy[str]:
    """Relative paths of one to three names, surrogate-escaped: what a walk of a hostile tree yields."""
    return st.lists(name_bytes(), min_size=1, max_size=3).map(lambda parts: os.fsdecode(b"/".join(parts)))


def _key_found(engine: Engine, data: bytes, path: str) -> bool:
    outcome = engine.scan(Blob.from_bytes(data, Origin(path)))
    assert not outcome.error
    return any(
        f.secret == KEY_ID and f.companion("secret_access_key") == SECRET_KEY for f in outcome.findings
    )


# --- the engine ----------------------------------------------------------------------------------------------


@BUDGET
@given(before=st.binary(max_size=3000), after=st.binary(max_size=3000))
def test_engine_finds_a_key_pair_among_any_bytes(engine: Engine, before: bytes, after: bytes) -> None:
    # detect-secrets' next-line marker on the line before is a reviewer's allowlist, obeyed on purpose
    # (Hypothesis draws string constants from the code under test, so it finds the marker).
    assume(NEXT_LINE_MARKER not in before.rsplit(b"\n", 1)[-1])
    assert _key_found(engine, before + b"\n" + KEY_TEXT + after, "config.env")


@BUDGET
@given(data=st.binary(max_size=5000), path=odd_paths())
def test_engine_never_raises_on_any_bytes(engine: Engine, data: bytes, path: str) -> None:
    engine.scan(Blob.from_bytes(data, Origin(os.fsdecode(os.fsencode(path).replace(b"\xff", b"x")))))


@BUDGET
@given(path=odd_paths())
@example(path=os.fsdecode(ODD_NAME))
def test_engine_finds_a_key_pair_at_any_path(engine: Engine, path: str) -> None:
    assert _key_found(engine, KEY_TEXT, path)


@BUDGET
@given(codec=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]), lead=st.text(max_size=200))
@example(codec="utf-16", lead="")
def test_walk_and_engine_find_a_key_pair_in_wide_text(engine: Engine, codec: str, lead: str) -> None:
    with _tree({b"wide.env": (lead + "\n" + KEY_TEXT.decode()).encode(codec)}) as root:
        report = WalkReport()
        blobs = list(walk([root], WalkOptions(), report))
        assert report.skipped == [] and len(blobs) == 1
        assert _key_found(engine, blobs[0].data, blobs[0].origin.path)


# --- the walker ----------------------------------------------------------------------------------------------


@contextmanager
def _tree(files: dict[bytes, bytes]) -> Iterator[str]:
    """A temporary folder holding `files` (names as bytes), as the str a caller passes to walk()."""
    with tempfile.TemporaryDirectory(prefix="torture-walk-") as tmp:
        for name, data in files.items():
            with open(os.path.join(os.fsencode(tmp), name), "wb") as handle:
                handle.write(data)
        yield tmp


@BUDGET
@given(names=st.sets(name_bytes(), min_size=1, max_size=8))
def test_walk_yields_every_file_once_under_its_own_name(names: set[bytes]) -> None:
    with _tree({name: b"x = 1\n" for name in names}) as root:
        report = WalkReport()
        paths = [blob.origin.path for blob in walk([root], WalkOptions(use_gitignore=False), report)]
        assert report.skipped == []
        assert sorted(os.fsencode(p) for p in paths) == sorted(
            os.fsencode(os.path.join(root, os.fsdecode(n))) for n in names
        )


_PLAIN_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-é€", min_size=1, max_size=20).filter(
    lambda s: s not in (".", "..") and not s.startswith(".")
)


@BUDGET
@given(name=_PLAIN_NAME, ignore_file=st.sampled_from([".gitignore", ".secretscanignore"]))
def test_a_listed_name_is_ignored(name: str, ignore_file: str) -> None:
    files = {name.encode(): KEY_TEXT, b"kept.env": KEY_TEXT, ignore_file.encode(): name.encode() + b"\n"}
    with _tree(files) as root:
        paths = [os.path.basename(b.origin.path) for b in walk([root], WalkOptions(), WalkReport())]
        assert name not in paths and "kept.env" in paths


@BUDGET
@given(
    # A line of an ignore file cannot hold a newline (nor end with a CR), so such a name cannot be listed;
    # pathspec strips a line's trailing whitespace (git only its unescaped spaces).
    name=name_bytes().filter(
        lambda b: (
            not b.startswith((b"#", b"!", b"."))
            and b"\n" not in b
            and b"\r" not in b
            and not os.fsdecode(b)[-1:].isspace()
            and _not_utf8(b)
        )
    )
)
@example(name=ODD_NAME)
def test_a_listed_non_utf8_name_is_ignored(name: bytes) -> None:
    escaped = re.sub(rb"([\\*?\[\] ])", rb"\\\1", name)
    with _tree({name: KEY_TEXT, b"kept.env": KEY_TEXT, b".gitignore": escaped + b"\n"}) as root:
        paths = [
            os.fsencode(os.path.basename(b.origin.path)) for b in walk([root], WalkOptions(), WalkReport())
        ]
        assert name not in paths and b"kept.env" in paths


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_a_fifo_swapped_in_after_the_stat_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk stats a regular file, which is then replaced by a FIFO before it is opened: the walk must skip
    it (opened non-blocking, checked again after the open), never wait for a writer."""
    with _tree({b"a.env": KEY_TEXT, b"swapped.env": b"x = 1\n"}) as root:
        swapped = os.path.join(root, "swapped.env")
        real_open, real_os_open = open, os.open

        def swap(file: object) -> None:
            if os.fsdecode(file) == swapped and not os.path.exists(swapped + ".done"):  # type: ignore[call-overload]
                os.unlink(swapped)
                os.mkfifo(swapped)
                Path(swapped + ".done").touch()

        def fake_open(file: object, *args: object, **kwargs: object) -> object:
            swap(file)
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        def fake_os_open(file: object, *args: object, **kwargs: object) -> int:
            swap(file)
            return real_os_open(file, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr("builtins.open", fake_open)
        monkeypatch.setattr(os, "open", fake_os_open)
        found: list[str] = []
        report = WalkReport()

        def walk_all() -> None:
            found.extend(os.path.basename(b.origin.path) for b in walk([root], WalkOptions(), report))

        walker = threading.Thread(target=walk_all, daemon=True)
        walker.start()
        walker.join(timeout=2)
        hung = walker.is_alive()
        if hung:  # give the blocked open a writer, so the thread ends
            with real_open(swapped, "wb"):
                pass
            walker.join(timeout=5)
        assert not hung, "the walk waited on the FIFO"
        assert found == ["a.env"] and [os.path.basename(s.path) for s in report.skipped] == ["swapped.env"]


# --- the reporters -------------------------------------------------------------------------------------------


def _result(paths: list[str], author: str, summary: str, before: str, after: str) -> ScanResult:
    """Findings at `paths`, each with TOKEN on its line between `before` and `after`, in a commit by `author`."""
    result = ScanResult(mode="history", target="repo")
    commit = Commit("0" * 40, author, "a@example.com", "2024-01-01T00:00:00+00:00", summary)
    line = f"{before}{TOKEN}{after}"
    column = len(before.encode("utf-8", "surrogateescape")) + 1
    for path in paths:
        result.findings.append(
            Finding(
                rule_id="github-pat",
                rule_name="GitHub personal access token (classic)",
                severity="critical",
                confidence="high",
                origin=Origin(path, commit, "blob"),
                line=3,
                column=column,
                end_column=column + len(TOKEN),
                secret=TOKEN,
                line_text=line,
                fingerprint="f" * 32,
                present_at_head=True,
            )
        )
        result.skipped.append(Skipped(path, "binary"))
        result.errors.append(f"{path}: not scanned: a test error")
    result.warnings.append(f"odd author {author}")
    return result


def _render(fmt: str, result: ScanResult) -> str:
    return renderer(fmt)(result, ReportContext(show_secrets=False, explain=True, tool_version="0"))


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_PLAIN_PATH = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"), min_size=1, max_size=40)  # fmt: skip


@pytest.mark.parametrize("fmt", list(FORMATS))
@BUDGET
@given(
    paths=st.lists(_PLAIN_PATH, min_size=1, max_size=3),
    author=_TEXT,
    summary=_TEXT,
    before=_TEXT,
    after=_TEXT,
)
def test_reports_parse_for_any_printable_text(
    fmt: str, paths: list[str], author: str, summary: str, before: str, after: str
) -> None:
    text = _render(fmt, _result(paths, author, summary, before, after))
    if fmt == "json" or fmt == "sarif":
        json.loads(text)
    elif fmt == "jsonl":
        for line in text.splitlines():
            json.loads(line)
    elif fmt == "junit":
        ET.fromstring(text.split("\n", 1)[1])


_PIECES = ["a", "\x1b[31m", "\n", "\r", "\x07", "::error::", "%0A", "<b>", "|", os.fsdecode(b"\xff")]
_HOSTILE = st.one_of(odd_paths(), st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@pytest.mark.parametrize("fmt", list(FORMATS))
@BUDGET
@given(path=_HOSTILE, author=_HOSTILE)
@example(path=os.fsdecode(b"new\nline\x1b[31m\xff.env"), author="Evil \x1b[2J\rX")
def test_reports_escape_hostile_paths_and_authors(fmt: str, path: str, author: str) -> None:
    """Whatever a path or an author holds, a report holds no lone surrogate (it could not be written as UTF-8),
    and a text report no control byte and no line that the path or author added."""
    text = _render(fmt, _result([path], author, "summary", "token = ", ""))
    assert _SURROGATE.findall(text) == []
    if fmt in ("text", "github", "markdown"):
        assert _CONTROL.findall(text) == []
        plain = _render(fmt, _result(["plain.env"], "Author", "summary", "token = ", ""))
        assert text.count("\n") == plain.count("\n")


@pytest.mark.parametrize("fmt", list(FORMATS))
@BUDGET
@given(before=_TEXT, after=_TEXT)
@example(before="key: ", after="")
def test_reports_never_print_the_secret(fmt: str, before: str, after: str) -> None:
    """The secret on its line and in the commit's subject: no report, redacted by default, prints it."""
    text = _render(fmt, _result(["app.env"], "Author", f"add the token {TOKEN}", before, after))
    assert TOKEN not in text


@pytest.mark.parametrize(
    "fmt",
    list(FORMATS),
)
@BUDGET
@given(gap=st.text(alphabet=" \t,;:=", min_size=1, max_size=5))
@example(gap=" ")
def test_a_line_with_two_secrets_shows_neither(engine: Engine, fmt: str, gap: str) -> None:
    """Two findings on one line: each one's context must hide the other's secret too."""
    line = f"export AWS_ACCESS_KEY_ID={KEY_ID}{gap}GITHUB_TOKEN={TOKEN}\nexport AWS_SECRET_ACCESS_KEY={SECRET_KEY}\n"
    outcome = engine.scan(Blob.from_bytes(line.encode(), Origin("env.sh")))
    assert {f.secret for f in outcome.findings} >= {KEY_ID, TOKEN}
    text = _render(fmt, ScanResult(findings=outcome.findings))
    assert KEY_ID not in text and TOKEN not in text and SECRET_KEY not in text
