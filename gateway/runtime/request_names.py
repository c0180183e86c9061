"""How one route's HTTP requests name their messages, for the per-message access rules (`messages_allow`).

Built once per config, and only for routes whose rules restrict some kind of message; the check
itself (`gateway.inspect.named`) runs each name through the same rule as a WebSocket frame's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.access.rbac import MessagePolicy
from gateway.codec import Codec
from gateway.codec.message_names import NameReader
from gateway.codec.names import NAMED_KINDS, body_names

__all__ = ["RequestNames"]


@dataclass(frozen=True, slots=True)
class RequestNames:
    """How one route's requests name their messages; built once per config, only where rules apply."""

    reader: NameReader | None     # the route's `message_names` (paths, variables, body pointers)
    body_kinds: tuple[str, ...]   # restricted kinds whose names the body carries (socketio, ddp)
    codec: Codec | None           # the route's inbound codec, which reads its own protocol's names

    @classmethod
    def build(cls, spec: Mapping[str, tuple[str, ...]], kinds: tuple[str, ...], policy: MessagePolicy,
              codec: Codec | None) -> RequestNames | None:
        """None when the route restricts no kind of message (nothing to read, nothing to check)."""
        if not policy.restricts:
            return None
        reader = NameReader(spec, kinds) if spec else None
        body_kinds = tuple(kind for kind in NAMED_KINDS if kind in policy.tables)
        return cls(reader, body_kinds, codec)

    @property
    def needs_body(self) -> bool:
        return bool(self.body_kinds) or (self.reader is not None and self.reader.needs_body)

    def read(self, params: Mapping[str, str], body: bytes | None, content_type: str | None
             ) -> list[tuple[str, str]]:
        """(kind, name) for every message the request names; CodecError when the body cannot be read."""
        found = self.reader.read(params, body, content_type) if self.reader is not None else []
        if body:
            for kind in self.body_kinds:
                if self.codec is not None and self.codec.named_kind == kind:
                    found += [(kind, name) for name in self.codec.names(body, content_type)]
                else:
                    found += [(kind, name) for name in body_names(body, kind)]
        return found
