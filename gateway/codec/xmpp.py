"""XMPP stanzas as sent over WebSocket (RFC 7395, one element per frame) or in BOSH bodies.

The text is the character data of every `<body>` and `<subject>` whose parent is a `<message>`,
at any depth, so messages forwarded inside carbons (XEP-0280) and archive results (XEP-0313)
are found too. Parsing is expat with everything XMPP forbids refused (RFC 6120 11.1): a DTD,
entity declarations, comments and processing instructions make the payload a CodecError, so
an XXE or billion-laughs stanza is never expanded. A text element holding child elements is
refused as well: what it means would be up to the receiving client.
"""

from __future__ import annotations

import pyexpat
import re
from collections.abc import Mapping
from typing import NoReturn

from gateway.codec._base import CodecError, Renderer, TextField

__all__ = ["extract_xmpp"]

_MAX_DEPTH = 64
_TEXT_ELEMENTS = frozenset({"body", "subject"})
_START_TAG = re.compile(rb"""<[^'">]*(?:(?:"[^"]*"|'[^']*')[^'">]*)*>""")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _refuse(what: str) -> NoReturn:
    raise CodecError(f"XMPP payload holds {what}, which XMPP forbids")


class _Stanza:
    """expat callbacks that record where each text element's content starts and ends."""

    def __init__(self, data: bytes, parser: pyexpat.XMLParserType, fields: list[TextField]) -> None:
        self.data = data
        self.parser = parser
        self.fields = fields
        self.stack: list[str] = []
        self.open: tuple[int, int, str] | None = None  # tag start, depth, path of the element read
        self.chars: list[str] = []
        self.spans: list[tuple[int, int, int]] = []     # content start, content end, field index

    def start(self, name: str, attributes: object) -> None:
        if self.open is not None:
            raise CodecError("XMPP text element holds child elements")
        if len(self.stack) >= _MAX_DEPTH:
            raise CodecError(f"XML nested deeper than {_MAX_DEPTH} levels")
        local = name.rpartition(" ")[2]
        if local in _TEXT_ELEMENTS and self.stack and self.stack[-1] == "message":
            self.open = (self.parser.CurrentByteIndex, len(self.stack), "/".join([*self.stack, local]))
            self.chars = []
        self.stack.append(local)

    def end(self, name: str) -> None:
        self.stack.pop()
        if self.open is None or len(self.stack) != self.open[1]:
            return
        tag_start, _, path = self.open
        self.open = None
        found = _START_TAG.match(self.data, tag_start)
        if found is None:  # pragma: no cover - expat accepted the tag, so it matches
            raise CodecError("XMPP start tag could not be located")
        if self.data[found.end() - 2:found.end()] == b"/>":
            return  # <body/>: no text
        self.spans.append((found.end(), self.parser.CurrentByteIndex, len(self.fields)))
        self.fields.append(TextField(path, "".join(self.chars)))

    def text(self, data: str) -> None:
        if self.open is not None:
            self.chars.append(data)


def extract_xmpp(data: bytes, fields: list[TextField]) -> Renderer | None:
    """Fields of one XML payload (UTF-8); None when it holds no message text."""
    if not data.strip():
        return None  # an empty frame or keep-alive: nothing can hide in it
    parser = pyexpat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    stanza = _Stanza(data, parser, fields)
    parser.StartDoctypeDeclHandler = lambda *_: _refuse("a DTD")
    parser.EntityDeclHandler = lambda *_: _refuse("an entity declaration")
    parser.UnparsedEntityDeclHandler = lambda *_: _refuse("an entity declaration")
    parser.NotationDeclHandler = lambda *_: _refuse("a notation declaration")
    parser.ExternalEntityRefHandler = lambda *_: _refuse("an external entity")
    parser.CommentHandler = lambda *_: _refuse("a comment")
    parser.ProcessingInstructionHandler = lambda *_: _refuse("a processing instruction")
    parser.StartElementHandler = stanza.start
    parser.EndElementHandler = stanza.end
    parser.CharacterDataHandler = stanza.text
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        raise CodecError(f"invalid XML: {pyexpat.ErrorString(exc.code)}") from None
    except RecursionError:
        raise CodecError("XML nested too deeply") from None
    if not stanza.spans:
        return None
    spans = stanza.spans

    def render(changes: Mapping[int, str]) -> str | None:
        pieces: list[bytes] = []
        last = 0
        for start, end, index in spans:
            if index in changes:
                new = changes[index]
                if _NOT_XML.search(new):
                    raise CodecError("replacement text holds characters XML cannot carry")
                pieces += (data[last:start], new.translate(_ESCAPES).encode("utf-8"))
                last = end
        if not pieces:
            return None
        pieces.append(data[last:])
        return b"".join(pieces).decode("utf-8")
    return render
