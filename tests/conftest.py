"""Test isolation: git never reads the developer's config, commits have fixed identities and dates."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXED_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "NO_COLOR": "1",
}


_SESSION_CACHE = tempfile.mkdtemp(prefix="secretscan-tests-")


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module imports scanner: the store of the modules' patterns (scanner/patterns/store.py),
    read at import and written at exit, is the session's, never the user's cache."""
    os.environ["XDG_CACHE_HOME"] = _SESSION_CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    os.environ["SECRETSCAN_NO_RULE_CACHE"] = "1"  # nothing written at exit
    shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session: compiled Hyperscan databases are keyed by content, safe to share."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, shared_cache: Path
) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    # CI turns the result cache on by default: tests that count scanned blobs must not see earlier tests' blobs.
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    for key, value in FIXED_ENV.items():
        monkeypatch.setenv(key, value)
    yield
