"""HTTP forwarding: stream what is not inspected, inspect what a route declares.

Bodies of routes without message fields stream in both directions (no full buffering);
routes with message fields read the body once, bounded by `max_body`, run it through
the filter chain and forward the result.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from filters import Action, Direction
from gateway.auth.carriage import strip_headers, strip_query
from gateway.codec import Codec, CodecError, UnsupportedPayload
from gateway.codec.form import FormNames
from gateway.codec.media import media_type
from gateway.codec.multipart import boundary_of
from gateway.e2ee.policy import E2EERefusal
from gateway.edge.errors import error_response
from gateway.edge.guard import body_timed_out
from gateway.edge.headers import add_forwarding, client_headers, end_to_end, identity_encoded, strip_set
from gateway.edge.request_id import REQUEST_ID
from gateway.enforce.decide import Result
from gateway.enforce.settle import enforce, forwarded
from gateway.inspect.bodies import relay_body
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.inspect.message import opener
from gateway.inspect.named import refused_names
from gateway.inspect.query import checked_target
from gateway.keys import FIELD_CRYPTO, METRICS, TRANSCRIBER
from gateway.proxy.bodies import CLIENT_CLOSED, BodyTimeout, BodyTooLarge, client_gone, read_limited
from gateway.proxy.h1client import UpstreamResponse
from gateway.proxy.inflate import InflateError, Inflater, content_coding, inflate
from gateway.proxy.reads import Reads
from gateway.proxy.sse import EventRelay, Relayed, is_event_stream
from gateway.proxy.uploads import UploadRefused, stream_parts
from gateway.proxy.upstream_errors import upstream_failure
from gateway.runtime.canonical_path import without_prefix
from gateway.runtime.upstreams import PoolBusy
from gateway.tls.security_headers import mark_proxied

log = logging.getLogger("chatguard.proxy")

# The gateway sets these itself; incoming copies (possibly forged) never reach the backend. `Expect` is
# answered here (100 Continue once routed, 417 for any other expectation) and the body goes on whole:
# passed on, it lets a backend answer before the body and then read that body as its next request.
_REQUEST_STRIP = strip_set("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded",
                           "X-Real-IP", REQUEST_ID, "Expect")
_RESPONSE_STRIP = strip_set("Content-Length")
_DECODED_STRIP = strip_set("Content-Length", "Content-Encoding")
# Inspected answers at least this large go out compressed when the client accepts it (the backend was
# asked for identity, so without this every browser would lose compression on inspected routes).
COMPRESS_FROM = 1024
# Bodies up to this size are read whole: one buffer is cheaper than a stream and bounds nothing.
SMALL_BODY = 64 * 1024
type Answer = aiohttp.ClientResponse | UpstreamResponse  # aiohttp's client or the lean one (h1client)
_NO_BODY_STATUSES = frozenset({204, 304}) | frozenset(range(100, 200))
POOL_BUSY_RETRY = 1  # seconds (Retry-After) when no pooled upstream connection freed up in time


class _LimitedBody:
    """Streams the request body upstream, stopping once it exceeds `limit`."""

    def __init__(self, stream: aiohttp.StreamReader, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.exceeded = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        total = 0
        async for chunk in self.stream.iter_any():
            total += len(chunk)
            if total > self.limit:
                self.exceeded = True
                raise BodyTooLarge
            yield chunk


def upstream_target(exchange: Exchange) -> str:
    """The path and query sent to the backend: the client's, byte-exact (no re-quoting)."""
    raw = strip_query(exchange.request.raw_path, exchange.carriage)  # gateway ?access_token= never goes on
    prefix = exchange.plan.settings.strip_prefix
    return without_prefix(raw, prefix) if prefix else raw


def upstream_url(exchange: Exchange, target: str | None = None) -> URL:
    """The backend URL with the client's path and query byte-exact (no re-quoting), or `target`."""
    return URL(str(exchange.runtime.upstreams.origin(exchange.plan.upstream))
               + (target if target is not None else upstream_target(exchange)), encoded=True)


