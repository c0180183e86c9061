"""Just enough RFC 6455 framing for the benchmark's echo server and load generator.

Both sides sit on the load core next to each other, so they must cost as little CPU as possible:
no library, no per-frame objects, header parsing on a bytearray and XOR unmasking on big ints.
"""

from __future__ import annotations

import base64
import hashlib
import os

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def accept_key(key: bytes) -> bytes:
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def unmask(payload: bytes, mask: bytes) -> bytes:
    n = len(payload)
    if not n:
        return payload
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


def frame(opcode: int, payload: bytes, masked: bool, fin: bool = True) -> bytes:
    """One complete frame; client frames are masked with a fresh random key."""
    n = len(payload)
    first = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if masked else 0
    if n < 126:
        head = first + bytes([bit | n])
    elif n < 65536:
        head = first + bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head = first + bytes([bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + unmask(payload, mask)


def parse(buf: bytearray) -> tuple[int, int, bytes] | None:
    """Take one frame off the front of buf: (first byte, opcode, unmasked payload), or None if incomplete."""
    if len(buf) < 2:
        return None
    b0, b1 = buf[0], buf[1]
    n = b1 & 0x7F
    pos = 2
    if n == 126:
        if len(buf) < 4:
            return None
        n, pos = int.from_bytes(buf[2:4], "big"), 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n, pos = int.from_bytes(buf[2:10], "big"), 10
    mask = b""
    if b1 & 0x80:
        if len(buf) < pos + 4:
            return None
        mask, pos = bytes(buf[pos:pos + 4]), pos + 4
    if len(buf) < pos + n:
        return None
    payload = bytes(buf[pos:pos + n])
    del buf[:pos + n]
    return b0, b0 & 0x0F, unmask(payload, mask) if mask else payload


def take_handshake(buf: bytearray) -> bytes | None:
    """The status line of the handshake answer at the head of `buf` (removed from it with the rest of the
    head), or None while the head is not whole."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    status = bytes(buf[:end]).split(b"\r\n", 1)[0]
    del buf[:end + 4]
    return status


def switched(status: bytes) -> bool:
    """Whether a handshake's status line says 101 Switching Protocols."""
    return b" 101 " in status + b" "
