"""Prometheus metrics on a registry owned by the app (no module-level globals).

With several worker processes, prometheus-client's multiprocess mode (the parent sets
PROMETHEUS_MULTIPROC_DIR) lets any worker's /metrics report the sum over all of them.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
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
        self.filter_actions = Counter("chatguard_filter_actions", "Filter chain outcomes, by route and action",
                                      ("route", "action"), registry=self.registry)
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
        self.alerts = Counter("chatguard_alerts", "Alert webhooks, by outcome (sent, failed, dropped: queue full)",
                              ("outcome",), registry=self.registry)
        self.audit_queue = Gauge("chatguard_audit_queue_depth", "Audit entries waiting to be written",
                                 registry=self.registry, multiprocess_mode="livesum")
        self.e2ee_messages = Counter("chatguard_e2ee_messages", "Client message events by route and end-to-end "
                                     "encryption (encrypted, plaintext)", ("route", "kind"), registry=self.registry)
        self.envelope_failures = Counter("chatguard_field_envelope_failures", "cg1 field envelopes left sealed "
                                         "in answers, by route and reason (unknown_key, key_unavailable, tampered, "
                                         "malformed, other_conversation)", ("route", "reason"), registry=self.registry)
        self._request_children: dict[tuple[str, int], Counter] = {}
        self._latency_children: dict[str, Histogram] = {}

    def observe_request(self, route: str, status: int, seconds: float) -> None:
        """Hot path: label children are cached, so this is two dict look-ups and two adds."""
        key = (route, status)
        child = self._request_children.get(key)
        if child is None:
            child = self._request_children[key] = self.requests.labels(route, str(status))
        child.inc()
        histogram = self._latency_children.get(route)
        if histogram is None:
            histogram = self._latency_children[route] = self.latency.labels(route)
        histogram.observe(seconds)

    def render(self) -> bytes:
        if self.multiprocess:
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)
