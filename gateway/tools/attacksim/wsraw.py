"""A WebSocket client that writes frames by hand: oversized, invalid, unmasked, fragmented.

Client libraries refuse to send what these probes need, so the handshake and the frames
(RFC 6455) are written here, on the session's raw connection.
"""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
import struct
from dataclasses import dataclass

from gateway.tools.attacksim.session import Session

TEXT, CONTINUATION, CLOSE = 0x1, 0x0, 0x8


def frame(opcode: int, payload: bytes, *, fin: bool = True, masked: bool = True, rsv: int = 0) -> bytes:
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    size = len(payload)
    mask_bit = 0x80 if masked else 0
    if size < 126:
        head += bytes([mask_bit | size])
    elif size < 65536:
        head += bytes([mask_bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", size)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


@dataclass
class Answer:
    upgraded: bool
    status: int | None
    frames: list[tuple[int, bytes]]   # (opcode, payload) the server sent after the handshake
    closed: bool                      # the server closed the connection (or sent a close frame)

    def close_code(self) -> int | None:
        for opcode, payload in self.frames:
            if opcode == CLOSE and len(payload) >= 2:
                return int(struct.unpack("!H", payload[:2])[0])
        return None

    def show(self) -> str:
        if not self.upgraded:
            return f"handshake refused ({self.status})" if self.status else "handshake refused (no answer)"
        code = self.close_code()
        texts = [p[:80].decode("utf-8", "replace") for op, p in self.frames if op == TEXT]
        parts = [f"close {code}" if code else ("closed" if self.closed else "still open")]
        if texts:
            parts.append(f"frames: {texts[:2]}")
        return ", ".join(parts)


def _parse(buffer: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    frames = []
    while len(buffer) >= 2:
        opcode, size, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if size == 126:
            if len(buffer) < 4:
                break
            size, at = struct.unpack("!H", buffer[2:4])[0], 4
        elif size == 127:
            if len(buffer) < 10:
                break
            size, at = struct.unpack("!Q", buffer[2:10])[0], 10
        if len(buffer) < at + size:
            break
        frames.append((opcode, buffer[at:at + size]))
        buffer = buffer[at + size:]
    return frames, buffer


async def exchange(s: Session, path: str, frames: list[bytes], *, headers: dict[str, str] | None = None,
                   wait: float = 3.0, origin: str | None = None) -> Answer:
    """Handshake on `path`, send `frames`, collect what comes back for `wait` seconds."""
    await s.pace.take(1 + len(frames))
    host, port = s.target.host or "127.0.0.1", s.target.port or 80
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            host, port, ssl=s.ssl, server_hostname=host if s.ssl else None), s.options.timeout)
    except (OSError, TimeoutError):
        return Answer(False, None, [], True)
    scheme = "https" if s.ssl else "http"
    origin = origin or s.origin_for(path) or f"{scheme}://{host}:{port}"
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}", "Sec-WebSocket-Version: 13",
             f"Origin: {origin}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    answer = Answer(False, None, [], False)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), s.options.timeout)
        status = head.split(b" ", 2)[1] if head.startswith(b"HTTP/1.1 ") else b""
        answer.status = int(status) if status.isdigit() else None
        if answer.status != 101:
            return answer
        answer.upgraded = True
        for data in frames:
            writer.write(data)
            await writer.drain()
        buffer = b""
        async with asyncio.timeout(wait):
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    answer.closed = True
                    break
                found, buffer = _parse(buffer + chunk)
                answer.frames += found
                if any(op == CLOSE for op, _ in found):
                    answer.closed = True
                    break
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ssl.SSLError):
        answer.closed = answer.closed or answer.upgraded is False
    finally:
        writer.close()
    return answer