def upstream_headers(exchange: Exchange) -> CIMultiDict[str]:
    request = exchange.request
    headers = client_headers(request.headers, _REQUEST_STRIP)
    add_forwarding(headers, request.headers, peer=request.remote, scheme=request.scheme,
                   host=request.host, trusted=exchange.runtime.trusted)
    headers[REQUEST_ID] = exchange.request_id
    strip_headers(headers, exchange.carriage)  # the gateway's bearer token and session cookie stay here
    headers.update(exchange.identity)
    plan = exchange.plan
    if plan.outbound_codec is not None or plan.events_codec is not None:
        headers["Accept-Encoding"] = "identity"  # answers the filters read come uncompressed (see inflate)
    return headers


async def forward(exchange: Exchange) -> web.StreamResponse:
    """Send the request to the backend and the answer back to the client; a client that went away while its
    body was read ends the exchange quietly (the backend's request, if begun, is aborted by the failed body)."""
    try:
        return await _forward(exchange)
    except Exception:
        if not client_gone(exchange.request.content):
            raise
        return _gone(exchange)


def _gone(exchange: Exchange) -> web.StreamResponse:
    """The answer nobody reads to a request whose client left mid-body: logged once, counted under its status."""
    log.info("client closed the connection before its request body was read",
             extra={"request_id": exchange.request_id, "route": exchange.plan.name,
                    "bytes": exchange.request.content.total_bytes})
    return error_response(CLIENT_CLOSED, "client closed the connection", exchange.request_id)


async def _forward(exchange: Exchange) -> web.StreamResponse:
    request, plan = exchange.request, exchange.plan
    headers = upstream_headers(exchange)
    body: bytes | _LimitedBody | None
    codec = plan.inbound_codec
    upload = streamed_upload(exchange)
    if request.content_length is not None and request.content_length > (plan.max_upload if upload else plan.max_body):
        return error_response(413, "request body too large", exchange.request_id)
    target = await checked_target(exchange, upstream_target(exchange))
    if not isinstance(target, str):
        return target
    if upload is not None:
        return await _upload(exchange, target, headers, *upload)
    names = plan.names
    reads_body = codec is not None and codec.reads_body
    if request.body_exists and (reads_body or (names is not None and names.needs_body)):
        if not identity_encoded(request.headers):
            # Inflating attacker-chosen data to inspect it invites zip bombs; chat clients send plain bodies.
            return error_response(415, "compressed request bodies are not accepted here", exchange.request_id)
        try:
            raw = await read_limited(request.content, request.content_length, plan.max_body)
        except BodyTooLarge:
            return error_response(413, "request body too large", exchange.request_id)
        except BodyTimeout:
            return body_timed_out(request, exchange.request_id)
        if names is not None and (refusal := await refused_names(exchange, names, raw)) is not None:
            return refusal
        if codec is None or not reads_body:
            body = raw
        else:
            result = await relay_body(exchange, Direction.INBOUND, codec, raw, request.headers.get("Content-Type"))
            settled = result if isinstance(result, bytes) else await _settled(exchange, Direction.INBOUND, result)
            if not isinstance(settled, bytes):
                return settled
            body = settled
            headers.pop("Content-Length", None)
            headers.pop("Transfer-Encoding", None)
    elif names is not None and (refusal := await refused_names(exchange, names, None)) is not None:
        return refusal
    elif request.body_exists and request.content_length is not None and request.content_length <= SMALL_BODY:
        try:
            body = await read_limited(request.content, request.content_length, plan.max_body)
        except BodyTimeout:
            return body_timed_out(request, exchange.request_id)
    elif request.body_exists:
        body = _LimitedBody(request.content, plan.max_body)
    else:
        body = None
    return await _gated(exchange, _exchange(exchange, target, headers, body))


