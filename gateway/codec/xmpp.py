"""XMPP stanzas as sent over WebSocket (RFC 7395, one element per frame) or in BOSH bodies.

Text is the character data of the elements below, found by their parent, at any depth (so
carbons, XEP-0280, and archive results, XEP-0313, are read too):

    message/body, message/subject             RFC 6121 (also corrections, replies, /me, styling)
    presence/status                           RFC 6121 status messages (MUC presences too)
    html/body                                 XEP-0071 XHTML-IM: every text run, and alt/title
    x/desc, query/desc                        XEP-0066 out-of-band data (jabber:x:oob, jabber:iq:oob)
    file/desc, file/name                      XEP-0446/0234/0385 file metadata and sharing
    invite|decline|item|destroy/reason        XEP-0045 MUC invitations, kicks, bans, room destruction
    reactions/reaction                        XEP-0444 reactions
    */nick                                    XEP-0172 nicknames (presence, message, bookmarks)
    entry/title|summary|content               XEP-0277 microblogging (Atom over pubsub)
    mood/text, activity/text                  XEP-0107 / XEP-0108
    error/text                                RFC 6120 error text (a client can send errors too)
    field/value (text-single, text-multi)      XEP-0004 data forms (room names, descriptions)
    vCard/FN|NICKNAME|DESC|NOTE, fn|nickname|note/text    vcard-temp and vCard4 profiles
    moderate|moderated|retract/reason         XEP-0425 moderation (the room sees why a message went)
    reason/text                               Jingle reasons for ending a call, shown to the peer
    report/text                               XEP-0377 spam and abuse reports (read by admins)
    geoloc/text|description                   XEP-0080 user location notes

plus the `filename` attribute of XEP-0363 upload requests and the `reason` attribute of XEP-0249 direct
room invitations (`<x xmlns='jabber:x:conference' reason='...'/>`, shown with the invitation). A plain text element holding child
elements is refused (what it means is up to the receiving client); XHTML and Atom content may
hold markup, and each text run between tags is a field of its own.

Parsing is expat with everything XMPP forbids refused (RFC 6120 11.1): a DTD, entity
declarations, comments and processing instructions make the payload a CodecError, so an XXE or
billion-laughs stanza is never expanded, as does an XML declaration naming another encoding
than UTF-8 (expat reads UTF-8 whatever it says; a server might not).
"""

from __future__ import annotations

import pyexpat
import re
from collections.abc import Mapping
from typing import NoReturn

from gateway.codec._base import CodecError, Renderer, TextField

__all__ = ["extract_xmpp"]

_MAX_DEPTH = 64
_PLAIN = frozenset({
    ("message", "body"), ("message", "subject"), ("presence", "status"), ("x", "desc"), ("query", "desc"),
    ("file", "desc"), ("file", "name"), ("invite", "reason"), ("decline", "reason"), ("item", "reason"),
    ("destroy", "reason"), ("reactions", "reaction"), ("entry", "title"), ("entry", "summary"),
    ("mood", "text"), ("activity", "text"), ("error", "text"), ("vCard", "FN"), ("vCard", "NICKNAME"),
    ("vCard", "DESC"), ("vCard", "NOTE"), ("fn", "text"), ("nickname", "text"), ("note", "text"),
    ("moderate", "reason"), ("moderated", "reason"), ("retract", "reason"), ("reason", "text"), ("report", "text"), ("geoloc", "text"),
    ("geoloc", "description"),
})
_MIXED = frozenset({("html", "body"), ("entry", "content")})
_ANY_PARENT = frozenset({"nick"})
_TEXT_FIELDS = frozenset({None, "text-single", "text-multi"})
_ATTRIBUTES = {"request": ("filename",), "x": ("reason",), "img": ("alt", "title"), "a": ("title",), "span": ("title",),
               "p": ("title",), "abbr": ("title",), "cite": ("title",), "q": ("title",)}
_TAG_NAME = re.compile(rb"<[^\s/>]+")
_ATTRIBUTE = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_START_TAG = re.compile(rb"""<[^'">]*(?:(?:"[^"]*"|'[^']*')[^'">]*)*>""")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
                                    "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_UTF8_NAMES = frozenset({"utf-8", "utf8"})

Span = tuple[int, int, int, bool]  # raw start, raw end, field index, attribute value?


def _refuse(what: str) -> NoReturn:
    raise CodecError(f"XMPP payload holds {what}, which XMPP forbids")


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


