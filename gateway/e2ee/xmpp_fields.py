"""XMPP bodies for a blind backend: which text of a client stanza is sealed, under which conversation.

On a route with `encrypt_fields: {xmpp: true}` every `<body>` of a `<message>` (also one of a
message forwarded inside it, XEP-0297) is sealed, one envelope per body, bound to the field name
`body`. A message that also carries an XHTML-IM `<html>` body with text is refused: that body is
a second, formatted copy of the same words and would reach the backend in plaintext beside the
envelope. Stanzas carrying OMEMO are left untouched (their body is the client's fallback notice,
and the ciphertext must pass byte-identical).

The key's conversation is the route's (its `conversation` or `room` path variable) when it names
one; an XMPP WebSocket has none, so it is the bare JIDs of the stanza's `to` and `from`, lower-cased,
sorted and joined by a space (`xmpp:alice@example.com bob@example.com`). Clients usually leave
`from` out (their server stamps it), so such a stanza's conversation is its `to` alone: a chat
between two users then has one key per direction, a group chat one key per room. Opening never
depends on it: the envelope names its key.
"""

from __future__ import annotations

import pyexpat
from collections.abc import Sequence

from gateway.codec import TextField

__all__ = ["BODY", "bodies", "conversation_of", "html_copy"]

BODY = "body"  # the field name every XMPP envelope is bound to


class _Root(Exception):
    """Raised by the first start tag: its attributes are all that is read."""

    def __init__(self, attributes: dict[str, str]) -> None:
        super().__init__()
        self.attributes = attributes


def _root_attributes(data: bytes) -> dict[str, str]:
    parser = pyexpat.ParserCreate(encoding="UTF-8")

    def start(name: str, attributes: dict[str, str]) -> None:
        raise _Root(attributes)
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Root as root:
        return root.attributes
    except pyexpat.ExpatError:  # the route's codec already refused what does not parse
        return {}
    return {}


def _bare(jid: str) -> str:
    return jid.strip().partition("/")[0].lower()


def conversation_of(route_conversation: str, data: bytes) -> str:
    """The conversation whose key seals this stanza (see the module docstring)."""
    if route_conversation:
        return route_conversation
    attributes = _root_attributes(data)
    jids = sorted({_bare(attributes.get("to", "")), _bare(attributes.get("from", ""))} - {""})
    return "xmpp:" + " ".join(jids)


def _steps(path: str) -> list[str]:
    return path.partition("@")[0].split("/")


def html_copy(fields: Sequence[TextField]) -> bool:
    """Whether a message carries text in an XHTML-IM `<html>` body (a plaintext copy of its body)."""
    for field in fields:
        steps = _steps(field.path)
        if "message" in steps and "html" in steps[steps.index("message") + 1:]:
            return True
    return False


def bodies(fields: Sequence[TextField]) -> list[int]:
    """Indices of the message bodies to seal."""
    return [index for index, field in enumerate(fields)
            if "@" not in field.path and _steps(field.path)[-2:] == ["message", "body"]]
