"""Exchanges and inspections for decision tests: built from a real config, no sockets."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from filters import ANONYMOUS, NO_HINTS, Action, ChainResult, Finding, Hints, Principal, Verdict
from gateway.config.settings import parse_settings
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.runtime.runtime import Runtime

ALICE = Principal("alice", frozenset({"agent"}))
CARD = Finding("card", 5, 24, 0.9)


def exchange(*, websocket: bool = False, on_block: str = "error_frame", on_parse_error: str = "close_1003",
             principal: Principal = ALICE, app: web.Application | None = None, **route: Any) -> Exchange:
    """An exchange on route `chat` from 198.51.100.7 (request id `rid-1`), as the dispatcher builds it."""
    settings = parse_settings({
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "routes": [{"name": "chat", "match": {"path": "/chat", "websocket": websocket}, "upstream": "up",
                    "allow": ["anonymous", "agent"], "messages": {"inbound": {"json": ["/text"]}},
                    "websocket": {"on_block": on_block, "on_parse_error": on_parse_error}, **route}],
    })
    runtime = Runtime(settings)
    headers = {"Content-Type": "application/json"}
    if websocket:
        headers |= {"Upgrade": "websocket", "Connection": "Upgrade"}
    request = make_mocked_request("GET" if websocket else "POST", "/chat?access_token=secret&x=1", headers=headers,
                                  app=app or web.Application())
    return Exchange(request=request, runtime=runtime, plan=runtime.plans["chat"], request_id="rid-1",
                    client="198.51.100.7", principal=principal or ANONYMOUS, conversation="room",
                    websocket=websocket)


def inspection(action: Action, *, hints: Hints = NO_HINTS, payload: bytes | str = b'{"text": "x"}',
               findings: tuple[Finding, ...] = (), reason: str = "", original: bytes | str | None = None) -> Inspection:
    """One field's chain result: a filter `f` that found `findings` and gave `hints`."""
    verdict = Verdict(action, "masked" if action is Action.MODIFY else None, reason, findings, hints, "f")
    return Inspection(action, payload, (ChainResult(action, "x", (verdict,)),), original)
