"""The per-route `Origin` allow-list, checked before any upgrade.

Browsers send `Origin` on every WebSocket handshake and cookies ride along with it, so
a page on another site could otherwise open a socket as the logged-in user
(cross-site WebSocket hijacking). Non-browser clients usually send no `Origin`.

Policy per route (`websocket.origins`):
- empty (default): clients that send no `Origin`, and browsers whose `Origin` names the
  host the request was sent to (its `Host` header, so same-origin pages work behind any
  DNS name the gateway answers to);
- `["*"]`: any origin;
- otherwise: exactly the listed origins (`scheme://host[:port]`, compared case-insensitively
  with default ports removed; list `"null"` to admit sandboxed frames); a handshake without
  `Origin` is refused too.
Anything malformed, or more than one `Origin` header, is refused: the check fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

ANY = "*"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = r"(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"
_ORIGIN_FORM = re.compile(rf"(https?)://{_HOST}(?::([0-9]{{1,5}}))?/?", re.IGNORECASE)
_HOST_FORM = re.compile(rf"{_HOST}(?::([0-9]{{1,5}}))?", re.IGNORECASE)


def _parse(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, effective port) of a well-formed origin, else None."""
    found = _ORIGIN_FORM.fullmatch(origin)
    if found is None:
        return None
    scheme, host, port = found.group(1).lower(), found.group(2).lower(), found.group(3)
    effective = int(port) if port is not None else _DEFAULT_PORTS[scheme]
    if not 0 < effective < 65536:
        return None
    return scheme, host, effective


def normalise(origin: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port; None when malformed."""
    if origin == "null":
        return origin
    parsed = _parse(origin)
    if parsed is None:
        return None
    scheme, host, port = parsed
    return f"{scheme}://{host}" if port == _DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"


def _same_host(origin: str, host_header: str | None) -> bool:
    parsed = _parse(origin)
    host = _HOST_FORM.fullmatch(host_header or "")
    if parsed is None or host is None:
        return False
    scheme, origin_host, origin_port = parsed
    if origin_host != host.group(1).lower():
        return False
    if host.group(2) is None:  # no port in Host: the page must be on its scheme's default port
        return origin_port == _DEFAULT_PORTS[scheme]
    return origin_port == int(host.group(2))


def allowed(origins: Sequence[str], offered: Sequence[str], host_header: str | None) -> bool:
    """Whether a handshake carrying the `Origin` headers `offered` may proceed."""
    if len(offered) > 1:
        return False
    if not offered:
        return not origins or ANY in origins
    origin = offered[0]
    if ANY in origins:
        return True
    if not origins:
        return _same_host(origin, host_header)
    given = normalise(origin)
    return given is not None and any(normalise(listed) == given for listed in origins)
