"""The tallied hot counts (requests, latency, bytes, verdicts) reach the Prometheus series unchanged."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from filters import Refreshed
from gateway.metrics import LATENCY_BUCKETS, Metrics

SECONDS = (0.0001, 0.0005, 0.0007, 0.003, 0.003, 1.0, 59.0, 61.0, 3600.0)


def _samples(text: bytes, prefix: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.decode().splitlines()
            if line.startswith(prefix) and not line.startswith(f"{prefix}_created")}


def test_tallied_latency_equals_observing_one_by_one() -> None:
    metrics = Metrics()
    for seconds in SECONDS:
        metrics.observe_request("chat", 200, seconds)
    reference = CollectorRegistry()
    direct = Histogram("chatguard_request_duration_seconds", "d", ("route",), buckets=LATENCY_BUCKETS,
                       registry=reference)
    for seconds in SECONDS:
        direct.labels("chat").observe(seconds)
    name = "chatguard_request_duration_seconds"
    assert _samples(metrics.render(), name) == _samples(generate_latest(reference), name)


def test_every_read_of_the_registry_sees_the_tallied_counts() -> None:
    metrics = Metrics()
    registry = metrics.registry
    metrics.observe_request("chat", 200, 0.01)
    metrics.observe_request("chat", 200, 0.02)
    metrics.observe_request("-", 404, 0.001)
    metrics.count_bytes(300, 0)
    metrics.count_bytes(200, 120)
    metrics.count_verdict("chat", "mask", "modify")
    metrics.count_verdict("chat", "mask", "modify")
    metrics.count_verdict("chat", "threat", "block")
    assert registry.get_sample_value("chatguard_requests_total", {"route": "chat", "status": "200"}) == 2
    assert registry.get_sample_value("chatguard_requests_total", {"route": "-", "status": "404"}) == 1
    assert registry.get_sample_value("chatguard_request_duration_seconds_count", {"route": "chat"}) == 2
    assert registry.get_sample_value("chatguard_bytes_total", {"direction": "inbound"}) == 500
    assert registry.get_sample_value("chatguard_bytes_total", {"direction": "outbound"}) == 120
    assert registry.get_sample_value("chatguard_filter_actions_total",
                                     {"route": "chat", "filter": "mask", "action": "modify"}) == 2
    assert registry.get_sample_value("chatguard_filter_actions_total",
                                     {"route": "chat", "filter": "threat", "action": "block"}) == 1
    metrics.observe_request("chat", 200, 0.01)  # counts made after a read are added on the next one
    metrics.count_bytes(1, 0)
    text = metrics.render().decode()
    assert 'chatguard_requests_total{route="chat",status="200"} 3.0' in text
    assert 'chatguard_bytes_total{direction="inbound"} 501.0' in text


def test_verdicts_counted_together_add_as_counted_one_by_one() -> None:
    metrics = Metrics()
    keys = (("chat", "mask", "pass"), ("chat", "threat", "pass"))
    metrics.count_verdict("chat", "mask", "pass")
    metrics.count_verdicts(keys, 3)  # a payload of three fields every filter passed
    metrics.count_verdicts(keys)
    registry = metrics.registry
    assert registry.get_sample_value("chatguard_filter_actions_total",
                                     {"route": "chat", "filter": "mask", "action": "pass"}) == 5
    metrics.count_verdicts(keys[1:], 2)  # after a read: added on the next one
    assert registry.get_sample_value("chatguard_filter_actions_total",
                                     {"route": "chat", "filter": "threat", "action": "pass"}) == 6


async def test_the_workers_flushing_task_outlives_a_failed_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway import server

    monkeypatch.setattr(server, "FLUSH_EVERY", 0.01)
    calls: list[int] = []
    second = asyncio.Event()

    class Flaky(Metrics):
        def flush(self) -> None:
            calls.append(1)
            if len(calls) == 1:
                raise OSError("no space left on device")
            second.set()

    task = asyncio.create_task(server._flush_metrics(Flaky()))
    try:
        await asyncio.wait_for(second.wait(), 30)  # flushed again after the failure
    finally:
        task.cancel()


def test_file_refreshes_are_counted_and_stale_files_shown() -> None:
    metrics = Metrics()
    watch = metrics.file_watch("threat")
    assert metrics.registry.get_sample_value("chatguard_filter_files_stale", {"filter": "threat"}) == 0
    watch.refreshed(Refreshed(refused=("/feeds/a.txt: it lists nothing",), stale=("/feeds/a.txt",)))
    assert metrics.registry.get_sample_value("chatguard_filter_files_stale", {"filter": "threat"}) == 1
    watch.refreshed(Refreshed(loaded=("/feeds/a.txt", "/feeds/b.txt")))
    assert metrics.registry.get_sample_value("chatguard_filter_files_stale", {"filter": "threat"}) == 0
    sample = metrics.registry.get_sample_value
    assert sample("chatguard_filter_file_reloads_total", {"filter": "threat", "outcome": "loaded"}) == 2
    assert sample("chatguard_filter_file_reloads_total", {"filter": "threat", "outcome": "refused"}) == 1
