"""Open client connections, per client and in total, against `limits.max_connections` and
`limits.max_connections_per_ip`. One rule, two places that count: a single process's connection guard
(`gateway.edge.guard`), and the supervisor of `--workers N`, which accepts every connection and so holds
the caps for all workers at once (`gateway.dealer`). No I/O and no aiohttp: the supervisor stays small.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.edge.client_address import IPNetwork, is_trusted

__all__ = ["PER_CLIENT", "TOTAL", "ConnectionCount"]

TOTAL = "total"      # refused: the gateway holds max_connections
PER_CLIENT = "per_ip"  # refused: this client holds max_connections_per_ip


class ConnectionCount:
    """`admit` a new connection (it counts, or the cap it would pass is named) and `release` it once closed.
    A client is `client_key(address)` (IPv6 by its prefix); peers in `trusted` (load balancers, which carry
    many clients) count towards the total only, under the key ""."""

    __slots__ = ("client_key", "max_per_client", "max_total", "per_client", "total", "trusted")

    def __init__(self, max_total: int, max_per_client: int, trusted: tuple[IPNetwork, ...] = (),
                 client_key: Callable[[str], str] = str) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        self.trusted = trusted
        self.client_key = client_key
        self.total = 0
        self.per_client: dict[str, int] = {}

    def apply(self, max_total: int, max_per_client: int, trusted: tuple[IPNetwork, ...],
              client_key: Callable[[str], str]) -> None:
        """A new rule (a reload) for the connections that come from now on. Those open stay counted, each
        under the key it was admitted with, and are released under it: nothing is lost or counted twice,
        whatever changed. Over a lowered cap, the open ones stay and new ones wait until enough close."""
        self.max_total = max_total
        self.max_per_client = max_per_client
        self.trusted = trusted
        self.client_key = client_key

    def admit(self, host: str) -> tuple[str | None, str]:
        """`(key, "")` with the connection counted, or `(None, TOTAL | PER_CLIENT)` when over that cap."""
        if self.total >= self.max_total:
            return None, TOTAL
        key = "" if is_trusted(host, self.trusted) else self.client_key(host)
        if key:
            held = self.per_client.get(key, 0)
            if held >= self.max_per_client:
                return None, PER_CLIENT
            self.per_client[key] = held + 1
        self.total += 1
        return key, ""

    def release(self, key: str) -> None:
        self.total -= 1
        if key:
            held = self.per_client.get(key, 0) - 1
            if held > 0:
                self.per_client[key] = held
            else:
                self.per_client.pop(key, None)
