"""The reference a gateway is held to: the plainest aiohttp reverse proxy, with no checks at all.

`python -m benchmarks.naive_proxy PORT HTTP_UPSTREAM_PORT WS_UPSTREAM_PORT` serves 127.0.0.1:PORT:
WebSocket upgrades are bridged to the WS upstream (two pumps), everything else is read whole and
sent to the HTTP upstream over a keep-alive pool. This is what anyone would write in an afternoon;
chatguard's pass-through route must not cost more than this.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import uvloop
from aiohttp import web

POOL = web.AppKey("pool", aiohttp.ClientSession)
WS = web.AppKey("ws", aiohttp.ClientSession)
HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}


def make_app(http_up: str, ws_up: str) -> web.Application:
    app = web.Application()

    async def pool(app: web.Application):  # type: ignore[no-untyped-def]
        app[POOL] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256), auto_decompress=False)
        app[WS] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))  # a socket each, no pool cap
        yield
        await app[POOL].close()
        await app[WS].close()

    async def pump(src, dst) -> None:  # type: ignore[no-untyped-def]
        async for msg in src:
            if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                await dst.send_frame(msg.data if isinstance(msg.data, bytes) else msg.data.encode(), msg.type)
        await dst.close()

    async def handle(request: web.Request) -> web.StreamResponse:
        session = request.app[POOL]
        if request.headers.get("Upgrade", "").lower() == "websocket":
            upstream = await request.app[WS].ws_connect(ws_up + request.path_qs, autoping=True)
            client = web.WebSocketResponse(autoping=True)
            await client.prepare(request)
            other = asyncio.ensure_future(pump(upstream, client))
            await pump(client, upstream)
            await other
            return client
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
        async with session.request(request.method, http_up + request.path_qs, headers=headers,
                                   data=await request.read(), allow_redirects=False) as upstream:
            body = await upstream.read()
            out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP}
            return web.Response(status=upstream.status, body=body, headers=out)

    app.cleanup_ctx.append(pool)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


if __name__ == "__main__":
    port, http_port, ws_port = (int(a) for a in sys.argv[1:4])
    app = make_app(f"http://127.0.0.1:{http_port}", f"http://127.0.0.1:{ws_port}")
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, loop=uvloop.new_event_loop())
