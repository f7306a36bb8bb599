"""HTML audit report: self-contained (nothing to fetch), escaped, and carrying every section the issue asks."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scanner.model import Commit
from scanner.report import renderer
from tests.helpers.report_samples import (
    FIRST,
    HISTORY_SECRET,
    KEY_ID,
    TRIAGED_SECRET,
    context,
    finding,
    paired_key,
    sample_result,
)

# Attributes that make a browser fetch something by themselves (href on <a> needs a click).
_FETCHING = {"src", "srcset", "data", "poster", "background", "action", "formaction", "manifest", "ping"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def _html(show: bool = False, mode: str = "history") -> str:
    return renderer("html")(sample_result(mode), context(show=show))


def test_nothing_to_fetch() -> None:
    page = _parse(_html())
    names = [tag for tag, _ in page.tags]
    assert not {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "base"} & set(names)
    for tag, attrs in page.tags:
        assert not _FETCHING & set(attrs), (tag, attrs)
        if tag == "a":
            assert (attrs.get("href") or "").startswith("https://docs.aws.amazon.com/")
        assert "url(" not in (attrs.get("style") or "")
    assert "url(" not in page.style and "@import" not in page.style
    csp = [
        a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and "default-src 'none'" in (csp[0] or "")


def test_scanned_content_is_escaped() -> None:
    text = _html()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>&amp;</b>" not in text  # the line text's markup stays text
    assert "Alice &lt;Admin&gt;" in text


def _section(text: str, name: str) -> str:
    return text.split(f'id="{name}"')[1].split("</section>")[0]


def test_first_screen_says_how_bad_it_is() -> None:
    text = _html()
    header = text.split("</header>")[0]
    assert "2 secrets found (2 critical). 1 verified live: rotate now." in header
    assert "/src/app (https://git.example.com/org/app.git) on main at 333333333333" in header
    overview = _section(text, "overview")
    assert "<b>2024-01-05</b><span>Oldest exposure</span>" in overview
    assert "Live</span>" in overview and "Not verified</span>" in overview
    assert "Alice &lt;Admin&gt;" in overview  # who to ask: the author of the introducing commit
    provenance = overview.split("How this scan was made")[1]
    for fact in (
        "2024-05-01T08:00:00Z (12.5 s)",
        "sha256:abababababababab",
        "baseline .secretscan-baseline.json",
        "inline markers honoured",
        "2 commit(s)",
        "2 (1 binary, 1 too large)",
    ):
        assert fact in provenance, fact
    # The first screen comes before every row of secrets.
    assert text.index('id="overview"') < text.index('class="secret"')


def test_one_row_per_secret_with_every_place() -> None:
    result = sample_result()
    copy = finding("aws-access-key-id", KEY_ID, "deploy/old.ini", f"id = {KEY_ID}", severity="high")
    result.findings.append(copy)
    text = renderer("html")(result, context())
    secrets = _section(text, "secrets")
    assert secrets.count('<details class="secret"') == 2  # the key id in two files is one secret
    (row,) = [r for r in secrets.split('<details class="secret"') if "deploy/old.ini" in r]
    assert "2 places" in row.split("</summary>")[0]
    assert "config/creds.ini</code>:2:21" in row and "deploy/old.ini</code>:1:6" in row
    assert "AKIA*****" in text and "v5ZJ*****" in text
    assert "state-active" in text and "STS accepted the key" in text
    assert "removed in <code>222222222222</code>" in text
    breakdown = text.split('id="breakdown"')[1]
    for heading in ("By rule", "By path", "By author", "When secrets entered history"):
        assert f">{heading}</h" in breakdown


def test_triaged_secrets_show_with_their_labels() -> None:
    text = _html()
    triaged = _section(text, "triaged")
    assert triaged.count('<details class="secret"') == 1
    assert 'class="pill pill-triage">false-positive<' in triaged
    assert "a test fixture &lt;not&gt; a key" in triaged
    assert "Qw3r*****" in triaged and TRIAGED_SECRET not in text
    assert "<b>1</b><span>Triaged</span><small>1 false-positive</small>" in text
    assert "Triaged" not in _section(text, "secrets")


def test_aws_remediation_is_concrete() -> None:
    text = _html()
    assert "create a new access key" in text
    assert "move every user of the old key to the new one" in text
    assert "deactivate the old key" in text and "then delete it" in text
    assert "git filter-repo" in text


def test_timeline_of_history() -> None:
    result = sample_result()
    later = Commit("3" * 40, "Carol", "carol@example.com", "2024-05-20T12:00:00-07:00", "oops")
    result.findings.append(
        finding("aws-access-key-id", KEY_ID, "later.txt", f"id={KEY_ID}", commit=later, present_at_head=True)
    )
    text = renderer("html")(result, context())
    timeline = text.split('id="timeline"')[1].split("</section>")[0]
    assert timeline.index(">2024-01<") < timeline.index(">2024-05<")
    assert timeline.index(FIRST.sha[:12]) < timeline.index(later.sha[:12])
    assert "still present at HEAD" in text
    authors = text.split('id="authors"')[1].split("</section>")[0]
    assert "Carol" in authors and "Alice &lt;Admin&gt;" in authors


def test_not_a_history_scan() -> None:
    result = sample_result("scan")
    result.findings = [paired_key()]
    text = renderer("html")(result, context())
    timeline = text.split('id="timeline"')[1].split("</section>")[0]
    assert "Not a history scan" in timeline
    assert "<table" not in timeline


def test_dropped_candidates_only_with_explain() -> None:
    result = sample_result()
    with_explain = renderer("html")(result, context(explain=True))
    dropped = with_explain.split('id="dropped"')[1].split("</section>")[0]
    assert "a.py:3:5" in dropped and "entropy" in dropped and "lHUv*****" in dropped
    assert 'id="dropped"' not in renderer("html")(result, context(explain=False))


def test_show_secrets_still_escapes() -> None:
    text = _html(show=True)
    assert HISTORY_SECRET in text
    assert "<script>alert(1)</script>" not in text


@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless chromium not installed")
def test_renders_in_headless_browser(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(_html(), encoding="utf-8")
    browser = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        report.as_uri(),
    ]
    dom = subprocess.run(browser, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Secret scan report" in dom
    assert dom.count('class="secret"') == 3
