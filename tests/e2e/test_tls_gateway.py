"""TLS on every hop, through the real `python -m gateway serve` process on loopback.

Backends run in this process on a private event loop (a thread), the gateway runs as its own
process with certificates from `gateway.certs.create_dev_certs`, and the clients are real:
aiohttp, the `ssl` module, `openssl s_client` and the sslyze scanner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import uvloop
import yaml
from aiohttp import WSMsgType, web
from cryptography import x509
from sslyze.plugins.scan_commands import ScanCommand
from sslyze.scanner.models import AllScanCommandsAttempts, ServerScanRequest, ServerScanStatusEnum
from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation
from yarl import URL

from gateway.cli import main as chatguard
from gateway.tls.certs import DevCerts, Issued, create_dev_certs, issue, load_ca, write_pair
from gateway.tls.security_headers import PAGE_HEADERS
from tests.helpers import answers_health_blocking, run_gateway
from tests.ports import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
HSTS = "max-age=31536000; includeSubDomains"
OPENSSL = shutil.which("openssl")
STARTUP = 30.0     # seconds for a gateway process to come up
EVENTUALLY = 15.0  # seconds for a certificate change to be picked up (polled every 100 ms)




# --- certificates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PKI:
    files: DevCerts
    ca: Issued

    def context(self, *, client_cert: bool = False) -> ssl.SSLContext:
        """A client context trusting only this CA, optionally presenting its client certificate."""
        ctx = ssl.create_default_context(cafile=str(self.files.ca_cert))
        if client_cert:
            assert self.files.client_cert and self.files.client_key
            ctx.load_cert_chain(self.files.client_cert, self.files.client_key)
        return ctx


def make_pki(directory: Path) -> PKI:
    files = create_dev_certs(directory)
    ca = load_ca(files.ca_cert, files.ca_key)
    assert ca is not None
    return PKI(files, ca)


# --- backends on a private loop -------------------------------------------------------------------


async def echo_request(request: web.Request) -> web.Response:
    body = {"path": request.path_qs, "proto": request.headers.get("X-Forwarded-Proto")}
    return web.json_response(body)


async def own_policy(request: web.Request) -> web.Response:
    """A backend that tries to switch HSTS off and sets its own page policy."""
    return web.Response(text="backend page", headers={"Strict-Transport-Security": "max-age=0",
                                                      "X-Frame-Options": "SAMEORIGIN"})


async def echo_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            await ws.send_str(f"echo {msg.data}")
    return ws


def backend_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/ws", echo_ws)
    app.router.add_get("/own-policy", own_policy)
    app.router.add_route("*", "/{tail:.*}", echo_request)
    return app


class Backends:
    """Servers on one event loop in a thread, so they outlive each test's own loop."""

    def __init__(self) -> None:
        self.loop = uvloop.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="e2e-backends")
        self.runners: list[web.AppRunner] = []
        self.thread.start()

    def start(self, context: ssl.SSLContext | None = None) -> int:
        async def serve() -> int:
            runner = web.AppRunner(backend_app(), access_log=None, handle_signals=False, shutdown_timeout=1)
            await runner.setup()
            self.runners.append(runner)
            await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
            return int(runner.addresses[0][1])

        return asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)

    def close(self) -> None:
        async def cleanup() -> None:
            for runner in self.runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def server_context(pair: DevCerts) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pair.server_cert, pair.server_key)
    return ctx


# --- the gateway process --------------------------------------------------------------------------


def route(name: str, upstream: str, **extra: Any) -> dict[str, Any]:
    """`/NAME/...` to `upstream` with the prefix removed; public."""
    return {"name": name, "match": {"path": f"/{name}/{{rest:path}}"}, "upstream": upstream,
            "allow": ["anonymous"], "strip_prefix": f"/{name}", **extra}


def ws_route(upstream: str, path: str = "/ws") -> dict[str, Any]:
    return {"name": path.strip("/"), "match": {"path": path, "websocket": True}, "upstream": upstream,
            "allow": ["anonymous"]}


