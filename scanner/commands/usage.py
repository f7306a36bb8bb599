"""The argument parser every command's parser is made from: its errors carry the usage of the command they
belong to and, for a mistyped command or flag, the nearest real one ("did you mean")."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import NoReturn

from scanner.patterns import compiled

_UNRECOGNIZED = compiled(r"^unrecognized arguments: (.*)$")
_BAD_CHOICE = compiled(r"^argument (\S+): invalid choice: '?([^' ]+)'? \(choose from (.*)\)$")


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word`, if one is close enough to be a typo of it."""
    import difflib  # only for a mistyped word: never on a hook's start

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return found[0] if found else None


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """argparse's error, with a "did you mean" when a flag or a choice is a near miss."""
        hint = self._suggestion(message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{hint}\n")

    def flags(self) -> list[str]:
        return [flag for action in self._actions for flag in action.option_strings]

    def _suggestion(self, message: str) -> str:
        unknown = _UNRECOGNIZED.match(message)
        if unknown is not None:
            for word in unknown.group(1).split():
                flag = word.split("=", 1)[0]
                guess = nearest(flag, self.flags()) if flag.startswith("-") else None
                if guess is not None:
                    return f" (did you mean {guess}?)"
            return ""
        bad = _BAD_CHOICE.match(message)
        if bad is not None:
            choices = [c.strip().strip("'") for c in bad.group(3).split(",")]
            guess = nearest(bad.group(2), choices)
            return f" (did you mean {guess}?)" if guess is not None else ""
        return ""

    def fail_unrecognized(self, extras: Sequence[str]) -> NoReturn:
        self.error(f"unrecognized arguments: {' '.join(extras)}")
