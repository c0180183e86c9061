"""Probes of WebSocket routes and of the listener's patience: Origin, frames, floods, slow clients."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from gateway.config.settings import RouteSettings, Settings
from gateway.tools.attacksim.model import GATEWAY, Probe, Result, failed, held, skipped
from gateway.tools.attacksim.probes_http import INJECTIONS
from gateway.tools.attacksim.session import Session
from gateway.tools.attacksim.targets import frame_for, websockets
from gateway.tools.attacksim.wsraw import CONTINUATION, TEXT, exchange, frame

MAX_OVERSIZE = 4 * 1024 * 1024   # never send more than this in one frame
FLOOD = 300                      # frames of the flood burst (one connection, bounded)
MALFORMED = (
    ("invalid-utf8", frame(TEXT, b"\xff\xfe\xfd")),
    ("unmasked", frame(TEXT, b"cgsim", masked=False)),
    ("reserved-opcode", frame(0x3, b"cgsim")),
    ("reserved-bit", frame(TEXT, b"cgsim", rsv=0x4)),
    ("orphan-continuation", frame(CONTINUATION, b"cgsim")),
)


def _origin(route: RouteSettings) -> Probe:
    async def run(s: Session) -> Result:
        headers = await s.credentials(route)
        if headers is None:
            return skipped("the route needs a signed-in caller: give --test-user")
        answer = await exchange(s, s.path_of(route), [], headers=headers, wait=0.5,
                                origin="https://cgsim-attacker.invalid")
        what = "handshake from Origin https://cgsim-attacker.invalid"
        return failed(f"{what} -> upgraded") if answer.upgraded else held(f"{what} -> {answer.show()}")
    return Probe(f"ws.origin.{route.name}", "origin", "Handshakes from foreign pages are refused", "high",
                 run, route.name)


def _oversized(route: RouteSettings, settings: Settings) -> Probe:
    limit = int(route.websocket.max_frame or settings.websocket.max_frame)

    async def run(s: Session) -> Result:
        headers = await s.credentials(route)
        if headers is None:
            return skipped("the route needs a signed-in caller: give --test-user")
        if limit + 1024 > MAX_OVERSIZE:
            return skipped(f"max_frame {limit} is above what the simulation sends ({MAX_OVERSIZE})")
        answer = await exchange(s, s.path_of(route), [frame(TEXT, b"x" * (limit + 1024))], headers=headers)
        what = f"one {limit + 1024}-byte text frame (max_frame {limit})"
        if not answer.upgraded:
            return skipped(f"handshake refused ({answer.status})")
        return held(f"{what} -> {answer.show()}") if answer.closed else failed(f"{what} -> {answer.show()}")
    return Probe(f"ws.oversized.{route.name}", "websocket", "Oversized frames close the connection", "medium",
                 run, route.name)


def _malformed(route: RouteSettings) -> Probe:
    async def run(s: Session) -> Result:
        headers = await s.credentials(route)
        if headers is None:
            return skipped("the route needs a signed-in caller: give --test-user")
        lines, bad = [], []
        for name, data in MALFORMED:
            answer = await exchange(s, s.path_of(route), [data], headers=headers, wait=2.0)
            if not answer.upgraded:
                return skipped(f"handshake refused ({answer.status})")
            lines.append(f"{name}: {answer.show()}")
            if not answer.closed:
                bad.append(name)
        evidence = "; ".join(lines)
        return failed(f"kept open after: {', '.join(bad)}. {evidence}") if bad else held(evidence)
    return Probe(f"ws.malformed.{route.name}", "websocket", "Malformed frames close the connection", "medium",
                 run, route.name)


def _fragmented(route: RouteSettings) -> Probe:
    async def run(s: Session) -> Result:
        headers = await s.credentials(route)
        if headers is None:
            return skipped("the route needs a signed-in caller: give --test-user")
        if not route.filters or not (route.messages.inbound.json or route.messages.inbound.text):
            return skipped("the route reads no inbound text")
        marker = s.marker()
        payload = INJECTIONS[0][1]
        data = frame_for(route, f"{marker} {payload}").encode()
        third = len(data) // 3
        pieces = [frame(TEXT, data[:third], fin=False), frame(CONTINUATION, data[third:2 * third], fin=False),
                  frame(CONTINUATION, data[2 * third:])]
        answer = await exchange(s, s.path_of(route), pieces, headers=headers, wait=2.0)
        if not answer.upgraded:
            return skipped(f"handshake refused ({answer.status})")
        seen = await s.upstream_text(marker)
        what = f"an injection split over three fragments -> {answer.show()}"
        if seen is None:
            if answer.closed or answer.frames:
                return held(f"{what} (pass --upstream-log to confirm nothing arrived)")
            return skipped("no answer: pass --upstream-log to see what reached the backend", what)
        if "<script>" in seen:
            return failed(f"{what}; it reached the backend whole")
        return held(f"{what}; it did not reach the backend")
    return Probe(f"ws.fragmented.{route.name}", "websocket", "Fragmented messages are inspected whole", "high",
                 run, route.name)


def _flood(route: RouteSettings) -> Probe:
    async def run(s: Session) -> Result:
        headers = await s.credentials(route)
        if headers is None:
            return skipped("the route needs a signed-in caller: give --test-user")
        marker = s.marker()
        frames = [frame(TEXT, frame_for(route, f"{marker} hello {i}").encode()) for i in range(FLOOD)]
        answer = await exchange(s, s.path_of(route), [b"".join(frames)], headers=headers, wait=3.0)
        if not answer.upgraded:
            return skipped(f"handshake refused ({answer.status})")
        seen = await s.upstream_text(marker)
        arrived = None if seen is None else seen.count(marker)
        what = f"{FLOOD} frames in one burst -> {answer.show()}"
        if arrived is not None:
            what += f"; {arrived} reached the backend"
            return held(what) if arrived < FLOOD else failed(what)
        if answer.closed:
            return held(what)
        return skipped("still open: pass --upstream-log to count what reached the backend", what)
    return Probe(f"ws.flood.{route.name}", "flood", "A message flood is cut off", "medium", run, route.name)


def _slow_client(settings: Settings) -> Probe:
    allowed = float(settings.limits.header_timeout)

    async def run(s: Session) -> Result:
        if allowed > 30:
            return skipped(f"limits.header_timeout is {allowed:g}s: too long to wait for here")
        await s.pace.take()
        host, port = s.target.host or "127.0.0.1", s.target.port or 80
        try:
            reader, writer = await asyncio.open_connection(host, port, ssl=s.ssl,
                                                           server_hostname=host if s.ssl else None)
        except OSError as exc:
            return skipped(f"cannot connect: {exc}")
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            writer.write(f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Cgsim: ".encode())
            while loop.time() - started < allowed + 10:
                await writer.drain()
                try:
                    data = await asyncio.wait_for(reader.read(1024), 1.0)
                except TimeoutError:
                    writer.write(b"a")
                    continue
                waited = loop.time() - started
                status = data[:12].decode("latin-1", "replace").strip()
                return held(f"a head trickled one byte a second was cut off after {waited:.0f}s ({status or 'closed'})")
        except (OSError, ConnectionError):
            return held(f"a head trickled one byte a second was cut off after {loop.time() - started:.0f}s")
        finally:
            writer.close()
        return failed(f"a head trickled one byte a second was still open after {allowed + 10:.0f}s")
    return Probe("slow.header", "slow-client", "A slow client is cut off", "medium", run, GATEWAY)


def build(settings: Settings) -> Iterator[Probe]:
    yield _slow_client(settings)
    for route in websockets(settings):
        yield _origin(route)
        yield _oversized(route, settings)
        yield _malformed(route)
        yield _fragmented(route)
        yield _flood(route)
