"""Bounded body reads: refused as soon as the limit is known to be crossed, never after buffering it all."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp.base_protocol import BaseProtocol

from gateway.proxy.bodies import BodyTimeout, BodyTooLarge, read_limited


def stream() -> aiohttp.StreamReader:
    loop = asyncio.get_running_loop()
    return aiohttp.StreamReader(BaseProtocol(loop), 2**16, loop=loop)


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    body = stream()  # nothing fed and no end: reading would wait forever
    with pytest.raises(BodyTooLarge):
        await asyncio.wait_for(read_limited(body, 11, 10), 10)


async def test_chunks_crossing_the_limit_are_refused_without_waiting_for_the_rest() -> None:
    body = stream()
    body.feed_data(b"x" * 6)
    body.feed_data(b"y" * 6)  # 12 > 10, and the body never ends
    with pytest.raises(BodyTooLarge):
        await asyncio.wait_for(read_limited(body, None, 10), 10)


async def test_a_body_of_exactly_the_limit_is_read_whole() -> None:
    body = stream()
    for part in (b"abc", b"defg", b"hij"):
        body.feed_data(part)
    body.feed_eof()
    assert await read_limited(body, 10, 10) == b"abcdefghij"


async def test_an_empty_body() -> None:
    body = stream()
    body.feed_eof()
    assert await read_limited(body, 0, 10) == b""


def test_a_body_deadline_is_a_timeout_so_aiohttp_stops_reading_quietly() -> None:
    assert issubclass(BodyTimeout, TimeoutError)


async def test_a_body_that_arrived_whole_is_still_bounded() -> None:
    body = stream()
    body.feed_data(b"x" * 6)
    body.feed_data(b"y" * 6)
    body.feed_eof()  # all there already, and over the limit: refused all the same
    with pytest.raises(BodyTooLarge):
        await read_limited(body, None, 10)


async def test_a_body_that_arrived_whole_and_then_failed_raises_the_failure() -> None:
    body = stream()
    body.feed_data(b"abc")
    body.feed_eof()
    body.set_exception(BodyTimeout())
    with pytest.raises(BodyTimeout):
        await read_limited(body, None, 10)


async def test_a_body_still_arriving_is_read_to_its_end() -> None:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    protocol.connection_made(asyncio.Transport())  # a connected socket: the reader may wait for more
    body = aiohttp.StreamReader(protocol, 2**16, loop=loop)
    body.feed_data(b"abc")

    async def rest() -> None:
        await asyncio.sleep(0)
        body.feed_data(b"def")
        body.feed_eof()

    finishing = asyncio.create_task(rest())
    assert await asyncio.wait_for(read_limited(body, None, 10), 10) == b"abcdef"
    await finishing
