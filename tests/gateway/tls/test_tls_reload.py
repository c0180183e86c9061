"""Certificate hot reload under live traffic: new handshakes change, open connections do not."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509

from gateway.tls.certs import issue, write_pair
from gateway.tls.server import ServerTLS
from gateway.tls.settings import ListenerTLS

from .conftest import PKI, handshake, serve


def echo_app() -> web.Application:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(f"echo:{msg.data}")
        return ws

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/ws", echo)
    return app


async def served_serial(port: int, ctx: ssl.SSLContext) -> int:
    def run() -> int:
        with handshake(port, ctx) as sock:
            return x509.load_der_x509_certificate(sock.getpeercert(binary_form=True) or b"").serial_number
    return await asyncio.to_thread(run)


def new_leaf(pki: PKI, cert: Path, key: Path) -> int:
    leaf = issue(pki.ca, "localhost", ["localhost", "127.0.0.1"])
    write_pair(leaf, cert, key)
    return leaf.cert.serial_number


@contextlib.asynccontextmanager
async def live(server: ServerTLS, ctx: ssl.SSLContext) -> AsyncIterator[tuple[int, aiohttp.ClientWebSocketResponse]]:
    """The server with one open WebSocket that must survive everything the test does."""
    async with serve(echo_app(), server.context) as port, aiohttp.ClientSession() as session:
        async with session.ws_connect(f"wss://localhost:{port}/ws", ssl=ctx) as ws:
            await ws.send_str("before")
            assert await ws.receive_str() == "echo:before"
            yield port, ws
            await ws.send_str("after")
            assert await ws.receive_str() == "echo:after"


def current_serial(path: Path) -> int:
    return x509.load_pem_x509_certificate(path.read_bytes()).serial_number


async def test_replaced_files_reload_and_websocket_stays_open(pki: PKI) -> None:
    files = pki.files
    server = ServerTLS.load(pki.listener())
    ctx = pki.client_context()
    async with live(server, ctx) as (port, _ws):
        assert await served_serial(port, ctx) == current_serial(files.server_cert)
        assert server.reload() is False                      # nothing changed
        serial = new_leaf(pki, files.server_cert, files.server_key)
        assert server.reload() is True
        assert await served_serial(port, ctx) == serial
        async with aiohttp.ClientSession() as session, \
                session.get(f"https://localhost:{port}/", ssl=ctx) as resp:
            assert await resp.text() == "hello"


def k8s_layout(directory: Path, generation: str, pki: PKI) -> int:
    """Write one generation the way kubelet does: a dated dir, `..data` re-pointed atomically."""
    target = directory / generation
    target.mkdir()
    serial = new_leaf(pki, target / "tls.crt", target / "tls.key")
    tmp_link = directory / "..data_tmp"
    tmp_link.symlink_to(generation)
    os.replace(tmp_link, directory / "..data")
    for name in ("tls.crt", "tls.key"):
        if not (directory / name).is_symlink():
            (directory / name).symlink_to(f"..data/{name}")
    return serial


async def test_atomic_symlink_swap(pki: PKI, tmp_path: Path) -> None:
    mount = tmp_path / "mount"
    mount.mkdir()
    first = k8s_layout(mount, "..2024_01", pki)
    server = ServerTLS.load(ListenerTLS(cert=str(mount / "tls.crt"), key=str(mount / "tls.key")))
    ctx = pki.client_context()
    async with live(server, ctx) as (port, _ws):
        assert await served_serial(port, ctx) == first
        second = k8s_layout(mount, "..2024_02", pki)
        assert server.reload() is True
        assert await served_serial(port, ctx) == second


@pytest.mark.parametrize("breakage", ["garbage_cert", "empty_key", "mismatched_pair", "deleted_key", "expired"])
async def test_broken_new_files_keep_the_old_certificate(pki: PKI, other_pki: PKI, breakage: str,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    files = pki.files
    server = ServerTLS.load(pki.listener())
    ctx = pki.client_context()
    old = current_serial(files.server_cert)
    async with live(server, ctx) as (port, _ws):
        if breakage == "garbage_cert":
            files.server_cert.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        elif breakage == "empty_key":
            files.server_key.write_bytes(b"")
        elif breakage == "expired":
            write_pair(issue(pki.ca, "localhost", ["localhost"], days=0), files.server_cert, files.server_key)
        elif breakage == "mismatched_pair":                   # cert rotated, key not yet
            files.server_key.write_bytes(other_pki.files.server_key.read_bytes())
        else:
            files.server_key.unlink()
        with caplog.at_level(logging.ERROR, logger="chatguard.tls"):
            assert server.reload() is False
        assert "keeping the current certificates" in caplog.text
        assert await served_serial(port, ctx) == old
        assert server.reload() is False                        # reported once, not on every poll
        fixed = new_leaf(pki, files.server_cert, files.server_key)
        assert server.reload() is True
        assert await served_serial(port, ctx) == fixed


async def test_watch_picks_up_changes(pki: PKI) -> None:
    files = pki.files
    server = ServerTLS.load(pki.listener(reload_interval=0.1))
    ctx = pki.client_context()
    async with live(server, ctx) as (port, _ws):
        watcher = asyncio.create_task(server.watch(), name="tls-watch")
        try:
            serial = new_leaf(pki, files.server_cert, files.server_key)
            async with asyncio.timeout(20):
                while True:   # the watcher polls; new handshakes show when it has swapped
                    if await served_serial(port, ctx) == serial:
                        break
                    await asyncio.sleep(0.05)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def test_watch_disabled_returns(pki: PKI) -> None:
    await ServerTLS.load(pki.listener(reload_interval=0)).watch()


async def test_client_ca_rotation_drops_the_old_ca(pki: PKI, other_pki: PKI, tmp_path: Path) -> None:
    """A reload replaces the trust store: a CA removed from the file stops being accepted."""
    ca_file = tmp_path / "clients.pem"
    ca_file.write_bytes(pki.files.ca_cert.read_bytes())
    server = ServerTLS.load(pki.listener(client_ca=str(ca_file), client_cert="required"))
    own = pki.client_context(with_cert=True)
    foreign = pki.client_context()
    assert other_pki.files.client_cert and other_pki.files.client_key
    foreign.load_cert_chain(other_pki.files.client_cert, other_pki.files.client_key)

    async def status(ctx: ssl.SSLContext) -> int | str:
        try:
            async with aiohttp.ClientSession() as session, \
                    session.get(f"https://localhost:{port}/", ssl=ctx) as resp:
                return resp.status
        except aiohttp.ClientError:
            return "refused"

    async with serve(echo_app(), server.context) as port:
        assert (await status(own), await status(foreign)) == (200, "refused")
        tmp = tmp_path / "clients.tmp"
        tmp.write_bytes(other_pki.files.ca_cert.read_bytes())
        os.replace(tmp, ca_file)
        assert server.reload() is True
        assert (await status(own), await status(foreign)) == ("refused", 200)
