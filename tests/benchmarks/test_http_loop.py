"""The in-process HTTP loop serves the benchmark's POST through every variant; nothing here judges its speed."""

from __future__ import annotations

from benchmarks.http_loop import VARIANTS, measure


async def test_every_variant_answers_the_benchmark_post_and_reports_a_figure() -> None:
    figures = await measure(list(VARIANTS), rounds=1, seconds=0.3, connections=2, size=300)
    assert set(figures) == set(VARIANTS)
    assert all(figure > 0 for figure in figures.values())
