"""Shared fixtures: a fresh development PKI per test and real TLS servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvloop
from aiohttp import web

from gateway.tls.certs import DevCerts, Issued, create_dev_certs, load_ca
from gateway.tls.settings import ListenerTLS


@dataclass(frozen=True)
class PKI:
    files: DevCerts
    ca: Issued
    directory: Path

    def listener(self, **overrides: object) -> ListenerTLS:
        values: dict[str, object] = {"cert": str(self.files.server_cert), "key": str(self.files.server_key)}
        values.update(overrides)
        return ListenerTLS(**values)  # type: ignore[arg-type]

    def client_context(self, *, with_cert: bool = False) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.files.ca_cert))
        if with_cert:
            assert self.files.client_cert and self.files.client_key
            ctx.load_cert_chain(self.files.client_cert, self.files.client_key)
        return ctx


def make_pki(directory: Path) -> PKI:
    files = create_dev_certs(directory)
    ca = load_ca(files.ca_cert, files.ca_key)
    assert ca is not None
    return PKI(files, ca, directory)


@pytest.fixture
def pki(tmp_path: Path) -> PKI:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def other_pki(tmp_path: Path) -> PKI:
    """A second, unrelated CA: nothing it signs may be trusted by the first."""
    return make_pki(tmp_path / "other")


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def hello_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


@contextlib.asynccontextmanager
async def serve(app: web.Application, context: ssl.SSLContext | None) -> AsyncIterator[int]:
    """Serve `app` on an ephemeral loopback port the way the gateway does; yields the port."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def serve_in_thread(app_factory: Callable[[], web.Application], context: ssl.SSLContext) -> Iterator[int]:
    """Same, on a private event loop in a thread, for blocking clients shared across a module."""
    loop = asyncio.new_event_loop()
    ready: list[int] = []
    started = threading.Event()
    stop = asyncio.Event()

    async def main() -> None:
        async with serve(app_factory(), context) as port:
            ready.append(port)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(10), "server did not start"
    try:
        yield ready[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        if not thread.is_alive():
            loop.close()


def handshake(port: int, ctx: ssl.SSLContext, server_name: str | None = "localhost") -> ssl.SSLSocket:
    """A blocking TLS handshake with the server; the caller closes the socket."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        return ctx.wrap_socket(raw, server_hostname=server_name)
    except BaseException:
        raw.close()
        raise



def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Run these tests on uvloop, the loop the gateway serves with (its SSL layer differs from asyncio's)."""
    return {"uvloop": uvloop.new_event_loop}
