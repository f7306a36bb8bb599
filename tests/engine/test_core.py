"""Engine tables: prefilter, secret group, entropy edges, allowlists, inline markers, dedupe, backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.engine import Engine, fingerprint
from scanner.model import Blob, Origin
from scanner.rules import Allowlist, Rule, load_rules
from scanner.rules.parse import parse_rule

BACKENDS = ["python", "hyperscan"]


def rule(**overrides: Any) -> Rule:
    raw: dict[str, Any] = {
        "id": "demo-token",
        "name": "Demo token",
        "severity": "high",
        "pattern": r"(?:demo|DEMO)_token\s*=\s*['\"]?([A-Za-z0-9]{8,40})",
        "keywords": ["demo_token"],
        "examples": ["demo_token = abcd1234EFGH"],
    }
    raw.update(overrides)
    return parse_rule(raw, "test.yaml")


def scan(engine: Engine, text: str | bytes, path: str = "f.txt", explain: bool = False) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return engine.scan(Blob.from_bytes(data, Origin(path)), explain=explain)


@pytest.mark.parametrize("backend", BACKENDS)
def test_secret_group_line_and_byte_column(backend: str) -> None:
    engine = Engine([rule()], backend=backend)
    (finding,) = scan(engine, "héllo\n  demo_token = 'abcd1234EFGH'\n").findings
    assert finding.secret == "abcd1234EFGH"
    assert (finding.line, finding.column, finding.end_column) == (2, 17, 29)
    assert finding.line_text == "  demo_token = 'abcd1234EFGH'"


@pytest.mark.parametrize("backend", BACKENDS)
def test_keyword_prefilter_gates_the_pattern(backend: str) -> None:
    # The pattern also matches DEMO_token, but the keyword is required (case-insensitively) in the content.
    engine = Engine([rule(keywords=["zzz-never"])], backend=backend)
    assert scan(engine, "demo_token = abcd1234EFGH").findings == []
    engine = Engine([rule()], backend=backend)
    assert len(scan(engine, "DEMO_TOKEN = x\nDEMO_token = abcd1234EFGH").findings) == 1


@pytest.mark.parametrize(("secret", "reported"), [("aaaaaaaaaaaa", False), ("abcdefgh", True)])
def test_entropy_edge(secret: str, reported: bool) -> None:
    # "abcdefgh": 8 distinct symbols = exactly 3.0 bits; the minimum is inclusive.
    engine = Engine([rule(entropy=3.0)])
    outcome = scan(engine, f"demo_token = {secret}", explain=True)
    assert bool(outcome.findings) is reported
    if not reported:
        assert [d.reason for d in outcome.dropped] == ["entropy"]


@pytest.mark.parametrize(
    ("allowlist", "text", "reason"),
    [
        ({"regexes": ["^abcd"]}, "demo_token = abcd1234EFGH", "allowlist-secret"),
        ({"stopwords": ["1234e"]}, "demo_token = abcd1234EFGH", "stopword"),
        ({"line_regexes": ["#\\s*test"]}, "demo_token = abcd1234EFGH  # test", "allowlist-line"),
        ({"paths": ["(^|/)tests?/"]}, "demo_token = abcd1234EFGH", "allowlist-path"),
    ],
)
def test_rule_allowlists(allowlist: dict[str, list[str]], text: str, reason: str) -> None:
    engine = Engine([rule(allowlist=allowlist)])
    outcome = scan(engine, text, path="src/tests/a.py", explain=True)
    assert outcome.findings == []
    assert [d.reason for d in outcome.dropped] == [reason]
    assert scan(Engine([rule()]), text, path="src/tests/a.py").findings


def test_global_allowlist() -> None:
    import re

    engine = Engine([rule()], allowlist=Allowlist(regexes=(re.compile(rb"EFGH$"),)))
    outcome = scan(engine, "demo_token = abcd1234EFGH", explain=True)
    assert outcome.findings == []
    assert "global allowlist" in outcome.dropped[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "demo_token = abcd1234EFGH  # secretscan:allow",
        "demo_token = abcd1234EFGH  // gitleaks:allow",
        "demo_token = abcd1234EFGH  # pragma: allowlist secret",
        "# pragma: allowlist nextline secret\ndemo_token = abcd1234EFGH",
    ],
)
def test_inline_markers(text: str) -> None:
    for explain in (True, False):  # what markers suppressed is counted in every report (issue 15 §2)
        outcome = scan(Engine([rule()]), text, explain=explain)
        assert outcome.findings == []
        assert [d.reason for d in outcome.dropped] == ["inline-marker"]


def test_a_value_dropped_unexplained_still_hides_in_its_neighbours_line() -> None:
    """Unless explaining, a candidate its value alone drops is never located, but a finding on its line still
    hides it in its line context."""
    engine = Engine([rule(entropy=3.0)])
    text = "x = 1\ndemo_token = aaaaaaaaaaaa; DEMO_token = abcd1234EFGH\n"
    quiet, explained = scan(engine, text), scan(engine, text, explain=True)
    assert [d.reason for d in explained.dropped] == ["entropy"] and quiet.dropped == []
    assert quiet.findings == explained.findings
    assert [(f.line, f.secret, f.line_secrets) for f in quiet.findings] == [
        (2, "abcd1234EFGH", ("aaaaaaaaaaaa",))
    ]


def test_marker_on_another_line_does_not_suppress() -> None:
    assert scan(Engine([rule()]), "# secretscan:allow\ndemo_token = abcd1234EFGH").findings


def test_overlapping_rules_report_the_more_specific() -> None:
    generic = rule(
        id="generic-token",
        pattern=r"token\s*=\s*([A-Za-z0-9]{8,40})",
        keywords=["token"],
        tags=["generic"],
        confidence="low",
    )
    engine = Engine([generic, rule()])
    assert [f.rule_id for f in scan(engine, "demo_token = abcd1234EFGH").findings] == ["demo-token"]


def test_secret_hidden_from_repr_and_fingerprint_stable() -> None:
    (finding,) = scan(Engine([rule()]), "demo_token = abcd1234EFGH", path="a/b.py").findings
    assert "abcd1234EFGH" not in repr(finding)
    assert finding.fingerprint == fingerprint("demo-token", "abcd1234EFGH", "a/b.py")
    moved = scan(Engine([rule()]), "\n\n\n    demo_token = abcd1234EFGH", path="a/b.py").findings[0]
    assert moved.fingerprint == finding.fingerprint
    assert scan(Engine([rule()]), "demo_token = abcd1234EFGH", path="c.py").findings[0].fingerprint != (
        finding.fingerprint
    )


def test_non_utf8_bytes_never_crash_and_keep_byte_columns() -> None:
    (finding,) = scan(Engine([rule()]), b"\xff\xfe\x00x demo_token = abcd1234EFGH\n").findings
    assert finding.column == 19  # 4 bytes + space + 'demo_token = ' before it
    assert finding.line_text.startswith("\ufffd")


def test_long_minified_line_is_cut_around_the_secret() -> None:
    text = "x" * 5000 + " demo_token = abcd1234EFGH " + "y" * 5000
    (finding,) = scan(Engine([rule()]), text).findings
    assert "abcd1234EFGH" in finding.line_text
    assert len(finding.line_text) < 1000


def test_backends_give_identical_findings_on_the_fixture_corpus() -> None:
    from pathlib import Path

    rules = load_rules()
    engines = [Engine(rules, backend=b) for b in BACKENDS]
    root = Path(__file__).resolve().parents[2] / "fixtures"
    files = [p for p in sorted(root.rglob("*")) if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        results = [
            [(f.rule_id, f.line, f.column, f.secret, f.companions) for f in scan(e, data, str(path)).findings]
            for e in engines
        ]
        assert results[0] == results[1], path


@pytest.mark.parametrize(
    ("pattern", "relaxed"),
    [
        (r"a{60,16000}?b", r"a{32,}?b"),
        (r"[a-f0-9]{64}", r"[a-f0-9]{32,}"),
        (r"x{0,30}y{3}", r"x{0,30}y{3}"),
        (r"a{80,}", r"a{32,}"),
        (r"\{5,6000\}", r"\{5,6000\}"),
        (r"[]{]{1,99}", r"[]{]{1,}"),
        (r"[^]{]{100}", r"[^]{]{32,}"),
    ],
)
def test_native_patterns_widen_large_repeats_only(pattern: str, relaxed: str) -> None:
    from scanner.engine.matcher import relax_repeats

    assert relax_repeats(pattern) == relaxed


def test_a_blob_that_breaks_the_engine_is_reported_and_the_scan_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scanner.model import ScanResult
    from scanner.scheduler import ScanOptions, scan_blobs

    engine = Engine([rule()])
    real_scan = engine.scan

    def flaky(blob: Blob, explain: bool = False) -> Any:
        if blob.origin.path == "bad.txt":
            raise ValueError("odd input")
        return real_scan(blob, explain)

    monkeypatch.setattr(engine, "scan", flaky)
    blobs = [
        Blob.from_bytes(f"demo_token = abcd1234EFG{i}".encode(), Origin(p))
        for i, p in enumerate(["a", "bad.txt", "c"])
    ]
    copy = Blob(blobs[1].id, blobs[1].data, Origin("copy-of-bad.txt"))  # the same content elsewhere
    result = ScanResult()
    scan_blobs(engine, [*blobs, copy], result, ScanOptions(jobs=1))
    assert [f.path for f in result.findings] == ["a", "c"]
    assert result.errors == [
        "bad.txt: not scanned: internal error (ValueError: odd input); please report it",
        "copy-of-bad.txt: not scanned: internal error (ValueError: odd input); please report it",
    ]
    assert result.blobs_scanned == 2


def test_a_first_small_scan_is_matched_in_python_and_compiles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the database is compiled, a small input (a hook's one-file commit) is matched in pure Python:
    no 0.5 s compilation for it. A large input compiles and caches it; later engines load it at once."""
    pytest.importorskip("hyperscan")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("SECRETSCAN_NO_DB_CACHE", raising=False)
    rules = load_rules()

    def databases() -> list[Path]:
        return list(tmp_path.glob("secretscan/hsdb-*.bin"))

    engine = Engine(rules)
    text = b"aws_access_key_id = AKIAUJZDEGXDNCF32EPF\n"
    assert [f.secret for f in engine.scan(Blob.from_bytes(text, Origin("a.py"))).findings] == [
        "AKIAUJZDEGXDNCF32EPF"
    ]
    assert engine.backend == "auto" and databases() == []
    engine.scan(Blob.from_bytes(b"x = 1\n" * 100_000, Origin("big.py")))
    assert engine.backend == "hyperscan" and len(databases()) == 1
    assert Engine(rules).backend == "hyperscan"


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ('db_password = "5f0b1c8e2d7a4b9c3e6f1a2d8b7c4e90"', "low"),  # an MD5: a stored hash more often
        ('{"passphrase": "a394a6001b6c2604bf82ba74400a26ead79e886f3a06045046adcff96eb1f738"}', "low"),
        ('password = "368bc3edf9e850d1c0ff9d6c526496f8237ddf91"', "medium"),  # 40 hex: tokens have it too
        ('api_key = "5f0b1c8e2d7a4b9c3e6f1a2d8b7c4e91"', "medium"),  # a hex key is a key
    ],
)
def test_a_digest_under_a_password_name_is_low(text: str, confidence: str) -> None:
    (finding,) = scan(Engine(load_rules()), text, path="settings.py").findings
    assert finding.confidence == confidence
    assert (("shape", "password-digest") in finding.facts) == (confidence == "low")


def test_what_the_matcher_clears_scans_clean_and_what_it_keeps_includes_every_finding() -> None:
    """holds_nothing() lets a caller skip scan(): it must never clear text that scan() reports, explained
    drops included. Each fixture whole and line by line (short texts, like commit messages)."""
    engine = Engine(load_rules(), backend="hyperscan")
    root = Path(__file__).resolve().parents[2] / "fixtures"
    texts = [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()]
    pieces = texts + [line for text in texts for line in text.splitlines()]
    cleared = kept = 0
    for data in pieces:
        if engine.holds_nothing(data):
            cleared += 1
            outcome = engine.scan(Blob.from_bytes(data, Origin("(commit message)")), explain=True)
            assert not outcome.findings and not outcome.dropped, data[:80]
        elif scan(engine, data).findings:
            kept += 1
    assert cleared > 100 and kept > 10  # both sides are exercised
    assert not engine.holds_nothing(b"")
    assert not Engine(load_rules(), backend="python").holds_nothing(b"a clean line")
