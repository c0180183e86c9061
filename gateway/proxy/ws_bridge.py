"""Two pumps joining a client WebSocket to its upstream WebSocket.

Each pump reads one message, sends it and only then reads the next, so a slow reader
on one side stops the gateway reading from the other: aiohttp pauses a socket whose
message queue is full and `send_frame` waits for the transport to drain, which keeps
the memory held per connection bounded (about one message plus the transport's high-water
mark per direction) and lets TCP push back on the fast sender.

Ping/pong is per hop: each side's pings are answered by the gateway (autoping) and never
forwarded, and with `websocket.heartbeat` set the gateway pings each side itself and drops
a side that stops answering.

How a connection ends (the other side is always closed too):
- a close frame from one side is passed on with the same code and reason, then answered; on a direction
  the route inspects, without the reason (text no filter reads);
- a side that vanishes without a close frame (reset, heartbeat lost, 1006 locally):
  the upstream gets 1001 "client went away", the client gets 1011 "upstream went away";
- a message over `max_frame` or a broken frame: aiohttp closes the sender with 1009
  (or 1002/1007) and the other side is told as for a vanished peer;
- a filter decision (enforce `on_block: close` 1008, `on_parse_error` 1003/1008): both sides;
- a ban or throttle of the client: 1008 to it, 1001 "client went away" to the upstream;
- the state store down while a response is due: 1011 to the client, 1001 to the upstream;
- shutdown: both sides get 1001.

Token streams: on a route whose outbound direction declares fields and whose chain has a
filter offering `Filter.stream` (masking), the outbound pump keeps one `FrameStream` per
connection, so a value a bot splits across consecutive frames is still masked. What a
filter holds back goes out at the front of that field in the next frame; when the upstream
closes or vanishes, every held tail is sent, filtered, as one more frame shaped like the
last frame that carried its field (other text fields empty), before the close is passed
on. A connection cut by a block, the client or shutdown drops the held tails unsent.
Text of small frames is gathered per field up to `limits.stream_batch` characters before the
filters read it (the frames go on without it); once the upstream has been quiet for
`limits.stream_flush` since the oldest of it arrived, it goes on as one more frame shaped like the
last that carried its field. Routes without such filters keep the plain per-frame path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

import aiohttp
from aiohttp import WSCloseCode, WSMsgType, web
from prometheus_client import Counter

from filters import Action, Channel, Direction, StreamChain
from gateway.access.rbac import allow_message
from gateway.codec import NAMED_KINDS, Attachments, Codec, CodecError, frame_names
from gateway.e2ee.policy import E2EERefusal
from gateway.enforce.enforcement import AccessCheck, Close, Enforcement, Wire
from gateway.enforce.settle import enforce, forwarded
from gateway.inspect.exchange import Exchange
from gateway.inspect.frames import FrameInspector
from gateway.inspect.inspection import Inspection
from gateway.inspect.message import Opener, opener
from gateway.inspect.streams import FieldStreams, Held, Tail, emptied
from gateway.proxy.reads import Reads

log = logging.getLogger("chatguard.ws")

type Side = web.WebSocketResponse | aiohttp.ClientWebSocketResponse[bool]

TEXT, BINARY = WSMsgType.TEXT, WSMsgType.BINARY
_FLUSH_EVERY = 128  # messages between metric updates: keeps the per-message path free of locks
_SEND_FAILED = (ConnectionError, aiohttp.ClientError)
CLIENT_LOST = (WSCloseCode.GOING_AWAY, "client went away")
UPSTREAM_LOST = (WSCloseCode.INTERNAL_ERROR, "upstream went away")
SHUTDOWN = (WSCloseCode.GOING_AWAY, "server shutting down")
SESSION_ENDED = (WSCloseCode.POLICY_VIOLATION, "session ended")
BANNED = (WSCloseCode.POLICY_VIOLATION, "banned")


class _Stop(Exception):
    """A decision ends the connection on both sides."""

    def __init__(self, to_client: Close, to_upstream: Close) -> None:
        super().__init__(to_client.reason)
        self.to_client = (to_client.code, to_client.reason)
        self.to_upstream = (to_upstream.code, to_upstream.reason)


def mirrored(code: int | None) -> int:
    """The code to pass on for a close frame received with `code` (0/None: sent without one)."""
    return code if code and code not in (1005, 1006, 1015) else WSCloseCode.OK


class FrameStream:
    """The outbound frames of one connection as one stream per field path; never shared."""

    __slots__ = ("_codec", "_fields", "_opener", "emptied", "held", "limit")

    def __init__(self, codec: Codec, chain: StreamChain, limit: int, opener: Opener | None = None) -> None:
        self._codec = codec
        self._fields: FieldStreams[bool] = FieldStreams(chain, limit)  # tagged: was the frame binary
        self._opener = opener  # opens field envelopes (`encrypt_fields`) before the filters see the frame
        self.limit = limit
        self.held: Held[tuple[bytes, WSMsgType]] = Held()  # frames waiting for the text gathered before them
        self.emptied = False  # the last frame fed had one text field and it goes out empty

    @property
    def gathering(self) -> bool:
        """Whether text is gathered that no filter has read yet (frames after it wait: `held`)."""
        return self._fields.gathering

    async def feed(self, data: str | bytes, binary: bool) -> Inspection:
        """Filter one frame; raises CodecError when it does not parse."""
        if self._opener is not None and isinstance(data, str):
            data = await self._opener(data)
        inspection = await self._fields.feed(self._codec.extract_frame(data), data, binary)
        self.emptied = emptied(inspection)
        return inspection

    async def close(self) -> list[Tail[bool]]:
        """End of stream: per field path, the held tail as a frame shaped like its last one."""
        return [tail for tail in await self._fields.close() if tail.inspection.action is Action.BLOCK or tail.text]

    def flush_in(self, delay: float) -> float | None:
        """Seconds until the gathered text must go (`flush`); None when no text is gathered."""
        return self._fields.flush_in(delay)

    async def flush(self) -> list[Tail[bool]]:
        """The gathered text through the filters now, per field path as a frame shaped like its last one."""
        return [tail for tail in await self._fields.flush() if tail.inspection.action is Action.BLOCK or tail.text]

    def place(self, tail: Tail[bool], payload: bytes) -> None:
        """A filtered tail among the held frames: in place of the last one when that one's only text
        went out empty and it is the tail's own frame (`Tail.latest`), otherwise after them."""
        frame = (payload, BINARY if tail.last else TEXT)
        if tail.latest and self.held.latest:
            self.held.pieces[-1] = frame
            self.held.latest = False
        else:
            self.held.add(frame, 0, latest=False)


