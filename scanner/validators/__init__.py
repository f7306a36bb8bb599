"""Offline checks a rule names (`validator:` in YAML): AWS facts, token checksums and structures, private-key
blocks, placeholders, and the randomness judge of generic values. The seam: the registry of named checks."""

from scanner.validators.registry import VALIDATORS, Validator
from scanner.validators.verdict import Verdict

__all__ = ["VALIDATORS", "Validator", "Verdict"]
