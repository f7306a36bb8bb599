"""The HTML audit report as people see it (issue 18 §2): a real history audit rendered by headless Chromium at
desktop and phone widths and printed to PDF. Screenshots land in $SECRETSCAN_TEST_ARTEFACTS (else the test's
temporary folder) for a person to look at. Skipped where Chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.audit_repo import SECRETS, build_audit_repo
from tests.helpers.cli import run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless chromium not installed")

DESKTOP, PHONE = 1280, 390
# Measured by the test, never by the report (it has no scripts): the report in a frame of the width asked,
# then every row opened, as a responder would.
_MEASURE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="r" style="border:0;width:%dpx;height:1000px" srcdoc="%s"></iframe>
<script>
window.addEventListener("load", function () {
  var doc = document.getElementById("r").contentDocument, root = doc.documentElement;
  var m = {width: root.scrollWidth, client: root.clientWidth, height: root.scrollHeight,
    overview: doc.getElementById("overview").getBoundingClientRect().bottom,
    rows: doc.querySelectorAll("details.secret").length};
  doc.querySelectorAll("details").forEach(function (d) { d.open = true; });
  m.openWidth = root.scrollWidth; m.openHeight = root.scrollHeight;
  document.body.setAttribute("data-measure", JSON.stringify(m));
});
</script></body></html>"""


def _chromium(*args: str) -> str:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)
    return proc.stdout


def _measure(report: Path, width: int, folder: Path) -> dict[str, Any]:
    page = folder / f"measure-{width}.html"
    page.write_text(_MEASURE % (width, html.escape(report.read_text(encoding="utf-8"), quote=True)))
    dom = _chromium("--window-size=1400,1000", "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    found = re.search(r'data-measure="([^"]*)"', dom)
    assert found, dom[:500]
    measured: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return measured


@pytest.fixture
def artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SECRETSCAN_TEST_ARTEFACTS") or tmp_path / "artefacts") / "html-report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def report(tmp_path: Path, artefacts: Path) -> Path:
    """A history audit of fifteen secrets, two triaged in the baseline, as the installed command writes it."""
    repo = build_audit_repo(tmp_path / "shop")
    engine = ("--engine", "python")
    assert (
        run_cli("baseline", "create", "web", "-o", ".secretscan-baseline.json", *engine, cwd=repo).returncode
        == 0
    )
    for path, label, note in (
        ("web/netlify.env", "false-positive", "test fixture token, never issued"),
        ("web/supabase.env", "accepted-risk", "SEC-142: sandbox project, rotation planned"),
    ):
        assert run_cli("baseline", "label", path, "--as", label, "--note", note, cwd=repo).returncode == 0
    out = artefacts / "audit.html"
    proc = run_cli("history", ".", "-f", "html", "-o", str(out), *engine, cwd=repo)
    assert proc.returncode == 1, proc.stderr
    return out


def test_audit_report_in_a_browser(report: Path, artefacts: Path) -> None:
    text = report.read_text(encoding="utf-8")
    rows = len(SECRETS) - 2  # two triaged
    for width in (DESKTOP, PHONE):
        _chromium(
            f"--window-size={width},1000",
            f"--screenshot={artefacts / f'first-screen-{width}.png'}",
            report.as_uri(),
        )
    desktop, phone = _measure(report, DESKTOP, artefacts), _measure(report, PHONE, artefacts)
    _chromium(
        f"--window-size={DESKTOP},{desktop['height']}",
        f"--screenshot={artefacts / 'full-page-1280.png'}",
        report.as_uri(),
    )
    (artefacts / "measurements.json").write_text(json.dumps({"desktop": desktop, "phone": phone}, indent=2))

    assert desktop["rows"] == rows + 2  # every secret a row, the triaged ones too
    # The first screen says how bad it is: verdict, counts, who to ask and provenance above the fold.
    assert desktop["overview"] < 1000, desktop
    # Compact: fifteen findings stay a couple of screens on a desktop, a few on a phone.
    assert desktop["height"] < 2000, desktop
    assert phone["height"] < 4500, phone
    # Nothing wider than a phone, even with every row open (long paths, lines and commit subjects wrap).
    assert phone["width"] <= phone["client"], phone
    assert phone["openWidth"] <= phone["client"], phone
    assert "false-positive" in text and "accepted-risk" in text and "SEC-142" in text
    # One row per secret with every place: the OpenAI key pasted into a second service is one row.
    rows = [row.split("</details>")[0] for row in text.split('<details class="secret"')[1:]]
    (openai,) = [row for row in rows if "OpenAI API key" in row]
    assert (
        "2 places" in openai
        and 'services/search/.env</code></td><td colspan="2">committed here too' in openai
    )
    assert "Lee Backend" in text.split('id="secrets"')[0]  # who to ask, on the first screen


def test_audit_report_prints_every_row_open(report: Path, artefacts: Path) -> None:
    pdf = artefacts / "audit.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    assert 1 <= pages <= 12, pages
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: page count checked, text not")
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # Printed, each row is open: every secret's remediation is on paper.
    assert printed.count("Remediation:") == len(SECRETS)
    assert "How this scan was made" in printed
