"""One gateway for the whole content-bypass suite: every preset behind its own host, plus plain
routes for each codec, in front of a backend that records every byte it receives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest_asyncio

from tests.e2e.conftest import KEYWORD_FILTERS, Backend
from tests.helpers import RunningGateway, gateway_config, run_gateway, serve_app

# The keyword filters of the preset tests, plus one that blocks a card number sent as a JSON number.
FILTERS = {**KEYWORD_FILTERS, "card": {"use": "keyword", "options": {"words": ["4111111111111111"],
                                                                     "action": "block"}}}

PRESETS = ("matrix", "rocketchat", "mattermost", "socketio", "xmpp", "generic_json")
CODEC_HOST = "codec.test"


def host_of(preset: str) -> str:
    return f"{preset.replace('_', '-')}.test"


def _codec_route(name: str, path: str, messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": f"codec.{name}", "match": {"path": path, "host": CODEC_HOST, **extra.pop("match", {})},
            "upstream": "up", "allow": ["anonymous"], "filters": ["words", "stop", "card"], "messages": messages, **extra}


CODEC_ROUTES = [
    _codec_route("json", "/json", {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text"]}}),
    _codec_route("form", "/form", {"inbound": {"form": ["msg"]}}),
    _codec_route("text", "/text", {"inbound": {"text": True}}),
    _codec_route("fold", "/fold", {"inbound": {"json": ["/message"], "fold_keys": True}}),
    _codec_route("socketio", "/sio", {"inbound": {"socketio": {"chat message": ["/*", "/*/text"], "7": ["/*"]}}}),
    _codec_route("ddp", "/ddp", {"inbound": {"ddp": {"sendMessage": ["/params/0/msg"]}}}),
    _codec_route("xmpp", "/xmpp", {"inbound": {"xmpp": True}}),
    _codec_route("query", "/query", {"inbound": {"query": ["q"]}}),  # the body streams; `q` is read
    # multipart bodies of unknown length (or past max_body) stream: files pass, each part's header is read
    _codec_route("upload", "/upload", {"inbound": {"form": ["msg"]}}, max_upload="1MiB"),
    _codec_route("sse", "/sse", {"outbound": {"sse": {"json": ["/delta"]}}}),  # answers declared as events only
]


@dataclass
class Suite:
    gateway: RunningGateway
    backend: Backend
    client: aiohttp.ClientSession


@pytest_asyncio.fixture(loop_scope="package", scope="package")
async def suite() -> AsyncIterator[Suite]:
    backend = Backend()
    routes: list[dict[str, Any]] = list(CODEC_ROUTES)
    for name in PRESETS:
        routes.append({"preset": name, "upstream": "up", "allow": ["anonymous"], "filters": ["words", "stop"],
                       "match": {"host": host_of(name)}, "max_upload": "1MiB"})
    async with serve_app(backend.app, shutdown_timeout=0.1) as url, \
            run_gateway(gateway_config(url, routes, filters=FILTERS)) as gw, \
            aiohttp.ClientSession(auto_decompress=False) as client:
        yield Suite(gw, backend, client)
