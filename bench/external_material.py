"""The third-party material of the external accuracy comparison: pinned downloads, checked, unpacked.

Nothing here is ours, and nothing of it is committed: `fetch` downloads each archive by exact version or URL
from a package registry into a cache folder, checks its SHA-256, and lays out one folder per source under
`<cache>/tree`. The GitGuardian API recordings in ggshield's tests become one file per scanned document
(`ggshield/cassettes/...`), and GitGuardian's own detections in them are kept as `ggshield-detections.json`.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

DEBIAN = "http://deb.debian.org/debian/"


@dataclass(frozen=True, slots=True)
class Material:
    name: str  # folder under the tree; also the "source" column of the report
    sha256: str
    url: str = ""  # a Debian pool file ...
    pypi: str = ""  # ... or a PyPI requirement (sdist or pure-Python wheel)
    file: str = ""  # the archive's file name
    keep: tuple[str, ...] = ()  # path prefixes inside the archive to lay out (empty: everything)


GGSHIELD_KEEP = ("tests/unit/conftest.py", "tests/unit/data/")
MATERIALS = (
    Material(
        "ggshield",
        "de2d62f13eaa8c7a9bde830449b901abad5e5d885e9b3ea5fa58fbae9bb99209",
        pypi="ggshield==1.56.1",
        file="ggshield-1.56.1.tar.gz",
        keep=GGSHIELD_KEEP,
    ),
    *(
        Material(name, sha, url=DEBIAN + path, file=path.rsplit("/", 1)[1])
        for name, sha, path in (
            (
                "git-secrets",
                "f1d50c6c5c7564f460ff8d279081879914abe920415c2923934c1f1d1fac3606",
                "pool/main/g/git-secrets/git-secrets_1.3.0.orig.tar.gz",
            ),
            (
                "docker-credential-helpers",
                "691dc3f73aaf3308ba307109eb2a806852c06615b1e54c50b40b5cd0b80025e6",
                "pool/main/g/golang-github-docker-docker-credential-helpers/"
                "golang-github-docker-docker-credential-helpers_0.6.4+ds1.orig.tar.xz",
            ),
            (
                "golang-jwt",
                "b658738b30599626e908fcd00bed853a20ad5d471279f78263280415da2ba0f7",
                "pool/main/g/golang-github-golang-jwt-jwt/golang-github-golang-jwt-jwt_4.4.3.orig.tar.gz",
            ),
        )
    ),
    *(
        Material(name, sha, pypi=req, file=file)
        for name, sha, req, file in (
            (
                "pyjwt",
                "69285c7e31fc44f68a1feb309e948e0df53259d579295e6cfe2b1792329f05fd",
                "pyjwt==2.6.0",
                "PyJWT-2.6.0.tar.gz",
            ),
            (
                "python-jose",
                "55779b5e6ad599c6336191246e95eb2293a9ddebd555f796a65f838f07e5d78a",
                "python-jose==3.3.0",
                "python-jose-3.3.0.tar.gz",
            ),
            (
                "python-gitlab",
                "567390c2b93690dae62ed9738bf9f221fa45c01378fdf896089dbf7c8a134fbd",
                "python-gitlab==3.12.0",
                "python-gitlab-3.12.0.tar.gz",
            ),
            (
                "stripe",
                "bdc8c5ee8e6b53c4767bbe720752cedb8af91db46ad96e511edd0fb74964ac5d",
                "stripe==5.0.0",
                "stripe-5.0.0.tar.gz",
            ),
        )
    ),
    # Real code and data, for false alarms: what a user's virtualenv holds.
    Material(
        "moto",
        "eef62cdcf3bfe73e0863743511ba042dfaba04ba3d5ecdcb896a196c693ad528",
        pypi="moto==5.2.5",
        file="moto-5.2.5-py3-none-any.whl",
    ),
    Material(
        "botocore",
        "76342a76c338701db80dcb8afe1c9bd079283d6fffbb9d881442abb02a215043",
        pypi="botocore==1.44.8",
        file="botocore-1.44.8-py3-none-any.whl",
    ),
    Material(
        "cfn-lint",
        "9d9f06043160756a6158f5c3f92a44ce38254b1c578127461608305bc8262987",
        pypi="cfn-lint==1.58.0",
        file="cfn_lint-1.58.0-py3-none-any.whl",
    ),
)


def fetch(cache: Path) -> Path:
    """Download (once) and lay out every material under `cache/tree`; return that folder."""
    downloads, tree = cache / "downloads", cache / "tree"
    downloads.mkdir(parents=True, exist_ok=True)
    for material in MATERIALS:
        archive = _download(material, downloads)
        target = tree / material.name
        if target.exists():
            continue
        staging = tree / f".{material.name}.part"
        shutil.rmtree(staging, ignore_errors=True)
        _unpack(archive, staging, material.keep)
        if material.name == "ggshield":
            _lay_out_cassettes(archive, staging, cache / "ggshield-detections.json")
        staging.rename(target)
    return tree


def _download(material: Material, downloads: Path) -> Path:
    path = downloads / material.file
    if not path.exists():
        if material.url:
            with urllib.request.urlopen(material.url, timeout=120) as response:
                path.write_bytes(response.read())
        else:
            binary = (
                ["--only-binary", ":all:"] if material.file.endswith(".whl") else ["--no-binary", ":all:"]
            )
            pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", *binary, "-d", str(downloads)]
            subprocess.run([*pip, material.pypi], check=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != material.sha256:
        path.unlink()
        raise SystemExit(f"{material.file}: SHA-256 {digest}, expected {material.sha256}; removed it")
    return path


def _members(archive: Path) -> list[tuple[str, bytes]]:
    """(path without the archive's top folder, content) of every regular file."""
    out: list[tuple[str, bytes]] = []
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            return [(i.filename, zf.read(i)) for i in zf.infolist() if not i.is_dir()]
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            handle = tf.extractfile(member) if member.isfile() else None
            if handle is not None:
                out.append((member.name.split("/", 1)[-1], handle.read()))
    return out


def _unpack(archive: Path, target: Path, keep: tuple[str, ...]) -> None:
    for name, data in _members(archive):
        if keep and not name.startswith(keep):
            continue
        if name.endswith((".tar.xz", ".tar.gz", ".tgz", ".zip", ".whl")):
            continue  # nested archives: only some tools open them; the comparison is about text
        dest = target / name
        if ".." in Path(name).parts:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)


