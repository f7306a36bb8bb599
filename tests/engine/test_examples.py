"""The shipped rule pack: every rule's examples through both engine backends, the pack's shape, and each
offline checksum validator on well-formed and corrupted tokens (issue 7 §1-2)."""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Iterator

import pytest

from scanner.engine import Engine
from scanner.engine.examples import check_rules
from scanner.model import Blob, Origin
from scanner.rules import Rule, load_rules
from scanner.validators import checksums, keyblocks

CORE_FILES = {"aws.yaml", "generic.yaml"}  # owned elsewhere; the pack checks below cover provider files


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return load_rules()


@pytest.fixture(scope="module", params=["python", "hyperscan"])
def engine(request: pytest.FixtureRequest, rules: list[Rule]) -> Iterator[Engine]:
    if request.param == "hyperscan":
        pytest.importorskip("hyperscan")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECRETSCAN_NO_DB_CACHE", "1")  # built once per module; never touch the real cache
        built = Engine(rules, backend=request.param)
    assert built.backend == request.param
    yield built


def test_every_shipped_example_and_negative_holds(rules: list[Rule], engine: Engine) -> None:
    failures = check_rules(rules, engine)
    assert [f"{f.rule_id}: {f.kind}: {f.example.text[:80]!r} ({f.detail})" for f in failures] == []


def provider_rules(rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if r.source.rsplit("/", 1)[-1] not in CORE_FILES]


def test_the_pack_is_broad(rules: list[Rule]) -> None:
    assert len(rules) >= 200
    files = {r.source.rsplit("/", 1)[-1] for r in provider_rules(rules)}
    assert len(files) >= 15


def test_every_provider_rule_is_documented_and_has_negatives(rules: list[Rule]) -> None:
    lacking = [
        r.id
        for r in provider_rules(rules)
        if not (r.references and r.tags and r.negative_examples and len(r.remediation) > 40)
    ]
    assert lacking == []


def test_every_example_contains_a_keyword_of_its_rule(rules: list[Rule]) -> None:
    """The keyword prefilter must never be the reason an example is found or missed."""
    missing = [
        (r.id, e.text[:60])
        for r in provider_rules(rules)
        for e in r.examples
        if not any(k in e.text.lower() for k in r.keywords)
    ]
    assert missing == []


def scan(engine: Engine, text: str, path: str = "config.txt") -> list[str]:
    return [f.rule_id for f in engine.scan(Blob.from_bytes(text.encode(), Origin(path))).findings]


def test_placeholders_and_templates_are_not_reported(engine: Engine) -> None:
    text = (
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        "STRIPE_KEY=sk_live_<your-key-here>\n"
        "SLACK_TOKEN=${SLACK_TOKEN}\n"
        "OPENAI_API_KEY={{ openai_api_key }}\n"
        "DATABASE_URL=postgres://user:password@localhost:5432/app\n"
    )
    assert scan(engine, text) == []


def github_like(prefix: str, body: str) -> str:
    return prefix + body + checksums.crc32_base62(body)


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
def test_github_checksum(prefix: str) -> None:
    token = github_like(prefix, "Kq9ZbT2mWv7Ls4RdN8xYcH3jPf6GuA")
    verdict = checksums.github_token(token)
    assert verdict.ok and verdict.confidence == "high"
    corrupted = token[:10] + ("a" if token[10] != "a" else "b") + token[11:]
    assert not checksums.github_token(corrupted).ok
    assert not checksums.github_token(token[:-1]).ok


def test_github_checksum_decides_what_the_engine_reports(engine: Engine) -> None:
    good = github_like("ghp_", "Wm3xQ8rT5yB2nK7vL9cF4hJ6sD1gPz")
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert scan(engine, f"token = {good}\n") == ["github-pat"]
    assert "github-pat" not in scan(engine, f"token = {bad}\n")


def test_npm_checksum() -> None:
    token = github_like("npm_", "a8Bc0dEfGh1IjK2lMn3OpQ4rSt5UvW")
    assert checksums.npm_token(token).ok
    assert not checksums.npm_token(token[:-2] + token[-1] + token[-2]).ok or token[-1] == token[-2]


def test_grafana_service_account_checksum() -> None:
    stem = "glsa_Q7mZ2xK9pL4vB8nR3tY6wC1hJ5dF0gSa"
    token = f"{stem}_{zlib.crc32(stem.encode()):08x}"
    assert checksums.grafana_service_account(token).ok
    assert not checksums.grafana_service_account(stem + "_00000000").ok


