"""Reading a whole request or response body with a bound, for every place that must buffer one."""

from __future__ import annotations

import aiohttp


class BodyTooLarge(Exception):
    """More bytes than the limit allows."""


class BodyTimeout(TimeoutError):
    """The client did not send the whole body within `limits.body_timeout` (set on the stream by the
    connection guard). A TimeoutError, so that aiohttp's own read of an unfinished body stops quietly."""


# nginx's status for a request whose client closed the connection first: nothing is sent, it is counted and logged.
CLIENT_CLOSED = 499


def client_gone(stream: aiohttp.StreamReader) -> bool:
    """Whether the client's connection closed (or was reset) before its body was read whole: aiohttp sets
    the stream's exception to the ConnectionResetError, whether the client sent a FIN or an RST."""
    return isinstance(stream.exception(), ConnectionError)


async def read_limited(stream: aiohttp.StreamReader, declared: int | None, limit: int) -> bytes:
    """Read a whole body, refusing (BodyTooLarge) as soon as it is known to exceed `limit`."""
    if declared is not None and declared > limit:
        raise BodyTooLarge
    if stream.is_eof():  # the whole body came with the head (a chat message usually does): no iteration
        body = stream.read_nowait()  # raises what the stream failed with, as iterating would
        if len(body) > limit:
            raise BodyTooLarge
        return body
    chunks: list[bytes] = []
    total = 0
    async for chunk in stream.iter_any():
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)
