"""LineIndex agrees with a plain split of the text, however it is queried."""

from __future__ import annotations

import random

from scanner.engine.lines import LineIndex


def test_line_of_start_and_text_agree_with_splitlines() -> None:
    rng = random.Random(7)
    data = b"".join(rng.choice([b"a", b"bc", b"\n", b"\r\n", b"xyz"]) for _ in range(3000))
    lines = data.split(b"\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    offsets = [rng.randrange(len(data) + 1) for _ in range(200)]
    index = LineIndex(data)
    for i, offset in enumerate(offsets):
        if i == 150:
            index.text(len(lines))  # forces the full index half-way: both paths must agree
        line = index.line_of(offset)
        assert starts[line - 1] <= offset and (line == len(starts) or offset < starts[line])
        assert index.start(line) == starts[line - 1]
        assert index.text(line) == lines[line - 1]
        if line > 1:
            assert index.text(line - 1) == lines[line - 2]  # the line above, without a full index
    assert index.count() == len(lines)
    assert index.text(1) == lines[0]


def test_around_is_the_text_of_the_line_holding_an_offset() -> None:
    data = b"ab\n\ncd\r\nef"
    index = LineIndex(data)
    for offset in range(len(data) + 1):
        assert index.around(offset) == LineIndex(data).text(LineIndex(data).line_of(offset))