async def _gated(exchange: Exchange, call: Coroutine[Any, Any, web.StreamResponse]) -> web.StreamResponse:
    """`call` run holding a slot of the upstream's pool; 503 (and `call` closed unrun) when none is free."""
    plan = exchange.plan
    gate = exchange.runtime.upstreams.gate(plan.upstream)
    try:
        await gate.enter()
    except PoolBusy:
        call.close()
        log.warning("upstream pool busy", extra={"request_id": exchange.request_id, "upstream": plan.upstream})
        return error_response(503, "upstream busy", exchange.request_id, {"Retry-After": str(POOL_BUSY_RETRY)})
    try:
        return await call
    finally:
        gate.leave()


async def _sent(exchange: Exchange, target: str, headers: CIMultiDict[str], body: object) -> aiohttp.ClientResponse:
    """The request sent through the upstream's client session (a body the pooled connection cannot send)."""
    upstreams, plan = exchange.runtime.upstreams, exchange.plan
    return await upstreams.session(plan.upstream).request(
        exchange.request.method, upstream_url(exchange, target), headers=headers, data=body,
        allow_redirects=False, timeout=plan.timeout, compress=None,
        server_hostname=upstreams.server_name(plan.upstream),
    )


async def _exchange(exchange: Exchange, target: str, headers: CIMultiDict[str],
                    body: bytes | _LimitedBody | None) -> web.StreamResponse:
    """One request on a pooled connection and its answer to the client (the caller holds a pool slot)."""
    request, plan = exchange.request, exchange.plan
    upstream: Answer
    pool = exchange.runtime.upstreams.pool(plan.upstream)
    if pool is not None and not isinstance(body, _LimitedBody):
        try:
            upstream = await pool.request(request.method, target, headers, body,
                                          plan.timeout.sock_read)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return upstream_failure(exc, exchange.request_id, plan.upstream, request.app[METRICS])
        try:
            return await _respond(exchange, upstream)
        finally:
            upstream.release()
    try:
        upstream = await _sent(exchange, target, headers, body)
    except BodyTooLarge:
        return error_response(413, "request body too large", exchange.request_id)
    except (TimeoutError, aiohttp.ClientError) as exc:
        if isinstance(body, _LimitedBody) and body.exceeded:
            return error_response(413, "request body too large", exchange.request_id)
        if isinstance(request.content.exception(), BodyTimeout):
            return body_timed_out(request, exchange.request_id)
        if client_gone(request.content):  # the client's side failed, not the backend's
            return _gone(exchange)
        return upstream_failure(exc, exchange.request_id, plan.upstream, request.app[METRICS])
    try:
        return await _respond(exchange, upstream)
    finally:
        upstream.release()


def streamed_upload(exchange: Exchange) -> tuple[str, FormNames] | None:
    """`(boundary, names)` for a multipart body this route streams (`gateway.proxy.uploads`): one past the
    route's `max_body` (or of unknown length) on a route with `max_upload` that reads multipart; else None."""
    request, plan = exchange.request, exchange.plan
    codec = plan.inbound_codec
    if not plan.max_upload or codec is None or not request.body_exists or plan.names is not None \
            or (request.content_length is not None and request.content_length <= plan.max_body):
        return None
    names = codec.multipart_names
    types = request.headers.getall("Content-Type", ())
    if names is None or len(types) != 1:
        return None
    try:
        media = media_type(types[0])
        return (boundary_of(media.params), names) if media.kind == "multipart" else None
    except (CodecError, UnsupportedPayload):
        return None  # the buffered path refuses it as it refuses any such body


