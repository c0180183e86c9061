"""`serve --workers 2` as real processes against greedy clients: `limits.max_connections_per_ip` and
`max_connections` hold for the gateway as a whole, through resets, a flood and a killed worker, and the
supervisor's counts come back to what is really open (no slot lost for good, none handed out twice)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import orjson
import pytest
import yaml
from aiohttp import web

from gateway.tls.certs import create_dev_certs
from tests.gateway.test_server import Process
from tests.gateway.test_supervisor import logged, ready_pids, upstream  # noqa: F401  (a fixture)
from tests.helpers import serve_app

pytestmark = pytest.mark.slow

PER_IP, TOTAL = 6, 10
Held = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def attempt(port: int, source: str) -> tuple[bytes, Held]:
    """A keep-alive request from `source`: the answer's head and body, and the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(b"GET /x HTTP/1.1\r\nHost: chat.example\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    return head + await asyncio.wait_for(reader.readexactly(length), 30), (reader, writer)


async def until(condition: Callable[[], bool], what: str, within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def hold(port: int, source: str, count: int) -> list[Held]:
    """`count` open connections from `source`, retried while the gateway still counts closed ones."""
    held: list[Held] = []
    deadline = asyncio.get_running_loop().time() + 30
    while len(held) < count:
        answer, connection = await attempt(port, source)
        if answer.startswith(b"HTTP/1.1 200"):
            held.append(connection)
            continue
        connection[1].close()
        assert b"503" in answer.split(b"\r\n")[0], answer
        assert asyncio.get_running_loop().time() < deadline, f"{source} still refused: {answer!r}"
        await asyncio.sleep(0.05)
    return held


async def refused(port: int, source: str) -> bytes:
    answer, (_, writer) = await attempt(port, source)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 503 "), answer
    return answer


def flood(port: int, source: str, count: int) -> None:
    """`count` connections from `source`, each reset at once (half after a partial request head)."""
    for i in range(count):
        with socket.create_connection(("127.0.0.1", port), source_address=(source, 0)) as sock:
            if i % 2:
                sock.sendall(b"GET /x HTTP/1.1\r\nHo")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def held_from(pid: int, port: int, source: str) -> int:
    """Established connections from `source` to local `port` whose socket `pid` holds."""
    remote = "".join(reversed([f"{int(part):02X}" for part in source.split(".")]))
    sockets = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (int(fields[1].rsplit(":", 1)[1], 16) == port and fields[2].split(":")[0] == remote
                and fields[3] == "01"):
            sockets.add(f"socket:[{fields[9]}]")
    return sum(os.readlink(fd) in sockets for fd in Path(f"/proc/{pid}/fd").iterdir())


def close(connections: list[Held]) -> None:
    for _, writer in connections:
        writer.close()


async def test_the_caps_hold_across_workers_through_resets_a_flood_and_a_killed_worker(
        tmp_path: Path, upstream: str) -> None:  # noqa: F811
    gateway = Process(tmp_path, upstream)
    gateway.write(upstream, [{"name": "all", "match": {"path": "/{rest:path}"}, "upstream": "up",
                              "allow": ["anonymous"]}],
                  limits={"max_connections_per_ip": PER_IP, "max_connections": TOTAL})
    await gateway.start("--workers", "2")
    first: list[Held] = []
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        port = gateway.port
        first = await hold(port, "127.0.0.1", PER_IP)  # dealt in turn: both workers hold some
        assert b"too many connections from this address" in await refused(port, "127.0.0.1")
        second = await hold(port, "127.0.0.2", TOTAL - PER_IP)
        assert b"too many connections\"" in await refused(port, "127.0.0.3")
        close(second)
        # Many connections from one address, reset at once, while the gateway is at its cap and after.
        await asyncio.to_thread(flood, port, "127.0.0.2", 300)
        third = await hold(port, "127.0.0.2", TOTAL - PER_IP)  # every slot came back ...
        assert b"too many connections\"" in await refused(port, "127.0.0.2")  # ... and no more
        close(third)
        victim = max(ready_pids(gateway), key=lambda pid: held_from(pid, port, "127.0.0.1"))
        lost = held_from(victim, port, "127.0.0.1")
        assert 0 < lost < PER_IP
        os.kill(victim, signal.SIGKILL)
        # Once the supervisor saw it die (until then it may deal a connection to it, which dies with it).
        await until(lambda: bool(logged(gateway, "worker died; restarting it")), "the death noticed")
        again = await hold(port, "127.0.0.1", lost)  # what it held is released with it
        assert b"too many connections from this address" in await refused(port, "127.0.0.1")
        close(again)
    finally:
        close(first)
        await gateway.stop()


def reloaded_by(gateway: Process) -> set[int]:
    return {int(str(record["pid"])) for record in logged(gateway, "config reloaded") if "pid" in record}


async def reload_failures(admin: int) -> float:
    """`chatguard_config_reloads_total{outcome="failed"}`, summed over the workers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", admin)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    text = (await asyncio.wait_for(reader.read(), 30)).decode()
    writer.close()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith('chatguard_config_reloads_total{outcome="failed"}'))


@pytest.mark.parametrize("workers", [0, 2])
async def test_sighup_applies_new_caps_and_trusted_proxies_and_a_bad_file_changes_nothing(
        tmp_path: Path, upstream: str, workers: int) -> None:  # noqa: F811
    """One process, or the supervisor and its workers together: the caps and `trusted_proxies` of a reloaded
    file apply to new connections; a file with a bad cap is rejected in one log line naming the key, and the
    caps stay those in service."""
    everything = [{"name": "all", "match": {"path": "/{rest:path}"}, "upstream": "up", "allow": ["anonymous"]}]
    gateway = Process(tmp_path, upstream)

    def write(per_ip: int | str, **extra: object) -> None:
        gateway.write(upstream, everything, limits={"max_connections_per_ip": per_ip, "max_connections": TOTAL},
                      **extra)

    write(4)
    await gateway.start(*(("--workers", str(workers)) if workers else ()))
    held: list[Held] = []
    try:
        pids = {gateway.proc.pid} if gateway.proc is not None and not workers else set()
        if workers:
            await until(lambda: len(ready_pids(gateway)) == workers, "the workers ready")
            pids = set(ready_pids(gateway))
        port = gateway.port
        held += await hold(port, "127.0.0.1", 4)
        assert b"too many connections from this address" in await refused(port, "127.0.0.1")

        write(PER_IP)  # raised: new connections from the address are let in up to the new cap
        gateway.signal(signal.SIGHUP)
        await until(lambda: reloaded_by(gateway) >= pids, "every process to reload")
        if workers:
            assert len(logged(gateway, "config accepted by the supervisor; connection caps applied")) == 1
        held += await hold(port, "127.0.0.1", PER_IP - 4)
        assert b"too many connections from this address" in await refused(port, "127.0.0.1")

        write(0)  # invalid: nothing changes
        gateway.signal(signal.SIGHUP)
        rejected = "config reload rejected; the supervisor and every worker keep the running config" if workers \
            else "config reload rejected; keeping the running config"
        await until(lambda: bool(logged(gateway, rejected)), "the rejection logged")
        if workers:  # every worker has reported it (its /readyz and metrics) without a line of its own
            deadline = asyncio.get_running_loop().time() + 30
            while await reload_failures(gateway.admin) < workers:
                assert asyncio.get_running_loop().time() < deadline, "the workers to report the rejection"
                await asyncio.sleep(0.05)
            [record] = logged(gateway, rejected)
            assert record["key"] == "limits.max_connections_per_ip"
        else:
            [record] = logged(gateway, rejected)
            assert "limits.max_connections_per_ip" in str(record["error"])
        lines = [orjson.loads(line) for line in gateway.log.read_bytes().splitlines() if line.startswith(b"{")]
        assert [r for r in lines if "rejected" in str(r["msg"]) and r["logger"] != "chatguard.audit"] == [record]
        assert b"too many connections from this address" in await refused(port, "127.0.0.1")

        write(PER_IP, trusted_proxies=["127.0.0.0/8"])  # a load balancer: counts towards the total only
        before = len(logged(gateway, "config reloaded"))
        gateway.signal(signal.SIGHUP)
        await until(lambda: len(logged(gateway, "config reloaded")) >= before + 2 * len(pids),
                    "every process to reload")  # a log line and an audit record each
        held += await hold(port, "127.0.0.1", TOTAL - PER_IP)
        assert b"too many connections\"" in await refused(port, "127.0.0.1")
    finally:
        close(held)
        await gateway.stop()


@pytest.fixture
async def ws_upstream() -> AsyncIterator[str]:
    """A backend whose /ws echoes each text frame and keeps the socket open."""
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(message.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    async with serve_app(app) as url:
        yield url


async def open_websocket(port: int, source: str, stack: contextlib.AsyncExitStack) -> int:
    """A WebSocket from `source` through the gateway, kept open in `stack`: 101, or the refusal's status."""
    client = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0), force_close=True)))
    try:
        ws = await stack.enter_async_context(client.ws_connect(f"http://127.0.0.1:{port}/ws"))
    except aiohttp.WSServerHandshakeError as refused:
        return refused.status
    await ws.send_str("hi")
    assert (await ws.receive(timeout=30)).data == "hi"
    return 101


