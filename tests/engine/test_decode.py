"""Decoding (issue 7 §3): secrets inside base64, percent-encoding and JSON escapes, at the encoded text."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from scanner.engine import Engine, decode
from scanner.model import Blob, Finding, Origin
from scanner.rules import load_rules
from tests.helpers.cli import run_cli

SECRET = "q8Zt3Lm9Rv2XkP7wN4bY"
AWS_SECRET = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"


@pytest.fixture(scope="module", params=["python", "hyperscan"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Both backends: with Hyperscan, `kind: Secret` is found in the same pass as the rules' patterns."""
    if request.param == "hyperscan":
        pytest.importorskip("hyperscan")
    return Engine(load_rules(), backend=request.param)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def scan(engine: Engine, text: str, path: str = "deploy/secret.yaml") -> list[Finding]:
    return engine.scan(Blob.from_bytes(text.encode(), Origin(path))).findings


def k8s_secret(**data: str) -> str:
    lines = "".join(f"  {key}: {value}\n" for key, value in data.items())
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n{lines}"


def config(value: str) -> str:
    return f"service:\n  name: billing\n  client_secret: {value}\n"


def test_base64_value_is_decoded_at_the_encoded_place(engine: Engine) -> None:
    found = scan(engine, config(b64(SECRET)), path="config/app.yaml")
    assert [(f.rule_id, f.secret, f.fact("encoding")) for f in found] == [
        ("generic-secret-assignment", SECRET, "base64")
    ]
    assert (found[0].line, found[0].column) == (3, 18)  # where the base64 text starts
    assert found[0].end_column == 18 + len(b64(SECRET))


def test_provider_token_inside_kubernetes_secret_replaces_the_encoded_finding(engine: Engine) -> None:
    token = "glpat-" + "x7Rk2mQ9tLz4vP8nW3bY"
    found = scan(engine, k8s_secret(token=b64(f"GITLAB_TOKEN={token}")))
    assert [(f.line, f.secret) for f in found] == [(7, token)]


def test_any_key_of_a_kubernetes_secret_is_decoded(engine: Engine) -> None:
    inner = f'{{"aws_secret_access_key": "{AWS_SECRET}"}}'
    text = k8s_secret(**{"config.json": b64(inner)})
    assert [(f.rule_id, f.secret) for f in scan(engine, text)] == [("aws-secret-access-key", AWS_SECRET)]


def test_a_kubernetes_secret_value_is_judged_whatever_its_key_is_called(engine: Engine) -> None:
    """issue 16 §7: a Secret's data value that decodes to a strong secret is reported under any key; what
    decodes to a word, a host or a file is not."""
    text = k8s_secret(
        foo=b64(SECRET), username=b64("admin"), host=b64("db.internal.example.com"), ca=b64("line1\nline2 x")
    )
    found = scan(engine, text)
    assert [(f.line, f.secret, f.fact("encoding")) for f in found] == [(7, SECRET, "base64")]
    assert found[0].column == 8  # at the base64 text


def test_depth_is_bounded_at_two(engine: Engine) -> None:
    twice = config(b64(f"client_secret: {b64(SECRET)}"))
    assert [f.fact("encoding") for f in scan(engine, twice) if f.secret == SECRET] == ["base64>base64"]
    # Why not three: each level scans the blob again; real files nest two (a Docker config in a Secret).
    thrice = config(b64(f"client_secret: {b64(f'client_secret: {b64(SECRET)}')}"))
    assert [f for f in scan(engine, thrice) if f.secret == SECRET] == []


def test_percent_encoded_secret(engine: Engine) -> None:
    query = "%7B%22api_key%22%3A%22" + SECRET + "%22%7D"
    found = scan(engine, f"GET /callback?state={query} HTTP/1.1\n", path="logs/access.log")
    assert [(f.secret, f.fact("encoding")) for f in found] == [(SECRET, "percent")]
    assert found[0].column == len("GET /callback?state=") + len("%7B%22api_key%22%3A%22") + 1


