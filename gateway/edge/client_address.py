"""Who the client really is on the network: the peer, or behind trusted proxies the hop they name.

Forwarding headers are only believed when the peer is a trusted proxy, otherwise a client
could claim any address and defeat per-IP limits and bans.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

type IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_trusted(peer: str | None, trusted: tuple[IPNetwork, ...]) -> bool:
    if not peer or not trusted:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def client_address(peer: str | None, headers: Mapping[str, str], trusted: tuple[IPNetwork, ...]) -> str:
    """The real client: the peer, or (behind trusted proxies) the last untrusted X-Forwarded-For hop."""
    if not is_trusted(peer, trusted):
        return peer or ""
    hops = [h.strip() for h in headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer or ""
    return peer or ""
