"""Pieces the stall and soak benchmarks share: a backend served in the benchmark's own event loop, and
one chatguard worker started from a config file."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from benchmarks import servers


def gateway_head(port: int, admin: int, upstream: int, filters: str) -> str:
    """The top of a one-worker benchmark config: listeners, quiet logs, no shield, the backend as `api`,
    and `filters` (YAML lines under `filters:`)."""
    return f"""
listen: {{host: 127.0.0.1, port: {port}}}
admin: {{host: 127.0.0.1, port: {admin}}}
logging: {{level: warning, access_log: false}}
shield: {{enabled: false}}
upstreams:
  api: {{url: "http://127.0.0.1:{upstream}"}}
filters:
{filters}"""


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[int]:
    """Serve `app` on a free loopback port for the block; yields the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


@asynccontextmanager
async def chatguard(conf: Path, workdir: Path, port: int) -> AsyncIterator[servers.Server]:
    """`chatguard serve --config conf` (listening on `port`) until the block ends; its log in `workdir`."""
    server = servers.start("chatguard", [sys.executable, "-m", "gateway", "serve", "--config", str(conf)],
                           None, workdir, port)
    try:
        await asyncio.to_thread(servers.wait_ready, server)
        yield server
    finally:
        server.stop()