class Gateway:
    """`python -m gateway serve` with TLS on its listener and JSON logs in a file."""

    def __init__(self, directory: Path, tls: dict[str, Any], upstreams: dict[str, Any],
                 routes: list[dict[str, Any]]) -> None:
        self.port, self.admin = free_port(), free_port()
        self.log = directory / "gateway.log"
        self.config = directory / "chatguard.yaml"
        self.config.write_text(yaml.safe_dump({
            "listen": {"host": "127.0.0.1", "port": self.port, "tls": tls},
            "admin": {"host": "127.0.0.1", "port": self.admin},
            "logging": {"level": "info", "format": "json", "access_log": False},
            "upstreams": upstreams, "routes": routes, "shutdown_timeout": "2s",
        }))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> Gateway:
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve", "--config", str(self.config)],
                                         cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        proc = self.proc
        if answers_health_blocking(self.admin, lambda: proc.poll() is not None, STARTUP):
            return self
        self.stop()
        raise AssertionError(f"the gateway did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]


@contextlib.contextmanager
def running(gateway: Gateway) -> Iterator[Gateway]:
    try:
        yield gateway.start()
    finally:
        gateway.stop()


# --- module fixtures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    pki: PKI
    other: PKI
    gateway: Gateway
    redirect_port: int
    ports: dict[str, int]


@pytest.fixture(scope="module")
def backends() -> Iterator[Backends]:
    servers = Backends()
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, backends: Backends) -> Iterator[Setup]:
    """One TLS gateway in front of a plain, a verified, a foreign-CA and a misnamed HTTPS backend."""
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    other = make_pki(tmp_path_factory.mktemp("other-ca"))
    ports = {"plain": backends.start(), "secure": backends.start(server_context(pki.files)),
             "foreign": backends.start(server_context(other.files))}
    ca = str(pki.files.ca_cert)
    upstreams = {
        "plain": {"url": f"http://127.0.0.1:{ports['plain']}"},
        "secure": {"url": f"https://localhost:{ports['secure']}", "tls": {"ca_file": ca}},
        "foreign": {"url": f"https://localhost:{ports['foreign']}", "tls": {"ca_file": ca}},
        # Right CA, wrong name: the certificate is for localhost, not for chat.internal.
        "misnamed": {"url": f"https://127.0.0.1:{ports['secure']}",
                     "tls": {"ca_file": ca, "server_name": "chat.internal"}},
    }
    routes = [route(name, name) for name in upstreams] + [ws_route("plain"), ws_route("foreign", "/ws-foreign")]
    redirect_port = free_port()
    tls = {"cert": str(pki.files.server_cert), "key": str(pki.files.server_key),
           "redirect_http": {"enabled": True, "host": "127.0.0.1", "port": redirect_port}}
    with running(Gateway(tmp_path_factory.mktemp("gateway"), tls, upstreams, routes)) as gateway:
        yield Setup(pki, other, gateway, redirect_port, ports)


def client(setup: Setup) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(ssl=setup.pki.context())
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=15))


# --- proxying over TLS, both hops -----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["plain", "secure"])
async def test_https_request_is_proxied_to_plain_and_verified_tls_backends(setup: Setup, backend: str) -> None:
    async with client(setup) as http, http.get(f"{setup.gateway.url}/{backend}/room/1?since=5") as resp:
        assert resp.status == 200
        assert await resp.json() == {"path": "/room/1?since=5", "proto": "https"}
        assert resp.headers["Strict-Transport-Security"] == HSTS


async def test_hsts_replaces_the_backends_value_and_keeps_its_page_policy(setup: Setup) -> None:
    async with client(setup) as http, http.get(f"{setup.gateway.url}/plain/own-policy") as resp:
        assert resp.status == 200
        assert resp.headers.getall("Strict-Transport-Security") == [HSTS]
        assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"   # a relayed page keeps the backend's own
        assert "Content-Security-Policy" not in resp.headers


async def test_gateway_pages_over_tls_carry_hsts_and_the_strict_page_headers(setup: Setup) -> None:
    async with client(setup) as http, http.get(f"{setup.gateway.url}/no/such/route") as resp:
        assert resp.status == 404
        assert (await resp.json())["error"] == "no route"
        assert resp.headers["Strict-Transport-Security"] == HSTS
        for name, value in PAGE_HEADERS.items():
            assert resp.headers[name] == value


