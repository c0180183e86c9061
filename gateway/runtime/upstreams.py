"""Client sessions to the backends: per upstream, an HTTP keep-alive pool and a separate WebSocket session.

WebSocket upstream connections live for hours, so they never come out of the HTTP pool: with both in
one pool, `pool_size` open WebSockets would leave no connection for HTTP requests. Their number is
capped by `websocket.max_upstream_connections` (counted in `gateway.proxy.connections`).

Waiting for a free pooled HTTP connection is bounded by the upstream's `pool_timeout`: past it the
request is answered 503 with Retry-After (`PoolBusy`) instead of hanging behind slow requests.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from typing import cast

import aiohttp
from yarl import URL

from gateway.config.settings import UpstreamSettings
from gateway.proxy.h1client import Pool
from gateway.proxy.heartbeat import QuietHeartbeat
from gateway.tls.upstream import upstream_context


def _ssl_for(settings: UpstreamSettings, path: str) -> ssl.SSLContext | bool:
    if URL(settings.url).scheme != "https":
        return True
    return upstream_context(settings.tls, path)


class UpstreamWebSocket(QuietHeartbeat, aiohttp.ClientWebSocketResponse[bool]):
    """aiohttp's client WebSocket without a leak on close, its heartbeat pushed back by data without a
    callback per message (`gateway.proxy.heartbeat`).

    The peer's answer to our close frame arrives after the heartbeat timers were cancelled, and the
    data-received hook re-arms the heartbeat timer. That timer then holds the socket, its response,
    connection and transport for `heartbeat` seconds (plus the pong wait) after the close: about 11 KB
    per closed socket under churn. A closing or closed socket keeps no timer here.
    """

    def _reset_heartbeat(self) -> None:
        if self._closing or self._closed:
            return
        super()._reset_heartbeat()


class PoolBusy(Exception):  # noqa: N818 (reads as a condition)
    """No pooled connection to the upstream became free within its `pool_timeout`."""


class PoolGate:
    """Admission to one upstream's HTTP pool: at most `size` requests hold a connection; the rest wait
    up to `timeout` seconds. The connector has the same limit, so proxied requests never wait inside aiohttp."""

    __slots__ = ("_slots", "_timeout")

    def __init__(self, size: int, timeout: float) -> None:
        self._slots = asyncio.Semaphore(size)
        self._timeout = timeout

    async def enter(self) -> None:
        """Take a slot (at once when one is free) or raise `PoolBusy` after `timeout`."""
        if not self._slots.locked():
            await self._slots.acquire()  # returns without suspending
            return
        try:
            async with asyncio.timeout(self._timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolBusy from None

    def leave(self) -> None:
        self._slots.release()


class Upstreams:
    """Keep-alive pools and WebSocket sessions. Sessions are created inside the running loop (`start`)."""

    def __init__(self, settings: Mapping[str, UpstreamSettings]) -> None:
        self._settings = settings
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._ws_sessions: dict[str, aiohttp.ClientSession] = {}
        self._gates = {name: PoolGate(s.pool_size, float(s.pool_timeout)) for name, s in settings.items()}
        self._pools: dict[str, Pool] = {}
        self._origins = {name: s.origin for name, s in settings.items()}
        # Built now, not in start(): unreadable CA or client-certificate files stop startup with their key.
        self._ssl = {name: _ssl_for(s, f"upstreams.{name}.tls") for name, s in settings.items()}
        self._server_names = {name: s.tls.server_name for name, s in settings.items()}

    async def start(self) -> None:
        for name, settings in self._settings.items():
            url = URL(settings.url)
            if url.scheme == "http" and url.host is not None and url.port is not None and settings.proxy is None:
                # The lean client (gateway/proxy/h1client.py) for buffered requests; the gate above
                # bounds both it and the aiohttp pool, so neither waits on its own limit.
                self._pools[name] = Pool(url.host, url.port, limit=settings.pool_size,
                                         keepalive=float(settings.keepalive),
                                         connect_timeout=float(settings.connect_timeout) or None)
            pooled = aiohttp.TCPConnector(limit=settings.pool_size, limit_per_host=settings.pool_size,
                                          keepalive_timeout=settings.keepalive, ssl=self._ssl[name],
                                          ttl_dns_cache=60)
            self._sessions[name] = self._session(settings, pooled)
            # Unlimited here: the upstream WebSockets are counted (and capped) by the connection registry.
            sockets = aiohttp.TCPConnector(limit=0, limit_per_host=0, force_close=True, ssl=self._ssl[name],
                                           ttl_dns_cache=60)
            self._ws_sessions[name] = self._session(settings, sockets)

    @staticmethod
    def _session(settings: UpstreamSettings, connector: aiohttp.BaseConnector) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=connector,
            proxy=settings.proxy,            # an egress proxy (`upstreams.X.proxy`, intercept upstream mode)
            auto_decompress=False,           # bodies pass through byte-exact
            cookie_jar=aiohttp.DummyCookieJar(),  # the gateway never keeps clients' cookies
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=settings.connect_timeout),
            read_bufsize=2**16,
            max_field_size=2**16,
            max_line_size=2**16,
            # aiohttp types the class with its default type argument; the class serves every decode_text.
            ws_response_class=cast("type[aiohttp.ClientWebSocketResponse]", UpstreamWebSocket),
        )

    def session(self, name: str) -> aiohttp.ClientSession:
        """The HTTP keep-alive pool; hold `gate(name)` while a request uses one of its connections."""
        return self._sessions[name]

    def websocket_session(self, name: str) -> aiohttp.ClientSession:
        """For WebSocket upgrades only: its connections never count against the HTTP pool."""
        return self._ws_sessions[name]

    def gate(self, name: str) -> PoolGate:
        return self._gates[name]
    def pool(self, name: str) -> Pool | None:
        """The lean client's pool for a plain-HTTP backend (None for TLS ones: aiohttp's client serves them).
        Streamed request bodies use `session`; hold `gate(name)` for either."""
        return self._pools.get(name)

    def origin(self, name: str) -> URL:
        return self._origins[name]

    def server_name(self, name: str) -> str | None:
        """The TLS server name to send and verify, when it differs from the URL's host."""
        return self._server_names[name]

    async def aclose(self) -> None:
        for session in (*self._sessions.values(), *self._ws_sessions.values()):
            await session.close()
        self._sessions.clear()
        self._ws_sessions.clear()
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
