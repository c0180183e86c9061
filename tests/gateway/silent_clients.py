"""Clients that connect and then read nothing: what holds a refused connection open longest."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
from pathlib import Path

from gateway.tls.certs import create_dev_certs


def silent_client(port: int, context: ssl.SSLContext | None) -> socket.socket:
    """A client of 127.0.0.1:`port` that completes the TLS handshake with `context` (or is closed during
    it; plain TCP without one) and then reads nothing."""
    sock = socket.create_connection(("127.0.0.1", port))
    if context is None:
        return sock
    wrapped = context.wrap_socket(sock, server_hostname="127.0.0.1", do_handshake_on_connect=False)
    wrapped.settimeout(30)
    with contextlib.suppress(OSError):
        wrapped.do_handshake()
    return wrapped


def sockets_held() -> int:
    """Sockets this process holds (a test's clients and the server's side alike)."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd).startswith("socket:")
    return count


def tls_contexts(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server's TLS context on development certificates made in `directory`, and a client's that trusts them."""
    certs = create_dev_certs(directory, client_name=None)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(certs.server_cert, certs.server_key)
    return server, ssl.create_default_context(cafile=str(certs.ca_cert))
