"""The last attack-sim result as metrics, read from its JSON report when Prometheus scrapes.

`attacksim_report: PATH` in the config names the report a scheduled run writes (cron, a
Kubernetes CronJob); the file is read again only when it changed. No report, or one that does
not parse, gives no series: an alert on the report's age catches a schedule that stopped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import orjson
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class AttackSimReport(Collector):
    def __init__(self, path: str) -> None:
        self.path = path
        self._seen: tuple[float, int] | None = None  # (mtime, size) of the file last read
        self._values: tuple[float, float] | None = None  # (failed probes, finished at)

    def _read(self) -> tuple[float, float] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            self._seen, self._values = None, None
            return None
        if self._seen != (stat.st_mtime, stat.st_size):
            self._seen, self._values = (stat.st_mtime, stat.st_size), None
            try:
                with open(self.path, "rb") as file:
                    report = orjson.loads(file.read(16 * 1024 * 1024))
                failed = report["summary"]["failed"]
                if isinstance(failed, int) and not isinstance(failed, bool):
                    self._values = (float(failed), stat.st_mtime)
            except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
                self._values = None
        return self._values

    def collect(self) -> Iterator[GaugeMetricFamily]:
        values = self._read()
        if values is None:
            return
        failed, written = values
        yield GaugeMetricFamily("chatguard_attacksim_failed_probes",
                                "Probes that failed in the last attack-sim run (its report at attacksim_report)",
                                value=failed)
        yield GaugeMetricFamily("chatguard_attacksim_report_timestamp_seconds",
                                "When the last attack-sim report was written (Unix time)", value=written)
