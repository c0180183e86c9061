"""Which headers cross the gateway, and the X-Forwarded-* / X-Request-Id it adds.

Hop-by-hop headers describe one connection and must not be passed on (RFC 9110 7.6.1);
forwarding headers are only believed when the peer is a trusted proxy, otherwise a
client could claim any address and defeat per-IP limits and bans.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade",
})
# Headers the gateway sets itself; incoming copies are dropped so a client cannot forge them.
GATEWAY_OWNED_PREFIX = "x-chatguard-"
_REQUEST_ID_FORM = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

type IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def new_request_id() -> str:
    return secrets.token_hex(12)


def request_id_from(headers: Mapping[str, str]) -> str:
    """Pass on a well-formed incoming X-Request-Id; replace anything else (it ends up in logs)."""
    given = headers.get("X-Request-Id")
    if given and _REQUEST_ID_FORM.match(given):
        return given
    return new_request_id()


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
