"""The torture corpus's files: tree/ (hostile names and contents, copies, special files, many small files),
big/, and what only the hostile runs read (hostile/, rules/, configs/). See bench/torture.py."""

from __future__ import annotations

import os
import unicodedata

from bench.torture import PROJECT_CONFIG, Corpus, Plant, filler, plant_copies

# 255 bytes: the longest name most file systems take.
LONG_NAME = b"long-" + b"n" * 246 + b".env"
HOSTILE_NAMES: dict[str, bytes] = {
    "latin1": b"caf\xe9-latin1.env",
    "invalid-utf8": b"bad-\xff\xfe-bytes.env",
    "newline": b"new\nline.env",
    "carriage-return": b"carriage\rreturn.env",
    "control": b"bell\x07nul-ish\x01.env",
    "ansi": b"ansi-\x1b[31mred\x1b[0m.env",
    "osc-title": b"osc-\x1b]0;pwned\x07.env",
    "gh-command": b"::error file=evil.py,line=1::pwned.env",
    "gh-command-newline": b"x\n::add-mask::y.env",
    "leading-dash": b"-rf.env",
    "double-dash": b"--output=stolen.env",
    "html": b"<img src=x onerror=alert(1)>.env",
    "markdown-pipe": b"pipe|cell.env",
    "shell": b"quote\"'`$(touch pwned).env",
    "tab": b"tab\tname.env",
    "leading-space": b" leading-space.env",
    "bidi": "bidi-\u202eenv.exe".encode(),
    "long": LONG_NAME,
    "nfc": unicodedata.normalize("NFC", "caf\u00e9-twin.env").encode(),
    "nfd": unicodedata.normalize("NFD", "caf\u00e9-twin.env").encode(),
}


def build_tree(corpus: Corpus) -> None:
    """tree/: scanned from inside with `secretscan scan .` in every format."""
    scan = {"scan": "found"}
    corpus.write("tree", b".secretscan.yaml", PROJECT_CONFIG.encode())
    text = corpus.aws(
        "tree/control/aws", "control", "tree", b"control/aws.env", scan, "plain file: the generator's check"
    )
    corpus.write("tree", b"control/aws.env", text.encode())
    token = corpus.github("tree/control/github", "control", "tree", b"control/github.txt", scan)
    corpus.write("tree", b"control/github.txt", f"token = {token}\n".encode())
    for name, raw in HOSTILE_NAMES.items():
        path = b"names/" + raw
        corpus.write("tree", path, corpus.aws(f"tree/names/{name}", "§1", "tree", path, scan).encode())
    deep = b"/".join(b"d%02d" % i for i in range(40)) + b"/deep.env"
    corpus.write(
        "tree", b"names/" + deep, corpus.aws("tree/names/deep", "§1", "tree", b"names/" + deep, scan).encode()
    )
    _contents(corpus)
    _neighbours(corpus)
    plant_copies(corpus, "tree", b"dedup/", {"scan": "found"}, {"scan": "absent"})
    _special(corpus)


def _contents(corpus: Corpus) -> None:
    """Encodings and shapes of text: each must be decoded and scanned (§5), a true binary skipped and named."""
    found = {"scan": "found"}
    encodings = {
        "utf16le-bom.env": ("utf-16-le", b"\xff\xfe"),
        "utf16be-bom.env": ("utf-16-be", b"\xfe\xff"),
        "utf32le-bom.env": ("utf-32-le", b"\xff\xfe\x00\x00"),
        "utf32be-bom.env": ("utf-32-be", b"\x00\x00\xfe\xff"),
        "utf16le-nobom.env": ("utf-16-le", b""),  # NUL-interleaved ASCII, as Windows tools write it
    }
    for name, (codec, bom) in encodings.items():
        path = b"contents/" + name.encode()
        text = corpus.aws(f"tree/contents/{name}", "§5", "tree", path, found)
        corpus.write("tree", path, bom + text.encode(codec))
    path = b"contents/crlf.env"
    corpus.write(
        "tree",
        path,
        corpus.aws("tree/contents/crlf", "§5", "tree", path, found).replace("\n", "\r\n").encode(),
    )
    path = b"contents/no-final-newline.env"
    corpus.write(
        "tree", path, corpus.aws("tree/contents/no-newline", "§5", "tree", path, found).rstrip("\n").encode()
    )
    path = b"contents/latin1.env"
    text = corpus.aws("tree/contents/latin1", "§5", "tree", path, found)
    corpus.write("tree", path, "# propriété privée\n".encode("latin-1") + text.encode())
    path = b"contents/minified.js"
    token = corpus.github(
        "tree/contents/huge-line", "§5", "tree", path, found, "a 2 MB line, the token in its middle"
    )
    code = filler(corpus.rng, 1 << 20, b"abcdefghij(){};=,")
    corpus.write("tree", path, b'var a="' + code + f'";var t="{token}";var b="'.encode() + code + b'";')
    path = b"contents/image.png"
    token = corpus.github(
        "tree/contents/binary", "§5", "tree", path, {"scan": "skipped:binary"}, "a PNG: skipped, and named"
    )
    corpus.write(
        "tree", path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64) + f"tEXt token={token}\n".encode()
    )


