"""Header hygiene: which headers cross the gateway, and the X-Forwarded-* it adds.

Hop-by-hop headers describe one connection and must not be passed on (RFC 9110 7.6.1);
incoming forwarding headers are only believed from a trusted proxy (`client_address`).
"""

from __future__ import annotations

from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

from gateway.edge.client_address import IPNetwork, is_trusted

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade",
})
# Headers the gateway sets itself; incoming copies are dropped so a client cannot forge them.
GATEWAY_OWNED_PREFIX = "x-chatguard-"


def strip_set(*names: str) -> frozenset[str]:
    """Hop-by-hop headers plus `names`, lower-cased once (for `end_to_end`)."""
    return HOP_BY_HOP | {name.lower() for name in names}


def end_to_end(headers: Mapping[str, str], skip: frozenset[str] = HOP_BY_HOP) -> CIMultiDict[str]:
    """Copy `headers` without those in `skip` (see `strip_set`), those named in Connection,
    and any gateway-owned `X-Chatguard-*` header."""
    connection = headers.get("Connection")
    if connection:
        values = headers.getall("Connection") if isinstance(headers, CIMultiDictProxy | CIMultiDict) \
            else [connection]
        skip = skip | {token.strip().lower() for value in values for token in value.split(",")}
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in skip or lowered.startswith(GATEWAY_OWNED_PREFIX):
            continue
        out.add(name, value)
    return out


def add_forwarding(out: CIMultiDict[str], incoming: Mapping[str, str], *, peer: str | None,
                   scheme: str, host: str | None, trusted: tuple[IPNetwork, ...]) -> None:
    """Set X-Forwarded-For/Proto/Host on `out` (already stripped of the incoming ones)."""
    trusted_peer = is_trusted(peer, trusted)
    chain = incoming.get("X-Forwarded-For", "") if trusted_peer else ""
    out["X-Forwarded-For"] = f"{chain}, {peer}" if chain and peer else (peer or chain)
    proto = incoming.get("X-Forwarded-Proto") if trusted_peer else None
    out["X-Forwarded-Proto"] = proto or scheme
    forwarded_host = incoming.get("X-Forwarded-Host") if trusted_peer else None
    if forwarded_host or host:
        out["X-Forwarded-Host"] = forwarded_host or host or ""