async def _upload(exchange: Exchange, target: str, headers: CIMultiDict[str], boundary: str,
                  names: FormNames) -> web.StreamResponse:
    """Stream a multipart upload: each batch of parts decided before it goes, file bytes as they come."""
    request, plan = exchange.request, exchange.plan
    if not identity_encoded(request.headers):
        return error_response(415, "compressed request bodies are not accepted here", exchange.request_id)
    codec = plan.inbound_codec
    assert codec is not None
    content_type = request.headers.get("Content-Type")

    async def decide(batch: bytes) -> bytes | web.StreamResponse:
        result = await relay_body(exchange, Direction.INBOUND, codec, batch, content_type)
        return result if isinstance(result, bytes) else await _settled(exchange, Direction.INBOUND, result)

    parts = stream_parts(request.content, boundary, names, plan.max_body, plan.max_upload, decide)
    failed: list[Exception] = []

    async def body(first: bytes) -> AsyncIterator[bytes]:
        yield first
        try:
            async for piece in parts:
                yield piece
        except Exception as exc:  # the upstream request ends with it; the answer says why
            failed.append(exc)
            raise

    try:  # the first batch is decided before the backend hears of the request
        first = await anext(parts)
    except Exception as exc:
        return await _upload_refused(exchange, exc)
    headers.pop("Content-Length", None)
    headers.pop("Transfer-Encoding", None)

    async def send() -> web.StreamResponse:
        try:
            upstream = await _sent(exchange, target, headers, body(first))
        except Exception as exc:  # aiohttp wraps what the body raised in a ClientError, or lets it through
            if client_gone(request.content):
                return _gone(exchange)
            if failed:
                return await _upload_refused(exchange, failed[0])
            if isinstance(exc, TimeoutError | aiohttp.ClientError):
                return upstream_failure(exc, exchange.request_id, plan.upstream, request.app[METRICS])
            raise
        try:
            return await _respond(exchange, upstream)
        finally:
            upstream.release()
    return await _gated(exchange, send())


async def _upload_refused(exchange: Exchange, exc: Exception) -> web.StreamResponse:
    """The answer to an upload that stopped: refused by the filters, unreadable, too large or too slow."""
    if isinstance(exc, UploadRefused):
        return exc.answer
    if isinstance(exc, CodecError):
        settled = await _settled(exchange, Direction.INBOUND, exc)
        return settled if not isinstance(settled, bytes) else error_response(400, str(exc), exchange.request_id)
    if isinstance(exc, BodyTooLarge):
        return error_response(413, "request body too large", exchange.request_id)
    if isinstance(exc, BodyTimeout):
        return body_timed_out(exchange.request, exchange.request_id)
    raise exc


def _response_headers(exchange: Exchange, upstream: Answer, *, decoded: bool = False) -> CIMultiDict[str]:
    """The backend's end-to-end headers; without its Content-Encoding once the gateway inflated the body."""
    headers = end_to_end(upstream.headers, _DECODED_STRIP if decoded else _RESPONSE_STRIP)
    headers[REQUEST_ID] = exchange.request_id
    return headers