def _neighbours(corpus: Corpus) -> None:
    """§3: other candidates on a finding's line, and URL userinfo, are never printed in its line context."""
    path = b"contents/neighbours.sh"
    key_id, secret = corpus.fakes.aws_pair()
    password, words, userinfo = corpus.fakes.password(), corpus.fakes.words(), corpus.fakes.password(16)
    corpus.plants += [
        Plant("tree/neighbours/aws", "§3", "tree", path, key_id, {"scan": "found"}, secret),
        Plant(
            "tree/neighbours/password",
            "§3",
            "tree",
            path,
            password,
            {"scan": "never-raw"},
            note="a medium generic candidate on the AWS line",
        ),
        Plant(
            "tree/neighbours/passphrase",
            "§3",
            "tree",
            path,
            words,
            {"scan": "never-raw"},
            note="a low-confidence candidate on the AWS line",
        ),
        Plant(
            "tree/neighbours/url-userinfo",
            "§3",
            "tree",
            path,
            userinfo,
            {"scan": "never-raw"},
            note="the password of a URL on the same line as a token",
        ),
    ]
    token = corpus.github("tree/neighbours/github", "§3", "tree", path, {"scan": "found"})
    corpus.write(
        "tree",
        path,
        (
            f"export AWS_ACCESS_KEY_ID={key_id} DB_PASSWORD={password} ADMIN_PASSWORD={words}\n"
            f"export AWS_SECRET_ACCESS_KEY={secret}\n"
            f"DATABASE_URL=postgres://app:{userinfo}@db.internal.example.net:5432/app GITHUB_TOKEN={token}\n"
        ).encode(),
    )


def build_ignores(corpus: Corpus) -> None:
    """ignores/, scanned by `secretscan scan .` from inside it: a .gitignore next to names that are not UTF-8
    (§1: such a name is matched, scanned, and ignorable by its own bytes). Apart from tree/, which has no
    ignore file: there, a crash of the ignore matcher would hide every other result."""
    kept, ignored = b"kept-\xfe.env", b"ignored-\xff.env"
    corpus.write("ignores", b".gitignore", b"*.log\n" + ignored + b"\n")
    corpus.write(
        "ignores",
        b"plain.env",
        corpus.aws("ignores/plain", "§1", "ignores", b"plain.env", {"scan": "found"}).encode(),
    )
    corpus.write(
        "ignores",
        kept,
        corpus.aws("ignores/kept-non-utf8", "§1", "ignores", kept, {"scan": "found"}).encode(),
    )
    text = corpus.aws(
        "ignores/ignored-non-utf8", "§1", "ignores", ignored, {"scan": "absent"}, "listed in .gitignore"
    )
    corpus.write("ignores", ignored, text.encode())


def _special(corpus: Corpus) -> None:
    """Files that are not regular: never opened blocking, never followed in a loop, always named (§4, §5)."""
    root = corpus.out / "tree" / "special"
    root.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / "fifo.env")
    (root / "loop").symlink_to(".")
    (root / "dangling.env").symlink_to("missing.env")
    corpus.cases.append(
        {
            "id": "tree/special/fifo",
            "section": "§4",
            "path": "special/fifo.env",
            "expect": "skipped:not a regular file",
        }
    )
    corpus.cases.append(
        {"id": "tree/special/dangling", "section": "§5", "path": "special/dangling.env", "expect": "skipped"}
    )
    path = b"special/unreadable.env"
    expect = "found" if os.geteuid() == 0 else "skipped:unreadable"  # root reads a mode-000 file
    target = corpus.write(
        "tree", path, corpus.aws("tree/special/unreadable", "§5", "tree", path, {"scan": expect}).encode()
    )
    target.chmod(0)


