"""The in-process WebSocket loop echoes the benchmark's frame through every variant; nothing here judges its speed."""

from __future__ import annotations

from benchmarks.ws_loop import VARIANTS, measure


async def test_every_variant_echoes_the_benchmark_frame_and_reports_a_figure() -> None:
    figures = await measure(list(VARIANTS), rounds=1, seconds=0.3, connections=2, size=300)
    assert set(figures) == set(VARIANTS)
    assert all(figure > 0 for figure in figures.values())
