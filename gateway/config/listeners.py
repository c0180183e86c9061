"""The listeners' settings (gateway, admin, probes), and the check that no two claim one address.

```yaml
probes:              # /healthz, /readyz and /metrics only: no admin API, no ban or quarantine endpoints
  enabled: false     # start it (Kubernetes: true, so kubelet and Prometheus reach it on the pod IP)
  host: 0.0.0.0      # address to bind
  port: 9902         # port to bind
  metrics: true      # serve /metrics here too (false: probes only)
```
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Protocol

from filters.options import OptionsError, join
from gateway.tls.settings import ListenerTLS

_WILDCARDS = frozenset({"", "0.0.0.0", "::", "*"})


@dataclass(frozen=True)
class ListenSettings:
    host: str = "0.0.0.0"
    port: int = 8080
    tls: ListenerTLS | None = None

    def validate(self, path: str) -> None:
        _check_port(self.port, join(path, "port"))


@dataclass(frozen=True)
class AdminSettings:
    host: str = "127.0.0.1"
    port: int = 9901
    enabled: bool = True

    def validate(self, path: str) -> None:
        _check_port(self.port, join(path, "port"))


@dataclass(frozen=True)
class ProbeSettings:
    """The metrics-and-probes listener: what kubelet and Prometheus need, reachable without the admin API."""

    enabled: bool = False
    host: str = "0.0.0.0"
    port: int = 9902
    metrics: bool = True

    def validate(self, path: str) -> None:
        _check_port(self.port, join(path, "port"))


def _check_port(port: int, path: str) -> None:
    if not 0 <= port <= 65535:
        raise OptionsError(path, f"expected a port 0-65535, got {port}")


class Listening(Protocol):
    """What the listener checks read of `gateway.config.settings.Settings`."""

    @property
    def listen(self) -> ListenSettings: ...

    @property
    def admin(self) -> AdminSettings: ...

    @property
    def probes(self) -> ProbeSettings: ...


def listeners(settings: Listening) -> list[tuple[str, str, int]]:
    """(key path of the port, host, port) of every listener the config starts, in start order."""
    found = [("listen.port", settings.listen.host, settings.listen.port)]
    if settings.admin.enabled:
        found.append(("admin.port", settings.admin.host, settings.admin.port))
    if settings.probes.enabled:
        found.append(("probes.port", settings.probes.host, settings.probes.port))
    tls = settings.listen.tls
    if tls is not None and tls.redirect_http.enabled:
        found.append(("listen.tls.redirect_http.port", tls.redirect_http.host, tls.redirect_http.port))
    return found


def _overlap(a: str, b: str) -> bool:
    """Whether two bind addresses can collide on one port (a wildcard covers every address)."""
    if a in _WILDCARDS or b in _WILDCARDS:
        return True
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a.lower() == b.lower()  # host names: the same name is the same address


def check_listeners(settings: Listening, path: str) -> None:
    """Two listeners on one address and port would fail at bind time: name the key now instead."""
    seen: list[tuple[str, str, int]] = []
    for key, host, port in listeners(settings):
        for other_key, other_host, other_port in seen:
            if port and port == other_port and _overlap(host, other_host):
                raise OptionsError(join(path, key), f"port {port} is already taken by {other_key} "
                                                    f"(on {other_host or '*'}): each listener needs its own")
        seen.append((key, host, port))


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
