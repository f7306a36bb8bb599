"""The engine: bytes in, findings out, no I/O. Matching backends (matcher.py), line anchors (anchors.py),
decoding (decode.py, a pure function the engine drives), AWS pairing (pairing.py), rule examples
(examples.py). The seam: Engine and what a scan returns."""

from scanner.engine.core import Engine, ScanOutcome, fingerprint, relocate

__all__ = ["Engine", "ScanOutcome", "fingerprint", "relocate"]