def macaroon(location: bytes, signature: bytes = b"\x07" * 32) -> str:
    def field(kind: int, value: bytes) -> bytes:
        return bytes([kind, len(value)]) + value

    data = b"\x02" + field(1, location) + field(2, b"3f0a9c1b2d4e5f60") + b"\x00\x00"
    data += field(6, signature)
    return "pypi-" + base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_pypi_macaroon_structure() -> None:
    assert checksums.pypi_token(macaroon(b"pypi.org")).ok
    assert checksums.pypi_token(macaroon(b"test.pypi.org")).facts[-1] == ("index", "test.pypi.org")
    assert not checksums.pypi_token(macaroon(b"evil.example")).ok
    assert not checksums.pypi_token(macaroon(b"pypi.org", b"\x07" * 31)).ok
    assert not checksums.pypi_token(macaroon(b"pypi.org")[:40]).ok


def b64url(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_jwt_structure() -> None:
    token = f"{b64url({'alg': 'HS256', 'typ': 'JWT'})}.{b64url({'sub': 'svc', 'iat': 1})}.{'s' * 43}"
    verdict = checksums.jwt(token)
    assert verdict.ok and ("alg", "HS256") in verdict.facts
    assert not checksums.jwt(f"{b64url({'typ': 'JWT'})}.{b64url({'sub': 'x'})}.{'s' * 43}").ok
    assert not checksums.jwt(f"{b64url({'alg': 'HS256'})}.bm90IGpzb24.{'s' * 43}").ok
    assert not checksums.jwt(token.rsplit(".", 1)[0] + ".abc").ok
    # A signed token that names no one and never expires is most often a library's test vector: reported,
    # but at low confidence, so the default --min-confidence medium hides it.
    bare = checksums.jwt(f"{b64url({'alg': 'HS256', 'typ': 'JWT'})}.{b64url({'some': 'payload'})}.{'s' * 43}")
    assert bare.ok and bare.confidence == "low"


def test_a_jwt_without_registered_claims_is_a_low_confidence_finding(engine: Engine) -> None:
    text = b'token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg"'
    findings = engine.scan(Blob.from_bytes(text, Origin("test_tokens.py"))).findings
    assert [(f.rule_id, f.confidence) for f in findings] == [("jwt-assigned", "low")]


def test_discord_bot_token_structure() -> None:
    head = base64.b64encode(b"812345678901234567").decode().rstrip("=")
    assert checksums.discord_bot_token(f"{head}.GhJk2L.{'x1Y_' * 9}ab").ok
    fake_head = base64.b64encode(b"not-a-snowflake!!").decode().rstrip("=")
    assert not checksums.discord_bot_token(f"{fake_head}.GhJk2L.{'x1Y_' * 9}ab").ok


def test_basic_auth_pair() -> None:
    assert checksums.basic_auth_pair(base64.b64encode(b"deploy:Zq8vT3kLm9").decode()).ok
    assert not checksums.basic_auth_pair(base64.b64encode(b"no-colon-here").decode()).ok
    assert not checksums.basic_auth_pair(base64.b64encode(b"user:password").decode()).ok


def test_structured_tokens() -> None:
    sentry = "sntrys_" + b64url({"iat": 1, "url": "https://sentry.io", "org": "acme"}) + "_" + "k" * 43
    assert checksums.sentry_org_token(sentry).facts == (("org", "acme"),)
    assert not checksums.sentry_org_token("sntrys_" + b64url(["no", "org"]) + "_" + "k" * 43).ok
    glc = "glc_" + base64.b64encode(json.dumps({"o": "1", "n": "s", "k": "abc"}).encode()).decode()
    assert checksums.grafana_cloud_token(glc).ok
    assert not checksums.grafana_cloud_token("glc_" + "A" * 40).ok
    ref = base64.b64encode(b"reftkn:01:1893456000:Tq8ZmK3xW9vL2pR7nB4cY6hJ1sD5fG0").decode().rstrip("=")
    assert checksums.jfrog_reference_token(ref).ok
    assert not checksums.jfrog_reference_token("cmVmdGtuOjAxOjE4OTM0NTYwMDA6c2hvcnQ").ok


def test_age_bech32_checksum(rules: list[Rule]) -> None:
    rule = next(r for r in rules if r.id == "private-key-age")
    key = re.search(r"AGE-SECRET-KEY-1[0-9A-Z]{58}", rule.examples[0].text)
    assert key is not None
    assert checksums.age_secret_key(key.group()).ok
    flipped = key.group()[:-1] + ("Q" if key.group()[-1] != "Q" else "P")
    assert not checksums.age_secret_key(flipped).ok


def key_example(rules: list[Rule], rule_id: str) -> str:
    return next(r for r in rules if r.id == rule_id).examples[0].text


@pytest.mark.parametrize(
    "rule_id",
    ["private-key-rsa", "private-key-ec", "private-key-pkcs8", "private-key-openssh", "private-key-dsa"],
)
def test_private_key_blocks_must_be_complete(rules: list[Rule], rule_id: str) -> None:
    block = key_example(rules, rule_id).strip()
    verdict = keyblocks.private_key_pem(block)
    assert verdict.ok and ("encrypted", "no") in verdict.facts
    lines = block.splitlines()
    truncated = "\n".join([lines[0], *lines[1:-1][:-1], lines[-1]])  # one body line lost
    assert not keyblocks.private_key_pem(truncated).ok
    relabelled = block.replace("-----END ", "-----END X", 1)
    assert not keyblocks.private_key_pem(relabelled).ok


def test_pgp_armor_crc24(rules: list[Rule]) -> None:
    block = key_example(rules, "private-key-pgp")
    assert keyblocks.pgp_private_key(block).facts == (("checksum", "valid (CRC24)"),)
    body_line = next(line for line in block.splitlines() if len(line) == 64)
    swapped = body_line[1] + body_line[0] + body_line[2:]
    assert swapped != body_line
    assert not keyblocks.pgp_private_key(block.replace(body_line, swapped)).ok


def test_putty_private_lines(rules: list[Rule]) -> None:
    block = key_example(rules, "private-key-putty")
    assert keyblocks.putty_private_key(block).ok
    assert not keyblocks.putty_private_key(block.replace("Private-Lines: 1", "Private-Lines: 2")).ok


@pytest.mark.parametrize(
    "value",
    [
        "your-token-here",
        "YOUR_API_KEY",
        "${API_KEY}",
        "{{ api_key }}",
        "$(cat key)",
        "%(password)s",
        "$API_KEY",
        "{auth_token}",
        "xxxxxxxxxxxx",
        "abcdefghij12",
        "sk-...",
        "<token>",
        "000000000000000",
    ],
)
def test_placeholders_are_recognised(value: str) -> None:
    assert checksums.is_placeholder(value)
    assert not checksums.not_placeholder(value).ok


@pytest.mark.parametrize("value", ["Kq9ZbT2mWv7Ls4RdN8xY", "yourkeyhereQ8", "hunter2Zq9x"])
def test_random_values_are_not_placeholders(value: str) -> None:
    assert not checksums.is_placeholder(value)


def test_base64_secret() -> None:
    assert checksums.base64_secret(base64.b64encode(b"Zq8vT3kLm9pW").decode()).ok
    assert not checksums.base64_secret(base64.b64encode(b"changeme").decode()).ok
    assert not checksums.base64_secret(base64.b64encode(bytes(range(200, 216))).decode()).ok
    assert not checksums.base64_secret(base64.b64encode(b"short").decode()).ok


def test_every_pattern_compiles_in_hyperscan_prefilter_mode(rules: list[Rule]) -> None:
    """A pattern Hyperscan rejects silently falls back to keyword nomination: slower, so none may."""
    hyperscan = pytest.importorskip("hyperscan")
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH

    from scanner.engine.matcher import relax_repeats

    def compile_all(chosen: list[Rule]) -> None:
        # Exactly what the matcher compiles: the pattern with large repeats widened.
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[relax_repeats(r.pattern).encode() for r in chosen],
            ids=list(range(len(chosen))),
            elements=len(chosen),
            flags=[flags] * len(chosen),
        )

    try:
        compile_all(rules)
    except hyperscan.error:
        rejected = []
        for rule in rules:  # name the culprits
            try:
                compile_all([rule])
            except hyperscan.error as exc:
                rejected.append(f"{rule.id}: {exc}")
        assert rejected == []


def test_database_passwords_made_of_words_are_low_and_code_is_not_a_password(engine: Engine) -> None:
    def found(text: str) -> list[tuple[str, str]]:
        outcome = engine.scan(Blob.from_bytes(text.encode(), Origin("config.js")))
        return [(f.rule_id, f.confidence) for f in outcome.findings]

    assert found("parse('postgres://someuser:somepassword@somehost:381/db')") == [
        ("postgres-url-password", "low")
    ]
    assert found("DB = 'postgres://app:Xq7kpL2vR9mKw3@db.internal:5432/app'") == [
        ("postgres-url-password", "high")
    ]
    minified = "s.username=r.username,s.password=r.password,s.host=r.host,s.port=r.port,s.path=vo(r.path);"
    assert found(f"Server=x;{minified}") == []
