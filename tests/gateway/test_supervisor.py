"""`serve` and `serve --workers N` as real processes: a killed worker is replaced, and a SIGHUP sent while
the gateway starts neither kills a process nor gets lost."""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest
import yaml
from aiohttp import web

from gateway.tls.certs import create_dev_certs
from tests.gateway.test_server import START_WITHIN, Process
from tests.helpers import serve_app, until

pytestmark = pytest.mark.slow


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"ok {request.path}")

    app = web.Application()
    app.router.add_get("/{tail:.*}", hello)
    async with serve_app(app) as url:
        yield url


def logged(gateway: Process, message: str) -> list[dict[str, object]]:
    """The gateway's JSON log records with this message, so far."""
    found = []
    for line in gateway.log.read_bytes().splitlines():
        if line.startswith(b"{"):
            record = orjson.loads(line)
            if record.get("msg") == message:
                found.append(record)
    return found


def ready_pids(gateway: Process) -> list[int]:
    return [int(str(record["pid"])) for record in logged(gateway, "worker ready")]


def alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def holds_hup(pid: int) -> bool:
    """Whether `pid` blocks or catches SIGHUP yet, i.e. whether a SIGHUP could no longer end it."""
    try:
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if ":\t" in line)
    except OSError:
        return False
    return bool((int(status["SigBlk"], 16) | int(status["SigCgt"], 16)) & (1 << (signal.SIGHUP - 1)))


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url, headers={"Connection": "close"}) as resp:
        return resp.status, await resp.text()


def held_connections(pid: int, port: int) -> int:
    """Established TCP connections on local `port` whose socket `pid` holds (/proc/net/tcp and its fds)."""
    on_port = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                on_port.add(f"socket:[{fields[9]}]")
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            held += os.readlink(fd) in on_port
        except OSError:  # closed meanwhile
            continue
    return held


async def keep_alive(port: int, path: str) -> asyncio.StreamWriter:
    """A client connection that asked for `path`, got its answer and stays open."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: chat.example\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    assert await asyncio.wait_for(reader.readexactly(length), 30) == f"ok {path}".encode()
    return writer


def spread(gateway: Process) -> list[int]:
    """How many of the gateway's client connections each ready worker holds, fewest first."""
    return sorted(held_connections(pid, gateway.port) for pid in ready_pids(gateway) if alive(pid))


