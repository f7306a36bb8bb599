"""secretscan: a static secret-leak scanner."""

from __future__ import annotations

__version__ = "0.1.0"
