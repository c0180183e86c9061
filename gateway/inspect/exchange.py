"""One request (or WebSocket connection) on its way through the gateway."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from aiohttp import web

from filters import Channel, Direction, Message, Principal
from gateway.auth.carriage import Carriage
from gateway.runtime.runtime import RoutePlan, Runtime


@dataclass(slots=True)
class Exchange:
    """One request on its way through: who, where to, and under which id."""

    request: web.Request
    runtime: Runtime
    plan: RoutePlan
    request_id: str
    client: str
    principal: Principal
    conversation: str
    session: str | None = None      # the gateway session behind the credentials (logout ends it)
    expires: float | None = None    # when the credentials stop being valid (epoch seconds)
    carriage: Carriage = field(default_factory=Carriage)  # gateway credentials, never forwarded
    identity: Mapping[str, str] = field(default_factory=dict)  # X-Chatguard-* headers for the backend
    websocket: bool = False         # a WebSocket upgrade (decided once, by the dispatcher)
    client_key: str = ""            # what limits and bans count by: the address, or its IPv6 /64 (`clients:`)
    params: Mapping[str, str] = field(default_factory=dict)  # the route template's variables (room, type)
    # The message templates already made, per direction and channel: a WebSocket makes them once, not per frame.
    templates: dict[tuple[Direction, Channel], Message] = field(default_factory=dict, repr=False, compare=False)
    # The read-only metadata every message of the exchange carries, made at its first message.
    _metadata: Mapping[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.client_key:  # built without one (tests, other front ends): the address itself
            self.client_key = self.client

    @property
    def channel(self) -> Channel:
        return Channel.WS if self.websocket else Channel.HTTP

    def message(self, direction: Direction, channel: Channel = Channel.HTTP) -> Message:
        """The template for the messages found in this exchange's payloads. It is made once and shared by
        every message of the exchange, so its metadata is read-only: a filter that wrote into it would
        otherwise leak what it wrote into the next message's inspection."""
        template = self.templates.get((direction, channel))
        if template is None:
            template = self.templates[direction, channel] = self.field_message(direction, channel, "", "")
        return template

    def field_message(self, direction: Direction, channel: Channel, text: str, path: str) -> Message:
        """The message of the text field `path` of a payload of this exchange, made directly, as `message`'s
        template would make it (`inspect.inspection.field_message`). An HTTP body every filter passes at once
        needs no template: its first field's message stands for one (only what they share is read from it)."""
        metadata = self._metadata
        if metadata is None:
            metadata = self._metadata = MappingProxyType({"request_id": self.request_id})
        # Positional: the order of Message's fields (keywords cost a dict per message).
        return Message(text, direction, channel, self.plan.name, path, self.principal, self.conversation,
                       self.client, metadata)
