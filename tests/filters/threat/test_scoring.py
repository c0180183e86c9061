from __future__ import annotations

import pytest

from filters.threat.scoring import combine, weigh


@pytest.mark.parametrize(("weights", "score"), [
    ([], 0.0), ([0.5], 0.5), ([0.5, 0.5], 0.75), ([1.0, 0.2], 1.0), ([2.0], 1.0), ([-1.0], 0.0),
])
def test_combine_is_noisy_or(weights: list[float], score: float) -> None:
    assert combine(weights) == score


def test_prompt_counts_fully_only_for_bots() -> None:
    assert weigh("prompt", 0.8, "bot") == 0.8
    assert weigh("prompt", 0.8, "plain") < 0.8
    assert weigh("sqli", 0.8, "plain") == 0.8