def _lay_out_cassettes(archive: Path, target: Path, detections_file: Path) -> None:
    """Each document ggshield's tests sent to the GitGuardian API, once per distinct content, as a file;
    GitGuardian's answers (policy breaks with matches) beside, keyed by that file."""
    seen: set[str] = set()
    detections: dict[str, list[dict[str, object]]] = {}
    for name, data in _members(archive):
        if not (name.startswith("tests/unit/cassettes/") and name.endswith(".yaml")):
            continue
        stem = Path(name).stem
        for doc, breaks in _scanned_documents(data):
            digest = hashlib.sha256(doc["document"].encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            rel = f"cassettes/{stem}-{len(seen)}-{Path(doc['filename']).name or 'doc'}"
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_text(doc["document"], encoding="utf-8")
            detections[f"ggshield/{rel}"] = breaks
    detections_file.write_text(json.dumps(detections, indent=1, sort_keys=True), encoding="utf-8")


def _scanned_documents(cassette: bytes) -> list[tuple[dict[str, str], list[dict[str, object]]]]:
    out: list[tuple[dict[str, str], list[dict[str, object]]]] = []
    for interaction in yaml.safe_load(io.BytesIO(cassette))["interactions"]:
        body = interaction["request"].get("body")
        if not body or "scan" not in interaction["request"]["uri"]:
            continue
        try:
            documents = json.loads(body)
            answers = json.loads(interaction["response"]["body"]["string"])
        except (ValueError, TypeError):
            continue
        documents = documents if isinstance(documents, list) else [documents]
        answers = answers if isinstance(answers, list) else [answers]
        for i, doc in enumerate(documents):
            if isinstance(doc, dict) and "document" in doc:
                answer = answers[i] if i < len(answers) and isinstance(answers[i], dict) else {}
                out.append((doc, answer.get("policy_breaks", [])))
    return out
