"""Ports for servers the tests start in other processes.

A port the kernel hands out for `bind(("127.0.0.1", 0))` comes from the ephemeral range, which the
kernel also uses for the local end of every outgoing connection: between the moment a test closes
its probe socket and the moment the child process binds the port, any test's client socket may take
it. Ports below the ephemeral range are never handed to client sockets, so they are drawn from there
(at random, so parallel test workers rarely meet) and checked free before use.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_RANGE = (20000, 32000)  # below Linux's default ephemeral range (32768-60999)


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback TCP port nobody listens on, outside the range client sockets are given."""
    low, high = _RANGE[0], min(_RANGE[1], _ephemeral_floor() - 1)
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # a crowded range: fall back to the kernel's choice
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port() -> int:
    """A loopback port that refuses connections: nobody listens on it."""
    return free_port()
