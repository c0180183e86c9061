"""The bounded memo: never more than its limit, emptied at once when full."""

from __future__ import annotations

from gateway.memo import Memo


def test_keeps_answers_up_to_its_limit_then_starts_again() -> None:
    memo: Memo[str, int] = Memo(3)
    assert [memo.keep(k, v) for k, v in (("a", 1), ("b", 2), ("c", 3))] == [1, 2, 3]
    assert memo == {"a": 1, "b": 2, "c": 3} and memo.get("b") == 2
    memo.keep("d", 4)
    assert memo == {"d": 4}
    for i in range(100):
        memo.keep(str(i), i)
        assert len(memo) <= 3