async def _respond(exchange: Exchange, upstream: Answer) -> web.StreamResponse:
    request, plan = exchange.request, exchange.plan
    codec = plan.outbound_codec
    no_body = request.method == "HEAD" or upstream.status in _NO_BODY_STATUSES
    if not no_body and (codec is not None or plan.events_codec is not None or plan.answers_codec is not None) \
            and len(upstream.headers.getall("Content-Type", ())) > 1:
        # The gateway reads the first type; browsers read the last (Fetch's "extract a MIME type").
        return await _refused(exchange, UnsupportedPayload("the answer names more than one Content-Type"))
    if not no_body and is_event_stream(upstream.headers.get("Content-Type")) \
            and (plan.outbound_chain.active(Direction.OUTBOUND) or exchange.request.app.get(FIELD_CRYPTO) is not None):
        if plan.events_codec is not None:
            return await _respond_events(exchange, upstream)
        if codec is not None:  # text the route filters must not slip out as events
            return await _refused(exchange, CodecError("event stream without sse fields"))
    # A route that declares only `sse` fields reads every value of any other answer (an API asked
    # for `stream: false` answers JSON of another shape): nothing a route inspects goes out unread.
    body_codec = codec if codec is not None else plan.answers_codec
    if body_codec is not None and not no_body and not is_event_stream(upstream.headers.get("Content-Type")):
        return await _respond_inspected(exchange, upstream, body_codec)
    if not no_body and (declared_small := _declared_length(upstream)) is not None and declared_small <= SMALL_BODY:
        return await _respond_small(exchange, upstream, declared_small)
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason,
                                  headers=_response_headers(exchange, upstream))
    mark_proxied(response)
    length = upstream.headers.get("Content-Length")
    if no_body:
        if length is not None:
            response.headers["Content-Length"] = length  # HEAD keeps the length the GET would have
        await response.prepare(request)
        await response.write_eof()
        return response
    declared = _declared_length(upstream)
    if declared is not None:
        response.content_length = declared
    elif is_event_stream(upstream.headers.get("Content-Type")):
        response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
    except (TimeoutError, aiohttp.ClientError, aiohttp.ClientPayloadError):
        return _abort(exchange, response)
    await response.write_eof()
    return response


def _abort(exchange: Exchange, response: web.StreamResponse) -> web.StreamResponse:
    """The backend failed after the headers went out: the only honest signal left is to cut the connection."""
    log.warning("upstream failed mid-response", extra={"request_id": exchange.request_id})
    if exchange.request.transport is not None:
        exchange.request.transport.close()
    return response


async def _respond_small(exchange: Exchange, upstream: Answer, length: int) -> web.StreamResponse:
    """A small body with a known length: read it whole (headers are not sent yet, so errors stay clean)."""
    try:
        body = await upstream.content.readexactly(length) if length else b""
    except (TimeoutError, aiohttp.ServerTimeoutError):
        return error_response(504, "upstream timed out", exchange.request_id)
    except (aiohttp.ClientError, asyncio.IncompleteReadError):
        return error_response(502, "upstream error", exchange.request_id)
    response = web.Response(status=upstream.status, reason=upstream.reason, body=body,
                            headers=_response_headers(exchange, upstream))
    mark_proxied(response)
    return response


async def _respond_events(exchange: Exchange, upstream: Answer) -> web.StreamResponse:
    """Server-sent events on a route declaring `sse` fields: filtered event by event, never buffered whole."""
    request, plan = exchange.request, exchange.plan
    inflater = None
    try:
        if coding := content_coding(upstream.headers):  # a backend that compresses although asked not to
            inflater = Inflater(coding, plan.max_body, exchange.runtime.settings.limits.inflate_ratio,
                                per_feed=True)
    except InflateError as exc:
        return await _refused(exchange, exc)
    assert plan.events_codec is not None
    limits = exchange.runtime.settings.limits
    relay = EventRelay(plan.events_codec, plan.outbound_chain, exchange.message(Direction.OUTBOUND), plan.max_body,
                       opener(exchange, plan.events_codec), limits.stream_batch)
    response = web.StreamResponse(status=upstream.status,  # the status's own phrase: the backend's is unread text
                                  headers=_response_headers(exchange, upstream, decoded=inflater is not None))
    mark_proxied(response)
    response.enable_chunked_encoding()
    await response.prepare(request)
    reads: Reads[bytes] = Reads(upstream.content.readany, "chatguard-sse-read")
    try:
        while (chunk := await reads.next(relay.flush_in(limits.stream_flush))) != b"":
            if chunk is None:  # gathered text has waited `limits.stream_flush`: it goes now
                relayed = await relay.flush()
            else:
                if inflater is not None:
                    chunk = inflater.feed(chunk)
                relayed = await relay.feed(chunk)
            if not await _relay_events(exchange, response, relayed):
                return await _cut(response)
            if relayed.error is not None:  # after the events before it went
                raise relayed.error
        if inflater is not None:
            inflater.close()
        if not await _relay_events(exchange, response, await relay.close()):
            return await _cut(response)
    except CodecError as exc:
        await enforce(exchange, Direction.OUTBOUND, exc)  # audited; headers are sent: the stream ends here
        return await _cut(response)
    except (TimeoutError, aiohttp.ClientError, aiohttp.ClientPayloadError):
        return _abort(exchange, response)
    finally:
        reads.cancel()
    await response.write_eof()
    return response


