"""Which routes a probe aims at, and a request body that puts text where a route reads it."""

from __future__ import annotations

import json
from typing import Any

from gateway.config.settings import RouteSettings, Settings

ANONYMOUS = "anonymous"


def protected(settings: Settings) -> list[RouteSettings]:
    """HTTP routes that need a signed-in caller."""
    return [r for r in settings.routes if ANONYMOUS not in r.allow and not r.match.websocket]


def public(settings: Settings) -> list[RouteSettings]:
    return [r for r in settings.routes if ANONYMOUS in r.allow and not r.match.websocket]


def websockets(settings: Settings) -> list[RouteSettings]:
    return [r for r in settings.routes if r.match.websocket]


def inspected(settings: Settings) -> list[RouteSettings]:
    """Routes whose inbound text the filters read, in a shape a body can be built for."""
    return [r for r in settings.routes if r.filters and (r.messages.inbound.json or r.messages.inbound.form
                                                         or r.messages.inbound.text)]


def method_for(route: RouteSettings, sending: bool) -> str:
    methods = [m.upper() for m in route.match.methods] or ["GET", "POST"]
    if sending and "POST" in methods:
        return "POST"
    return "GET" if "GET" in methods else methods[0]


def _place(segments: list[str], text: str) -> Any:
    if not segments:
        return text
    head, rest = segments[0], segments[1:]
    if head == "**":
        return _place(rest, text)
    if head == "@json":
        return json.dumps(_place(rest, text))
    if head in ("*", "0"):
        return [_place(rest, text)]
    return {head.replace("~1", "/").replace("~0", "~"): _place(rest, text)}


def body_for(route: RouteSettings, text: str) -> tuple[bytes, str]:
    """A body carrying `text` at the first place the route's inbound side reads, and its type."""
    fields = route.messages.inbound
    if fields.json:
        pointer = fields.json[0]
        return json.dumps(_place(pointer.split("/")[1:], text)).encode(), "application/json"
    if fields.form:
        from urllib.parse import urlencode

        return urlencode({fields.form[0]: text}).encode(), "application/x-www-form-urlencoded"
    return text.encode(), "text/plain; charset=utf-8"


def frame_for(route: RouteSettings, text: str) -> str:
    fields = route.messages.inbound
    if fields.json:
        return json.dumps(_place(fields.json[0].split("/")[1:], text))
    return text
