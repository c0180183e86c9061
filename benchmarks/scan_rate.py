"""Messages per second through `chatguard scan`, on one core, for the detection benchmarks.

Writes the messages (one JSON string per line) and a one-route config to a temporary
folder, runs `chatguard scan` pinned to one CPU (taskset, when present) and divides
the messages by the child's CPU time (user + system), which holds still on a shared
machine better than wall time. Startup is measured apart (an empty input) and taken off.

Two figures: `fresh`, a new process reading the messages (it also builds RE2's automata
states and fills its caches as it goes, which a long-running gateway has done long before),
and `steady`, the same messages read by a process that has read `warm` first (other messages
of the same kind): the warm-up run's CPU time is taken off the longer run's.
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
from typing import Any, NamedTuple

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


class ScanRate(NamedTuple):
    fresh: float  # messages per CPU second of a new process (startup taken off)
    steady: float  # the same after the process read the warm-up messages (0.0: none given)


def _write(path: Path, texts: Sequence[str]) -> Path:
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    return path


def scan_rate(texts: Sequence[str], filters: dict[str, Any], warm: Sequence[str] = (), rounds: int = 3) -> ScanRate:
    """Median messages per CPU second of `chatguard scan` over `texts`, fresh and after `warm`."""
    chatguard = Path(sys.executable).with_name("chatguard")
    if not chatguard.exists():
        raise RuntimeError("chatguard is not installed in this environment (make venv)")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "config.yaml").write_text(yaml.safe_dump(_config(filters)))
        messages = _write(base / "messages.txt", texts)
        warm_only = _write(base / "warm.txt", warm)
        warm_then = _write(base / "warm-then-messages.txt", [*warm, *texts])
        empty = _write(base / "empty.txt", [])
        command = [str(chatguard), "scan", "--config", str(base / "config.yaml"), "--route", "bench"]
        if shutil.which("taskset"):
            command = ["taskset", "-c", str(min(os.sched_getaffinity(0))), *command]
        fresh, steady = [], []
        for _ in range(rounds):
            startup = _cpu_of(command, empty)
            fresh.append(len(texts) / max(_cpu_of(command, messages) - startup, 1e-6))
            if warm:
                before = _cpu_of(command, warm_only)
                steady.append(len(texts) / max(_cpu_of(command, warm_then) - before, 1e-6))
        return ScanRate(sorted(fresh)[len(fresh) // 2], sorted(steady)[len(steady) // 2] if steady else 0.0)