def build_many(corpus: Corpus, files: int) -> None:
    """Many small files (100,000 with --huge), one in 250 with a token: the walk and the dedup at scale."""
    words = ("alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa")
    for i in range(files):
        path = b"many/%03d/file-%06d.txt" % (i // 1000, i)
        line = " ".join(corpus.rng.choice(words) for _ in range(8)) + f" {i}\n"
        if i % 250 == 125:
            line += "token: " + corpus.github(f"tree/many/{i}", "§6", "tree", path, {"scan": "found"}) + "\n"
        corpus.write("tree", path, line.encode())


def build_big(corpus: Corpus, huge: bool) -> None:
    """big/: skipped and named at the default 10 MB cap, found with --max-file-size 2G (near the end)."""
    block = filler(corpus.rng, 1 << 20, b"abcdefghijklmnopqrstuvwxyz     \n")
    sizes = [("20mb", 20), ("50mb", 50)] + ([("1gb", 1024)] if huge else [])
    for name, mb in sizes:
        path = f"big-{name}.log".encode()
        expect = {"scan": "skipped:larger than", "scan --max-file-size 2G": "found"}
        text = corpus.aws(f"big/{name}", "§5", "big", path, expect, "the pair sits in the last kilobytes")
        target = corpus.out / "big" / path.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            for _ in range(mb - 1):
                handle.write(block)
            handle.write(block[: (1 << 20) - 4096] + b"\n" + text.encode() + b"\n")


def build_hostile(corpus: Corpus) -> None:
    """hostile/, rules/, configs/: what only the runs that name them read."""
    token = corpus.github(
        "hostile/after-catastrophe",
        "§4",
        "hostile",
        b"catastrophic/z-after.txt",
        {"scan --rules catastrophic": "found"},
        "scanned after the catastrophic file",
    )
    corpus.write("hostile", b"catastrophic/a-backtrack.txt", BACKTRACK)
    corpus.write("hostile", b"catastrophic/z-after.txt", f"token = {token}\n".encode())
    for i in range(5):  # a scan with workers: they start once the first 4 MB were scanned in-process
        corpus.write("hostile", b"workers/filler-%d.txt" % i, filler(corpus.rng, 1 << 20, b"abcdefgh \n"))
    corpus.write("hostile", b"workers/zz-backtrack.txt", BACKTRACK)
    corpus.write("rules", b"catastrophic.yaml", CATASTROPHIC_RULE.encode())
    corpus.write("rules", b"invalid-regex.yaml", INVALID_REGEX_RULE.encode())
    corpus.write("rules", b"not-utf8.yaml", b"rules:\n  - id: caf\xe9\n")
    corpus.write("rules", b"empty.yaml", b"rules: []\n")
    corpus.write("configs", b"invalid-yaml.yaml", b"allowlist: [unclosed\n")
    corpus.write("configs", b"unknown-key.yaml", b"allowlists: {}\n")
    corpus.write("configs", b"bad-size.yaml", b"max_file_size: -5\n")
    corpus.write("configs", b"bad-path-regex.yaml", b"allowlist:\n  paths: ['(unclosed']\n")
    corpus.write("configs", b"exclude-logs.yaml", PROJECT_CONFIG.encode() + b"exclude: ['*.log']\n")
    corpus.cases += [
        {
            "id": "rules/catastrophic",
            "section": "§4",
            "argv": ["scan", "hostile/catastrophic", "--rules", "rules/catastrophic.yaml"],
            "expect": "error: named within seconds, the rest scanned",
        },
        {
            "id": "signals/workers",
            "section": "§4",
            "argv": ["scan", "hostile/workers", "-j", "2", "--rules", "rules/catastrophic.yaml"],
            "expect": "SIGTERM mid-run ends every worker",
        },
        {
            "id": "rules/invalid-regex",
            "section": "§5",
            "argv": ["scan", "tree/control", "--rules", "rules/invalid-regex.yaml"],
            "expect": "exit 2 naming the file and rule",
        },
        {
            "id": "rules/not-utf8",
            "section": "§5",
            "argv": ["scan", "tree/control", "--rules", "rules/not-utf8.yaml"],
            "expect": "exit 2 naming the file",
        },
        {
            "id": "rules/empty",
            "section": "§5",
            "argv": ["scan", "tree/control", "--no-builtin-rules", "--rules", "rules/empty.yaml"],
            "expect": "exit 2: no rules",
        },
    ]
    for name in ("invalid-yaml", "unknown-key", "bad-size", "bad-path-regex"):
        argv = ["scan", "tree/control", "--config", f"configs/{name}.yaml"]
        corpus.cases.append(
            {"id": f"configs/{name}", "section": "§5", "argv": argv, "expect": "exit 2 naming the file"}
        )


BACKTRACK = b"token=" + b"a" * 40 + b"!\ntoken=aab\n"
# Exponential in a backtracking engine: `a` runs that end in `!` are tried every way before failing. The second
# line matches, so a prefiltering engine nominates the rule and the backtracking one must search the first.
CATASTROPHIC_RULE = """\
rules:
  - id: torture-catastrophic
    name: Torture rule with catastrophic backtracking
    severity: high
    pattern: 'token=((?:a+)+)b'
    secret_group: 1
    keywords: [token=]
    examples: ['token=aaab']
"""
INVALID_REGEX_RULE = """\
rules:
  - id: torture-invalid
    name: Torture rule with an invalid regex
    severity: high
    pattern: '(unclosed'
    keywords: [unclosed]
    examples: ['(unclosed']
"""
