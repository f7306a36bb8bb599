"""Every registered format redacts by default and shows secrets only with show_secrets."""

from __future__ import annotations

import pytest

from scanner.redact import redact
from scanner.report import FORMATS, renderer
from tests.helpers.report_samples import KEY_ID, RAW_SECRETS, SECRET_KEY, context, sample_result

ALL_FORMATS = sorted(FORMATS)


def test_every_issue_format_is_registered() -> None:
    assert set(FORMATS) >= {"text", "json", "jsonl", "sarif", "junit", "github", "markdown", "html"}


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_no_raw_secret_without_show_secrets(fmt: str) -> None:
    out = renderer(fmt)(sample_result(), context(show=False))
    for secret in RAW_SECRETS:
        assert secret not in out, f"{fmt} leaks {redact(secret)}"
        # nor the part after the redaction's visible prefix (a format must not print a longer prefix)
        assert secret[4:] not in out, f"{fmt} leaks most of {redact(secret)}"
    assert redact(KEY_ID) in out or redact(KEY_ID).replace("*", "\\*") in out


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_secret_and_companion_shown_with_show_secrets(fmt: str) -> None:
    out = renderer(fmt)(sample_result(), context(show=True))
    assert KEY_ID in out
    assert SECRET_KEY in out


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_empty_result_renders(fmt: str) -> None:
    result = sample_result("scan")
    result.findings, result.dropped, result.warnings = [], [], []
    out = renderer(fmt)(result, context())
    assert out.endswith("\n")
    assert "AKIA*" not in out and "AKIA\\*" not in out  # no finding invented
