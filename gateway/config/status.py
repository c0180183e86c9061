"""Which config is in service, and whether the last reload was rejected: for /readyz and the metrics.

A rejected reload keeps the running config (fail closed) and the instance stays ready: it serves what
it served before. But an operator who sent SIGHUP must be able to see that the new file was refused,
without reading logs: /readyz reports it (with the key at fault) until a reload succeeds.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass


def config_hash(path: str) -> str:
    """The first 16 hex digits of the SHA-256 of the config file ("" when there is no file to read)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:16]
    except OSError:
        return ""


@dataclass
class ConfigStatus:
    """Mutable on purpose: one per app, changed only by `gateway.server.reload`."""

    hash: str
    loaded_at: float
    rejected_hash: str = ""
    rejected_key: str = ""
    rejected_at: float = 0.0

    @classmethod
    def loaded(cls, path: str) -> ConfigStatus:
        return cls(config_hash(path) if path else "", time.time())

    def accept(self, path: str, hashed: str | None = None) -> None:
        """The file at `path` is in service (`hashed`: its hash, known already: a worker's text)."""
        self.hash, self.loaded_at = config_hash(path) if hashed is None else hashed, time.time()
        self.rejected_hash, self.rejected_key, self.rejected_at = "", "", 0.0

    def reject(self, path: str, key: str, hashed: str | None = None) -> None:
        self.rejected_hash = config_hash(path) if hashed is None else hashed
        self.rejected_key, self.rejected_at = key, time.time()

    def report(self) -> dict[str, object]:
        """For /readyz: the hash in service and, after a rejected reload, what was rejected."""
        body: dict[str, object] = {"hash": self.hash, "loaded_at": round(self.loaded_at)}
        if self.rejected_at:
            body["last_reload"] = {"outcome": "rejected", "hash": self.rejected_hash, "key": self.rejected_key,
                                   "at": round(self.rejected_at)}
        return body