class _Stanza:
    """expat callbacks that record where each text run starts and ends (in bytes)."""

    def __init__(self, data: bytes, parser: pyexpat.XMLParserType, fields: list[TextField]) -> None:
        self.data = data
        self.parser = parser
        self.fields = fields
        self.stack: list[tuple[str, int, bool]] = []  # local name, start tag end, self-closing
        self.field_type: str | None = None            # the type of the data form field being read
        self.open: tuple[int, str, bool] | None = None  # depth, path, mixed content allowed
        self.run_start = 0
        self.chars: list[str] = []
        self.spans: list[Span] = []

    def _flush(self, end: int) -> None:
        text = "".join(self.chars)
        self.chars = []
        if self.open is not None and text.strip():
            self.spans.append((self.run_start, end, len(self.fields), False))
            self.fields.append(TextField(self.open[1], text))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if len(self.stack) >= _MAX_DEPTH:
            raise CodecError(f"XML nested deeper than {_MAX_DEPTH} levels")
        local = _local(name)
        index = self.parser.CurrentByteIndex
        found = _START_TAG.match(self.data, index)
        if found is None:  # pragma: no cover - expat accepted the tag, so it matches
            raise CodecError("XMPP start tag could not be located")
        tag_end = found.end()
        closing = self.data[tag_end - 2:tag_end] == b"/>"
        path = "/".join([*(entry[0] for entry in self.stack), local])
        if self.open is not None:
            if not self.open[2]:
                raise CodecError("XMPP text element holds child elements")
            self._flush(index)
        else:
            parent = self.stack[-1][0] if self.stack else ""
            if local == "field":
                self.field_type = attributes.get("type")
            pair = (parent, local)
            plain = pair in _PLAIN or local in _ANY_PARENT or (
                pair == ("field", "value") and self.field_type in _TEXT_FIELDS)
            if (plain or pair in _MIXED) and not closing:
                self.open = (len(self.stack), path, pair in _MIXED)
        for attribute in _ATTRIBUTES.get(local, ()):
            if attribute in attributes:
                self._attribute(index, tag_end, attribute, attributes[attribute], path)
        self.stack.append((local, tag_end, closing))
        self.run_start = tag_end

    def _attribute(self, start: int, end: int, name: str, value: str, path: str) -> None:
        pos = _TAG_NAME.match(self.data, start).end()  # type: ignore[union-attr]  # expat read this tag
        while (found := _ATTRIBUTE.match(self.data, pos, end)) is not None:
            pos = found.end()
            if found.group(1).decode() != name:
                continue
            if value.strip():
                self.spans.append((found.start(2) + 1, found.end(2) - 1, len(self.fields), True))
                self.fields.append(TextField(f"{path}@{name}", value))
            return
        raise CodecError("XMPP attribute could not be located")  # pragma: no cover - expat reported it

    def end(self, name: str) -> None:
        local, _, closing = self.stack.pop()
        index = self.parser.CurrentByteIndex
        tag_end = index if closing else self.data.index(b">", index) + 1
        if local == "field":
            self.field_type = None
        if self.open is None:
            self.run_start = tag_end
            return
        if not closing:
            self._flush(index)
        if len(self.stack) == self.open[0]:
            self.open = None
        self.run_start = tag_end

    def text(self, data: str) -> None:
        if self.open is not None:
            self.chars.append(data)


def _declaration(version: str | None, encoding: str | None, standalone: int) -> None:
    if encoding is not None and encoding.lower() not in _UTF8_NAMES:
        raise CodecError(f"XML declaration names the encoding {encoding} (only UTF-8 is read here)")


def extract_xmpp(data: bytes, fields: list[TextField]) -> Renderer | None:
    """Fields of one XML payload (UTF-8); None when it holds no text."""
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
    parser.XmlDeclHandler = _declaration
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
    spans = sorted(stanza.spans)

    def render(changes: Mapping[int, str]) -> str | None:
        pieces: list[bytes] = []
        last = 0
        for start, end, index, attribute in spans:
            if index in changes:
                new = changes[index]
                if _NOT_XML.search(new):
                    raise CodecError("replacement text holds characters XML cannot carry")
                escaped = new.translate(_ATTRIBUTE_ESCAPES if attribute else _ESCAPES)
                pieces += (data[last:start], escaped.encode("utf-8"))
                last = end
        if not pieces:
            return None
        pieces.append(data[last:])
        return b"".join(pieces).decode("utf-8")
    return render