async def _relay_events(exchange: Exchange, response: web.StreamResponse, relayed: Relayed) -> bool:
    """Send what passed and audit every event; False once an event was blocked."""
    for inspection in relayed.inspections:  # audited; a refusal cannot be sent once headers are: cut
        enforcement = await enforce(exchange, Direction.OUTBOUND, inspection)
        if not enforcement.forwards and inspection.action is not Action.BLOCK:
            return False  # passed the filters, but its transcript cannot be kept (`on_backlog: refuse`)
    if relayed.data:
        await response.write(relayed.data)
    return relayed.blocked is None


async def _refused(exchange: Exchange, error: CodecError) -> web.Response:
    """A response the gateway cannot inspect the way the route declares: 502, audited."""
    enforcement = await enforce(exchange, Direction.OUTBOUND, error)
    assert enforcement.answer is not None
    return enforcement.answer.response()


async def _cut(response: web.StreamResponse) -> web.StreamResponse:
    """End a filtered stream early: what was sent stays, nothing after the refused event follows."""
    await response.write_eof()
    return response


async def _respond_inspected(exchange: Exchange, upstream: Answer, codec: Codec) -> web.StreamResponse:
    plan = exchange.plan
    try:
        raw = await read_limited(upstream.content, _declared_length(upstream), plan.max_body)
    except BodyTooLarge:
        return error_response(502, "upstream response too large to inspect", exchange.request_id)
    except (TimeoutError, aiohttp.ServerTimeoutError):
        return error_response(504, "upstream timed out", exchange.request_id)
    except aiohttp.ClientError:
        return error_response(502, "upstream error", exchange.request_id)
    result: bytes | Inspection | CodecError | E2EERefusal
    try:
        if coding := content_coding(upstream.headers):  # a backend that compresses although asked not to
            raw = inflate(raw, coding, plan.max_body, exchange.runtime.settings.limits.inflate_ratio)
    except CodecError as exc:
        result = exc
    else:
        result = await relay_body(exchange, Direction.OUTBOUND, codec, raw, upstream.headers.get("Content-Type"))
    settled = result if isinstance(result, bytes) else await _settled(exchange, Direction.OUTBOUND, result)
    if not isinstance(settled, bytes):
        return settled
    response = web.Response(status=upstream.status, body=settled,  # the status's own phrase (see `_respond_events`)
                            headers=_response_headers(exchange, upstream, decoded=True))
    if len(settled) >= COMPRESS_FROM and exchange.request.headers.get("Accept-Encoding"):
        response.enable_compression()  # gzip or deflate, as the client's Accept-Encoding allows
    mark_proxied(response)
    return response


async def _settled(exchange: Exchange, direction: Direction, result: Result) -> bytes | web.Response:
    """The body to send on after one message's inspection, or the answer that replaces the exchange.
    A body every filter passed with nothing to record goes on without building the decision (see
    `forwarded`); anything else takes `enforce`, whose forwarded payload is the same."""
    payload = forwarded(exchange, direction, result, exchange.request.app.get(TRANSCRIBER) is not None)
    if payload is not None:
        return payload
    enforcement = await enforce(exchange, direction, result)
    if enforcement.answer is not None:
        return enforcement.answer.response()
    return enforcement.payload


def _declared_length(upstream: Answer) -> int | None:
    length = upstream.headers.get("Content-Length")
    return int(length) if length is not None and length.isdigit() else None
