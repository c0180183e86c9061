"""The listener as the `openssl s_client` command line sees it: refused versions and suites."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from gateway.tls.server import ServerTLS

from .conftest import PKI, hello_app, make_pki, serve_in_thread

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")


@pytest.fixture(scope="module")
def listener(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PKI, int]]:
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    with serve_in_thread(hello_app, ServerTLS.load(pki.listener()).context) as port:
        yield pki, port


def s_client(listener: tuple[PKI, int], *args: str) -> tuple[int, str]:
    pki, port = listener
    done = subprocess.run(
        [OPENSSL or "openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
         "-CAfile", str(pki.files.ca_cert), "-verify_return_error", *args],
        input=b"", capture_output=True, timeout=30, check=False)
    return done.returncode, (done.stdout + done.stderr).decode(errors="replace")


@pytest.mark.parametrize("args", [
    ("-tls1", "-cipher", "ALL:@SECLEVEL=0"),
    ("-tls1_1", "-cipher", "ALL:@SECLEVEL=0"),
    ("-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"),   # CBC only
    ("-tls1_2", "-cipher", "AES256-GCM-SHA384:AES128-SHA256:@SECLEVEL=0"),                    # no ECDHE
    ("-tls1_2", "-cipher", "eNULL:@SECLEVEL=0"),
])
def test_refused(listener: tuple[PKI, int], args: tuple[str, ...]) -> None:
    code, output = s_client(listener, *args)
    assert code != 0
    assert "Cipher is (NONE)" in output


@pytest.mark.parametrize(("args", "cipher"), [
    (("-tls1_2",), "ECDHE-ECDSA-AES256-GCM-SHA384"),
    (("-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"), "ECDHE-ECDSA-CHACHA20-POLY1305"),
    (("-tls1_3",), "TLS_AES_256_GCM_SHA384"),
])
def test_accepted(listener: tuple[PKI, int], args: tuple[str, ...], cipher: str) -> None:
    code, output = s_client(listener, *args, "-alpn", "h2,http/1.1")
    assert code == 0, output
    assert f"Cipher is {cipher}" in output
    assert "Verify return code: 0 (ok)" in output
    assert "Compression: NONE" in output
    assert "ALPN protocol: http/1.1" in output
