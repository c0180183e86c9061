"""Header hygiene: which headers cross the gateway, and the X-Forwarded-* it adds.

Hop-by-hop headers describe one connection and must not be passed on (RFC 9110 7.6.1);
incoming forwarding headers are only believed from a trusted proxy (`client_address`).

Names are compared the way the laxest backend compares them: lower-cased, with `_` read as
`-`. CGI, WSGI, PHP and Rack turn both `X-Chatguard-Subject` and `X_Chatguard_Subject` into
`HTTP_X_CHATGUARD_SUBJECT`, so a header the gateway strips is stripped in every spelling.
Headers that make a framework run another method (`X-HTTP-Method-Override`...) or route another
path (`X-Original-URL`...) than the one the gateway authorized never pass, nor do the client-IP
headers some backends believe (`True-Client-IP`...): the gateway sets X-Forwarded-For itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from multidict import CIMultiDict, CIMultiDictProxy

from gateway.edge.client_address import IPNetwork, is_trusted
from gateway.memo import Memo, TextMemo

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade",
})
# Headers the gateway sets itself; incoming copies are dropped so a client cannot forge them.
GATEWAY_OWNED_PREFIX = "x-chatguard-"
# A POST that a framework runs as another method (Rails, Laravel, Express method-override, ASP.NET).
METHOD_OVERRIDE = frozenset({"x-http-method-override", "x-method-override", "x-http-method"})
# Another path than the request line's, believed by IIS, Symfony, Zend, Spring, Envoy and ingress setups.
PATH_REWRITE = frozenset({
    "x-original-url", "x-rewrite-url", "x-original-uri", "x-forwarded-uri", "x-forwarded-path",
    "x-forwarded-prefix", "x-envoy-original-path",
})
# Another client address, host or scheme than the gateway's X-Forwarded-*.
ADDRESS_SPOOF = frozenset({
    "x-real-ip", "true-client-ip", "x-client-ip", "x-cluster-client-ip", "cf-connecting-ip",
    "fastly-client-ip", "x-original-forwarded-for", "x-forwarded", "forwarded-for", "x-forwarded-server",
    "x-forwarded-port", "x-forwarded-scheme", "x-forwarded-ssl", "x-url-scheme", "x-scheme",
    "front-end-https", "x-host", "x-original-host", "x-http-host-override",
})
CLIENT_ONLY = METHOD_OVERRIDE | PATH_REWRITE | ADDRESS_SPOOF
# Headers whose meaning the gateway relies on: any other spelling of them is dropped, so a backend
# that folds `_` into `-` cannot read a second, unchecked copy.
_INTERPRETED = frozenset({
    "host", "content-type", "content-length", "content-encoding", "authorization", "cookie",
    "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "x-request-id",
    "origin", "sec-websocket-protocol", "sec-websocket-key", "sec-websocket-version",
    "sec-websocket-extensions", "accept-encoding",
})


def normalised(name: str) -> str:
    """A header name as CGI-style backends see it: lower case, `_` read as `-`."""
    return name.lower().replace("_", "-")


def is_websocket_upgrade(method: str, headers: Mapping[str, str]) -> bool:
    """A WebSocket opening handshake (RFC 6455 4.1: a GET asking to upgrade to `websocket`)."""
    return (method == "GET" and headers.get("Upgrade", "").lower() == "websocket"
            and "upgrade" in headers.get("Connection", "").lower())


def identity_encoded(headers: Mapping[str, str]) -> bool:
    """Whether a body is sent as is: no content coding but `identity`, in any Content-Encoding header.

    Every header counts (a backend joins repeated ones, so `identity` then `gzip` is gzip), and
    so does every token of each; an empty value names no coding.
    """
    values = headers.getall("Content-Encoding", ()) if isinstance(headers, CIMultiDictProxy | CIMultiDict) \
        else [headers.get("Content-Encoding", "")]
    return all(token.strip().lower() in ("", "identity") for value in values for token in value.split(","))


def strip_set(*names: str) -> frozenset[str]:
    """Hop-by-hop headers plus `names`, normalised once (for `end_to_end`)."""
    return HOP_BY_HOP | {normalised(name) for name in names}


def end_to_end(headers: Mapping[str, str], skip: frozenset[str] = HOP_BY_HOP) -> CIMultiDict[str]:
    """Copy `headers` without those in `skip` (see `strip_set`), those named in Connection,
    any gateway-owned `X-Chatguard-*` header, and any header spelled with `_` that another
    spelling of a header the gateway reads or sets would collide with."""
    connection = headers.get("Connection")
    if connection:
        values = headers.getall("Connection") if isinstance(headers, CIMultiDictProxy | CIMultiDict) \
            else [connection]
        skip = _with_connection(skip, tuple(values))
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        key = _NORMALISED.get(name)  # inline: most names are known (`through` on a miss)
        if key is None:
            key = _NORMALISED.through(name, normalised)
        if key in skip or key.startswith(GATEWAY_OWNED_PREFIX):
            continue
        if "_" in name and (key in _INTERPRETED or key in HOP_BY_HOP or key in CLIENT_ONLY):
            continue
        out.add(name, value)
    return out


def client_headers(headers: Mapping[str, str], skip: frozenset[str]) -> CIMultiDict[str]:
    """`end_to_end` for a client's request: also without method-override, path-rewrite and
    address headers, in any spelling."""
    return end_to_end(headers, _with_client_only(skip))


# Made once, not per message: header names seen lately in their normalised form, and the sets of
# names to drop (a route's, with the client-only ones or those a Connection header lists). Bounded:
# names and Connection values come from clients and backends; long ones are not kept.
_CACHED = 1024
_CACHED_LENGTH = 128
_NORMALISED: TextMemo[str] = TextMemo(_CACHED, _CACHED_LENGTH)
_SKIPS: Memo[tuple[frozenset[str], tuple[str, ...]], frozenset[str]] = Memo(_CACHED)


def _with_client_only(skip: frozenset[str]) -> frozenset[str]:
    return _remembered((skip, ()), lambda: skip | CLIENT_ONLY)


def _with_connection(skip: frozenset[str], values: tuple[str, ...]) -> frozenset[str]:
    """`skip` and every header a Connection header names (RFC 9110 7.6.1)."""
    return _remembered((skip, values), lambda: skip | {normalised(token.strip()) for value in values
                                                       for token in value.split(",")})


def _remembered(key: tuple[frozenset[str], tuple[str, ...]], make: Callable[[], frozenset[str]]) -> frozenset[str]:
    found = _SKIPS.get(key)
    if found is None:
        found = make()
        if sum(len(value) for value in key[1]) <= _CACHED_LENGTH:
            _SKIPS.keep(key, found)
    return found


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
