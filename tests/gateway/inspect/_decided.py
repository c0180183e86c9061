"""What a decision depends on, for tests that compare a fast path with the general one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from aiohttp.test_utils import make_mocked_request

from filters import ANONYMOUS, Direction, Message, Verdict
from gateway.app import build_app
from gateway.codec import CodecError
from gateway.config.settings import parse_settings
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.keys import RUNTIME


def socket_exchange(filters: dict[str, Any], **route: Any) -> Exchange:
    """A WebSocket exchange on the route `chat` (`/chat`, anonymous, filters `mask` then `threat`, an error
    frame for a block, `route` on top) of a gateway built from `filters`: its metrics and the responder its
    decisions use are the real ones."""
    settings = parse_settings({
        "filters": filters,
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "routes": [{"name": "chat", "match": {"path": "/chat", "websocket": True}, "upstream": "up",
                    "allow": ["anonymous"], "filters": ["mask", "threat"],
                    "websocket": {"on_block": "error_frame"}, **route}],
    })
    app = build_app(settings)
    runtime = app[RUNTIME].current
    request = make_mocked_request("GET", "/chat", app=app, headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    return Exchange(request=request, runtime=runtime, plan=runtime.plans["chat"], request_id="rid-1",
                    client="198.51.100.7", principal=ANONYMOUS, conversation="room", websocket=True)


def shown(result: object) -> object:
    """Refusals by type and message, inspections by their parts."""
    if isinstance(result, CodecError):
        return type(result).__name__, str(result)
    assert isinstance(result, Inspection)
    return (result.action, result.payload, result.original, result.sources,
            [(r.action, r.text, r.verdicts, r.failures) for r in result.results])


def count_calls(exchange: Exchange, *, waits: bool) -> list[tuple[str, str]]:
    """Every inbound filter call of `exchange` from now on, as (step, field), in order; with `waits` each
    call yields once before it answers (a call that does not end in its first step: `inspect_now`, where
    the step has one, then leaves every message to `inspect`)."""
    return seen_messages(exchange, Direction.INBOUND, waits=waits, keep=attrgetter("field"))


def seen_messages(exchange: Exchange, direction: Direction, *, waits: bool,
                  keep: Callable[[Message], Any] = lambda message: message) -> list[tuple[str, Any]]:
    """`count_calls` for `direction`, keeping each message a filter was given whole (text, field, who,
    where, metadata), so a path that makes its messages another way can be compared with the general one
    (or what `keep` takes of it)."""
    seen: list[tuple[str, Any]] = []
    for step in exchange.plan.chain(direction).steps_for(direction):
        inspect, now = step.filter.inspect, step.now

        async def counted(message: Message, inspect: Any = inspect, name: str = step.name) -> Verdict:
            seen.append((name, keep(message)))
            if waits:
                await asyncio.sleep(0)
            return await inspect(message)  # type: ignore[no-any-return]

        def counted_now(message: Message, now: Any = now, name: str = step.name) -> Verdict | None:
            answer = None if waits else now(message)
            if answer is not None:
                seen.append((name, keep(message)))
            return answer  # type: ignore[no-any-return]
        object.__setattr__(step.filter, "inspect", counted)  # this exchange's filters only
        if now is not None:
            object.__setattr__(step, "now", counted_now)
    return seen
