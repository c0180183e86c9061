"""Prometheus metrics on a registry owned by the app (no module-level globals).

With several worker processes, prometheus-client's multiprocess mode (the parent sets
PROMETHEUS_MULTIPROC_DIR) lets any worker's /metrics report the sum over all of them.

The counts every request makes (requests, latency, body bytes, filter verdicts) are kept as plain
numbers first (`_Tally`) and added to the Prometheus series when anything reads the registry, or
every `FLUSH_EVERY` seconds with several workers (their series live in shared files other workers
read). A labelled `inc` costs microseconds (a label look-up, a lock, in multiprocess mode a write to a
memory-mapped file); a request made four to eight of them.
"""

from __future__ import annotations

import os
import platform
from bisect import bisect_left
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from filters import FileWatch, PoolWatch, Refreshed

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
FLUSH_EVERY = 0.5  # seconds: how stale another worker's counts may be in a multiprocess scrape


def build_version() -> str:
    try:
        return version("chatguard")
    except PackageNotFoundError:  # a source tree that was not installed
        return "0+unknown"


class Metrics:
    def __init__(self, attacksim_report: str = "") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._tally = _Tally(self)
        self.registry.register(self._tally)  # first: every read of the registry sees the tallied counts
        self._extra: list[Collector] = []
        if attacksim_report:
            from gateway.tools.attacksim.gauge import AttackSimReport

            self._extra.append(AttackSimReport(attacksim_report))
            self.registry.register(self._extra[-1])
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.requests = Counter("chatguard_requests", "HTTP requests answered, by route and status",
                                ("route", "status"), registry=self.registry)
        self.latency = Histogram("chatguard_request_duration_seconds", "Time to answer a request, by route",
                                 ("route",), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.ws_open = Gauge("chatguard_websockets_open", "WebSocket connections open now",
                             registry=self.registry, multiprocess_mode="livesum")
        self.ws_messages = Counter("chatguard_websocket_messages", "WebSocket messages relayed, by direction",
                                   ("direction",), registry=self.registry)
        self.bytes = Counter("chatguard_bytes", "Body bytes relayed, by direction", ("direction",),
                             registry=self.registry)
        self.filter_actions = Counter("chatguard_filter_actions", "Filter verdicts, by route, filter and action "
                                      "(pass, modify, block; error: the filter failed)", ("route", "filter", "action"),
                                      registry=self.registry)
        self.connections_open = Gauge("chatguard_connections_open", "Client connections open now",
                                      registry=self.registry, multiprocess_mode="livesum")
        self.connections_refused = Counter("chatguard_connections_refused",
                                           "Client connections refused at a cap, by cap (total, per_ip)",
                                           ("cap",), registry=self.registry)
        self.connection_timeouts = Counter("chatguard_connection_timeouts",
                                           "Client connections cut off at a deadline, by phase "
                                           "(header, body, idle, send)", ("phase",), registry=self.registry)
        self.state_evictions = Counter("chatguard_state_evictions",
                                       "Rate counters the memory state store evicted to stay in its bounds, by "
                                       "bound (entries, bytes)", ("reason",), registry=self.registry)
        self.state_errors = Counter("chatguard_state_errors", "State store (Redis) operations that failed",
                                    registry=self.registry)
        self.alerts = Counter("chatguard_alerts", "Alert webhooks, by outcome (sent, failed, dropped: queue full)",
                              ("outcome",), registry=self.registry)
        self.audit_queue = Gauge("chatguard_audit_queue_depth", "Audit entries waiting to be written",
                                 registry=self.registry, multiprocess_mode="livesum")
        self.e2ee_messages = Counter("chatguard_e2ee_messages", "Client message events by route and end-to-end "
                                     "encryption (encrypted, plaintext)", ("route", "kind"), registry=self.registry)
        self.envelope_failures = Counter("chatguard_field_envelope_failures", "cg1 field envelopes left sealed "
                                         "in answers, by route and reason (unknown_key, key_unavailable, key_store_unavailable, tampered, "
                                         "malformed, other_conversation)", ("route", "reason"), registry=self.registry)
        self.upstream_errors = Counter("chatguard_upstream_errors", "Requests the backend failed, by upstream and "
                                       "kind (refused, tls, timeout, error)", ("upstream", "kind"),
                                       registry=self.registry)
        self.logins = Counter("chatguard_logins", "Password sign-ins, by outcome (ok, failed, locked, banned)",
                              ("outcome",), registry=self.registry)
        self.mfa = Counter("chatguard_mfa", "Second-factor checks, by outcome (ok, failed, recovery_code)",
                           ("outcome",), registry=self.registry)
        self.tokens_refused = Counter("chatguard_tokens_refused", "Credentials refused, by reason (token_expired, "
                                      "malformed, session_revoked, unknown_issuer, refresh_reuse, ...)", ("reason",),
                                      registry=self.registry)
        self.bans = Counter("chatguard_bans", "Bans raised, by kind (address, subject, pair)", ("kind",),
                            registry=self.registry)
        self.throttles = Counter("chatguard_throttles", "Throttles raised, by kind (address, subject, pair)",
                                 ("kind",), registry=self.registry)
        self.audit_failures = Counter("chatguard_audit_failures", "Audit trail failures, by kind (write: the sink "
                                      "failed, dropped: an event was lost)", ("kind",), registry=self.registry)
        self.config_reloads = Counter("chatguard_config_reloads", "Config reloads, by outcome (ok, failed)",
                                      ("outcome",), registry=self.registry)
        self.config_info = Gauge("chatguard_config_info", "The config in service (1), by its hash", ("hash",),
                                 registry=self.registry, multiprocess_mode="liveall")
        self.build_info = Gauge("chatguard_build_info", "The running build (1), by version and Python version",
                                ("version", "python"), registry=self.registry, multiprocess_mode="liveall")
        self.build_info.labels(build_version(), platform.python_version()).set(1)
        self.offload_waiting = Gauge("chatguard_offload_queue_depth", "Calls waiting for a busy worker process, by "
                                     "pool (offload, or the filter of `isolate: process`)", ("pool",),
                                     registry=self.registry, multiprocess_mode="livesum")
        self.offload_working = Gauge("chatguard_offload_in_flight", "Calls being computed in worker processes now, "
                                     "by pool", ("pool",), registry=self.registry, multiprocess_mode="livesum")
        self.offload_refused = Counter("chatguard_offload_refused", "Calls failed at once (closed) because the "
                                       "pool's queue was full, by pool", ("pool",), registry=self.registry)
        self.offload_kills = Counter("chatguard_offload_deadline_kills", "Calls given up at their deadline while a "
                                     "worker process computed them (the process is killed), by pool", ("pool",),
                                     registry=self.registry)
        self.offload_replacements = Counter("chatguard_offload_replacements", "Worker processes replaced, by pool "
                                            "and reason (killed: at a deadline, ended: the process died)",
                                            ("pool", "reason"), registry=self.registry)
        self.offload_seconds = Histogram("chatguard_offload_call_duration_seconds", "Time from a call to a worker "
                                         "process to its answer, waiting for a process included, by pool",
                                         ("pool",), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.file_reloads = Counter("chatguard_filter_file_reloads", "New versions of files filters read (threat "
                                    "feeds), by filter and outcome (loaded; refused: the previous version stays "
                                    "in use)", ("filter", "outcome"), registry=self.registry)
        self.files_stale = Gauge("chatguard_filter_files_stale", "Files whose newest version a filter refused and "
                                 "that it still reads at an older one, by filter (0 when all are current)",
                                 ("filter",), registry=self.registry, multiprocess_mode="livemax")
        self._config_hash: str | None = None
        # Per direction (a `filters.Direction` value): WebSocket messages and bytes; one shared dict,
        # not one per open socket.
        self.ws_counters = {direction: (self.ws_messages.labels(direction), self.bytes.labels(direction))
                            for direction in ("inbound", "outbound")}

    def observe_request(self, route: str, status: int, seconds: float) -> None:
        """Hot path: tallied (see `_Tally`), two dict updates."""
        tally = self._tally
        key = (route, status)
        tally.requests[key] = tally.requests.get(key, 0) + 1
        latency = tally.latency.get(route)
        if latency is None:
            latency = tally.latency[route] = [0.0] * (len(LATENCY_BUCKETS) + 2)  # buckets, +Inf, sum
        latency[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        latency[-1] += seconds

    def count_bytes(self, inbound: int, outbound: int) -> None:
        """HTTP body bytes (tallied)."""
        tally = self._tally
        tally.inbound += inbound
        tally.outbound += outbound

    def count_verdict(self, route: str, filter_name: str, action: str) -> None:
        """One filter verdict (tallied)."""
        verdicts = self._tally.verdicts
        key = (route, filter_name, action)
        verdicts[key] = verdicts.get(key, 0) + 1

    def count_verdicts(self, keys: tuple[tuple[str, str, str], ...], times: int = 1) -> None:
        """`times` verdicts of each `(route, filter, action)` in `keys` (tallied): one call for every
        verdict of a payload, where `count_verdict` takes one per verdict."""
        verdicts = self._tally.verdicts
        for key in keys:
            verdicts[key] = verdicts.get(key, 0) + times

    def pool_watch(self, pool: str) -> PoolWatch:
        """What counts the work of the worker pool `pool` (offload, or an isolated filter's name)."""
        return _PoolSeries(self, pool)

    def file_watch(self, filter_name: str) -> FileWatch:
        """What counts the refreshes of the files filter `filter_name` reads (its feeds)."""
        return _FileSeries(self, filter_name)

    def flush(self) -> None:
        """Add the tallied counts to the Prometheus series now."""
        self._tally.flush()

    def config_loaded(self, digest: str) -> None:
        """The config with hash `digest` is in service now (the previous one's series goes away)."""
        if self._config_hash is not None and self._config_hash != digest:
            self.config_info.remove(self._config_hash)
        self._config_hash = digest
        self.config_info.labels(digest).set(1)

    def render(self) -> bytes:
        if self.multiprocess:
            self.flush()  # this worker's counts are current; the others flush every FLUSH_EVERY
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            for collector in self._extra:  # read from files: any worker serves them alike
                combined.register(collector)
            return generate_latest(combined)
        return generate_latest(self.registry)


class _Tally(Collector):
    """The hot counts as plain numbers, added to their series by `flush`. Registered first in the
    registry, so a read of the registry (a scrape, `get_sample_value`) flushes before anything is read.
    Everything runs on the event loop's thread: no lock."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.requests: dict[tuple[str, int], int] = {}
        self.latency: dict[str, list[float]] = {}
        self.verdicts: dict[tuple[str, str, str], int] = {}
        self.inbound = 0
        self.outbound = 0
        self._request_children: dict[tuple[str, int], Counter] = {}
        self._latency_children: dict[str, Histogram] = {}
        self._verdict_children: dict[tuple[str, str, str], Counter] = {}

    def describe(self) -> Iterable[Metric]:
        return ()

    def collect(self) -> Iterable[Metric]:
        self.flush()
        return ()

    def flush(self) -> None:
        metrics = self.metrics
        requests, self.requests = self.requests, {}
        for (route, status), count in requests.items():
            child = self._request_children.get((route, status))
            if child is None:
                child = self._request_children[(route, status)] = metrics.requests.labels(route, str(status))
            child.inc(count)
        latency, self.latency = self.latency, {}
        for route, counts in latency.items():
            histogram = self._latency_children.get(route)
            if histogram is None:
                histogram = self._latency_children[route] = metrics.latency.labels(route)
            _add_observations(histogram, counts)
        verdicts, self.verdicts = self.verdicts, {}
        for key, count in verdicts.items():
            counter = self._verdict_children.get(key)
            if counter is None:
                counter = self._verdict_children[key] = metrics.filter_actions.labels(*key)
            counter.inc(count)
        inbound, outbound, self.inbound, self.outbound = self.inbound, self.outbound, 0, 0
        if inbound:
            metrics.bytes.labels("inbound").inc(inbound)
        if outbound:
            metrics.bytes.labels("outbound").inc(outbound)


class _PoolSeries(PoolWatch):
    """A worker pool's events as the `chatguard_offload_*` series (see `filters.PoolWatch`)."""

    def __init__(self, metrics: Metrics, pool: str) -> None:
        self._waiting = metrics.offload_waiting.labels(pool)
        self._working = metrics.offload_working.labels(pool)
        self._refused = metrics.offload_refused.labels(pool)
        self._kills = metrics.offload_kills.labels(pool)
        self._replacements = metrics.offload_replacements
        self._seconds = metrics.offload_seconds.labels(pool)
        self._pool = pool

    def waiting(self, count: int) -> None:
        self._waiting.set(count)

    def working(self, count: int) -> None:
        self._working.set(count)

    def refused(self) -> None:
        self._refused.inc()

    def abandoned(self) -> None:
        self._kills.inc()

    def replaced(self, reason: str) -> None:
        self._replacements.labels(self._pool, reason).inc()

    def answered(self, seconds: float) -> None:
        self._seconds.observe(seconds)


class _FileSeries(FileWatch):
    """A filter's file refreshes as `chatguard_filter_file_reloads` and `chatguard_filter_files_stale`."""

    def __init__(self, metrics: Metrics, filter_name: str) -> None:
        self._loaded = metrics.file_reloads.labels(filter_name, "loaded")
        self._refused = metrics.file_reloads.labels(filter_name, "refused")
        self._stale = metrics.files_stale.labels(filter_name)
        self._stale.set(0)

    def refreshed(self, report: Refreshed) -> None:
        self._loaded.inc(len(report.loaded))
        self._refused.inc(len(report.refused))
        self._stale.set(len(report.stale))


def _add_observations(histogram: Histogram, counts: list[float]) -> None:
    """Add tallied observations (`counts`: per bucket of LATENCY_BUCKETS, then +Inf, then the sum) to a
    histogram child at once: what `observe` adds one by one (its bucket and its sum; a test holds the
    two ways equal for the prometheus-client installed)."""
    buckets = histogram._buckets
    for index, count in enumerate(counts[:-1]):
        if count:
            buckets[index].inc(count)
    histogram._sum.inc(counts[-1])
