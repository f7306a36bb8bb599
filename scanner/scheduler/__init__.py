"""The scheduler runs the engine over a source: each unique blob once, in this process first, then in the one
worker pool (pool.py) once the work proves large; history blobs are read where they are scanned (stream.py);
blobs an earlier run found clean are skipped (cache.py). The seam: what the commands call."""

from scanner.scheduler.blobs import Progress, ScanOptions, scan_blobs
from scanner.scheduler.pool import default_jobs
from scanner.scheduler.stream import scan_history

__all__ = ["Progress", "ScanOptions", "default_jobs", "scan_blobs", "scan_history"]
