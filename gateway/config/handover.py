"""What the supervisor of `--workers N` decided about the config file, for its workers to follow on SIGHUP.

The supervisor holds the connection caps (`limits.max_connections`, `max_connections_per_ip`, with
`trusted_proxies` and `clients:` deciding who counts as one client); the workers hold everything else. If
each read the file on its own, a file edited between the reads would leave them on different configs
(new caps in the supervisor, old routes in a worker, or the reverse). So the supervisor reads the file
once, judges it, applies it to its caps, and writes here what it accepted and, when the newest file was
rejected, which key was at fault; then it passes HUP on. A worker reloads the accepted text and reports
the rejection (audit, metrics, /readyz) without judging the file again. One file replaced whole
(`os.replace`), in a directory only this user can read (the config may hold secrets), removed at exit.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson

__all__ = ["Decision", "read", "text_hash", "write"]

FILE = "decision.json"


def text_hash(text: str) -> str:
    """The config hash /readyz and the metrics name (`gateway.config.status.config_hash`), of a text."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Decision:
    """`accepted`: the config text in service; `rejected_hash`, `rejected_key`: the newest file, when it was
    refused (key "" when no key is at fault: an unreadable file, YAML that does not parse)."""

    accepted: str
    rejected_hash: str = ""
    rejected_key: str = ""
    rejected: bool = False


def write(folder: Path, decision: Decision) -> None:
    """Replace the decision in `folder` at once: a worker reads the old one or the new one whole. The folder
    is made again if it went (a cleaner of old files in /tmp under a gateway that ran for weeks)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = orjson.dumps({"accepted": decision.accepted, "rejected": decision.rejected,
                         "rejected_hash": decision.rejected_hash, "rejected_key": decision.rejected_key})
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".decision-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, folder / FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(folder: Path) -> Decision:
    data = orjson.loads((folder / FILE).read_bytes())
    return Decision(str(data["accepted"]), str(data["rejected_hash"]), str(data["rejected_key"]),
                    bool(data["rejected"]))
