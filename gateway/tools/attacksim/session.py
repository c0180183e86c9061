"""The connection to the target that every probe shares: paced requests, raw sockets, markers.

Raw sockets matter for the path and smuggling probes: an HTTP library normalises paths and
refuses to send ambiguous framing, so those requests are written byte by byte here. Every
request carries a unique marker (in the query, a header or the text), so an upstream log can
tell whether that very request reached the backend.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import ssl
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from yarl import URL

from gateway.config.settings import RouteSettings, Settings
from gateway.tools.attacksim.safety import Pace

_PARAM = re.compile(r"\{([^}:]+)(:path)?\}")
_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3})")
READ_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Reply:
    status: int | None            # None: the connection closed (or timed out) without an answer
    body: bytes = b""
    responses: int = 0            # status lines seen on the connection (2 means a request was smuggled)
    headers: dict[str, str] = field(default_factory=dict)

    def refused(self) -> bool:
        """The gateway did not serve it: no answer, or a 4xx."""
        return self.status is None or 400 <= self.status < 500

    def show(self) -> str:
        if self.status is None:
            return "connection closed without an answer"
        snippet = self.body[:120].decode("utf-8", "replace").replace("\n", " ")
        return f"{self.status} {snippet}".rstrip()


@dataclass
class Options:
    """What the operator told the simulation besides the target and config."""

    upstream_log: str | None = None
    test_user: str | None = None
    test_password: str | None = None
    test_totp_secret: str | None = None
    ca_file: str | None = None
    timeout: float = 10.0


class Session:
    def __init__(self, target: URL, settings: Settings, pace: Pace, options: Options) -> None:
        self.target = target
        self.settings = settings
        self.pace = pace
        self.options = options
        self.ssl: ssl.SSLContext | None = None
        if target.scheme == "https":
            self.ssl = ssl.create_default_context(cafile=options.ca_file)
        self._http: aiohttp.ClientSession | None = None
        self._token: str | None = None

    async def __aenter__(self) -> Session:
        connector = aiohttp.TCPConnector(ssl=self.ssl if self.ssl is not None else False, force_close=True)
        self._http = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                           timeout=aiohttp.ClientTimeout(total=self.options.timeout))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()

    @property
    def http(self) -> aiohttp.ClientSession:
        assert self._http is not None, "use the session in `async with`"
        return self._http

    @staticmethod
    def marker() -> str:
        return "cgsim" + secrets.token_hex(6)

    @staticmethod
    def path_of(route: RouteSettings, fill: str = "cgsim") -> str:
        """A concrete path the route matches: each `{name}` filled, `{name:path}` with two segments."""
        return _PARAM.sub(lambda m: f"{fill}/x" if m.group(2) else fill, route.match.path)

    def origin_for(self, path: str) -> str | None:
        """An Origin the route of `path` accepts (its first listed one), so frame probes get past the
        Origin check they do not test; None: same-origin."""
        for route in self.settings.routes:
            if route.match.websocket and self.path_of(route) == path.partition("?")[0]:
                listed = [o for o in route.websocket.origins if o != "*"]
                return listed[0] if listed else None
        return None

    def url(self, path: str) -> str:
        return str(self.target.origin()) + path

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      body: bytes | None = None) -> Reply:
        await self.pace.take()
        try:
            async with self.http.request(method, URL(self.url(path), encoded=True), headers=headers or {},
                                         data=body, allow_redirects=False) as answer:
                data = await answer.content.read(READ_LIMIT)
                return Reply(answer.status, data, 1, dict(answer.headers))
        except (aiohttp.ClientError, TimeoutError, ConnectionError):
            return Reply(None)

    async def raw(self, data: bytes, *, wait: float = 3.0) -> Reply:
        """Write `data` on a fresh connection and read what comes back until close or `wait` seconds."""
        await self.pace.take()
        host, port = self.target.host or "127.0.0.1", self.target.port or 80
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=self.ssl, server_hostname=host if self.ssl else None),
                self.options.timeout)
        except (OSError, TimeoutError):
            return Reply(None)
        received = b""
        try:
            writer.write(data)
            await writer.drain()
            async with asyncio.timeout(wait):
                while len(received) < READ_LIMIT:
                    chunk = await reader.read(4096)
                    if not chunk:
                        break
                    received += chunk
        except (OSError, TimeoutError, ssl.SSLError):
            pass
        finally:
            writer.close()
        statuses = _STATUS.findall(received)
        if not statuses:
            return Reply(None, received)
        body = received.partition(b"\r\n\r\n")[2]
        return Reply(int(statuses[0]), body, len(statuses))

    def raw_request(self, method: str, path: str, headers: list[tuple[str, str]] | None = None,
                    body: bytes = b"", *, version: str = "HTTP/1.1") -> bytes:
        lines = [f"{method} {path} {version}", f"Host: {self.target.host}:{self.target.port}",
                 *(f"{k}: {v}" for k, v in headers or []), "Connection: close"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def token(self) -> str | None:
        """An access token of the operator's test user (signed in once, 2FA done when a secret is given)."""
        if self._token is not None or not (self.options.test_user and self.options.test_password):
            return self._token
        body = orjson.dumps({"username": self.options.test_user, "password": self.options.test_password})
        reply = await self.request("POST", "/auth/login", headers={"Content-Type": "application/json"}, body=body)
        answer = _json(reply.body)
        if isinstance(answer.get("ticket"), str) and self.options.test_totp_secret:
            import pyotp

            code = pyotp.TOTP(self.options.test_totp_secret).now()
            body = orjson.dumps({"ticket": answer["ticket"], "code": code})
            reply = await self.request("POST", "/auth/mfa", headers={"Content-Type": "application/json"}, body=body)
            answer = _json(reply.body)
        token = answer.get("access_token")
        self._token = token if isinstance(token, str) else None
        return self._token

    async def credentials(self, route: RouteSettings) -> dict[str, str] | None:
        """Headers that let the simulation use `route`: none for public ones, else the test user's token."""
        if "anonymous" in route.allow:
            return {}
        token = await self.token()
        return {"Authorization": f"Bearer {token}"} if token else None

    async def upstream_log(self) -> list[dict[str, Any]] | None:
        """What the recording backend received (a JSON list of requests), or None without one."""
        if not self.options.upstream_log:
            return None
        try:
            async with self.http.get(self.options.upstream_log) as answer:
                found = orjson.loads(await answer.read())
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
            return None
        return found if isinstance(found, list) else None

    async def reached(self, marker: str) -> bool | None:
        """Whether a request carrying `marker` reached the backend (None: no upstream log)."""
        log = await self.upstream_log()
        if log is None:
            return None
        return any(marker in orjson.dumps(entry).decode() for entry in log)

    async def upstream_text(self, marker: str) -> str | None:
        """Everything the backend received in requests carrying `marker` ('' when none arrived)."""
        log = await self.upstream_log()
        if log is None:
            return None
        return "\n".join(t for entry in log if marker in (t := orjson.dumps(entry).decode()))


def _json(data: bytes) -> dict[str, Any]:
    try:
        found = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}
