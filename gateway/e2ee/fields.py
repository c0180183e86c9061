"""Blind-backend field encryption: seal `encrypt_fields` on the way in, open envelopes on the way out.

Sealing runs after the filters, on what they let through (masked text is what gets sealed).
Only JSON strings are sealed: a value at an `encrypt_fields` pointer that is a number, an array
or an object is refused (`SealRefused`, 422), since sealing would change its JSON type under the
backend; `null`, booleans and absent members hold no text and are left alone. Every string is
sealed, even one that already looks like an envelope, so a client cannot plant one.
XMPP routes seal message bodies instead (`seal_xmpp`, rules in `gateway.e2ee.xmpp_fields`).

Opening runs before the outbound filters, on every text field the route reads in answers and
frames: a field holding an envelope that opens is replaced by its text. One that does not open
(unknown or erased key, tampered, moved to another field or room) is left as it is, counted in
`chatguard_field_envelope_failures` and logged with its reason (never its content or key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from gateway.codec import Codec, CodecError, Extracted, Pointer
from gateway.database import DatabaseError
from gateway.e2ee.envelope import Envelope, EnvelopeError, looks_sealed, open_text, scope, seal_text
from gateway.e2ee.recognise import Kind, load_json, xmpp_kinds
from gateway.e2ee.xmpp_fields import BODY, bodies, conversation_of, html_copy
from gateway.keyring import DataKey, KeyService, KeyUnavailable

__all__ = ["FieldCrypto", "SealRefused", "SealUnavailable", "field_name", "matches"]

log = logging.getLogger("chatguard.e2ee")
Failure = Callable[[str], None]   # told the reason of each envelope that did not open


class SealRefused(CodecError):
    """A value at an `encrypt_fields` pointer that cannot be sealed (422); `reason` is told the client."""

    def __init__(self, detail: str, reason: str = "an encrypted field must hold a string") -> None:
        super().__init__(detail)
        self.reason = reason


class SealUnavailable(CodecError):
    """The key service cannot give a key to seal with (store down, KEK missing): never forward (503)."""


def _segments(path: str) -> list[str]:
    return [] if not path else Pointer.parse(path).segments  # type: ignore[return-value]


def field_name(path: str) -> str:
    """What an envelope is bound to: the last step of the field's path (`/chunk/3/content/body`: body;
    an XMPP path names elements without a leading slash: `message/body`: body)."""
    if path and not path.startswith("/"):
        return path.rpartition("/")[2]
    segments = _segments(path)
    return segments[-1] if segments else ""


def matches(pattern: Sequence[str], path: Sequence[str]) -> bool:
    """Whether a concrete path is one a pointer names itself (`*` one step, `**` any number)."""
    if not pattern:
        return not path
    head = pattern[0]
    if head == "**":
        return any(matches(pattern[1:], path[i:]) for i in range(len(path) + 1))
    return bool(path) and (head == "*" or head == path[0]) and matches(pattern[1:], path[1:])


def _value(doc: object, path: Sequence[str]) -> object:
    for step in path:
        if isinstance(doc, dict):
            doc = doc.get(step)
        elif isinstance(doc, list) and step.isdigit() and int(step) < len(doc):
            doc = doc[int(step)]
        else:
            return None
    return doc


def _extract(codec: Codec, payload: bytes | str, content_type: str | None, frame: bool) -> Extracted:
    if frame:
        return codec.extract_frame(payload)
    return codec.extract_http(payload if isinstance(payload, bytes) else payload.encode(), content_type)


class FieldCrypto:
    """Seals and opens fields with the key service's per-conversation keys; one per process."""

    def __init__(self, keys: KeyService) -> None:
        self.keys = keys

    async def seal(self, codec: Codec, pointers: Sequence[Pointer], payload: bytes | str, conversation: str, *,
                   content_type: str | None = None, frame: bool = False) -> bytes | str:
        """`payload` with every string at `pointers` sealed under the conversation's current key."""
        extracted = _extract(codec, payload, content_type, frame)
        if not extracted.fields:
            return payload
        doc = load_json(payload)  # the codec parsed it already, with the same parser
        for found in extracted.fields:
            path = _segments(found.path)
            if not any(matches(p.segments, path) for p in pointers) or not isinstance(_value(doc, path), str):
                raise SealRefused(f"the value at {found.path} is not a string")
        key = await self._current(conversation)
        return extracted.render({i: seal_text(key, field_name(found.path), found.text)
                                 for i, found in enumerate(extracted.fields)})

    async def seal_xmpp(self, codec: Codec, payload: bytes | str, conversation: str, *, frame: bool) -> bytes | str:
        """One client stanza (a WebSocket frame) with its message bodies sealed (see `xmpp_fields`):
        OMEMO stanzas untouched, an XHTML-IM copy of the text refused."""
        if not frame:  # config allows WebSocket routes only; a body of stanzas (BOSH) is never forwarded unsealed
            raise SealRefused("XMPP outside a WebSocket frame", "XMPP bodies are sealed in WebSocket frames only")
        data = payload.encode() if isinstance(payload, str) else payload
        extracted = codec.extract_frame(payload)
        if not extracted.fields or Kind.ENCRYPTED in xmpp_kinds(data):
            return payload
        if html_copy(extracted.fields):
            raise SealRefused("XHTML-IM body on a sealed route", "an XHTML-IM body cannot be sealed: "
                                                                "send the message without <html>")
        found = bodies(extracted.fields)
        if not found:
            return payload
        key = await self._current(conversation_of(conversation, data))
        return extracted.render({i: seal_text(key, BODY, extracted.fields[i].text) for i in found})

    async def _current(self, conversation: str) -> DataKey:
        try:
            return await self.keys.current(scope(conversation))
        except (KeyUnavailable, DatabaseError) as exc:
            log.error("field encryption key unavailable", extra={"fields": {"error": type(exc).__name__}})
            raise SealUnavailable("no key to seal with") from None

    async def open(self, codec: Codec, payload: bytes | str, room: str | None, failed: Failure, *,
                   content_type: str | None = None, frame: bool = False) -> bytes | str:
        """`payload` with every envelope that opens replaced by its text; `room`: when the route names
        the room, envelopes sealed for another conversation stay sealed."""
        extracted = _extract(codec, payload, content_type, frame)
        opened: dict[int, str] = {}
        found_keys: dict[str, DataKey | None] = {}
        for index, found in enumerate(extracted.fields):
            if not looks_sealed(found.text):
                continue
            envelope: Envelope | None = None
            try:
                envelope = Envelope.parse(found.text)
                if envelope.key_id not in found_keys:
                    found_keys[envelope.key_id] = await self.keys.find(envelope.key_id)
                key = found_keys[envelope.key_id]
                if key is None:
                    failed("unknown_key")
                    continue
                if room is not None and key.scope != scope(room):
                    failed("other_conversation")
                    continue
                opened[index] = open_text(key, field_name(found.path), envelope)
            except KeyUnavailable:
                if envelope is not None:
                    found_keys[envelope.key_id] = None
                failed("key_unavailable")
            except DatabaseError:
                failed("key_store_unavailable")
            except EnvelopeError as exc:
                failed(exc.reason)
        return extracted.render(opened) if opened else payload
