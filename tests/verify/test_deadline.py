"""Hard limits on live checks (issue 17 §6): one key's checks share --verify-timeout, all share the budget."""

from __future__ import annotations

import time

import pytest

from scanner.verify.deadline import Budget, CheckTimeout


def sleeper(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def test_one_keys_checks_share_its_time() -> None:
    budget = Budget(per_key=0.6, total=30)
    assert budget.call(lambda: sleeper(0.3), "AKIA1") == "done"
    started = time.monotonic()
    with pytest.raises(CheckTimeout, match="--verify-timeout"):
        budget.call(lambda: sleeper(5), "AKIA1")  # about 0.3 s left for this key
    assert time.monotonic() - started < 0.6
    assert budget.call(lambda: sleeper(0.3), "AKIA2") == "done"  # another key has its own time
    with pytest.raises(CheckTimeout, match="were spent"):
        budget.call(lambda: "never run", "AKIA1")


def test_the_whole_budget_and_errors() -> None:
    budget = Budget(per_key=5, total=0.3)
    with pytest.raises(CheckTimeout, match="--verify-budget"):
        budget.call(lambda: sleeper(5), "AKIA1")
    with pytest.raises(CheckTimeout, match="spent first"):
        budget.call(lambda: "never run", "AKIA2")
    with pytest.raises(ZeroDivisionError):
        Budget(1, 1).call(lambda: 1 // 0)
