"""One route direction's codec: which formats to read, chosen once from the route's `FieldSelector`."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from filters.options import OptionsError, join
from gateway.codec import fastjson
from gateway.codec._base import (
    CodecError,
    Extracted,
    FieldCaps,
    LimitExceeded,
    Renderer,
    TextField,
    UnsupportedPayload,
    capped_fields,
)
from gateway.codec.actions import extract_action, prefixes
from gateway.codec.ddp import extract_enveloped, extract_sockjs
from gateway.codec.form import FormNames, extract_form
from gateway.codec.jsonpath import Pointer, parse_document, select
from gateway.codec.media import MediaType, decode_text, media_type
from gateway.codec.multipart import BYTES, boundary_of, extract_multipart
from gateway.codec.packed import Packed, PackedExtracted, read_packed
from gateway.codec.selection import NamedSelections
from gateway.codec.selectors import FieldSelector, SseFields
from gateway.codec.shapes import Shapes
from gateway.codec.socketio import check_version, extract_engineio, extract_polling
from gateway.codec.xmpp import extract_xmpp

__all__ = ["TEXT_PATH", "Codec", "check_selector", "check_sse"]

TEXT_PATH = "text"  # the path of a whole body or frame taken as one text
Named = NamedSelections
Extractor = Callable[[str, list[TextField]], Renderer | None]
_NOTHING = NamedSelections(MappingProxyType({}))  # select no field: parse for names and syntax only
_DECLARES = {"json": "json", "form": "form", "multipart": "form", "text": "text"}


def _pointers(values: Sequence[str], path: str) -> tuple[Pointer, ...]:
    parsed = []
    for i, value in enumerate(values):
        try:
            parsed.append(Pointer.parse(value))
        except ValueError as exc:
            raise OptionsError(join(path, i), str(exc)) from None
    return tuple(parsed)


def _named(mapping: Mapping[str, Sequence[str]], path: str, fold: bool = False) -> Named | None:
    if not mapping:
        return None
    return NamedSelections({name: _pointers(values, join(path, name)) for name, values in mapping.items()}, fold)


def check_selector(selector: FieldSelector, path: str = "") -> None:
    """Raise OptionsError naming the key if `selector` cannot become a codec (for config validation)."""
    Codec.for_selector(selector, path)


def check_sse(fields: SseFields, path: str = "") -> None:
    """Raise OptionsError naming the key when a pointer does not parse (config validation)."""
    Codec.for_events(fields, path)


def _whole_text(text: str, fields: list[TextField]) -> Renderer:
    index = len(fields)
    fields.append(TextField(TEXT_PATH, text))
    return lambda changes: changes.get(index)


def _sockjs_lines(events: Named, names: list[str] | None = None) -> Extractor:
    """SockJS over HTTP (xhr_send bodies, xhr responses): frames one per line."""
    def extract(text: str, fields: list[TextField]) -> Renderer | None:
        lines = text.split("\n")
        parts = [(i, part) for i, line in enumerate(lines)
                 if line.strip("h") and (part := extract_sockjs(line, events, fields, names)) is not None]
        if not parts:
            return None

        def render(changes: Mapping[int, str]) -> str | None:
            out = list(lines)
            for i, part in parts:
                out[i] = part(changes) or out[i]
            return "\n".join(out)
        return render
    return extract


class Codec:
    """Extracts the chat text one route direction declares, and puts filtered text back.

    Built once per route at startup (`for_selector`); `extract_http`, `extract_frame` and
    `extract_query` keep no state between calls. Formats: `json`, `form` (urlencoded and
    multipart) and `text` (any combination), or exactly one of the framed protocols `socketio`,
    `ddp` (SockJS and bare DDP), `actions` (Mattermost's WebSocket requests) and `xmpp`. An HTTP body must come in a declared format and in
    UTF-8 (`UnsupportedPayload` otherwise, a 415); one that does not parse raises `CodecError`.
    """

    __slots__ = ("_actions", "_answers", "_begins", "_caps", "_ddp", "_envelope", "_fold", "_form", "_json", "_kinds", "_query",
                 "_readers", "_selection", "_socketio", "_walkers", "_xmpp")

    def __init__(self, selector: FieldSelector, path: str = "", *, outbound: bool = False) -> None:
        self._caps: FieldCaps | None = None
        self._answers = outbound  # reads the backend's answers (error shapes differ from requests)
        self._json = _pointers(selector.json, join(path, "json"))
        self._fold = selector.fold_keys
        self._form = FormNames(selector.form)
        self._query = FormNames(selector.query) | self._form  # frameworks merge the query into form params
        self._kinds = tuple(kind for kind, on in (("json", bool(self._json)), ("form", bool(self._form)),
                                                   ("text", selector.text)) if on)
        self._socketio = _named(selector.socketio, join(path, "socketio"))
        self._ddp = _named(selector.ddp, join(path, "ddp"))
        self._actions = _named(selector.actions, join(path, "actions"), fold=True)  # Go folds keys
        self._begins = prefixes(list(selector.actions))
        self._xmpp = selector.xmpp
        protocols = [name for name, on in (("socketio", self._socketio is not None),
                                           ("ddp", self._ddp is not None), ("actions", self._actions is not None),
                                           ("xmpp", self._xmpp)) if on]
        if len(protocols) > 1 or (protocols and self._kinds):
            raise OptionsError(path, "socketio, ddp, actions and xmpp each describe a whole protocol: declare one "
                                     f"of them alone (got {', '.join([*self._kinds, *protocols])})")
        if self._fold and not self._json:
            raise OptionsError(join(path, "fold_keys"), "only applies to json fields")
        # A request's key spelt as a read key in another case is refused (ASP.NET and Go backends bind it);
        # answers are not judged so: a backend relays keys other clients chose.
        self._selection = select(self._json, fold=self._fold, guard=not outbound)
        self._readers = tuple(self._extractor(kind) for kind in self._kinds)  # for _first_fit, made once
        # The same, once orjson's reading of a frame was tried (`_frame_json`): JSON by the walk alone.
        self._walkers = tuple(self._walker() if kind == "json" else reader
                              for kind, reader in zip(self._kinds, self._readers, strict=True))
        self._envelope: tuple[str, ...] | None = None
        if selector.envelope:
            if self._ddp is None:
                raise OptionsError(join(path, "envelope"), "only applies to ddp messages (Rocket.Chat's method.call)")
            self._envelope = _pointers((selector.envelope,), join(path, "envelope"))[0].segments

    @classmethod
    def for_selector(cls, selector: FieldSelector, path: str = "", *, outbound: bool = False) -> Codec | None:
        """The codec for `selector` (`outbound`: the backend's answers), or None when it declares
        nothing (the route then streams)."""
        if not (selector.declared or selector.query):
            return None
        return cls(selector, path, outbound=outbound)

    @classmethod
    def for_events(cls, fields: SseFields, path: str = "") -> Codec:
        """The codec for the data of server-sent events: JSON data through the pointers, anything
        else as one text, so no data escapes inspection."""
        return cls(FieldSelector(json=fields.json, text=True), path)

    @classmethod
    def for_unshaped_answers(cls) -> Codec:
        """The codec for answers whose shape no pointer describes: every JSON value is read
        (numbers and booleans as their text), anything else as one text."""
        return cls(FieldSelector(json=("/**",), text=True), outbound=True)

    def capped(self, caps: FieldCaps) -> Codec:
        """This codec, refusing (`LimitExceeded`) payloads with more text than `caps` allow."""
        twin = copy.copy(self)
        twin._caps = caps
        return twin

    @property
    def caps(self) -> FieldCaps | None:
        return self._caps
    @property
    def reads_body(self) -> bool:
        """Whether bodies and frames are read (a codec may read only the query string)."""
        return bool(self._kinds or self._framed)

    @property
    def _framed(self) -> bool:
        """Whether a whole protocol is declared (`socketio`, `ddp`, `actions`, `xmpp`), not formats."""
        return self._socketio is not None or self._ddp is not None or self._actions is not None or self._xmpp

    @property
    def multipart_names(self) -> FormNames | None:
        """The form names multipart bodies are read by, when this codec reads them (uploads may stream)."""
        return self._form if "form" in self._kinds and not self._framed else None

    @property
    def reads_query(self) -> bool:
        return bool(self._query)

    @property
    def checks_request(self) -> bool:
        """Whether `check_request` reads the query at all (only Socket.IO's version is checked): the
        others need no parsed query."""
        return self._socketio is not None

    def check_request(self, query: Mapping[str, str]) -> None:
        """Refuse a request whose query names a protocol version this codec does not read."""
        if self._socketio is not None:
            getall = getattr(query, "getall", None)
            check_version(getall("EIO", []) if getall is not None else [v for k, v in query.items() if k == "EIO"])

    def extract_query(self, query: str) -> Extracted:
        """Fields of the raw query string (declared `query` and `form` names); renders a new query."""
        if not self._query or not query:
            return Extracted(query)
        names = self._query
        return self._run(query, query, lambda text, fields: extract_form(text, names, fields))

    def extract_http(self, body: bytes, content_type: str | None, shapes: Shapes | None = None) -> Extracted:
        """Fields of one HTTP body, in the format its Content-Type names among the declared ones.
        `shapes` (`http_shapes`, one client connection's): a JSON body of a shape read before is read
        by it, and a new one's shape learnt."""
        if not body:
            return Extracted(body)
        media = media_type(content_type) if content_type is not None else None
        charset = media.charset if media is not None else "utf-8"
        if self._xmpp:
            decode_text(body, charset)  # refuse bytes that are not UTF-8 before expat sees them
            return self._xml(body)
        if self._socketio is not None:
            events = self._socketio
            return self._run(body, decode_text(body, charset),
                             lambda text, fields: extract_polling(text, events, fields))
        if self._ddp is not None:
            return self._run(body, decode_text(body, charset), self._ddp_extractor(self._ddp))
        if self._actions is not None:
            return self._run(body, decode_text(body, charset), self._action_extractor(self._actions))
        if media is None:
            return self._first_fit(body, decode_text(body))
        declared = _DECLARES.get(media.kind)
        if declared not in self._kinds:
            raise UnsupportedPayload(f"a {media.mime} body is not read on this route "
                                     f"(declared: {', '.join(self._kinds)})")
        if media.kind == "multipart":
            return self._multipart(body, media)
        text = decode_text(body, media.charset)
        if media.kind == "json":  # most bodies: one JSON document, read by orjson when that tells all
            if shapes is not None and (known := shapes.extract(text, body, media.charset)) is not None:
                return known
            read = self._orjson(body, text, media.charset)
            extracted = read if read is not None else self._run(body, text, self._walker(), media.charset)
            if shapes is not None:
                shapes.learn(text, extracted)
            return extracted
        return self._run(body, text, self._extractor(media.kind), media.charset)

    def one_http(self, body: bytes, content_type: str | None,
                 shapes: Shapes) -> tuple[str, tuple[str, str, int, int], str] | None:
        """For a JSON body of the one-field shape `shapes` read last (`Shapes.one`): `(text, found, charset)`,
        the body's text, its field as `one` finds it, and the charset it was read as; None for any other body,
        which `extract_http` reads (or refuses) as ever. Raises only what `extract_http` raises for the body."""
        if not body or content_type is None or self._framed:
            return None
        media = media_type(content_type)  # what `extract_http` reads first, refusing what it refuses
        if media.kind != "json" or "json" not in self._kinds:
            return None
        text = decode_text(body, media.charset)
        found = shapes.one(text)
        return None if found is None else (text, found, media.charset)

    def extract_frame(self, frame: str | bytes) -> Extracted:
        """Fields of one WebSocket message (text or binary)."""
        if self._xmpp:
            return self._xml(frame)
        if self._socketio is not None:
            if isinstance(frame, bytes):
                return Extracted(frame)  # a binary attachment: data (placeholders at text pointers are refused)
            events = self._socketio
            return self._run(frame, frame, lambda text, fields: extract_engineio(text, events, fields))
        if self._actions is not None:
            if isinstance(frame, bytes):  # the server decodes a binary request as MessagePack
                return self._packed(read_packed(frame), self._actions)
            return self._run(frame, frame, self._action_extractor(self._actions))
        text = frame if isinstance(frame, str) else decode_text(frame)
        if self._ddp is not None:
            ddp, envelope = self._ddp, self._envelope
            if envelope is not None:
                answers = self._answers
                return self._run(frame, text, lambda text, fields: extract_enveloped(
                    text, envelope, ddp, fields, answer=answers))
            return self._run(frame, text, lambda text, fields: extract_sockjs(text, ddp, fields))
        if self._kinds and self._kinds[0] == "json":  # most frames: one JSON document, read by orjson
            return self._frame_json(frame, text)
        return self._first_fit(frame, text)

    def _frame_json(self, frame: str | bytes, text: str) -> Extracted:
        """`_first_fit` for a frame when JSON is the first declared format: the fields orjson's reading
        gives (`_orjson`); a document only the walk can read goes to `_first_fit`, which does not try
        orjson again."""
        read = self._orjson(frame, text)
        return read if read is not None else self._first_fit(frame, text, self._walkers)

    def _orjson(self, original: bytes | str, text: str, encoding: str = "utf-8") -> Extracted | None:
        """The JSON document `text` as the walk reads it, from orjson's reading (`fastjson.fields_of`),
        refused past the caps as the capped list would; None when only the walk can tell."""
        selection = self._selection
        caps = self._caps
        limit = caps.max_chars if caps is not None else None
        found = fastjson.fields_of(text, selection, limit)
        if found is None:
            return None
        if caps is not None:
            for index, field in enumerate(found):
                if len(field.text) > caps.max_chars:
                    raise LimitExceeded("chars", caps.max_chars)
                if index >= caps.max_fields:
                    raise LimitExceeded("fields", caps.max_fields)
        if not found:
            return Extracted(original)
        return Extracted(original, found, fastjson.renderer(text, selection, found, limit=limit), encoding)

    def shapes(self) -> Shapes | None:
        """A cache of one stream's document shapes for `extract_frame` (see `gateway.codec.shapes`), when
        frames are read as JSON first through pointers; None for other codecs."""
        if self._framed or self._selection is None:
            return None
        if not self._kinds or self._kinds[0] != "json":
            return None
        return Shapes(self._selection, self._caps)

    def http_shapes(self) -> Shapes | None:
        """A cache of one client connection's JSON body shapes for `extract_http`, when bodies may be read
        as JSON through pointers; None for other codecs."""
        if self._framed or self._selection is None:
            return None
        return Shapes(self._selection, self._caps) if "json" in self._kinds else None

    @property
    def named_kind(self) -> str | None:
        """The message kind whose names `names` reads (`socketio`, `ddp`), or None."""
        return "socketio" if self._socketio is not None else "ddp" if self._ddp is not None else None

    def names(self, body: bytes, content_type: str | None) -> tuple[str, ...]:
        """The Socket.IO event or DDP method names an HTTP body carries (long-polling, `xhr_send`,
        `method.call`), for per-message access rules; () for other codecs."""
        if self._socketio is None and self._ddp is None:
            return ()
        media = media_type(content_type) if content_type is not None else None
        text = decode_text(body, media.charset if media is not None else "utf-8")
        found: list[str] = []
        if self._socketio is not None:
            extract_polling(text, _NOTHING, [], found)
        else:
            self._ddp_extractor(_NOTHING, found)(text, [])
        return tuple(found)

    def _ddp_extractor(self, ddp: Named, names: list[str] | None = None) -> Extractor:
        envelope, answers = self._envelope, self._answers
        if envelope is not None:
            return lambda text, fields: extract_enveloped(text, envelope, ddp, fields, names, answer=answers)
        return _sockjs_lines(ddp, names)

    def _action_extractor(self, actions: Named, names: list[str] | None = None) -> Extractor:
        begins = self._begins
        return lambda text, fields: extract_action(text, actions, begins, fields, names)

    def _packed(self, packed: Packed, actions: Named) -> Extracted:
        """A MessagePack request read through its JSON text; what a filter changes is written back into it."""
        fields = capped_fields(self._caps)
        render = extract_action(packed.text, actions, self._begins, fields)
        if render is None or not fields:
            return Extracted(packed.frame)
        return PackedExtracted(packed, fields, render)

    def _walker(self) -> Extractor:
        selection = self._selection
        return lambda text, fields: parse_document(text, selection, fields).render

    def _extractor(self, kind: str) -> Extractor:
        if kind == "json":
            selection = self._selection
            return lambda text, fields: fastjson.read(text, selection, fields)
        if kind == "form":
            names = self._form
            return lambda text, fields: extract_form(text, names, fields)
        return _whole_text

    def _multipart(self, body: bytes, media: MediaType) -> Extracted:
        boundary = boundary_of(media.params)
        names = self._form
        return self._run(body, body.decode(BYTES),
                         lambda text, fields: extract_multipart(text, boundary, names, fields), BYTES)

    def _first_fit(self, original: bytes | str, text: str, readers: tuple[Extractor, ...] | None = None) -> Extracted:
        """Without a content type, the first declared format that parses (json, form, text)."""
        error = CodecError("nothing declared")
        for extractor in self._readers if readers is None else readers:
            try:
                return self._run(original, text, extractor)
            except LimitExceeded:
                raise  # it parsed, and holds too much: no other reading may let it through
            except CodecError as exc:
                error = exc
        raise error

    def _run(self, original: bytes | str, text: str, extractor: Extractor, encoding: str = "utf-8") -> Extracted:
        fields = capped_fields(self._caps)
        render = extractor(text, fields)
        if render is None or not fields:
            return Extracted(original)
        return Extracted(original, fields, render, encoding)

    def _xml(self, payload: bytes | str) -> Extracted:
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        fields = capped_fields(self._caps)
        render = extract_xmpp(data, fields)
        if render is None:
            return Extracted(payload)
        return Extracted(payload, fields, render)
