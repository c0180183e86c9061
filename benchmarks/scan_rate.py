"""Messages per second through `chatguard scan`, on one core, for the detection benchmarks.

Writes the messages (one JSON string per line) and a one-route config to a temporary
folder, runs `chatguard scan` pinned to one CPU (taskset, when present) and divides
the messages by the child's CPU time (user + system), which holds still on a shared
machine better than wall time. Startup is measured apart (an empty input) and taken off.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _config(filters: dict[str, Any]) -> dict[str, Any]:
    return {
        "upstreams": {"chat": {"url": "http://127.0.0.1:9"}},
        "filters": filters,
        "routes": [{"name": "bench", "match": {"path": "/bench", "methods": ["POST"]}, "upstream": "chat",
                    "allow": ["anonymous"], "messages": {"inbound": {"json": ["/text"]}},
                    "filters": list(filters)}],
    }


def _cpu_of(command: list[str], stdin: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with stdin.open("rb") as source:
        subprocess.run(command, stdin=source, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def scan_rate(texts: Sequence[str], filters: dict[str, Any], rounds: int = 3) -> float:
    """Median messages per CPU second of `chatguard scan` over `texts` (startup excluded)."""
    chatguard = Path(sys.executable).with_name("chatguard")
    if not chatguard.exists():
        raise RuntimeError("chatguard is not installed in this environment (make venv)")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "config.yaml").write_text(yaml.safe_dump(_config(filters)))
        (base / "messages.txt").write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts),
                                           encoding="utf-8")
        (base / "empty.txt").write_text("")
        command = [str(chatguard), "scan", "--config", str(base / "config.yaml"), "--route", "bench"]
        if shutil.which("taskset"):
            command = ["taskset", "-c", str(min(os.sched_getaffinity(0))), *command]
        rates = []
        for _ in range(rounds):
            startup = _cpu_of(command, base / "empty.txt")
            total = _cpu_of(command, base / "messages.txt")
            rates.append(len(texts) / max(total - startup, 1e-6))
        return sorted(rates)[len(rates) // 2]
