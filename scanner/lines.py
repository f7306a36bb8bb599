"""Line numbers and line text for byte offsets of a blob, computed only when something matched."""

from __future__ import annotations

import bisect
import re


class LineIndex:
    """Lazy line index of a blob: line numbers and text for the few offsets that matched."""

    __slots__ = ("_starts", "data")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._starts: list[int] | None = None

    def _index(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(rb"\n", self.data)]
        return self._starts

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._index(), offset)

    def start(self, line_no: int) -> int:
        return self._index()[line_no - 1]

    def text(self, line_no: int) -> bytes:
        starts = self._index()
        begin = starts[line_no - 1]
        end = starts[line_no] - 1 if line_no < len(starts) else len(self.data)
        return self.data[begin:end]

    def count(self) -> int:
        return len(self._index())
