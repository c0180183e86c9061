"""Transcript metrics: queue depth, records written, dropped and refused (by route), store failures."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class TranscriptMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry if registry is not None else CollectorRegistry()
        self.depth = Gauge("chatguard_transcripts_queue_depth", "Transcript records waiting to be written",
                           registry=registry, multiprocess_mode="livesum")
        self.written = Counter("chatguard_transcripts_written", "Transcript records written to the store",
                               registry=registry)
        self.dropped = Counter("chatguard_transcripts_dropped",
                               "Messages forwarded without a transcript (queue full, on_backlog: drop), by route",
                               ("route",), registry=registry)
        self.refused = Counter("chatguard_transcripts_refused",
                               "Messages refused because no transcript could be queued (on_backlog: refuse), by route",
                               ("route",), registry=registry)
        self.failures = Counter("chatguard_transcripts_store_failures", "Failed writes to the transcript store",
                                registry=registry)