async def test_websocket_caps_hold_across_workers(tmp_path: Path, ws_upstream: str) -> None:
    """`websocket.max_connections_per_ip` and `max_connections` hold for the gateway as a whole: dealt in
    turn, one address's WebSockets land on both workers, and each worker counted only its own."""
    gateway = Process(tmp_path, ws_upstream)
    gateway.write(ws_upstream, [{"name": "ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up",
                                 "allow": ["anonymous"]}],
                  websocket={"max_connections_per_ip": 2, "max_connections": 3})
    await gateway.start("--workers", "2")
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        async with contextlib.AsyncExitStack() as first:
            assert [await open_websocket(gateway.port, "127.0.0.1", first) for _ in range(4)] == [101, 101, 429, 429]
            async with contextlib.AsyncExitStack() as second:
                assert [await open_websocket(gateway.port, "127.0.0.2", second) for _ in range(3)] == [101, 503, 503]
            # The third closed: its slot comes back once the worker has told the supervisor.
            deadline = asyncio.get_running_loop().time() + 30
            async with contextlib.AsyncExitStack() as third:
                while (status := await open_websocket(gateway.port, "127.0.0.3", third)) != 101:
                    assert status == 503 and asyncio.get_running_loop().time() < deadline
                    await asyncio.sleep(0.05)
                assert await open_websocket(gateway.port, "127.0.0.3", third) == 503
    finally:
        await gateway.stop()


