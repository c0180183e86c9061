"""A minimal, fast WebSocket echo server: the WebSocket upstream of the benchmark.

`python -m benchmarks.wsecho PORT` answers any upgrade on 127.0.0.1:PORT and echoes every data
frame back unchanged; HTTP requests without an upgrade get a small fixed 200 (readiness probe).
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import cast

import uvloop

from benchmarks import tools, wsframes

KEY = re.compile(rb"(?im)^sec-websocket-key:\s*(\S+)\s*$")
PLAIN = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class Echo(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None
        self.buf += data
        if not self.upgraded and not self._handshake(transport):
            return
        while (parsed := wsframes.parse(self.buf)) is not None:
            first, opcode, payload = parsed
            if opcode == wsframes.OP_CLOSE:
                transport.write(wsframes.frame(wsframes.OP_CLOSE, payload[:2], masked=False))
                transport.close()
                return
            if opcode == wsframes.OP_PING:
                transport.write(wsframes.frame(wsframes.OP_PONG, payload, masked=False))
            elif opcode != wsframes.OP_PONG:
                transport.write(wsframes.frame(opcode, payload, masked=False, fin=bool(first & 0x80)))

    def _handshake(self, transport: asyncio.Transport) -> bool:
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > 16384:
                transport.close()
            return False
        head = bytes(self.buf[:end])
        del self.buf[:end + 4]
        key = KEY.search(head)
        if key is None:
            transport.write(PLAIN)
            transport.close()
            return False
        transport.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        b"Sec-WebSocket-Accept: " + wsframes.accept_key(key.group(1)) + b"\r\n\r\n")
        self.upgraded = True
        return True


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    tools.raise_fd_limit()
    uvloop.run(serve(int(sys.argv[1])))