@pytest.mark.parametrize("count", [4, 32])
async def test_the_workers_hold_equal_shares_of_the_connections(tmp_path: Path, upstream: str, count: int) -> None:
    """The supervisor deals the new connections to the workers in turn (gateway.dealer): of a few keep-alive
    clients (a load balancer's pool) as of many, each worker holds half, and serves them. (A hash of the
    addresses, as SO_REUSEPORT spreads them, puts 4 connections 3 / 1 or 4 / 0 five times in 8.)"""
    gateway = Process(tmp_path, upstream)
    await gateway.start("--workers", "2")
    clients: list[asyncio.StreamWriter] = []
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        for i in range(count):
            clients.append(await keep_alive(gateway.port, f"/c{i}"))
        assert spread(gateway) == [count // 2, count // 2]
        assert gateway.proc is not None and held_connections(gateway.proc.pid, gateway.port) == 0
    finally:
        for writer in clients:
            writer.close()
        await gateway.stop()


async def test_a_client_that_connects_while_the_workers_start_is_served(tmp_path: Path, upstream: str) -> None:
    """The supervisor listens before any worker runs; a client connecting then waits in the kernel's
    queue (nothing is dealt to a worker that does not listen yet) and is answered once one does."""
    gateway = Process(tmp_path, upstream)
    await gateway.launch("--workers", "2")
    try:
        for _ in range(int(START_WITHIN / 0.02)):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
                break
            except ConnectionRefusedError:
                await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"the port never listened: {gateway.log.read_text()}")
        early = not ready_pids(gateway)  # usually: starting a worker takes seconds
        writer.write(b"GET /early HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), START_WITHIN)
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok /early"), (early, answer)
        writer.close()
    finally:
        await gateway.stop()


async def tls_keep_alive(port: int, path: str, context: ssl.SSLContext) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
    writer.write(f"GET {path} HTTP/1.1\r\nHost: chat.example\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    assert head.startswith(b"HTTP/1.1 200"), head
    return writer


async def test_tls_connections_are_dealt_in_turn_and_a_failed_handshake_costs_nothing_else(
        tmp_path: Path, upstream: str) -> None:
    """The worker does the TLS handshake of a dealt connection; one that fails it (plain HTTP on the TLS
    port) is closed, and the workers go on serving the others."""
    certs = create_dev_certs(tmp_path / "pki", client_name=None)
    gateway = Process(tmp_path, upstream)
    gateway.write(upstream, [{"name": "all", "match": {"path": "/{rest:path}"}, "upstream": "up",
                              "allow": ["anonymous"]}])
    config = yaml.safe_load(gateway.config.read_text())
    config["listen"]["tls"] = {"cert": str(certs.server_cert), "key": str(certs.server_key)}
    gateway.config.write_text(yaml.safe_dump(config))
    context = ssl.create_default_context(cafile=str(certs.ca_cert))
    clients: list[asyncio.StreamWriter] = []
    try:
        await gateway.start("--workers", "2")
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        clients.append(await tls_keep_alive(gateway.port, "/t0", context))
        for _ in range(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            writer.write(b"GET /plain HTTP/1.1\r\nHost: chat.example\r\n\r\n")
            assert await asyncio.wait_for(reader.read(), 30) == b""  # refused in the handshake, closed
            writer.close()
        for i in range(1, 4):
            clients.append(await tls_keep_alive(gateway.port, f"/t{i}", context))
        assert spread(gateway) == [2, 2]
    finally:
        for client in clients:
            client.close()
        await gateway.stop()


async def test_a_worker_killed_by_the_os_is_replaced_logged_and_counted(tmp_path: Path, upstream: str) -> None:
    gateway = Process(tmp_path, upstream)
    await gateway.start("--workers", "2")
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        victim, survivor = ready_pids(gateway)
        os.kill(victim, signal.SIGKILL)
        await until(lambda: len(ready_pids(gateway)) == 3, "a replacement worker ready")
        replacement = ready_pids(gateway)[2]
        assert alive(survivor) and alive(replacement) and not alive(victim)
        # Each worker a session of its own (scheduled as a process of its own, signalled by the supervisor).
        assert gateway.proc is not None
        assert [os.getsid(pid) for pid in (survivor, replacement)] == [survivor, replacement]
        assert os.getsid(gateway.proc.pid) not in (survivor, replacement)
        died = logged(gateway, "worker died; restarting it")
        assert [(d["pid"], d["how"]) for d in died] == [(victim, "signal SIGKILL")]
        for i in range(10):
            assert await get(f"{gateway.url}/n{i}") == (200, f"ok /n{i}")
        _, metrics = await get(f"http://127.0.0.1:{gateway.admin}/metrics")
        assert "chatguard_worker_restarts_total 1.0" in metrics.splitlines()
        gateway.signal(signal.SIGTERM)
        assert await gateway.wait() == 0
        await until(lambda: not alive(survivor) and not alive(replacement), "the workers to exit")
    finally:
        await gateway.stop()


@pytest.mark.parametrize("workers", [1, 2])
async def test_sighup_while_starting_reloads_instead_of_killing(tmp_path: Path, upstream: str, workers: int) -> None:
    """HUP as soon as the process can hold it, and again the moment the port answers (a second worker may
    still be starting): every process lives and serves the new config."""
    only_a = [{"name": "a", "match": {"path": "/a"}, "upstream": "up", "allow": ["anonymous"]}]
    gateway = Process(tmp_path, upstream, only_a)
    await gateway.launch("--workers", str(workers))
    try:
        assert gateway.proc is not None
        pid = gateway.proc.pid
        await until(lambda: holds_hup(pid) or gateway.proc is None or gateway.proc.returncode is not None,
                    "the process to hold SIGHUP")
        gateway.write(upstream, [*only_a, {"name": "b", "match": {"path": "/b"}, "upstream": "up",
                                           "allow": ["anonymous"]}])
        gateway.signal(signal.SIGHUP)
        await gateway.answering()
        gateway.signal(signal.SIGHUP)
        serving = [pid] if workers == 1 else []
        if workers > 1:
            await until(lambda: len(ready_pids(gateway)) == workers, f"{workers} workers ready")
            serving = ready_pids(gateway)
        # Every process reloads at least once after the new file was written (two HUPs that reach a
        # starting process together are one pending signal: it reloads once, reading the newest file).
        await until(lambda: {r.get("pid") for r in logged(gateway, "config reloaded")} >= set(serving),
                    "every process to reload")
        assert gateway.proc.returncode is None
        assert logged(gateway, "worker died; restarting it") == []
        assert all(alive(p) for p in serving)
        for _ in range(2 * workers):
            assert await get(f"{gateway.url}/b") == (200, "ok /b")
    finally:
        await gateway.stop()


async def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path, upstream: str) -> None:
    """Workers are sessions of their own, so a signal to the supervisor's process group does not reach
    them: once the supervisor is gone, each must notice and drain, not serve on unsupervised."""
    gateway = Process(tmp_path, upstream)
    await gateway.start("--workers", "2")
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        workers = ready_pids(gateway)
        assert gateway.proc is not None
        gateway.signal(signal.SIGKILL)
        await until(lambda: not any(alive(pid) for pid in workers), "the orphaned workers to exit", within=60)
        assert len(logged(gateway, "supervisor gone; stopping this worker")) == 2
    finally:
        await gateway.stop()
