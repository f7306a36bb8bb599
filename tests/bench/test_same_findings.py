from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from bench.same_findings import differences, main


def report() -> dict[str, Any]:
    finding = {
        "rule_id": "aws-access-key-id",
        "path": "a.cfg",
        "line": 3,
        "fingerprint": "f" * 32,
        "commit": {"sha": "c" * 40},
        "present_at_head": True,
    }
    return {"findings": [finding], "summary": {"findings": 1}, "skipped": [{"path": "x"}, {"path": "y"}]}


def test_the_same_report_in_another_order_is_the_same(tmp_path: Path, capsys: Any) -> None:
    before, after = report(), report()
    after["skipped"].reverse()
    assert differences(before, after) == []
    (tmp_path / "a.json").write_text(json.dumps(before))
    (tmp_path / "b.json").write_text(json.dumps(after))
    assert main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 0
    assert "identical" in capsys.readouterr().out


def test_a_lost_moved_or_changed_finding_is_named() -> None:
    before = report()
    lost = copy.deepcopy(before)
    lost["findings"] = []
    assert differences(before, lost)[0].startswith("only before:")
    moved = copy.deepcopy(before)
    moved["findings"][0]["commit"]["sha"] = "d" * 40
    assert [d.split(":")[0] for d in differences(before, moved)] == ["only before", "only after"]
    changed = copy.deepcopy(before)
    changed["findings"][0]["present_at_head"] = False
    assert differences(before, changed) == [
        f"differs: {('aws-access-key-id', 'a.cfg', 'c' * 40, 3, 'f' * 32)}"
    ]
    changed["summary"] = {"findings": 2}
    assert differences(before, changed)[-1] == "summary differ"