@pytest.mark.parametrize(("backend", "detail"), [
    ("foreign", "upstream TLS certificate rejected"),
    ("misnamed", "Hostname mismatch"),
])
async def test_untrusted_backend_gives_502_with_the_reason_in_the_log_only(
        setup: Setup, backend: str, detail: str) -> None:
    async with client(setup) as http, http.post(f"{setup.gateway.url}/{backend}/send", json={"text": "hi"}) as resp:
        assert resp.status == 502
        body = await resp.json()
        assert body["error"] == "upstream TLS verification failed"
        assert set(body) == {"error", "request_id"}   # certificate details never reach the client
        assert resp.headers["Strict-Transport-Security"] == HSTS
    entries = [e for e in setup.gateway.logs() if e.get("request_id") == body["request_id"]]
    assert entries and entries[0]["upstream"] == backend
    assert detail in entries[0]["detail"]


async def test_websocket_to_an_untrusted_backend_is_refused_with_502(setup: Setup) -> None:
    async with client(setup) as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"wss://127.0.0.1:{setup.gateway.port}/ws-foreign")
        assert refused.value.status == 502


async def test_websocket_is_relayed_over_tls(setup: Setup) -> None:
    async with client(setup) as http, http.ws_connect(f"wss://127.0.0.1:{setup.gateway.port}/ws") as ws:
        await ws.send_str("hello")
        assert await ws.receive_str(timeout=10) == "echo hello"


async def test_gateway_without_tls_sends_no_hsts(setup: Setup) -> None:
    config = {"upstreams": {"up": {"url": f"http://127.0.0.1:{setup.ports['plain']}"}},
              "routes": [route("plain", "up")], "logging": {"access_log": False}}
    async with run_gateway(config) as gateway, aiohttp.ClientSession() as http:
        for path, status in (("/plain/x", 200), ("/missing", 404)):
            async with http.get(f"{gateway.url}{path}") as resp:
                assert resp.status == status
                assert "Strict-Transport-Security" not in resp.headers


# --- the plain-HTTP redirect listener -------------------------------------------------------------


@pytest.mark.parametrize(("method", "target", "location"), [
    ("GET", "/", "/"),
    ("GET", "/plain/room/1?since=5&x=%2F", "/plain/room/1?since=5&x=%2F"),
    ("POST", "/plain/send", "/plain/send"),
    ("POST", "/healthz", "/healthz"),          # probes are GET/HEAD only
])
async def test_plain_http_is_redirected_to_https_with_path_and_query(
        setup: Setup, method: str, target: str, location: str) -> None:
    url = URL(f"http://127.0.0.1:{setup.redirect_port}{target}", encoded=True)   # sent byte-exact
    async with aiohttp.ClientSession() as http, http.request(method, url, allow_redirects=False) as resp:
        assert resp.status == 308
        assert resp.headers["Location"] == f"https://127.0.0.1:{setup.gateway.port}{location}"
        assert "Strict-Transport-Security" not in resp.headers


@pytest.mark.parametrize(("method", "path"), [("GET", "/healthz"), ("HEAD", "/readyz"), ("GET", "/healthz?full=1")])
async def test_probes_are_answered_on_plain_http(setup: Setup, method: str, path: str) -> None:
    async with aiohttp.ClientSession() as http, http.request(
            method, f"http://127.0.0.1:{setup.redirect_port}{path}", allow_redirects=False) as resp:
        assert resp.status == 200


