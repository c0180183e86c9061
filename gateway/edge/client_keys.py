"""What counts as one client for bans, rate limits and connection caps: an address, or its network.

Whoever holds an IPv6 prefix holds every address in it (a home or a cloud VM gets a /64, or more), so
keying IPv6 clients by their exact address lets one client rotate past every limit and ban. IPv6
clients are keyed by their /64 (`clients.ipv6_prefix`), IPv4 clients by their address
(`clients.ipv4_prefix: 32`); an IPv4-mapped IPv6 address counts as the IPv4 address. Logs and audit
records keep the exact address.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from filters.options import OptionsError, join


@dataclass(frozen=True)
class ClientKeys:
    """The `clients:` section; `key(address)` is the client a limit or ban applies to."""

    ipv4_prefix: int = 32
    ipv6_prefix: int = 64

    def validate(self, path: str) -> None:
        if not 8 <= self.ipv4_prefix <= 32:
            raise OptionsError(join(path, "ipv4_prefix"), f"expected 8-32, got {self.ipv4_prefix}")
        if not 16 <= self.ipv6_prefix <= 128:
            raise OptionsError(join(path, "ipv6_prefix"), f"expected 16-128, got {self.ipv6_prefix}")

    def key(self, address: str) -> str:
        """`address` itself, or the network it counts as (`2001:db8:1:2::/64`); anything that is not an
        IP address (a Unix socket peer, nothing) is returned unchanged."""
        return _key(address, self.ipv4_prefix, self.ipv6_prefix)


@lru_cache(maxsize=8192)
def _key(address: str, ipv4_prefix: int, ipv6_prefix: int) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.scope_id is not None:  # fe80::1%eth0: the zone says which link, not which client
            ip = ipaddress.IPv6Address(address.split("%", 1)[0])
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    if prefix == ip.max_prefixlen:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
