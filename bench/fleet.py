"""Fleet throughput (issue 20 §5): `secretscan fleet` over fetched repositories on a Dask LocalCluster of one
worker process, then of two, and on the local pool (-j 1, -j 2); each run from a cold start, no result cache.

    python -m bench.fleet /work/.mirror/psf+requests/repo /work/.mirror/PyGithub+PyGithub/repo ...

Prints one line per configuration: seconds, repositories, MB of unique blobs scanned, MB/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.helpers.cli import secretscan_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repos", nargs="+", help="repository paths (bare snapshots are fine)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--local", action="store_true", help="also the local pool at each worker count")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "repos.txt"
        listing.write_text("\n".join(args.repos) + "\n")
        for workers in args.workers:
            _report(f"dask {workers} worker(s)", *_on_cluster(listing, workers))
            if args.local:
                _report(f"local -j {workers}", *_run(listing, "-j", str(workers)))
    return 0


def _on_cluster(listing: Path, workers: int) -> tuple[float, dict[str, Any]]:
    import psutil  # a dependency of distributed
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        before = _cpu(psutil)
        seconds, report = _run(listing, "--cluster", cluster.scheduler_address)
        # The workers' CPU time and that of the git processes they ran and waited for.
        print(f"  cluster CPU {_cpu(psutil) - before:.1f} s", flush=True)
        return seconds, report


def _cpu(psutil: Any) -> float:
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _run(listing: Path, *how: str) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    proc = subprocess.run(
        [
            *secretscan_command(),
            "fleet",
            str(listing),
            *how,
            "--no-cache",
            "--no-fail-on-error",
            "-q",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"fleet failed ({proc.returncode}): {proc.stderr}")
    return seconds, json.loads(proc.stdout)


def _report(label: str, seconds: float, report: dict[str, Any]) -> None:
    repos = report["repositories"]
    megabytes = sum(r["bytes_scanned"] for r in repos) / 1e6
    failed = sum(r["status"] == "failed" for r in repos)
    print(
        f"{label:22} {seconds:7.1f} s  {len(repos)} repos ({failed} failed)  "
        f"{len(report['findings'])} findings  {megabytes:7.1f} MB  {megabytes / seconds:5.1f} MB/s",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
