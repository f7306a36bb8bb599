"""Plausible source lines and planted fake credentials for the synthetic benchmark repository.

Everything is drawn from one `random.Random`, so a seed gives the same bytes on every machine. The credentials
are pattern-valid fakes (random base32/base64 of the right shape); none was ever issued by AWS.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

WORDS = tuple(
    [
        "user",
        "account",
        "order",
        "invoice",
        "payment",
        "session",
        "token",
        "cache",
        "client",
        "server",
        "request",
        "response",
        "config",
        "handler",
        "router",
        "queue",
        "worker",
        "bucket",
        "region",
        "stream",
        "record",
        "batch",
        "event",
        "metric",
        "logger",
        "retry",
        "timeout",
        "buffer",
        "parser",
        "schema",
        "model",
        "field",
        "value",
        "index",
        "table",
        "column",
        "filter",
        "mapper",
        "reader",
        "writer",
    ]
)

# Per file type: line templates. {a}/{b} are identifiers, {C} a CamelCase name, {n} a number, {w} a word.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "py": (
        "def {a}_{b}(self, {b}: int = {n}) -> None:",
        "    {a} = self.{b}.get('{w}', {n})",
        "    return [{a} for {a} in {b} if {a}.{w}]",
        "class {C}({C}Base):",
        "    # {w} {a} {b}: keep in sync with the {w} module",
        "from {a}.{b} import {C}",
        "        raise ValueError(f'bad {w}: {{{a}!r}}')",
    ),
    "js": (
        "const {a} = require('./{b}');",
        "export function {a}{C}({b}, opts = {{}}) {{",
        "  if (!{a}.{b}) return {n};",
        "  // {w} {a}: retried up to {n} times",
        "  {a}.{b} = await fetch{C}({n});",
        "}}",
    ),
    "go": (
        "func ({a} *{C}) {C}({b} int) error {{",
        "\tif {a}.{b} > {n} {{",
        '\t\treturn fmt.Errorf("{w}: %w", err)',
        "\t{a}, err := {b}.{C}(ctx)",
        "}}",
    ),
    "java": (
        "public class {C} extends {C}Base {{",
        "    private final int {a} = {n};",
        "    public {C} get{C}() {{ return this.{a}; }}",
        "    // {w}: see {C}",
        "        {a}.{b}({n});",
    ),
    "yaml": ("{a}:", "  {b}: {n}", "  {w}_{a}: {b}", "  - name: {a}-{b}", "    enabled: true"),
    "json": ('  "{a}": {n},', '  "{b}_{w}": "{a}",', '  "{C}": {{"{a}": true}},'),
    "xml": ('  <{a} name="{b}">{n}</{a}>', '  <property name="{w}.{a}" value="{b}"/>'),
    "md": (
        "The {w} {a} keeps {n} {b} entries in memory.",
        "## {C}",
        "- `{a}`: the {w} used by {b}",
        "",
    ),
    "tf": ('resource "aws_{a}" "{b}" {{', '  {a} = "{b}-{n}"', '  tags = {{ Name = "{w}" }}', "}}"),
    "env": ("{A}_{B}={n}", "{A}_{W}={b}"),
    "ini": ("[{a}]", "{b} = {n}", "{w}_{a} = {b}"),
    "sh": ("export {A}={n}", '{a}_{b}() {{ echo "{w}"; }}', 'if [ -z "${A}" ]; then exit {n}; fi'),
}
EXTENSIONS = tuple(TEMPLATES)
WEIGHTS = (30, 18, 10, 10, 8, 6, 3, 6, 3, 2, 2, 2)
POOL_SIZE = 3000


def _ident(rng: random.Random) -> str:
    return rng.choice(WORDS) + ("_" + rng.choice(WORDS) if rng.random() < 0.4 else "")


def _line(rng: random.Random, template: str) -> str:
    a, b = _ident(rng), _ident(rng)
    w = rng.choice(WORDS)
    return template.format(
        a=a,
        b=b,
        w=w,
        n=rng.randrange(100000),
        C=a.title().replace("_", ""),
        A=a.upper(),
        B=b.upper(),
        W=w.upper(),
    )


def line_pools(rng: random.Random) -> dict[str, list[str]]:
    """A pool of lines per type; files are drawn from it, with fresh lines mixed in so blobs differ."""
    return {ext: [_line(rng, rng.choice(t)) for _ in range(POOL_SIZE)] for ext, t in TEMPLATES.items()}


def fresh_lines(rng: random.Random, ext: str, pool: list[str], count: int) -> list[str]:
    """`count` lines: mostly from the pool, one in four freshly generated."""
    templates = TEMPLATES[ext]
    return [
        _line(rng, rng.choice(templates)) if rng.random() < 0.25 else rng.choice(pool) for _ in range(count)
    ]


@dataclass(frozen=True, slots=True)
class Plant:
    """One planted credential: `values` are the secret strings a scanner should report, `lines` the text."""

    kind: str
    lines: tuple[str, ...]
    values: tuple[str, ...]
    decoy: bool = False  # a documentation example every scanner should ignore


B32 = string.ascii_uppercase + "234567"
B64 = string.ascii_letters + string.digits + "/+"


def key_id(rng: random.Random, prefix: str = "AKIA") -> str:
    return prefix + "".join(rng.choice(B32) for _ in range(16))


def secret_key(rng: random.Random) -> str:
    while True:
        value = "".join(rng.choice(B64) for _ in range(40))
        if (
            any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and any(c.isdigit() for c in value)
        ):
            return value


def _pair_lines(ext: str, kid: str, sec: str) -> tuple[str, ...]:
    forms = {
        "py": (f'AWS_ACCESS_KEY_ID = "{kid}"', f'AWS_SECRET_ACCESS_KEY = "{sec}"'),
        "js": (f"const accessKeyId = '{kid}';", f"const secretAccessKey = '{sec}';"),
        "go": (f'\tAwsKeyID := "{kid}"', f'\tAwsSecretKey := "{sec}"'),
        "java": (
            f'    private static final String AWS_KEY = "{kid}";',
            f'    private static final String AWS_SECRET = "{sec}";',
        ),
        "yaml": (f"  aws_access_key_id: {kid}", f"  aws_secret_key: {sec}"),
        "json": (f'  "AccessKeyId": "{kid}",', f'  "SecretAccessKey": "{sec}",'),
        "xml": (f"  <aws.accessKey>{kid}</aws.accessKey>", f"  <aws.secretKey>{sec}</aws.secretKey>"),
        "tf": (f'  access_key = "{kid}"', f'  aws_secret_key = "{sec}"'),
        "env": (f"AWS_ACCESS_KEY_ID={kid}", f"AWS_SECRET_ACCESS_KEY={sec}"),
        "ini": (f"aws_access_key_id = {kid}", f"aws_secret_access_key = {sec}"),
        "sh": (f"export AWS_ACCESS_KEY_ID={kid}", f"export AWS_SECRET_ACCESS_KEY={sec}"),
        "md": (f"    aws_access_key_id = {kid}", f"    aws_secret_access_key = {sec}"),
    }
    return forms[ext]


def plant(rng: random.Random, ext: str) -> Plant:
    """A credential written the way people write it in a file of type `ext`."""
    roll = rng.random()
    if roll < 0.70:
        kid, sec = key_id(rng, rng.choice(("AKIA", "AKIA", "ASIA"))), secret_key(rng)
        return Plant("aws-key-pair", _pair_lines(ext, kid, sec), (kid, sec))
    if roll < 0.80:
        token = "IQoJb3JpZ2lu" + "".join(rng.choice(B64) for _ in range(rng.randrange(200, 400)))
        return Plant("aws-session-token", (f"aws_session_token = {token}",), (token,))
    if roll < 0.88:
        h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        token = f"amzn.mws.{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return Plant("aws-mws-auth-token", (f"MWS_AUTH_TOKEN={token}",), (token,))
    if roll < 0.94:
        kid = key_id(rng)
        return Plant("aws-access-key-id", (f"# old deploy key {kid}",), (kid,))
    # Decoys: the AWS documentation pair. A precise scanner reports nothing here.
    return Plant(
        "decoy-example",
        _pair_lines(ext, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("AKIAIOSFODNN7EXAMPLE",),
        decoy=True,
    )
