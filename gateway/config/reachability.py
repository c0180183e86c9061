"""`chatguard check-config --connect`: reach every service the config names, the way `serve` will.

Redis (state), PostgreSQL (each `postgresql://` URL), each upstream (TCP, and the TLS handshake with
the context `serve` would use, so a wrong CA shows here) and each external issuer's JWKS (fetched and
parsed). Each failure names the key and the cause; passwords in URLs are never printed.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass

from yarl import URL

from filters.options import OptionsError, join
from gateway.config.preflight import builtin_issuer
from gateway.config.settings import Settings

__all__ = ["Reached", "reach_all"]

TIMEOUT = 5.0


@dataclass(frozen=True)
class Reached:
    """One service that answered: the key that names it and what it is."""

    key: str
    what: str


async def reach_all(settings: Settings, within: float = TIMEOUT) -> tuple[list[Reached], list[OptionsError]]:
    """Try every service at once; what answered and what did not."""
    probes: list[tuple[str, str, Awaitable[None]]] = []
    if settings.state.backend == "redis":
        probes.append(("state.url", "Redis", _redis(settings.state.url, within)))
    for key, url in _postgres_urls(settings):
        probes.append((key, "PostgreSQL", _postgres(url, within)))
    for name, upstream in settings.upstreams.items():
        key = join(join("upstreams", name), "url")
        probes.append((key, f"upstream {upstream.url}", _upstream(settings, name, within)))
    if settings.auth is not None:
        for i, issuer in enumerate(settings.auth.external):
            probes.append((join(join("auth.external", i), "jwks_url"), f"JWKS {issuer.jwks_url}",
                           _jwks(issuer.jwks_url, within)))
    outcomes = await asyncio.gather(*(asyncio.wait_for(probe, within + 1) for _, _, probe in probes),
                                    return_exceptions=True)
    reached: list[Reached] = []
    failed: list[OptionsError] = []
    for (key, what, _), outcome in zip(probes, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            failed.append(OptionsError(key, f"cannot reach {what}: {_cause(outcome)}"))
        else:
            reached.append(Reached(key, what))
    return reached, failed


def _cause(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _postgres_urls(settings: Settings) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if settings.auth is not None and builtin_issuer(settings):
        found.append(("auth.store", settings.auth.store))
    if settings.audit.enabled and settings.audit.postgres is not None:
        found.append(("audit.postgres.dsn", settings.audit.postgres.dsn))
    if settings.transcripts.enabled:
        found.append(("transcripts.database", settings.transcripts.database))
    if settings.keys.enabled and settings.keys.store:
        found.append(("keys.store", settings.keys.store))
    return [(key, url) for key, url in found if url.startswith(("postgresql://", "postgres://"))]


async def _redis(url: str, within: float) -> None:
    from gateway.state.connect import client

    redis = client(url, within)
    try:
        await redis.ping()
    finally:
        await redis.aclose()


async def _postgres(url: str, within: float) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=within)
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


async def _upstream(settings: Settings, name: str, within: float) -> None:
    """Connect as the proxy will: TCP, then TLS with the upstream's own context and server name."""
    upstream = settings.upstreams[name]
    url = URL(upstream.url)
    context: ssl.SSLContext | None = None
    server_name: str | None = None
    if url.scheme == "https":
        from gateway.tls.upstream import upstream_context

        context = upstream_context(upstream.tls, join(join("upstreams", name), "tls"))
        server_name = upstream.tls.server_name or url.host
    if upstream.proxy is not None:  # the proxy is what the gateway connects to
        proxy = URL(upstream.proxy)
        url, context, server_name = proxy, None, None
    _, writer = await asyncio.wait_for(
        asyncio.open_connection(url.host, url.port, ssl=context, server_hostname=server_name), within)
    writer.close()
    try:
        await writer.wait_closed()
    except (OSError, ssl.SSLError):
        pass  # the answer was the handshake; how the close ends does not matter


async def _jwks(url: str, within: float) -> None:
    import aiohttp

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=within)) as session:
        async with session.get(url) as response:
            response.raise_for_status()
            document = json.loads(await response.read())
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        raise ValueError("the document holds no keys")