class Bridge:
    """One client WebSocket joined to one upstream WebSocket."""

    __slots__ = ("client", "close_timeout", "counters", "ending", "exchange", "upstream")

    def __init__(self, exchange: Exchange, client: web.WebSocketResponse,
                 upstream: aiohttp.ClientWebSocketResponse[bool], counters: Mapping[str, tuple[Counter, Counter]],
                 close_timeout: float) -> None:
        self.exchange = exchange
        self.client = client
        self.upstream = upstream
        self.counters = counters
        self.close_timeout = close_timeout
        self.ending = False

    async def run(self) -> None:
        """Relay until either side ends; returns once both sides are closed."""
        outbound = asyncio.get_running_loop().create_task(
            self._pump(self.upstream, self.client, Direction.OUTBOUND),
            name=f"chatguard-ws-outbound-{self.exchange.request_id}")
        try:
            await self._pump(self.client, self.upstream, Direction.INBOUND)
            await asyncio.wait((outbound,), timeout=2 * self.close_timeout + 1)
        finally:
            if not outbound.done():
                outbound.cancel()
                await asyncio.wait((outbound,))
            if not outbound.cancelled() and (failure := outbound.exception()) is not None:
                log.error("websocket relay failed", exc_info=failure,
                          extra={"request_id": self.exchange.request_id})
            await self._close(self.upstream, *CLIENT_LOST)
            await self._close(self.client, *UPSTREAM_LOST)

    async def shutdown(self) -> None:
        await self._end(Direction.INBOUND, SHUTDOWN, SHUTDOWN)

    @property
    def session(self) -> tuple[str | None, float | None]:
        """The gateway session and credential expiry this connection was opened with."""
        return self.exchange.session, self.exchange.expires

    async def end_session(self) -> None:
        """The client logged out or its credentials expired: 1008 to it, 1001 to the upstream."""
        await self._end(Direction.INBOUND, SESSION_ENDED, SHUTDOWN)

    @property
    def subject(self) -> str:
        return self.exchange.principal.subject

    async def end_banned(self) -> None:
        """A ban raised after the upgrade, on any instance, covers this client: 1008 to it, 1001 upstream."""
        await self._end(Direction.INBOUND, BANNED, SHUTDOWN)

    async def _pump(self, src: Side, dst: Side, direction: Direction) -> None:
        plan = self.exchange.plan
        codec = plan.codec(direction)
        template = self.exchange.message(direction, Channel.WS) if codec is not None else None
        stream = frames = None
        if template is not None and direction is Direction.OUTBOUND:
            assert codec is not None
            chain = plan.chain(direction)
            if StreamChain.offered(chain, template):
                batch = self.exchange.runtime.settings.limits.stream_batch
                stream = FrameStream(codec, StreamChain(chain, template, batch), plan.max_frame,
                                     opener(self.exchange, codec))
        if codec is not None and stream is None:
            frames = FrameInspector(self.exchange, direction, codec)
        # Kinds of per-message rules this route has for client frames; () costs nothing per frame.
        tables = plan.access.messages.tables
        named = tuple(k for k in NAMED_KINDS if k in tables) if direction is Direction.INBOUND else ()
        # Socket.IO: binary messages only as the attachments a packet announced (as socket.io-parser reads them).
        attachments = Attachments() if "socketio" in named or (codec is not None and codec.named_kind == "socketio") \
            else None
        receive, send = src.receive, dst.send_frame
        # An outbound token stream: text gathered from small frames goes on after `limits.stream_flush`.
        reads = Reads(receive, f"chatguard-ws-read-{self.exchange.request_id}") if stream is not None else None
        delay = self.exchange.runtime.settings.limits.stream_flush
        messages = size = 0
        try:
            while True:
                if reads is None:
                    msg = await receive()
                else:
                    assert stream is not None
                    got = await reads.next(stream.flush_in(delay))
                    if got is None:  # gathered text waited `limits.stream_flush`: it goes now, with the frames held
                        for payload, frame_kind in await self._let_go(stream, src, await stream.flush()):
                            await send(payload, frame_kind)
                            messages += 1
                            size += len(payload)
                        continue
                    msg = got
                kind = msg.type
                if kind is TEXT or kind is BINARY:
                    data = msg.data
                    if attachments is not None and await self._unannounced(attachments, direction, src, data, kind):
                        continue
                    if named and await self._refused(named, src, data, kind is BINARY):
                        if attachments is not None:
                            attachments.dropped()
                        continue
                    if stream is not None:
                        for payload, frame_kind in await self._streamed(stream, src, data, kind, attachments):
                            await send(payload, frame_kind)
                            messages += 1
                            size += len(payload)
                        if messages >= _FLUSH_EVERY:
                            self._count(direction, messages, size)
                            messages = size = 0
                        continue
                    if frames is not None:  # `_filtered`, with no coroutine of its own for most frames
                        relayed = await frames.relay(data)
                        if not isinstance(relayed, bytes):
                            checked = await self._decided(frames, direction, src, relayed)
                            if checked is None:
                                if attachments is not None:
                                    attachments.dropped()
                                continue
                            relayed = checked
                        data = relayed
                    elif kind is TEXT and type(data) is str:
                        data = data.encode()
                    await send(data, kind)
                    messages += 1
                    size += len(data)
                    if messages >= _FLUSH_EVERY:
                        self._count(direction, messages, size)
                        messages = size = 0
                    continue
                if stream is not None and not self.ending:
                    await self._flush(stream, dst)
                if kind is WSMsgType.CLOSE:  # its reason is text no filter reads: passed on only where none would
                    reply = (mirrored(msg.data), "" if codec is not None else msg.extra or "")
                    await self._end(direction, reply, reply)
                elif not self.ending:  # CLOSED / ERROR: the source vanished or broke the protocol
                    await self._lost(direction)
                return
        except _Stop as stop:
            await self._end(direction, stop.to_client, stop.to_upstream)
        except _SEND_FAILED:
            if not self.ending:  # the destination vanished while we wrote to it
                await self._lost(Direction.OUTBOUND if direction is Direction.INBOUND else Direction.INBOUND)
        finally:
            if reads is not None:
                reads.cancel()
            if messages:
                self._count(direction, messages, size)

    async def _filtered(self, frames: FrameInspector, direction: Direction, src: Side, data: str | bytes) -> bytes | None:
        """The payload to forward after codec -> chain -> enforce, or None when it stops here."""
        result = await frames.relay(data)
        if isinstance(result, bytes):  # most messages: every filter passed, nothing else to do
            return result
        return await self._decided(frames, direction, src, result)

    async def _decided(self, frames: FrameInspector, direction: Direction, src: Side,
                       result: Inspection | CodecError | E2EERefusal) -> bytes | None:
        """`_filtered` for a frame `FrameInspector.relay` did not decide itself."""
        payload = forwarded(self.exchange, direction, result, frames.transcribed, frames.count)
        if payload is not None:  # most messages: every filter passed, nothing else to do
            return payload
        enforcement = await enforce(self.exchange, direction, result)
        if enforcement.wire is Wire.FORWARD:  # most messages: no decision to carry out
            return enforcement.payload
        return await self._apply(enforcement, src)

    async def _streamed(self, stream: FrameStream, src: Side, data: str | bytes, kind: WSMsgType,
                        attachments: Attachments | None = None) -> list[tuple[bytes, WSMsgType]]:
        """`_filtered` for an outbound token stream: the frame goes through the connection's streams.
        The frames to send now: none while text is gathered (the frame waits in `held`), else the held
        ones and this one. `attachments` is told when the frame goes no further."""
        result: Inspection | CodecError
        try:
            result = await stream.feed(data, kind is BINARY)
        except CodecError as exc:
            result = exc
        payload = await self._apply(await enforce(self.exchange, Direction.OUTBOUND, result), src)
        if payload is None and attachments is not None:
            attachments.dropped()
        if stream.gathering:
            if payload is not None:
                stream.held.add((payload, kind), len(payload), latest=stream.emptied)
            if stream.held.size <= stream.limit:
                return []
            return await self._let_go(stream, src, await stream.flush())  # held frames are bounded like one
        sent = stream.held.take()
        if payload is not None:
            sent.append((payload, kind))
        return sent

    async def _let_go(self, stream: FrameStream, src: Side, tails: list[Tail[bool]]) -> list[tuple[bytes, WSMsgType]]:
        """The flushed tails decided and placed among the held frames; all of them, to send now."""
        for tail in tails:
            payload = await self._apply(await enforce(self.exchange, Direction.OUTBOUND, tail.inspection), src)
            if payload is not None:
                stream.place(tail, payload)
        return stream.held.take()

    async def _flush(self, stream: FrameStream, dst: Side) -> None:
        """Send the held frames and tails before the upstream's close is passed on; a blocked tail is
        dropped with what follows it."""
        for tail in await stream.close():
            enforcement = await enforce(self.exchange, Direction.OUTBOUND, tail.inspection)
            if not enforcement.forwards:
                break  # audited; the connection is closing anyway
            stream.place(tail, enforcement.payload)
        for payload, kind in stream.held.take():
            await dst.send_frame(payload, kind)

    async def _unannounced(self, attachments: Attachments, direction: Direction, src: Side, data: str | bytes,
                           kind: WSMsgType) -> bool:
        """Count a Socket.IO message in (`Attachments.check`); True when it must not go on (decided and applied)."""
        try:
            attachments.check(data, kind is BINARY)
        except CodecError as exc:
            await self._apply(await enforce(self.exchange, direction, exc), src)
            return True
        return False

    async def _refused(self, kinds: tuple[str, ...], src: Side, data: str | bytes, binary: bool) -> bool:
        """Check a client frame against the route's per-message rules; True when it must not go on."""
        exchange = self.exchange
        rules = exchange.plan.access.messages
        for kind in kinds:
            try:
                names = frame_names(data, kind, binary=binary)
            except CodecError as exc:
                await self._apply(await enforce(exchange, Direction.INBOUND, exc), src)
                return True
            for name in names:
                check = AccessCheck(allow_message(rules, exchange.principal, kind, name), kind, name)
                enforcement = await enforce(exchange, Direction.INBOUND, check)
                if not enforcement.forwards:
                    await self._apply(enforcement, src)
                    return True
        return False

    @staticmethod
    async def _apply(enforcement: Enforcement, src: Side) -> bytes | None:
        """Carry out a decision: the payload to forward, or None when the message stops here."""
        wire = enforcement.wire
        if wire is Wire.FORWARD:
            return enforcement.payload
        if wire is Wire.CLOSE:
            assert enforcement.to_client is not None and enforcement.to_upstream is not None
            raise _Stop(enforcement.to_client, enforcement.to_upstream)
        if wire is Wire.REPLY and enforcement.reply is not None:
            await src.send_frame(enforcement.reply.encode(), TEXT)
        return None

    async def _lost(self, vanished: Direction) -> None:
        """`vanished` names the direction whose source went away without a close frame."""
        if vanished is Direction.INBOUND:
            await self._end(vanished, CLIENT_LOST, CLIENT_LOST)
        else:
            await self._end(vanished, UPSTREAM_LOST, UPSTREAM_LOST)

    async def _end(self, source: Direction, to_client: tuple[int, str], to_upstream: tuple[int, str]) -> None:
        """Close both sides once: the side that did not start the close first, then the other."""
        if self.ending:
            return
        self.ending = True
        if source is Direction.INBOUND:
            await self._close(self.upstream, *to_upstream)
            await self._close(self.client, *to_client)
        else:
            await self._close(self.client, *to_client)
            await self._close(self.upstream, *to_upstream)

    @staticmethod
    async def _close(side: Side, code: int, reason: str) -> None:
        if side.closed:
            return
        with contextlib.suppress(TimeoutError, *_SEND_FAILED):
            await side.close(code=code, message=reason.encode())

    def _count(self, direction: Direction, messages: int, size: int) -> None:
        counter_messages, counter_bytes = self.counters[direction]
        counter_messages.inc(messages)
        counter_bytes.inc(size)
