import pytest

from filters.behaviour.baseline import Baseline, deviations, observe


def _train(samples: int, gap: float = 30.0, size: int = 40) -> Baseline:
    base, now = Baseline(), 1_000_000.0
    for i in range(samples):
        now += gap + (i % 5)
        base, _, _ = observe(base, now, size + (i % 7), 0.05)
    return base


def test_steady_habits_do_not_deviate() -> None:
    base = _train(60)
    _, rate_dev, size_dev = observe(base, base.last + 31, 42, 0.05)
    assert rate_dev < 2 and size_dev < 2


@pytest.mark.parametrize(("gap", "size", "which"), [(0.2, 42, "rate"), (31, 4000, "size")])
def test_a_sudden_change_deviates(gap: float, size: int, which: str) -> None:
    base = _train(60)
    _, rate_dev, size_dev = observe(base, base.last + gap, size, 0.05)
    assert (rate_dev if which == "rate" else size_dev) >= 4


def test_baseline_adapts_to_new_habits() -> None:
    base = _train(60, size=40)
    now = base.last
    for _ in range(200):
        now += 30
        base, _, size_dev = observe(base, now, 400, 0.05)
    assert size_dev < 2


@pytest.mark.parametrize("raw", [None, b"", b"not json", b"[1,2]", b'[1, 0, "nan", 0, 0, 0]', b"[-1,0,0,0,0,0]"])
def test_unreadable_baselines_start_fresh(raw: bytes | None) -> None:
    assert Baseline.from_bytes(raw) == Baseline()


def test_round_trip() -> None:
    base = _train(10)
    assert Baseline.from_bytes(base.to_bytes()) == base


def test_deviations_only_count_upwards() -> None:
    assert deviations(-5.0, 0.0, 1.0) == 0.0


def test_a_sustained_burst_keeps_deviating_when_outliers_are_clamped() -> None:
    """Unclamped, the first burst message inflates the variance and the rest look normal."""
    results = {}
    for clamp in (None, 4.0):
        base = _train(60)
        now, flagged = base.last, 0
        for _ in range(5):
            now += 0.2
            base, rate_dev, _ = observe(base, now, 42, 0.05, clamp)
            flagged += rate_dev >= 4
        results[clamp] = flagged
    assert results[None] < 5 and results[4.0] == 5


def test_clamped_baseline_still_adapts_to_new_habits() -> None:
    base = _train(60, size=40)
    now = base.last
    for _ in range(200):
        now += 30
        base, _, size_dev = observe(base, now, 400, 0.05, 4.0)
    assert size_dev < 2


def test_routes_survive_learning_and_a_round_trip() -> None:
    base = _train(5).used("chat", 100.0, 3600, 8)
    after, _, _ = observe(base, base.last + 30, 40, 0.05)
    assert Baseline.from_bytes(after.to_bytes()).knows("chat")


def test_routes_are_forgotten_when_unused_and_bounded_by_recency() -> None:
    base = Baseline().used("old", 0.0, 3600, 8).used("a", 3000.0, 3600, 8).used("b", 3700.0, 3600, 8)
    assert not base.knows("old") and base.knows("a") and base.knows("b")
    assert [name for name, _ in base.used("c", 3800.0, 3600, 2).routes] == ["c", "b"]


@pytest.mark.parametrize("raw", [b"[3, 10.0, 0.1, 0.2, 1.0, 0.3]", b'[3, 10.0, 0.1, 0.2, 1.0, 0.3, "x"]',
                                 b"[3, 10.0, 0.1, 0.2, 1.0, 0.3, [[1]]]"])
def test_records_without_or_with_broken_routes_still_load(raw: bytes) -> None:
    base = Baseline.from_bytes(raw)
    assert base.routes == () and base.samples in (0, 3)
