"""Pooled client sessions to the backends, one per configured upstream."""

from __future__ import annotations

import ssl
from collections.abc import Mapping

import aiohttp
from yarl import URL

from gateway.config.settings import UpstreamSettings
from gateway.tls.upstream import upstream_context


def _ssl_for(settings: UpstreamSettings, path: str) -> ssl.SSLContext | bool:
    if URL(settings.url).scheme != "https":
        return True
    return upstream_context(settings.tls, path)


class Upstreams:
    """Keep-alive connection pools. Sessions are created inside the running loop (`start`)."""

    def __init__(self, settings: Mapping[str, UpstreamSettings]) -> None:
        self._settings = settings
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._origins = {name: s.origin for name, s in settings.items()}
        # Built now, not in start(): unreadable CA or client-certificate files stop startup with their key.
        self._ssl = {name: _ssl_for(s, f"upstreams.{name}.tls") for name, s in settings.items()}
        self._server_names = {name: s.tls.server_name for name, s in settings.items()}

    async def start(self) -> None:
        for name, settings in self._settings.items():
            connector = aiohttp.TCPConnector(
                limit=settings.pool_size,
                limit_per_host=settings.pool_size,
                keepalive_timeout=settings.keepalive,
                ssl=self._ssl[name],
                ttl_dns_cache=60,
            )
            self._sessions[name] = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,           # bodies pass through byte-exact
                cookie_jar=aiohttp.DummyCookieJar(),  # the gateway never keeps clients' cookies
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=settings.connect_timeout),
                read_bufsize=2**16,
                max_field_size=2**16,
                max_line_size=2**16,
            )

    def session(self, name: str) -> aiohttp.ClientSession:
        return self._sessions[name]

    def origin(self, name: str) -> URL:
        return self._origins[name]

    def server_name(self, name: str) -> str | None:
        """The TLS server name to send and verify, when it differs from the URL's host."""
        return self._server_names[name]

    def settings(self, name: str) -> UpstreamSettings:
        return self._settings[name]

    async def aclose(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()
