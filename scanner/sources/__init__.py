"""Sources turn a place (folder, stdin, index, commit range, history) into blobs to scan; nothing is scanned
here."""

from scanner.settings import DEFAULT_MAX_BYTES

__all__ = ["DEFAULT_MAX_BYTES"]