def test_json_escaped_slashes(engine: Engine) -> None:
    escaped = AWS_SECRET.replace("/", "\\/")
    found = scan(
        engine, json.dumps({"x": 1})[:-1] + f', "SecretAccessKey": "{escaped}"}}\n', path="resp.json"
    )
    assert [(f.rule_id, f.secret, f.fact("encoding")) for f in found] == [
        ("aws-secret-access-key", AWS_SECRET, "escape")
    ]


@pytest.mark.xfail(
    strict=True,
    reason="known miss: base64 values are decoded under secret-like names or in a Secret; an AWS secret key "
    "in a ConfigMap's base64 value (a key named config.json) is lost",
)
def test_a_secret_in_a_base64_value_of_any_manifest_is_reported(engine: Engine) -> None:
    inner = f'{{"aws_secret_access_key": "{AWS_SECRET}"}}'
    text = k8s_secret(**{"config.json": b64(inner)}).replace("kind: Secret", "kind: ConfigMap")
    assert [(f.rule_id, f.secret) for f in scan(engine, text)] == [("aws-secret-access-key", AWS_SECRET)]


def test_an_escaped_backslash_before_a_slash_is_not_an_escape() -> None:
    """`\\\\/` in JSON is a backslash, then a slash (how schemas write regexes): nothing to decode."""
    pattern = json.dumps({"pattern": "^arn:aws:iam::\\d{12}:role\\/[\\w+=,.@-]+$"}).encode()
    assert b"\\\\/" in pattern
    assert decode._encoded_spans(pattern, "schema.json", [], False) == []
    slashes = json.dumps({"url": "https://example.com/a"}).replace("/", "\\/").encode()
    assert [span[3] for span in decode._encoded_spans(slashes, "resp.json", [], False)] == ["escape"] * 3


def test_images_fonts_and_hashes_are_not_decoded(engine: Engine) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256))).decode()
    text = f"logo: data:image/png;base64,{png}\npassword_sha: {'ab' * 32}\n"
    assert decode._base64_text(png.encode()) is None
    assert scan(engine, text, path="site/theme.yaml") == []


def test_plain_text_has_no_encoded_spans() -> None:
    assert decode._encoded_spans(b"def f(x):\n    return x * 2  # 100% plain\n", "a.py", [], False) == []


def test_cli_redacts_decoded_secrets(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(config(b64(SECRET)))
    done = run_cli("scan", str(tmp_path), "--engine", "python", "--no-color")
    assert done.returncode == 1
    assert SECRET not in done.stdout
    assert "encoding: base64" in done.stdout
    shown = run_cli("scan", str(tmp_path), "--engine", "python", "--show-secrets", "-f", "json")
    assert [f["secret"] for f in json.loads(shown.stdout)["findings"]] == [SECRET]


@pytest.mark.parametrize(
    "text",
    [
        b"x = 1\nurl = 'a%2Fb%3Dc'\n",
        b'printf("%d %2d\\n", a, b);\n' * 3 + b"u = 'x%41%42'\n",
        b's = \'a\\\\/b\'\nj = {"k": "v\\u0041\\/w"}\n',
        b"no encodings here, 100% plain\n",
        b"\\n\\t" * 1000 + b"\\u0041",
    ],
)
def test_the_native_matcher_says_where_each_text_encoding_first_matches(text: bytes) -> None:
    """Spans found from where the native matcher saw each encoding are those found by searching the blob."""
    pytest.importorskip("hyperscan")
    native = Engine(load_rules(), backend="hyperscan")
    outcome = native._scan_text(Blob.from_bytes(text, Origin("a.json", None, "blob")), explain=True)
    assert outcome.signals is not None
    searched = decode._encoded_spans(text, "a.json", [], False)
    assert decode._encoded_spans(text, "a.json", [], False, outcome.signals) == searched
    assert {span[3] for span in searched} <= outcome.signals.keys()
