"""An independent scanner (sslyze) against the running listener, once with an ECDSA and once with an RSA key.

The RSA listener matters: with an EC key, RSA key exchange and RSA-only suites are
impossible anyway, so only an RSA key shows that the *policy* refuses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from sslyze.plugins.scan_commands import ScanCommand
from sslyze.scanner.models import AllScanCommandsAttempts, ServerScanRequest, ServerScanStatusEnum
from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from gateway.tls.certs import issue, write_pair
from gateway.tls.security_headers import security_headers_hook
from gateway.tls.server import ServerTLS
from gateway.tls.settings import HSTSSettings, ListenerTLS

from .conftest import hello, make_pki, serve_in_thread

COMMANDS = {
    ScanCommand.SSL_2_0_CIPHER_SUITES, ScanCommand.SSL_3_0_CIPHER_SUITES,
    ScanCommand.TLS_1_0_CIPHER_SUITES, ScanCommand.TLS_1_1_CIPHER_SUITES,
    ScanCommand.TLS_1_2_CIPHER_SUITES, ScanCommand.TLS_1_3_CIPHER_SUITES,
    ScanCommand.TLS_COMPRESSION, ScanCommand.SESSION_RENEGOTIATION, ScanCommand.HEARTBLEED,
    ScanCommand.OPENSSL_CCS_INJECTION, ScanCommand.ROBOT, ScanCommand.HTTP_HEADERS,
}
WEAK_MARKERS = ("CBC", "RC4", "3DES", "_DES_", "NULL", "EXPORT", "anon", "MD5")


def app() -> web.Application:
    application = web.Application()
    application.on_response_prepare.append(security_headers_hook(HSTSSettings()))
    application.router.add_get("/", hello)
    return application


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, AllScanCommandsAttempts]]:
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    directory: Path = pki.directory
    rsa_leaf = issue(pki.ca, "localhost", ["localhost"], key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    write_pair(rsa_leaf, directory / "rsa.crt", directory / "rsa.key")
    listeners = {"ecdsa": pki.listener(),
                 "rsa": ListenerTLS(cert=str(directory / "rsa.crt"), key=str(directory / "rsa.key"))}
    with ExitStack() as stack:
        ports = {name: stack.enter_context(serve_in_thread(app, ServerTLS.load(cfg).context))
                 for name, cfg in listeners.items()}
        requests = {
            name: ServerScanRequest(
                server_location=ServerNetworkLocation("localhost", port, ip_address="127.0.0.1"),
                network_configuration=ServerNetworkConfiguration(tls_server_name_indication="localhost"),
                scan_commands=COMMANDS)
            for name, port in ports.items()
        }
        scanner = Scanner()
        scanner.queue_scans(list(requests.values()))
        by_port = {}
        for result in scanner.get_results():
            assert result.scan_status == ServerScanStatusEnum.COMPLETED, result.connectivity_error_trace
            assert result.scan_result is not None
            by_port[result.server_location.port] = result.scan_result
        yield {name: by_port[port] for name, port in ports.items()}


KEYS = ["ecdsa", "rsa"]


def completed(attempt: Any) -> Any:
    """The result of one scan command, which must have run to completion."""
    assert attempt.status == ScanCommandAttemptStatusEnum.COMPLETED, attempt.error_trace
    return attempt.result


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("version", ["ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1"])
def test_old_protocols_refused(scans: dict[str, AllScanCommandsAttempts], key: str, version: str) -> None:
    result = completed(getattr(scans[key], f"{version}_cipher_suites"))
    assert result.accepted_cipher_suites == []


@pytest.mark.parametrize("key", KEYS)
def test_only_forward_secret_aead_suites(scans: dict[str, AllScanCommandsAttempts], key: str) -> None:
    tls12 = completed(scans[key].tls_1_2_cipher_suites).accepted_cipher_suites
    tls13 = completed(scans[key].tls_1_3_cipher_suites).accepted_cipher_suites
    names = [s.cipher_suite.name for s in tls12]
    assert names, "TLS 1.2 must stay available"
    assert tls13, "TLS 1.3 must be available"
    for suite in tls12:
        name = suite.cipher_suite.name
        assert name.startswith("TLS_ECDHE_"), name
        assert name.endswith(("_GCM_SHA384", "_GCM_SHA256", "_CHACHA20_POLY1305_SHA256")), name
        assert not any(marker in name for marker in WEAK_MARKERS), name
        assert suite.ephemeral_key is not None and suite.ephemeral_key.size >= 253
    assert {s.cipher_suite.name for s in tls13} <= {
        "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}
    assert all(s.ephemeral_key is not None for s in tls13)


@pytest.mark.parametrize("key", KEYS)
def test_no_compression_renegotiation_or_known_bugs(scans: dict[str, AllScanCommandsAttempts], key: str) -> None:
    scan = scans[key]
    assert completed(scan.tls_compression).supports_compression is False
    renegotiation = completed(scan.session_renegotiation)
    assert renegotiation.is_vulnerable_to_client_renegotiation_dos is False
    assert renegotiation.client_renegotiations_success_count == 0
    assert completed(scan.heartbleed).is_vulnerable_to_heartbleed is False
    assert completed(scan.openssl_ccs_injection).is_vulnerable_to_ccs_injection is False
    assert completed(scan.robot).robot_result.name.startswith("NOT_VULNERABLE")


@pytest.mark.parametrize("key", KEYS)
def test_scanner_sees_hsts(scans: dict[str, AllScanCommandsAttempts], key: str) -> None:
    hsts = completed(scans[key].http_headers).strict_transport_security_header
    assert hsts is not None and hsts.max_age == 31536000 and hsts.include_subdomains