@pytest.mark.parametrize("host", ["evil.example/@127.0.0.1", "a b", "", "user@host"])
async def test_redirect_refuses_hostile_host_headers(setup: Setup, host: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(
            f"http://127.0.0.1:{setup.redirect_port}/x", headers={"Host": host}, allow_redirects=False) as resp:
        assert resp.status == 400
        assert "Location" not in resp.headers


# --- handshakes against the gateway's listener ----------------------------------------------------


def handshake(port: int, ctx: ssl.SSLContext) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        return ctx.wrap_socket(raw, server_hostname="localhost")
    except BaseException:
        raw.close()
        raise


def legacy_client(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that offers only `version` with every suite, weak ones included."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version = ctx.maximum_version = version
    return ctx


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_old_tls_versions_are_refused_by_the_listener(setup: Setup, version: ssl.TLSVersion) -> None:
    with pytest.raises(ssl.SSLError) as refused:
        handshake(setup.gateway.port, legacy_client(version)).close()
    # The server refused (an alert, or a hang-up on uvloop), not a client unable to offer the version.
    assert refused.value.reason in ("TLSV1_ALERT_PROTOCOL_VERSION", "UNEXPECTED_EOF_WHILE_READING"), refused.value


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_current_tls_versions_are_accepted(setup: Setup, version: ssl.TLSVersion) -> None:
    ctx = setup.pki.context()
    ctx.minimum_version = ctx.maximum_version = version
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with handshake(setup.gateway.port, ctx) as conn:
        assert conn.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
        cipher = conn.cipher()
        assert cipher is not None and cipher[0] in ("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384")
        assert conn.selected_alpn_protocol() == "http/1.1"


@pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")
@pytest.mark.parametrize("flag", ["-tls1", "-tls1_1"])
def test_openssl_s_client_cannot_negotiate_old_versions(setup: Setup, flag: str) -> None:
    done = subprocess.run(
        [OPENSSL or "openssl", "s_client", "-connect", f"127.0.0.1:{setup.gateway.port}", "-servername", "localhost",
         flag, "-cipher", "ALL:@SECLEVEL=0"], input=b"", capture_output=True, timeout=30, check=False)
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode != 0
    assert "Cipher is (NONE)" in output


# --- an independent scanner against the running gateway -------------------------------------------

SCAN = {
    ScanCommand.SSL_2_0_CIPHER_SUITES, ScanCommand.SSL_3_0_CIPHER_SUITES,
    ScanCommand.TLS_1_0_CIPHER_SUITES, ScanCommand.TLS_1_1_CIPHER_SUITES,
    ScanCommand.TLS_1_2_CIPHER_SUITES, ScanCommand.TLS_1_3_CIPHER_SUITES,
    ScanCommand.TLS_COMPRESSION, ScanCommand.SESSION_RENEGOTIATION, ScanCommand.HTTP_HEADERS,
}
WEAK = ("CBC", "RC4", "3DES", "_DES_", "NULL", "EXPORT", "anon", "MD5")


@pytest.fixture(scope="module")
def scan(setup: Setup) -> AllScanCommandsAttempts:
    request = ServerScanRequest(
        server_location=ServerNetworkLocation("localhost", setup.gateway.port, ip_address="127.0.0.1"),
        network_configuration=ServerNetworkConfiguration(tls_server_name_indication="localhost"),
        scan_commands=SCAN)
    scanner = Scanner()
    scanner.queue_scans([request])
    (result,) = list(scanner.get_results())
    assert result.scan_status == ServerScanStatusEnum.COMPLETED, result.connectivity_error_trace
    assert result.scan_result is not None
    return result.scan_result


def completed(attempt: Any) -> Any:
    assert attempt.status == ScanCommandAttemptStatusEnum.COMPLETED, attempt.error_trace
    return attempt.result


@pytest.mark.parametrize("version", ["ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1"])
def test_sslyze_finds_no_old_protocol(scan: AllScanCommandsAttempts, version: str) -> None:
    assert completed(getattr(scan, f"{version}_cipher_suites")).accepted_cipher_suites == []


def test_sslyze_finds_only_forward_secret_aead_suites(scan: AllScanCommandsAttempts) -> None:
    tls12 = completed(scan.tls_1_2_cipher_suites).accepted_cipher_suites
    tls13 = completed(scan.tls_1_3_cipher_suites).accepted_cipher_suites
    assert tls12 and tls13
    for suite in tls12:
        name = suite.cipher_suite.name
        assert name.startswith("TLS_ECDHE_") and not any(weak in name for weak in WEAK), name
        assert name.endswith(("_GCM_SHA384", "_GCM_SHA256", "_CHACHA20_POLY1305_SHA256")), name
        assert suite.ephemeral_key is not None
    assert {s.cipher_suite.name for s in tls13} <= {
        "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}
    assert all(s.ephemeral_key is not None for s in tls13)


def test_sslyze_finds_no_compression_or_renegotiation(scan: AllScanCommandsAttempts) -> None:
    assert completed(scan.tls_compression).supports_compression is False
    renegotiation = completed(scan.session_renegotiation)
    assert renegotiation.is_vulnerable_to_client_renegotiation_dos is False
    assert renegotiation.client_renegotiations_success_count == 0
    assert renegotiation.supports_secure_renegotiation is True   # RFC 5746 extension: no insecure kind


def test_sslyze_sees_hsts(scan: AllScanCommandsAttempts) -> None:
    hsts = completed(scan.http_headers).strict_transport_security_header
    assert hsts is not None and hsts.max_age == 31536000 and hsts.include_subdomains


# --- client certificates ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mtls(setup: Setup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    files = setup.pki.files
    tls = {"cert": str(files.server_cert), "key": str(files.server_key),
           "client_cert": "required", "client_ca": str(files.ca_cert)}
    upstreams = {"plain": {"url": f"http://127.0.0.1:{setup.ports['plain']}"}}
    with running(Gateway(tmp_path_factory.mktemp("mtls"), tls, upstreams, [route("plain", "plain")])) as gateway:
        yield gateway


def raw_get(port: int, ctx: ssl.SSLContext, path: str) -> bytes:
    """One HTTP/1.1 request over a fresh TLS connection; what came back (nothing if the server hung up)."""
    chunks = []
    try:
        with handshake(port, ctx) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            while chunk := conn.recv(65536):
                chunks.append(chunk)
    except (ssl.SSLError, ConnectionResetError):
        pass   # an alert or a reset: with TLS 1.3 the client learns of the refusal only after its handshake
    return b"".join(chunks)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
@pytest.mark.parametrize("presented", ["none", "foreign", "own"])
def test_mtls_required_admits_only_certificates_from_the_client_ca(
        setup: Setup, mtls: Gateway, version: ssl.TLSVersion, presented: str) -> None:
    ctx = setup.pki.context()
    ctx.maximum_version = version
    files = {"none": None, "foreign": setup.other.files, "own": setup.pki.files}[presented]
    if files is not None:
        assert files.client_cert and files.client_key
        ctx.load_cert_chain(files.client_cert, files.client_key)
    answer = raw_get(mtls.port, ctx, "/plain/x?y=1")
    if presented == "own":
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert answer.endswith(b'{"path": "/x?y=1", "proto": "https"}')
    else:
        assert answer == b""


@pytest.fixture(scope="module")
def mtls_optional(setup: Setup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    files = setup.pki.files
    tls = {"cert": str(files.server_cert), "key": str(files.server_key),
           "client_cert": "optional", "client_ca": str(files.ca_cert)}
    upstreams = {"plain": {"url": f"http://127.0.0.1:{setup.ports['plain']}"}}
    routes = [route("plain", "plain"), {**route("svc", "plain"), "allow": ["service"]},
              {**route("bot", "plain"), "allow": ["dev-client"]}, {**route("other", "plain"), "allow": ["nobody"]}]
    with running(Gateway(tmp_path_factory.mktemp("mtls-optional"), tls, upstreams, routes)) as gateway:
        yield gateway


@pytest.mark.parametrize(("path", "with_cert", "status"), [
    ("/svc/x", True, b"200"), ("/bot/x", True, b"200"), ("/other/x", True, b"403"),
    ("/svc/x", False, b"401"), ("/plain/x", False, b"200"), ("/plain/x", True, b"200"),
])
def test_client_certificate_names_the_calling_service(setup: Setup, mtls_optional: Gateway, path: str,
                                                      with_cert: bool, status: bytes) -> None:
    ctx = setup.pki.context()
    if with_cert:
        files = setup.pki.files
        assert files.client_cert and files.client_key
        ctx.load_cert_chain(files.client_cert, files.client_key)
    answer = raw_get(mtls_optional.port, ctx, path)
    assert answer.startswith(b"HTTP/1.1 " + status + b" ")


# --- check-config -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("tls", "warned"), [({"insecure_skip_verify": True}, True), ({}, False)])
def test_check_config_warns_about_insecure_skip_verify(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], tls: dict[str, Any], warned: bool) -> None:
    config = tmp_path / "chatguard.yaml"
    config.write_text(yaml.safe_dump({"upstreams": {"chat": {"url": "https://chat.internal:8448", "tls": tls}},
                                      "routes": [route("chat", "chat")]}))
    assert chatguard(["check-config", str(config)]) == 0
    err = capsys.readouterr().err
    assert ("upstreams.chat.tls.insecure_skip_verify: certificate verification is OFF" in err) is warned


async def test_insecure_skip_verify_does_reach_a_foreign_backend(setup: Setup) -> None:
    """What the warning is about: with verification off, any certificate is accepted."""
    config = {"upstreams": {"up": {"url": f"https://localhost:{setup.ports['foreign']}",
                                   "tls": {"insecure_skip_verify": True}}},
              "routes": [route("f", "up")], "logging": {"access_log": False}}
    async with run_gateway(config) as gateway, aiohttp.ClientSession() as http:
        async with http.get(f"{gateway.url}/f/x") as resp:
            assert resp.status == 200


# --- certificate hot reload under live traffic -----------------------------------------------------


def served_serial(port: int, ctx: ssl.SSLContext) -> int:
    """The serial number of the certificate a new handshake gets."""
    with handshake(port, ctx) as conn:
        der = conn.getpeercert(binary_form=True)
    assert der is not None
    return int(x509.load_der_x509_certificate(der).serial_number)


async def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + EVENTUALLY
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Secret:
    """A Kubernetes-style secret volume: `name -> ..data/name`, `..data -> ..<version>/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = 0
        root.mkdir()
        self.swap({})
        for name in ("tls.crt", "tls.key"):
            (root / name).symlink_to(Path("..data") / name)

    def swap(self, files: dict[str, bytes]) -> Path:
        """Write a new version directory and re-point `..data` atomically (rename over the link)."""
        self.versions += 1
        version = self.root / f"..v{self.versions}"
        version.mkdir()
        for name, data in files.items():
            (version / name).write_bytes(data)
        link = self.root / "..data_tmp"
        link.symlink_to(version.name)
        os.replace(link, self.root / "..data")
        return version


def pem_pair(issued: Issued, directory: Path) -> dict[str, bytes]:
    write_pair(issued, directory / "tls.crt", directory / "tls.key")
    return {name: (directory / name).read_bytes() for name in ("tls.crt", "tls.key")}


async def test_certificates_reload_under_an_open_websocket(setup: Setup, tmp_path: Path) -> None:
    pki = setup.pki
    hosts = ["localhost", "127.0.0.1"]
    staging = tmp_path / "staging"
    staging.mkdir()
    first, second, third = (issue(pki.ca, "localhost", hosts) for _ in range(3))
    secret = Secret(tmp_path / "secret")
    data = secret.swap(pem_pair(first, staging))
    tls = {"cert": str(secret.root / "tls.crt"), "key": str(secret.root / "tls.key"), "reload_interval": "100ms"}
    upstreams = {"plain": {"url": f"http://127.0.0.1:{setup.ports['plain']}"}}
    gateway = Gateway(tmp_path, tls, upstreams, [route("plain", "plain"), ws_route("plain")])
    ctx = pki.context()

    def serial() -> int:
        return served_serial(gateway.port, ctx)

    def failures() -> int:
        return sum("TLS reload failed" in e["msg"] for e in gateway.logs())

    with running(gateway):
        assert await asyncio.to_thread(serial) == first.cert.serial_number
        async with client(setup) as http, http.ws_connect(f"wss://127.0.0.1:{gateway.port}/ws") as ws:

            async def still_talking(text: str) -> None:
                await ws.send_str(text)
                assert await ws.receive_str(timeout=10) == f"echo {text}"

            await still_talking("before")
            # 1. The files are rewritten where they are (cert-manager, certbot).
            write_pair(second, data / "tls.crt", data / "tls.key")
            await eventually(lambda: serial() == second.cert.serial_number, "the rewritten certificate")
            await still_talking("after rewrite")
            # 2. The volume is re-pointed to a new version (Kubernetes secret update).
            secret.swap(pem_pair(third, staging))
            await eventually(lambda: serial() == third.cert.serial_number, "the swapped-in certificate")
            await still_talking("after swap")
            # 3. A broken certificate arrives: logged, and the last good one stays in service.
            seen = failures()
            key = (staging / "tls.key").read_bytes()
            secret.swap({"tls.crt": b"-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n",
                         "tls.key": key})
            await eventually(lambda: failures() > seen, "the reload error in the log")
            assert await asyncio.to_thread(serial) == third.cert.serial_number
            await still_talking("after a broken file")
            async with http.get(f"{gateway.url}/plain/still-up") as resp:
                assert resp.status == 200
        errors = [e for e in gateway.logs() if "TLS reload failed" in e["msg"]]
        assert errors[-1]["level"] == "error" and "no valid PEM certificate" in errors[-1]["msg"]
