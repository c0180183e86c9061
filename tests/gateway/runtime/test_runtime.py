"""The runtime: one config assembled once into per-route plans, and swapped whole on reload."""

from __future__ import annotations

import asyncio
from typing import Any

from filters import Direction
from gateway.config.settings import parse_settings
from gateway.runtime.runtime import Runtime, RuntimeHolder


def settings(**top: Any) -> Any:
    return parse_settings({
        "upstreams": {"up": {"url": "http://127.0.0.1:9", "connect_timeout": "3s", "pool_timeout": "1s"}},
        "limits": {"max_body": "64KiB", "max_fields": 50, "max_chars": 4000},
        "websocket": {"max_frame": "32KiB"},
        "routes": [
            {"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["anonymous"],
             "messages": {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/reply"]}}},
            {"name": "bulk", "match": {"path": "/bulk"}, "upstream": "up", "allow": ["anonymous"],
             "max_body": "8MiB", "max_fields": 5, "max_chars": 100, "timeout": "2s",
             "websocket": {"max_frame": "1KiB"}, "messages": {"inbound": {"json": ["/text"]}}},
            {"name": "pass", "match": {"path": "/pass"}, "upstream": "up", "allow": ["anonymous"]},
        ],
        **top,
    }, environ={})


def test_every_route_gets_a_plan_with_its_own_bounds_else_the_global_ones() -> None:
    runtime = Runtime(settings())
    chat, bulk, passing = runtime.plans["chat"], runtime.plans["bulk"], runtime.plans["pass"]
    assert (chat.max_body, bulk.max_body) == (64 * 1024, 8 * 1024 * 1024)
    assert (chat.max_frame, bulk.max_frame) == (32 * 1024, 1024)
    assert chat.inbound_codec is not None and chat.inbound_codec.caps is not None
    assert (chat.inbound_codec.caps.max_fields, chat.inbound_codec.caps.max_chars) == (50, 4000)
    assert bulk.inbound_codec is not None and bulk.inbound_codec.caps is not None
    assert (bulk.inbound_codec.caps.max_fields, bulk.inbound_codec.caps.max_chars) == (5, 100)
    assert passing.inbound_codec is None and passing.outbound_codec is None  # nothing declared: streamed
    assert bulk.outbound_codec is None


def test_plans_answer_by_direction_and_carry_the_upstream_deadlines() -> None:
    runtime = Runtime(settings())
    chat, bulk = runtime.plans["chat"], runtime.plans["bulk"]
    assert chat.codec(Direction.INBOUND) is chat.inbound_codec
    assert chat.codec(Direction.OUTBOUND) is chat.outbound_codec
    assert chat.chain(Direction.OUTBOUND) is chat.outbound_chain
    assert (chat.name, chat.upstream) == ("chat", "up")
    # connect covers the wait for a pooled connection as well as the connect itself.
    assert (chat.timeout.sock_connect, chat.timeout.connect) == (3, 4)
    assert (chat.timeout.sock_read, bulk.timeout.sock_read) == (60, 2)


async def test_a_runtime_is_idle_only_when_every_user_released_it() -> None:
    runtime = Runtime(settings())
    await asyncio.wait_for(runtime.wait_idle(), 10)
    runtime.acquire()
    runtime.acquire()
    waiting = asyncio.ensure_future(runtime.wait_idle())
    runtime.release()
    await asyncio.sleep(0)
    assert not waiting.done()
    runtime.release()
    await asyncio.wait_for(waiting, 10)


async def test_a_swap_installs_the_new_runtime_and_retires_the_old_once_unused() -> None:
    old, new = Runtime(settings()), Runtime(settings())
    holder = RuntimeHolder(old)
    await old.start()
    old.acquire()  # an open WebSocket still uses the old routes
    await holder.swap(new, grace=0)
    assert holder.current is new
    await asyncio.sleep(0.05)
    assert old.upstreams is not None and holder._retiring  # kept while in use
    old.release()
    for _ in range(500):
        if not holder._retiring:
            break
        await asyncio.sleep(0.01)
    assert not holder._retiring
    await holder.aclose()
