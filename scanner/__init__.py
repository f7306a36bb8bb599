"""secretscan: a static secret-leak scanner."""

from __future__ import annotations

from scanner.startup import install

__version__ = "0.1.0"

install()  # before any record is defined: their methods are compiled through it (startup/records.py)
