"""Running the installed command as a user runs it: a subprocess of the `secretscan` console script."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path


def secretscan_command() -> list[str]:
    """The installed console script when present (the real thing a user runs), else `python -m scanner`."""
    script = Path(sys.executable).parent / ("secretscan.exe" if os.name == "nt" else "secretscan")
    if script.exists():
        return [str(script)]
    found = shutil.which("secretscan")
    return [found] if found else [sys.executable, "-m", "scanner"]


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `secretscan` as a subprocess and capture its output."""
    return subprocess.run(
        [*secretscan_command(), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def run_cli_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`run_cli` with the pure-Python engine, for tests that vary the config: each variation changes the
    engine's digest and would otherwise compile (and cache) its own Hyperscan database, seconds apiece."""
    return run_cli(*args, "--engine", "python", cwd=cwd)


def default_sigint() -> None:
    """A `preexec_fn` for a command a test interrupts with SIGINT. A runner started in the background (`cmd &`
    in a script) inherits SIGINT ignored, and Python keeps an ignored SIGINT ignored: give the command the
    disposition a terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
