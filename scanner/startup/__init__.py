"""What the start of every run keeps compiled between runs besides patterns (scanner/patterns): the methods
dataclasses writes for our records (records.py). The seam: install()."""

from scanner.startup.records import install

__all__ = ["install"]
