"""The gateway's client listener: aiohttp's TCP site with every connection watched by the guard."""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import ssl

from aiohttp import web
from yarl import URL

from gateway.edge.guard import ConnectionGuard

__all__ = ["GuardedSite", "ensure_descriptors"]

log = logging.getLogger("chatguard.server")


def ensure_descriptors(needed: int) -> int:
    """Raise this process's open-file limit towards `needed` (up to the hard limit); warn when short.

    Each client connection is a descriptor, and a proxied one often a second towards the backend:
    a cap the process cannot reach would fail as "too many open files" instead of a clean 503.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        log.warning("open-file limit below what the connection caps need; lower limits.max_connections "
                    "or raise the limit (ulimit -n)", extra={"limit": soft, "needed": needed})
    return soft


class GuardedSite(web.BaseSite):
    """Like `web.TCPSite` (or `web.SockSite` when given `sock`), with the connection guard in front
    of aiohttp's protocol and the TLS handshake bounded by `header_timeout`."""

    def __init__(self, runner: web.BaseRunner, guard: ConnectionGuard, host: str | None = None,
                 port: int = 0, *, ssl_context: ssl.SSLContext | None = None, backlog: int = 1024,
                 reuse_port: bool = False, sock: socket.socket | None = None) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self.guard = guard
        self.host = host
        self.requested_port = port
        self.reuse_port = reuse_port
        self.sock = sock

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return str(URL.build(scheme=scheme, host=self.host or "0.0.0.0", port=self.requested_port))

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        factory = self.guard.protocol_factory(server)
        handshake = self.guard.header_timeout if self._ssl_context is not None else None
        if self.sock is not None:
            self._server = await loop.create_server(factory, sock=self.sock, ssl=self._ssl_context,
                                                    backlog=self._backlog, ssl_handshake_timeout=handshake)
        else:
            self._server = await loop.create_server(factory, self.host, self.requested_port,
                                                    ssl=self._ssl_context, backlog=self._backlog,
                                                    reuse_port=self.reuse_port or None,
                                                    ssl_handshake_timeout=handshake)
