"""The bounded memo: never more than its limit, emptied at once when full."""

from __future__ import annotations

import pytest

from gateway.memo import Memo, TextMemo


def test_keeps_answers_up_to_its_limit_then_starts_again() -> None:
    memo: Memo[str, int] = Memo(3)
    assert [memo.keep(k, v) for k, v in (("a", 1), ("b", 2), ("c", 3))] == [1, 2, 3]
    assert memo == {"a": 1, "b": 2, "c": 3} and memo.get("b") == 2
    memo.keep("d", 4)
    assert memo == {"d": 4}
    for i in range(100):
        memo.keep(str(i), i)
        assert len(memo) <= 3


def test_text_memo_keeps_short_keys_only_and_never_an_exception() -> None:
    memo: TextMemo[int] = TextMemo(8, longest=3)
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        if key == "bad":
            raise ValueError(key)
        return len(key)

    assert [memo.through(k, compute) for k in ("ab", "ab", "abcd", "abcd")] == [2, 2, 4, 4]
    assert calls == ["ab", "abcd", "abcd"] and memo == {"ab": 2}
    for _ in range(2):
        with pytest.raises(ValueError):
            memo.through("bad", compute)
    assert calls.count("bad") == 2 and "bad" not in memo
