"""Regular expressions compiled from stored programs: what `re` compiles a pattern into, kept as data
(programs.py), and the store of the modules' own patterns (store.py). The seam: the functions below."""

from scanner.patterns.programs import PYTHON, program, rebuild
from scanner.patterns.store import compiled

__all__ = ["PYTHON", "compiled", "program", "rebuild"]
