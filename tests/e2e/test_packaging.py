"""The wheel ships the built-in rules: a non-editable install, run from another folder, finds them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_rules_and_installed_copy_finds_them(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "*.pyc", "__pycache__", "bench")
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("secretscan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("scanner/_rules/")}
    assert shipped == {p.name for p in (ROOT / "rules").glob("*.yaml")}

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Only the installed copy and the dependencies are importable: not the source tree.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *deps])}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import scanner.rules as r; print(r.builtin_rules_dir()); print(len(r.load_rules()))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    where, count = proc.stdout.split()
    assert Path(where) == target / "scanner" / "_rules"
    assert int(count) >= 9
    (elsewhere / "creds").write_text("aws_access_key_id = AKIAUJZDEGXDNCF32EPF\n")
    scan = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "creds"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert scan.returncode == 1, scan.stderr
    assert "aws-access-key-id" in scan.stdout
