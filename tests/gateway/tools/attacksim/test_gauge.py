"""chatguard_attacksim_failed_probes: read from the configured report when metrics are rendered."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from gateway.metrics import Metrics


def _write(path: Path, failed: int, when: float) -> None:
    path.write_bytes(orjson.dumps({"format": "chatguard-attack-sim/1", "summary": {"total": 9, "held": 9 - failed,
                                                                                   "failed": failed, "skipped": 0}}))
    os.utime(path, (when, when))


def test_gauge_follows_the_report(tmp_path: Path) -> None:
    report = tmp_path / "attack-sim.json"
    metrics = Metrics(str(report))
    assert b"chatguard_attacksim_failed_probes" not in metrics.render()  # no report yet: no series
    _write(report, 2, 1_700_000_000)
    text = metrics.render().decode()
    assert "chatguard_attacksim_failed_probes 2.0" in text
    assert "chatguard_attacksim_report_timestamp_seconds 1.7e+09" in text
    _write(report, 0, 1_700_086_400)
    assert "chatguard_attacksim_failed_probes 0.0" in metrics.render().decode()
    report.write_text("{not json")
    assert b"chatguard_attacksim_failed_probes" not in metrics.render()


def test_no_report_configured_no_series() -> None:
    assert b"attacksim" not in Metrics().render()


async def test_admin_metrics_show_it(tmp_path: Path) -> None:
    from gateway.config.settings import parse_settings
    from tests.helpers import run_gateway

    report = tmp_path / "attack-sim.json"
    _write(report, 3, 1_700_000_000)
    config = {"upstreams": {"up": {"url": "http://127.0.0.1:9"}}, "routes": [], "attacksim_report": str(report)}
    assert parse_settings(dict(config), environ={}).attacksim_report == str(report)
    async with run_gateway(config) as gateway:
        from gateway.keys import METRICS

        assert "chatguard_attacksim_failed_probes 3.0" in gateway.app[METRICS].render().decode()
