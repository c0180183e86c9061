"""What keeps a simulation safe to point at a deployment: whose target, how fast, how long.

A target must resolve to loopback or private addresses unless the operator names it as theirs
(`--i-own-this-target`); requests are paced by a token bucket; the whole run has a deadline, and
probes that would start after it are skipped, never cut off half-sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time

from yarl import URL


class TargetRefused(Exception):
    """The target is not ours to attack without the operator's explicit word."""


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_loopback or ip.is_private or ip.is_link_local


def check_target(url: str, owned: bool) -> URL:
    """The parsed target, or TargetRefused naming why."""
    target = URL(url)
    if target.scheme not in ("http", "https") or not target.host:
        raise TargetRefused(f"--target must be an http:// or https:// URL, got {url!r}")
    if owned:
        return target
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefused(f"cannot resolve {target.host}: {exc}") from None
    public = sorted({str(info[4][0]) for info in infos if not _private(str(info[4][0]))})
    if public:
        raise TargetRefused(f"{target.host} resolves to {', '.join(public)}, outside loopback and private "
                            "ranges: pass --i-own-this-target if this deployment is yours")
    return target


class Pace:
    """At most `rate` requests per second (a bucket of one second's worth), and a deadline."""

    def __init__(self, rate: float, max_duration: float) -> None:
        self.rate = rate
        self.max_duration = max_duration
        self._tokens = rate
        self._last = time.monotonic()
        self._deadline = self._last + max_duration
        self._lock = asyncio.Lock()

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._deadline

    def remaining(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    async def take(self, count: int = 1) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= count:
                    self._tokens -= count
                    return
                await asyncio.sleep((count - self._tokens) / self.rate)