@pytest.mark.parametrize("workers", [0, 2])
async def test_silent_tls_handshakes_from_one_address_are_capped_by_the_served_gateway(
        tmp_path: Path, upstream: str, workers: int) -> None:  # noqa: F811
    """`chatguard serve` over TLS, one process or two workers: clients from one address that connect and
    never greet hold its slots from the accept; once they go, the address is served again."""
    certs = create_dev_certs(tmp_path / "pki", client_name=None)
    gateway = Process(tmp_path, upstream)
    gateway.write(upstream, [{"name": "all", "match": {"path": "/{rest:path}"}, "upstream": "up",
                              "allow": ["anonymous"]}],
                  limits={"max_connections_per_ip": PER_IP, "max_connections": TOTAL, "header_timeout": "60s"})
    config = yaml.safe_load(gateway.config.read_text())
    config["listen"]["tls"] = {"cert": str(certs.server_cert), "key": str(certs.server_key)}
    gateway.config.write_text(yaml.safe_dump(config))
    context = ssl.create_default_context(cafile=str(certs.ca_cert))

    async def greeted(source: str) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port, ssl=context,
                                                       server_hostname="localhost", local_addr=(source, 0))
        writer.write(b"GET /x HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 30)
        writer.close()
        return answer

    silent: list[socket.socket] = []
    try:
        await gateway.start(*(("--workers", str(workers)) if workers else ()))
        await until(lambda: len(ready_pids(gateway)) == workers, "the workers ready")
        silent = [socket.create_connection(("127.0.0.1", gateway.port), source_address=("127.0.0.1", 0))
                  for _ in range(PER_IP)]
        deadline = asyncio.get_running_loop().time() + 30
        while b"too many connections from this address" not in (answer := await greeted("127.0.0.1")):
            assert answer.startswith(b"HTTP/1.1 200"), answer  # the silent ones not all accepted yet
            assert asyncio.get_running_loop().time() < deadline, "the silent handshakes never counted"
            await asyncio.sleep(0.05)
        assert (await greeted("127.0.0.2")).startswith(b"HTTP/1.1 200")
        for sock in silent:
            sock.close()
        deadline = asyncio.get_running_loop().time() + 30
        while not (answer := await greeted("127.0.0.1")).startswith(b"HTTP/1.1 200"):
            assert asyncio.get_running_loop().time() < deadline, answer
            await asyncio.sleep(0.05)
    finally:
        for sock in silent:
            sock.close()
        await gateway.stop()
