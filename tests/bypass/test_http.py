"""Content-bypass suite over HTTP: hostile ways to carry a watched word past the filters.

Each inbound case sends a body in which `@@` stands for the watched word (`forbidden`, which the
`words` filter rewrites to `[redacted]`) and says what must reach the backend: the exact bytes,
with every `@@` rewritten, or nothing at all and the status the client gets. Each outbound case
has the backend answer and says what the client must get. A case that fails means text reached
one side unread: a hole, whichever way the gateway and the backend disagreed.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.bypass.conftest import CODEC_HOST, Suite, host_of
from tests.e2e.conftest import rewritten, sent

JSON = "application/json"
TEXT = "text/plain;charset=UTF-8"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class In:
    """A request and what must reach the backend (a template) or the status that refuses it."""

    id: str
    host: str
    method: str
    path: str
    content_type: str | None
    body: str | bytes
    expect: str | bytes | int
    headers: tuple[tuple[str, str], ...] = ()
    reply: tuple[str, str] = ("{}", JSON)  # the backend's answer (body, type): it must pass inspection


def c(id: str, path: str, content_type: str | None, body: str | bytes, expect: str | bytes | int,
      method: str = "POST", **kw: tuple[tuple[str, str], ...]) -> In:
    return In(id, CODEC_HOST, method, path, content_type, body, expect, **kw)


_REPLIES = {"xmpp": ("<body xmlns='http://jabber.org/protocol/httpbind'/>", "text/xml"),
            "socketio": ("ok", "text/html")}


def p(preset: str, id: str, method: str, path: str, content_type: str | None, body: str | bytes,
      expect: str | bytes | int) -> In:
    return In(f"{preset}-{id}", host_of(preset), method, path, content_type, body, expect,
              reply=_REPLIES.get(preset, ("{}", JSON)))


def multipart(*parts: str, boundary: str = "b0und4ry") -> str:
    return "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"


def ddp(method: str, *params: object, **extra: object) -> str:
    return json.dumps({"msg": "method", "method": method, "id": "7", "params": list(params), **extra})


MP = "multipart/form-data; boundary=b0und4ry"
SIO = "/sio?EIO=4&transport=polling&sid=s"
XHTML = ("<message xmlns='jabber:client' type='chat'><body>plain</body>"
         "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
         "<p>rich <b>@@</b></p><img src='x' alt='@@ alt'/></body></html></message>")
SEND = "/_matrix/client/v3/rooms/!r:example.org/send/m.room.message/t1"

INBOUND: list[In] = [
    # -- JSON: what a JavaScript backend reads as text, and what parsers read differently ---------
    c("json-plain", "/json", JSON, '{"text":"@@","id":"forbidden-id"}', '{"text":"@@","id":"forbidden-id"}'),
    c("json-list", "/json", JSON, '{"text":["a","@@"]}', '{"text":["a","@@"]}'),
    c("json-object", "/json", JSON, '{"text":{"nested":{"deep":"@@"}}}', '{"text":{"nested":{"deep":"@@"}}}'),
    c("json-number-card", "/json", JSON, '{"text":4111111111111111}', 403),
    # JavaScript prints these as 4111111111111111 (`${msg.text}`, `textContent = msg`): read so.
    c("json-number-exponent-card", "/json", JSON, '{"text":4.111111111111111e15}', 403),
    c("json-number-fraction-card", "/json", JSON, '{"text":4111111111111111.000}', 403),
    c("json-number-negative-exponent-card", "/json", JSON, '{"text":41111111111111110E-1}', 403),
    c("json-number-plain-fraction", "/json", JSON, '{"text":12.50,"n":1e400}', '{"text":12.50,"n":1e400}'),
    c("sio-number-exponent-card", SIO, TEXT, '42["chat message",4.111111111111111e+15]', 403),
    c("json-untyped", "/json", None, '{"text":"@@"}', '{"text":"@@"}'),
    c("json-duplicate-key", "/json", JSON, '{"text":"ok","text":"@@"}', 400),
    c("json-bom", "/json", JSON, '\ufeff{"text":"@@"}', 400),
    c("json-comment", "/json", JSON, '{"text":"ok" /* @@ */}', 400),
    c("json-nan", "/json", JSON, '{"text":NaN,"x":"@@"}', 400),
    c("json-proto", "/json", JSON, '{"__proto__":{"text":"@@"}}', 400),
    c("json-proto-escaped", "/json", JSON, '{"a":{"\\u005f_proto__":{"text":"@@"}}}', 400),
    # A backend reading keys as C strings sees `text` in `text\u0000x`; controls in keys are refused.
    c("json-nul-key", "/json", JSON, '{"text\\u0000x":"@@"}', 400),
    c("json-nul-key-off-path", "/json", JSON, '{"text":"ok","meta":{"\\u0000":"@@"}}', 400),
    c("json-newline-key", "/json", JSON, '{"te\\nxt":"@@"}', 400),
    c("json-c1-key", "/json", JSON, '{"text\u0085":"@@"}', 400),
    c("sio-nul-key", SIO, TEXT, '42["chat message",{"text\\u0000":"@@"}]', 400),
    c("json-lone-surrogate", "/json", JSON, '{"text":"\\ud800 @@"}', 400),
    c("json-trailing", "/json", JSON, '{"text":"ok"}{"text":"@@"}', 400),
    c("json-utf16-declared", "/json", "application/json; charset=utf-16", '{"text":"@@"}', 415),
    c("json-utf16-bytes", "/json", JSON, '{"text":"@@"}'.encode("utf-16"), 400),
    c("json-utf7", "/json", "application/json; charset=utf-7", '{"text":"+AEA-@@"}', 415),
    c("json-charset-twice", "/json", "application/json; charset=utf-8; charset=utf-16", '{"text":"@@"}', 415),
    c("json-as-text-plain", "/json", "text/plain", '{"text":"@@"}', 415),
    c("json-as-octets", "/json", "application/octet-stream", '{"text":"@@"}', 415),
    c("json-as-form", "/json", FORM, "text=@@", 415),
    c("json-invalid-utf8", "/json", JSON, b'{"text":"\xff forbidden"}', 400),
    # A type naming two formats: backends that search the header (`includes`, `contains('/json')`) read the other
    c("json-suffix-on-form-type", "/json", "application/x-www-form-urlencoded+json", '{"z":"&text=@@&"}', 415),
    c("json-naming-form", "/json", 'application/vnd.x+json; profile="application/x-www-form-urlencoded"',
      '{"z":"&text=@@&"}', 415),
    c("form-naming-json", "/form", "application/x-www-form-urlencoded; x=/json", '{"msg":"@@","z":"="}', 415),
    c("json-suffix-type", "/json", "application/ld+json", '{"text":"@@"}', '{"text":"@@"}'),
    # A read key spelt in another case: ASP.NET Core (System.Text.Json's web defaults) and Go bind it as the
    # key, a case-sensitive backend does not; without fold_keys the gateway cannot tell which: refused.
    c("json-case-variant-not-folded", "/json", JSON, '{"Text":"@@"}', 400),
    c("json-case-variant-beside-key", "/json", JSON, '{"text":"ok","TEXT":"@@"}', 400),
    c("json-other-keys-any-case", "/json", JSON, '{"text":"@@","ID":"forbidden","Id":"x"}',
      '{"text":"@@","ID":"forbidden","Id":"x"}'),
    # -- Go-style keys (fold_keys): Message, MESSAGE and meſſage fill the same field --------------
    c("fold-upper", "/fold", JSON, '{"MESSAGE":"@@"}', '{"MESSAGE":"@@"}'),
    c("fold-long-s", "/fold", JSON, '{"me\u017f\u017fage":"@@"}', '{"me\u017f\u017fage":"@@"}'),
    c("fold-collision", "/fold", JSON, '{"message":"ok","Message":"@@"}', 400),
    # -- forms: urlencoded and multipart ---------------------------------------------------------
    c("form-plain", "/form", FORM, "msg=@@&room=forbidden", "msg=%5Bredacted%5D&room=forbidden"),
    c("form-array-name", "/form", FORM, "msg[]=@@", "msg[]=%5Bredacted%5D"),
    c("form-encoded-name", "/form", FORM, "m%73g=@@", "m%73g=%5Bredacted%5D"),
    # Brackets as each framework reads them: qs fills `msg` from `[msg]`, Rack 2 also from `]msg` and `msg]`,
    # ASP.NET's jQuery providers read `Input[Msg]` as `Input.Msg`; nested values under `msg` are all read.
    c("form-qs-leading-bracket", "/form", FORM, "[msg]=@@", "[msg]=%5Bredacted%5D"),
    c("form-qs-leading-bracket-nested", "/form", FORM, "[msg][a]=@@&%5Bmsg%5D[b][c]=@@",
      "[msg][a]=%5Bredacted%5D&%5Bmsg%5D[b][c]=%5Bredacted%5D"),
    c("form-rack-stray-brackets", "/form", FORM, "]msg=@@&msg]=@@", "]msg=%5Bredacted%5D&msg]=%5Bredacted%5D"),
    c("form-jquery-dotted", "/form", FORM, "Input[Msg]=@@", "Input[Msg]=%5Bredacted%5D"),
    c("form-qs-object", "/form", FORM, "msg[a]=@@&msg[b][c]=@@", "msg[a]=%5Bredacted%5D&msg[b][c]=%5Bredacted%5D"),
    c("multipart-qs-leading-bracket", "/form", MP, multipart('Content-Disposition: form-data; name="[msg]"\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="[msg]"\r\n\r\n@@')),
    c("form-semicolon", "/form", FORM, "a=1;msg=@@", 400),
    c("form-iis-escape", "/form", FORM, "m%u0073g=@@", 400),
    c("form-method-override", "/form", FORM, "_method=DELETE&msg=x", 400),
    c("form-charset-field", "/form", FORM, "_charset_=ISO-8859-1&msg=@@", 400),
    # PHP reads a name as a C string: `msg%00x` fills `msg` there, Go and Express keep the NUL.
    c("form-nul-in-name", "/form", FORM, "msg%00x=@@", 400),
    c("multipart-nul-in-name", "/form", MP, multipart('Content-Disposition: form-data; name="msg\x00x"\r\n\r\n@@'),
      400),
    c("form-as-json", "/form", JSON, '{"msg":"@@"}', 415),
    # ASP.NET binds form names ignoring case, and a dotted name by its last part: all are read.
    c("form-name-case", "/form", FORM, "MSG=@@&Msg=@@", "MSG=%5Bredacted%5D&Msg=%5Bredacted%5D"),
    c("form-name-dotted", "/form", FORM, "Input.Msg=@@", "Input.Msg=%5Bredacted%5D"),
    c("multipart-name-case", "/form", MP, multipart('Content-Disposition: form-data; name="MSG"\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="MSG"\r\n\r\n@@')),
    c("multipart-field", "/form", MP, multipart('Content-Disposition: form-data; name="msg"\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="msg"\r\n\r\n@@')),
    c("multipart-text-file", "/form", MP,
      multipart('Content-Disposition: form-data; name="msg"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="msg"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n@@')),
    c("multipart-preamble", "/form", MP,
      "preamble\r\n" + multipart('Content-Disposition: form-data; name="msg"\r\n\r\n@@'), 400),
    c("multipart-base64", "/form", MP, multipart(
        'Content-Disposition: form-data; name="msg"\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9yYmlkZGVu'), 400),
    c("multipart-extended-name", "/form", MP,
      multipart("Content-Disposition: form-data; name*=UTF-8''msg\r\n\r\n@@"), 400),
    c("multipart-folded-header", "/form", MP,
      multipart('Content-Disposition: form-data;\r\n name="msg"\r\n\r\n@@'), 400),
    c("multipart-bare-lf", "/form", MP,
      multipart('Content-Disposition: form-data; name="msg"\r\n\r\n@@').replace("\r\n", "\n"), 400),
    c("multipart-binary-in-text-field", "/form", MP, multipart(
        'Content-Disposition: form-data; name="msg"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n@@"), 400),
    c("multipart-no-boundary", "/form", "multipart/form-data", multipart('Content-Disposition: form-data; '
                                                                         'name="msg"\r\n\r\n@@'), 400),
    # -- text -------------------------------------------------------------------------------------
    c("text-plain", "/text", TEXT, "a @@ b", "a @@ b"),
    c("text-ebcdic", "/text", "text/plain; charset=cp500", codecs.encode("a @@ b", "cp500"), 415),
    c("text-latin1", "/text", "text/plain; charset=iso-8859-1", "caf\xe9 @@".encode("latin-1"), 415),
    # -- Socket.IO over long-polling --------------------------------------------------------------
    c("sio-event", SIO, TEXT, '42["chat message","@@"]\x1e2', '42["chat message","@@"]\x1e2'),
    c("sio-ack", SIO, TEXT, '431["@@"]', '431["@@"]'),
    c("sio-binary-ack", SIO, TEXT, '461-1[{"text":"@@"},{"file":{"_placeholder":true,"num":0}}]\x1ebAQID',
      '461-1[{"text":"@@"},{"file":{"_placeholder":true,"num":0}}]\x1ebAQID'),
    c("sio-placeholder-as-ack-text", SIO, TEXT, '461-1[{"_placeholder":true,"num":0}]\x1ebZm9yYmlkZGVu', 400),
    c("sio-blank-ack-id", SIO, TEXT, '42 ["chat message","@@"]', 400),
    c("sio-placeholder-as-text", SIO, TEXT,
      '451-["chat message",{"_placeholder":true,"num":0}]\x1ebZm9yYmlkZGVu', 400),
    c("sio-attachments-on-event", SIO, TEXT, '421-["chat message","@@"]', 400),
    c("sio-v3-framing", SIO, TEXT, '24:42["chat message","@@"]', 400),
    c("sio-proto", SIO, TEXT, '42["chat message",{"__proto__":{"text":"@@"}}]', 400),
    c("sio-reserved-name", SIO, TEXT, '42["disconnect","@@"]', 400),
    # The JavaScript server files `7.0` under "7" (String(7.0)), python-socketio under the number 7.0.
    c("sio-numeric-name", SIO, TEXT, '42[7,"@@"]', '42[7,"@@"]'),
    c("sio-numeric-name-fraction", SIO, TEXT, '42[7.0,"@@"]', 400),
    c("sio-numeric-name-exponent", SIO, TEXT, '42[70e-1,"@@"]', 400),
    # -- SockJS / DDP ----------------------------------------------------------------------------
    c("ddp-send", "/ddp", TEXT, json.dumps([ddp("sendMessage", {"rid": "GENERAL", "msg": "@@"})]),
      json.dumps([ddp("sendMessage", {"rid": "GENERAL", "msg": "@@"})])),
    c("ddp-ejson-escape", "/ddp", TEXT,
      json.dumps([ddp("sendMessage", {"$escape": {"rid": "GENERAL", "msg": "@@"}})]), 400),
    c("ddp-duplicate-key", "/ddp", TEXT,
      json.dumps(['{"msg":"method","method":"sendMessage","id":"1","params":[{"msg":"ok","msg":"@@"}]}']), 400),
    # -- XMPP -------------------------------------------------------------------------------------
    c("xmpp-xhtml", "/xmpp", "text/xml; charset=utf-8", XHTML, XHTML),
    c("xmpp-oob-desc", "/xmpp", "text/xml", "<message><x xmlns='jabber:x:oob'><url>https://x/forbidden</url>"
      "<desc>@@</desc></x></message>",
      "<message><x xmlns='jabber:x:oob'><url>https://x/forbidden</url><desc>@@</desc></x></message>"),
    c("xmpp-entity", "/xmpp", "text/xml", "<!DOCTYPE m [<!ENTITY w 'forbidden'>]><message><body>&w;</body>"
      "</message>", 400),
    c("xmpp-declared-encoding", "/xmpp", "text/xml",
      "<?xml version='1.0' encoding='ISO-8859-1'?><message><body>@@</body></message>", 400),
    c("xmpp-utf16-declared", "/xmpp", "text/xml; charset=utf-16", "<message><body>@@</body></message>", 415),
    # -- beyond the first list: more ways a backend reads bytes otherwise --------------------------
    c("json-escaped-key", "/json", JSON, '{"te\\u0078t":"@@"}', '{"te\\u0078t":"@@"}'),
    c("json-escaped-value", "/json", JSON, '{"text":"forb\\u0069dden"}', '{"text":"@@"}'),
    c("json-deep-nesting", "/json", JSON, '{"text":' + "[" * 5000 + '"@@"' + "]" * 5000 + "}", 400),
    c("json-big-number", "/json", JSON, '{"text":1e400}', '{"text":1e400}'),  # JavaScript: Infinity, no text
    c("json-infinity", "/json", JSON, '{"text":Infinity}', 400),
    c("json-leading-whitespace-bom-after", "/json", JSON, ' \ufeff{"text":"@@"}', 400),
    c("json-request-gzip", "/json", JSON, b"\x1f\x8b", 415, headers=(("Content-Encoding", "gzip"),)),
    c("json-request-identity-gzip", "/json", JSON, b"\x1f\x8b", 415,
      headers=(("Content-Encoding", "identity"), ("Content-Encoding", "gzip"))),
    c("json-request-underscore-encoding", "/json", JSON, '{"text":"@@"}', '{"text":"@@"}',
      headers=(("Content_Encoding", "gzip"),)),
    c("form-plus-and-escapes", "/form", FORM, "msg=a+forb%69dden+b", "msg=a+%5Bredacted%5D+b"),
    c("form-charset-utf16", "/form", "application/x-www-form-urlencoded; charset=utf-16", "msg=@@", 415),
    c("form-name-plus", "/form", FORM, "ms+g=@@", "ms+g=forbidden"),
    c("multipart-part-charset", "/form", MP, multipart(
        'Content-Disposition: form-data; name="msg"\r\nContent-Type: text/plain; charset=utf-16\r\n\r\n@@'), 400),
    c("multipart-duplicate-name", "/form", MP, multipart('Content-Disposition: form-data; name="msg"\r\n\r\nok',
                                                          'Content-Disposition: form-data; name="msg"\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="msg"\r\n\r\nok',
                'Content-Disposition: form-data; name="msg"\r\n\r\n@@')),
    c("multipart-boundary-quoted", "/form", 'multipart/form-data; boundary="b0und4ry"',
      multipart('Content-Disposition: form-data; name="msg"\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="msg"\r\n\r\n@@')),
    c("sio-escaped-text", SIO, TEXT, '42["chat message","forb\\u0069dden"]', '42["chat message","@@"]'),
    c("xmpp-xhtml-char-reference", "/xmpp", "text/xml", XHTML.replace("<b>@@</b>", "<b>&#x66;orbidden</b>"),
      XHTML),  # XHTML-IM is XML: the parser decodes references, the body is rewritten
    c("xmpp-xhtml-html-entity", "/xmpp", "text/xml", XHTML.replace("<b>@@</b>", "<b>&fjlig;</b>"), 400),
    c("xmpp-comment-splits-word", "/xmpp", "text/xml", "<message><body>forb<!-- x -->idden</body></message>", 400),
    c("xmpp-processing-instruction", "/xmpp", "text/xml", "<message><?x y?><body>@@</body></message>", 400),
    c("xmpp-cdata", "/xmpp", "text/xml", "<message><body><![CDATA[@@]]></body></message>",
      "<message><body>@@</body></message>"),  # read and written back as plain text
    c("xmpp-char-reference", "/xmpp", "text/xml", "<message><body>forb&#105;dden</body></message>",
      "<message><body>@@</body></message>"),
    # -- Matrix ------------------------------------------------------------------------------------
    p("matrix", "body-object", "PUT", SEND, JSON, '{"msgtype":"m.text","body":{"x":"@@"}}',
      '{"msgtype":"m.text","body":{"x":"@@"}}'),
    p("matrix", "file-name", "PUT", SEND, JSON,
      '{"msgtype":"m.file","body":"caption @@","filename":"@@.pdf","url":"mxc://example.org/forbidden"}',
      '{"msgtype":"m.file","body":"caption @@","filename":"@@.pdf","url":"mxc://example.org/forbidden"}'),
    p("matrix", "poll-stable", "PUT", "/_matrix/client/v3/rooms/!r:example.org/send/m.poll.start/t2", JSON,
      '{"m.poll.start":{"question":{"m.text":[{"body":"@@?"}]},"kind":"m.poll.disclosed",'
      '"answers":[{"m.id":"forbidden","m.text":[{"body":"@@ yes"}]}]},"m.text":[{"body":"@@?"}]}',
      '{"m.poll.start":{"question":{"m.text":[{"body":"@@?"}]},"kind":"m.poll.disclosed",'
      '"answers":[{"m.id":"forbidden","m.text":[{"body":"@@ yes"}]}]},"m.text":[{"body":"@@?"}]}'),
    p("matrix", "poll-unstable", "PUT", "/_matrix/client/v3/rooms/!r:example.org/send/org.matrix.msc3381.poll.start/t3",
      JSON, '{"org.matrix.msc3381.poll.start":{"question":{"org.matrix.msc1767.text":"@@?"},'
            '"answers":[{"id":"forbidden","org.matrix.msc1767.text":"@@"}]},"org.matrix.msc1767.text":"@@"}',
      '{"org.matrix.msc3381.poll.start":{"question":{"org.matrix.msc1767.text":"@@?"},'
      '"answers":[{"id":"forbidden","org.matrix.msc1767.text":"@@"}]},"org.matrix.msc1767.text":"@@"}'),
    p("matrix", "reaction-key", "PUT", "/_matrix/client/v3/rooms/!r:example.org/send/m.reaction/t4", JSON,
      '{"m.relates_to":{"rel_type":"m.annotation","event_id":"$forbidden","key":"@@"}}',
      '{"m.relates_to":{"rel_type":"m.annotation","event_id":"$forbidden","key":"@@"}}'),
    p("matrix", "delayed-send", "PUT",
      "/_matrix/client/unstable/org.matrix.msc4140/rooms/!r:example.org/send/m.room.message/t5", JSON,
      '{"msgtype":"m.text","body":"@@ later"}', '{"msgtype":"m.text","body":"@@ later"}'),
    p("matrix", "create-room", "POST", "/_matrix/client/v3/createRoom", JSON,
      '{"name":"@@ room","topic":"@@ topic","room_alias_name":"forbidden","initial_state":[{"type":"m.room.topic",'
      '"state_key":"","content":{"topic":"@@ again"}}]}',
      '{"name":"@@ room","topic":"@@ topic","room_alias_name":"forbidden","initial_state":[{"type":"m.room.topic",'
      '"state_key":"","content":{"topic":"@@ again"}}]}'),
    p("matrix", "displayname", "PUT", "/_matrix/client/v3/profile/@forbidden:example.org/displayname", JSON,
      '{"displayname":"@@ name"}', '{"displayname":"@@ name"}'),
    p("matrix", "member-state", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/m.room.member/@a:example.org",
      JSON, '{"membership":"join","displayname":"@@"}', '{"membership":"join","displayname":"@@"}'),
    p("matrix", "widget-title", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/im.vector.modular.widgets/w1",
      JSON, '{"type":"m.custom","url":"https://w.test","name":"@@","data":{"title":"@@"}}',
      '{"type":"m.custom","url":"https://w.test","name":"@@","data":{"title":"@@"}}'),
    # A rich topic's HTML is read as shown: tags cannot split a word (`for<b></b>bidden`), and the plain
    # topic beside it is read as ever.
    p("matrix", "html-topic-split-by-tags", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/m.room.topic/",
      JSON, '{"topic":"ok","m.topic":{"m.text":[{"mimetype":"text/html","body":"<i>ban<b></b>ned</i> topic"},'
            '{"body":"ok"}]}}', 403),
    p("matrix", "html-topic-references", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/m.room.topic/",
      JSON, '{"topic":"x","m.topic":{"m.text":[{"mimetype":"text/html","body":"<b>forb&#105;dden</b>"}]}}',
      '{"topic":"x","m.topic":{"m.text":[{"mimetype":"text/html","body":"<b>@@</b>"}]}}'),
    p("matrix", "html-topic-in-new-room", "POST", "/_matrix/client/v3/createRoom", JSON,
      '{"initial_state":[{"type":"m.room.topic","content":{"m.topic":{"m.text":[{"mimetype":"text/html",'
      '"body":"ba<span></span>nned"}]}}}]}', 403),
    # A widget's address is read (its link judged); other `url`s (media) are not text.
    p("matrix", "widget-url", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/im.vector.modular.widgets/w2",
      JSON, '{"type":"m.custom","url":"https://@@.example/w?room=$matrix_room_id","name":"w"}',
      '{"type":"m.custom","url":"https://@@.example/w?room=$matrix_room_id","name":"w"}'),
    p("matrix", "widget-url-stable-type", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/m.widget/w3",
      JSON, '{"type":"m.custom","url":"https://banned.example/"}', 403),
    p("matrix", "avatar-url-not-text", "PUT", "/_matrix/client/v3/rooms/!r:example.org/state/m.room.avatar/",
      JSON, '{"url":"mxc://example.org/forbidden"}', '{"url":"mxc://example.org/forbidden"}'),
    p("matrix", "invite-reason", "POST", "/_matrix/client/v3/rooms/!r:example.org/invite", JSON,
      '{"user_id":"@forbidden:example.org","reason":"@@"}', '{"user_id":"@forbidden:example.org","reason":"@@"}'),
    p("matrix", "redact-reason", "PUT", "/_matrix/client/v3/rooms/!r:example.org/redact/$e/t6", JSON,
      '{"reason":"@@"}', '{"reason":"@@"}'),
    p("matrix", "to-device", "PUT", "/_matrix/client/v3/sendToDevice/com.example.note/t7", JSON,
      '{"messages":{"@b:example.org":{"DEVICE":{"body":"@@"}}}}',
      '{"messages":{"@b:example.org":{"DEVICE":{"body":"@@"}}}}'),
    # formatted_body is HTML: the filters judge the letters a client shows, references decoded
    # (those of < > & " ' kept, so nothing decoded becomes markup); masking keeps the formatting.
    p("matrix", "html-decimal-reference", "PUT", SEND, JSON,
      '{"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<b>forb&#105;dden</b>"}',
      '{"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<b>@@</b>"}'),
    p("matrix", "html-hex-reference", "PUT", SEND, JSON, '{"msgtype":"m.text","formatted_body":"&#x66;orbidden"}',
      '{"msgtype":"m.text","formatted_body":"@@"}'),
    p("matrix", "html-named-references", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"&fjlig;ord &forall; forbi&#X64;&#100;en"}',
      '{"msgtype":"m.text","formatted_body":"fjord \u2200 @@"}'),
    p("matrix", "html-reference-completes-another", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"&am&#112;; forbidden"}', 400),
    p("matrix", "html-reference-blocks", "PUT", SEND, JSON,
      '{"msgtype":"m.text","body":"x","formatted_body":"<i>ba&#110;ned</i>"}', 403),
    p("matrix", "html-escaped-markup-stays-escaped", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"&lt;script&#x3e;&#60;img src=x&gt;forb&#105;dden&lt;/script&#62;"}',
      '{"msgtype":"m.text","formatted_body":"&lt;script&#x3e;&#60;img src=x&gt;@@&lt;/script&#62;"}'),
    p("matrix", "html-escaped-ampersand-not-decoded-twice", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"&amp;#105; &#38;lt;b> forb&#105;dden"}',
      '{"msgtype":"m.text","formatted_body":"&amp;#105; &#38;lt;b> @@"}'),
    p("matrix", "html-plain-word-masked", "PUT", SEND, JSON, '{"msgtype":"m.text","formatted_body":"<b>@@</b>"}',
      '{"msgtype":"m.text","formatted_body":"<b>@@</b>"}'),
    p("matrix", "html-untouched-byte-exact", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"<b>caf&eacute; &amp; forbi</b> dden"}',
      '{"msgtype":"m.text","formatted_body":"<b>caf&eacute; &amp; forbi</b> dden"}'),
    p("matrix", "html-word-split-across-runs", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"<b>caf&eacute; &amp; forbi</b>dden"}',
      '{"msgtype":"m.text","formatted_body":"caf\u00e9 &amp; [redacted]"}'),
    # Markup splits what the client shows as one word: the field is read as shown too, and goes out as that
    # text, filtered and escaped, when the HTML reading missed what the shown one found.
    p("matrix", "html-tag-splits-word", "PUT", SEND, JSON, '{"msgtype":"m.text","formatted_body":"forbi<b></b>dden"}',
      '{"msgtype":"m.text","formatted_body":"[redacted]"}'),
    p("matrix", "html-tags-split-word-blocks", "PUT", SEND, JSON,
      '{"msgtype":"m.text","body":"x","formatted_body":"<i>ba</i><b>nn</b>ed"}', 403),
    p("matrix", "html-word-inside-one-run-keeps-markup", "PUT", SEND, JSON,
      '{"msgtype":"m.text","formatted_body":"<p>a <b>@@</b> word</p><p>next</p>"}',
      '{"msgtype":"m.text","formatted_body":"<p>a <b>@@</b> word</p><p>next</p>"}'),
    p("matrix", "nul-key", "PUT", SEND, JSON, '{"msgtype":"m.text","body\\u0000":"@@"}', 400),
    p("matrix", "presence", "PUT", "/_matrix/client/v3/presence/@a:example.org/status", JSON,
      '{"presence":"online","status_msg":"@@"}', '{"presence":"online","status_msg":"@@"}'),
    # -- Rocket.Chat -------------------------------------------------------------------------------
    p("rocketchat", "method-call", "POST", "/api/v1/method.call/sendMessage", JSON,
      json.dumps({"message": ddp("sendMessage", {"_id": "forbidden", "rid": "GENERAL", "msg": "@@"})}),
      json.dumps({"message": ddp("sendMessage", {"_id": "forbidden", "rid": "GENERAL", "msg": "@@"})})),
    p("rocketchat", "method-call-other-path", "POST", "/api/v1/method.call/loadHistory", JSON,
      json.dumps({"message": ddp("sendMessage", {"rid": "GENERAL", "msg": "@@"})}),
      json.dumps({"message": ddp("sendMessage", {"rid": "GENERAL", "msg": "@@"})})),
    p("rocketchat", "method-call-escape", "POST", "/api/v1/method.call/sendMessage", JSON,
      json.dumps({"message": ddp("sendMessage", {"$escape": {"rid": "GENERAL", "msg": "@@"}})}), 400),
    p("rocketchat", "method-call-anon-livechat", "POST", "/api/v1/method.callAnon/sendMessageLivechat", JSON,
      json.dumps({"message": ddp("sendMessageLivechat", {"rid": "r1", "msg": "@@", "token": "forbidden"})}),
      json.dumps({"message": ddp("sendMessageLivechat", {"rid": "r1", "msg": "@@", "token": "forbidden"})})),
    # Slash commands post their parameters as a message (/me, /shrug): the web client sends every one to
    # commands.run, other clients call the `slashCommand` method; both passed unread before.
    p("rocketchat", "slash-command-rest", "POST", "/api/v1/commands.run", JSON,
      '{"command":"me","params":" waves @@","roomId":"r1","triggerId":"t"}',
      '{"command":"me","params":" waves @@","roomId":"r1","triggerId":"t"}'),
    p("rocketchat", "slash-command-preview-item", "POST", "/api/v1/commands.preview", JSON,
      '{"command":"giphy","params":"cat","roomId":"r1","previewItem":{"id":"1","type":"text","value":"@@"}}',
      '{"command":"giphy","params":"cat","roomId":"r1","previewItem":{"id":"1","type":"text","value":"@@"}}'),
    p("rocketchat", "slash-command-method", "POST", "/api/v1/method.call/slashCommand", JSON,
      json.dumps({"message": ddp("slashCommand", {"cmd": "shrug", "params": "@@", "msg": {"rid": "r1", "msg": "/shrug @@"}})}),
      json.dumps({"message": ddp("slashCommand", {"cmd": "shrug", "params": "@@", "msg": {"rid": "r1", "msg": "/shrug @@"}})})),
    p("rocketchat", "message-search-method", "POST", "/api/v1/method.call/messageSearch", JSON,
      json.dumps({"message": ddp("messageSearch", "@@", "r1", 20)}),
      json.dumps({"message": ddp("messageSearch", "@@", "r1", 20)})),
    # A livechat visitor's custom fields and the page title the widget reports reach the agents.
    p("rocketchat", "livechat-custom-field", "POST", "/api/v1/livechat/custom.field", JSON,
      '{"token":"forbidden","key":"address","value":"@@","overwrite":true}',
      '{"token":"forbidden","key":"address","value":"@@","overwrite":true}'),
    p("rocketchat", "livechat-custom-fields", "POST", "/api/v1/livechat/custom.fields", JSON,
      '{"token":"v","customFields":[{"key":"forbidden","value":"@@","overwrite":true}]}',
      '{"token":"v","customFields":[{"key":"forbidden","value":"@@","overwrite":true}]}'),
    p("rocketchat", "livechat-page-visited", "POST", "/api/v1/livechat/page.visited", JSON,
      '{"token":"v","rid":"r1","pageInfo":{"change":"url","title":"@@","location":{"href":"https://x.test/@@"}}}',
      '{"token":"v","rid":"r1","pageInfo":{"change":"url","title":"@@","location":{"href":"https://x.test/@@"}}}'),
    p("rocketchat", "post-as-form-by-its-type", "POST", "/api/v1/chat.postMessage",
      "application/x-www-form-urlencoded+json", '{"z":"&text=@@&channel=%23general&"}', 415),
    p("rocketchat", "method-call-no-message", "POST", "/api/v1/method.call/sendMessage", JSON,
      '{"msg":"@@"}', 400),
    p("rocketchat", "livechat-message", "POST", "/api/v1/livechat/message", JSON,
      '{"token":"forbidden","rid":"r1","msg":"@@"}', '{"token":"forbidden","rid":"r1","msg":"@@"}'),
    p("rocketchat", "livechat-messages", "POST", "/api/v1/livechat/messages", JSON,
      '{"visitor":{"token":"forbidden","name":"@@"},"messages":[{"msg":"@@"}]}',
      '{"visitor":{"token":"forbidden","name":"@@"},"messages":[{"msg":"@@"}]}'),
    p("rocketchat", "post-attachments", "POST", "/api/v1/chat.postMessage", JSON,
      '{"channel":"#general","text":"x","attachments":[{"title":"@@","fields":[{"title":"t","value":"@@"}],'
      '"attachments":[{"text":"@@ quoted"}]}]}',
      '{"channel":"#general","text":"x","attachments":[{"title":"@@","fields":[{"title":"t","value":"@@"}],'
      '"attachments":[{"text":"@@ quoted"}]}]}'),
    # A button's message is sent as the clicking user's own chat message; its links and the title's are shown.
    p("rocketchat", "post-attachment-buttons-and-links", "POST", "/api/v1/chat.postMessage", JSON,
      '{"channel":"#general","attachments":[{"title":"t","title_link":"https://x.test/@@","author_link":"https://@@.test",'
      '"actions":[{"type":"button","text":"ok","msg":"@@","msg_in_chat_window":true,"url":"https://x.test/@@"}]}]}',
      '{"channel":"#general","attachments":[{"title":"t","title_link":"https://x.test/@@","author_link":"https://@@.test",'
      '"actions":[{"type":"button","text":"ok","msg":"@@","msg_in_chat_window":true,"url":"https://x.test/@@"}]}]}'),
    # A file's bytes pass unread; its name is shown in the room: read, and written back quoted.
    p("rocketchat", "upload", "POST", "/api/v1/rooms.upload/GENERAL", MP,
      multipart('Content-Disposition: form-data; name="file"; filename="@@.bin"\r\n'
                "Content-Type: application/octet-stream\r\n\r\nforbidden", 'Content-Disposition: form-data; '
                'name="description"\r\n\r\n@@'),
      multipart('Content-Disposition: form-data; name="file"; filename="@@.bin"\r\n'
                "Content-Type: application/octet-stream\r\n\r\nforbidden", 'Content-Disposition: form-data; '
                'name="description"\r\n\r\n@@')),
    p("rocketchat", "media-file-name", "POST", "/api/v1/rooms.media/GENERAL", MP,
      multipart('Content-Disposition: form-data; name="file"; filename=@@.png\r\nContent-Type: image/png\r\n\r\nx'),
      multipart('Content-Disposition: form-data; name="file"; filename="@@.png"\r\nContent-Type: image/png\r\n\r\nx')),
    p("rocketchat", "media-file-name-banned", "POST", "/api/v1/rooms.media/GENERAL", MP,
      multipart('Content-Disposition: form-data; name="file"; filename="banned.png"\r\nContent-Type: image/png'
                "\r\n\r\nx"), 403),
    p("rocketchat", "media-confirm-renames", "POST", "/api/v1/rooms.mediaConfirm/GENERAL/f1", JSON,
      '{"msg":"@@","description":"@@","fileName":"@@.png","alias":"@@","tmid":"forbidden"}',
      '{"msg":"@@","description":"@@","fileName":"@@.png","alias":"@@","tmid":"forbidden"}'),
    p("rocketchat", "livechat-upload-file-name", "POST", "/api/v1/livechat/upload/r1", MP,
      multipart('Content-Disposition: form-data; name="file"; filename="@@ \u00e9.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n%PDF"),
      multipart('Content-Disposition: form-data; name="file"; filename="@@ \u00e9.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n%PDF")),
    p("rocketchat", "xhr-send-livechat", "POST", "/sockjs/1/abc/xhr_send", TEXT,
      json.dumps([ddp("sendMessageLivechat", {"rid": "r1", "msg": "@@"})]),
      json.dumps([ddp("sendMessageLivechat", {"rid": "r1", "msg": "@@"})])),
    # -- Mattermost (Go: keys match whatever their case) -----------------------------------------
    p("mattermost", "capital-key", "POST", "/api/v4/posts", JSON, '{"channel_id":"c1","Message":"@@"}',
      '{"channel_id":"c1","Message":"@@"}'),
    p("mattermost", "long-s-key", "POST", "/api/v4/posts", JSON, '{"channel_id":"c1","me\u017f\u017fage":"@@"}',
      '{"channel_id":"c1","me\u017f\u017fage":"@@"}'),
    p("mattermost", "colliding-keys", "POST", "/api/v4/posts", JSON, '{"message":"ok","MESSAGE":"@@"}', 400),
    p("mattermost", "attachment-buttons-and-links", "POST", "/api/v4/posts", JSON,
      '{"channel_id":"c1","message":"x","props":{"attachments":[{"title":"t","title_link":"https://@@.example/",'
      '"author_link":"https://x.example/@@","actions":[{"id":"a1","name":"@@ now","type":"button"}]}]}}',
      '{"channel_id":"c1","message":"x","props":{"attachments":[{"title":"t","title_link":"https://@@.example/",'
      '"author_link":"https://x.example/@@","actions":[{"id":"a1","name":"@@ now","type":"button"}]}]}}'),
    p("mattermost", "ephemeral", "POST", "/api/v4/posts/ephemeral", JSON,
      '{"user_id":"forbidden","post":{"channel_id":"c1","message":"@@"}}',
      '{"user_id":"forbidden","post":{"channel_id":"c1","message":"@@"}}'),
    p("mattermost", "slash-command", "POST", "/api/v4/commands/execute", JSON,
      '{"channel_id":"c1","command":"/echo @@"}', '{"channel_id":"c1","command":"/echo @@"}'),
    p("mattermost", "file-upload-name", "POST", "/api/v4/files", MP,
      multipart('Content-Disposition: form-data; name="channel_id"\r\n\r\nc1',
                'Content-Disposition: form-data; name="files"; filename="@@.txt"\r\nContent-Type: text/plain'
                "\r\n\r\nforbidden file bytes"),
      multipart('Content-Disposition: form-data; name="channel_id"\r\n\r\nc1',
                'Content-Disposition: form-data; name="files"; filename="@@.txt"\r\nContent-Type: text/plain'
                "\r\n\r\nforbidden file bytes")),
    p("mattermost", "file-upload-raw-body", "POST", "/api/v4/files?channel_id=c1&filename=a.bin",
      "application/octet-stream", "raw", 415),
    p("mattermost", "upload-session", "POST", "/api/v4/uploads", JSON,
      '{"channel_id":"c1","FileName":"@@.zip","file_size":10}', '{"channel_id":"c1","FileName":"@@.zip","file_size":10}'),
    p("mattermost", "draft", "POST", "/api/v4/drafts", JSON, '{"channel_id":"c1","message":"@@"}',
      '{"channel_id":"c1","message":"@@"}'),
    p("mattermost", "channel-header", "PUT", "/api/v4/channels/c1/patch", JSON, '{"header":"@@"}', '{"header":"@@"}'),
    p("mattermost", "bookmark", "POST", "/api/v4/channels/c1/bookmarks", JSON,
      '{"Display_Name":"@@","link_url":"https://x.test/@@","type":"link"}',
      '{"Display_Name":"@@","link_url":"https://x.test/@@","type":"link"}'),
    p("mattermost", "bookmark-patch", "PATCH", "/api/v4/channels/c1/bookmarks/b1", JSON, '{"display_name":"@@"}',
      '{"display_name":"@@"}'),
    p("mattermost", "team-patch", "PUT", "/api/v4/teams/t1/patch", JSON, '{"description":"@@"}', '{"description":"@@"}'),
    p("mattermost", "team-update", "PUT", "/api/v4/teams/t1", JSON, '{"id":"t1","display_name":"@@"}',
      '{"id":"t1","display_name":"@@"}'),
    # A guest invitation's message goes out by e-mail to someone outside the server.
    p("mattermost", "guest-invite", "POST", "/api/v4/teams/t1/invite-guests/email", JSON,
      '{"emails":["forbidden@x.test"],"channels":["c1"],"Message":"@@"}',
      '{"emails":["forbidden@x.test"],"channels":["c1"],"Message":"@@"}'),
    p("mattermost", "user-update", "PUT", "/api/v4/users/me", JSON, '{"id":"u1","nickname":"@@"}',
      '{"id":"u1","nickname":"@@"}'),
    # Signing up names the user as the patch does: the same fields, shown to everyone.
    p("mattermost", "user-create", "POST", "/api/v4/users", JSON,
      '{"email":"a@x.test","username":"ann","password":"forbidden","Nickname":"@@","position":"@@",'
      '"first_name":"@@","last_name":"@@"}',
      '{"email":"a@x.test","username":"ann","password":"forbidden","Nickname":"@@","position":"@@",'
      '"first_name":"@@","last_name":"@@"}'),
    # Rocket.Chat: the name a user signs up with (and the reason admins read), and an admin's edits.
    p("rocketchat", "users-register", "POST", "/api/v1/users.register", JSON,
      '{"username":"ann","email":"a@x.test","pass":"forbidden","name":"@@","reason":"@@"}',
      '{"username":"ann","email":"a@x.test","pass":"forbidden","name":"@@","reason":"@@"}'),
    p("rocketchat", "users-create", "POST", "/api/v1/users.create", JSON,
      '{"username":"ann","email":"a@x.test","password":"forbidden","name":"@@","nickname":"@@","bio":"@@",'
      '"statusText":"@@"}',
      '{"username":"ann","email":"a@x.test","password":"forbidden","name":"@@","nickname":"@@","bio":"@@",'
      '"statusText":"@@"}'),
    p("rocketchat", "users-update", "POST", "/api/v1/users.update", JSON,
      '{"userId":"u1","data":{"name":"@@","nickname":"@@","bio":"@@","statusText":"@@","password":"forbidden"}}',
      '{"userId":"u1","data":{"name":"@@","nickname":"@@","bio":"@@","statusText":"@@","password":"forbidden"}}'),
    p("rocketchat", "register-method", "POST", "/api/v1/method.callAnon/registerUser", JSON,
      json.dumps({"message": ddp("registerUser", {"email": "a@x.test", "pass": "forbidden", "name": "@@",
                                                  "reason": "@@"})}),
      json.dumps({"message": ddp("registerUser", {"email": "a@x.test", "pass": "forbidden", "name": "@@",
                                                  "reason": "@@"})})),
    p("mattermost", "profile-attributes", "PATCH", "/api/v4/custom_profile_attributes/values", JSON,
      '{"fieldid1":"@@","fieldid2":["opt1","opt2"]}', '{"fieldid1":"@@","fieldid2":["opt1","opt2"]}'),
    p("mattermost", "dialog-answers", "POST", "/api/v4/actions/dialogs/submit", JSON,
      '{"callback_id":"c","state":"forbidden","submission":{"reason":"@@"}}',
      '{"callback_id":"c","state":"forbidden","submission":{"reason":"@@"}}'),
    # -- Socket.IO, XMPP and generic presets ------------------------------------------------------
    p("socketio", "polling-ack", "POST", "/socket.io/?EIO=4&transport=polling&sid=s", TEXT,
      '42["chat message","@@"]\x1e43["@@"]', '42["chat message","@@"]\x1e43["@@"]'),
    # The CONNECT packet's auth object: servers announce the user name in it to the room.
    p("socketio", "polling-connect-name", "POST", "/socket.io/?EIO=4&transport=polling&sid=s", TEXT,
      '40{"username":"@@","token":"forbidden"}', '40{"username":"@@","token":"forbidden"}'),
    p("socketio", "polling-connect-not-object", "POST", "/socket.io/?EIO=4&transport=polling&sid=s", TEXT,
      '40["@@"]', 400),
    p("xmpp", "bosh-status", "POST", "/http-bind", "text/xml; charset=utf-8",
      "<body xmlns='http://jabber.org/protocol/httpbind'><presence><status>@@</status></presence></body>",
      "<body xmlns='http://jabber.org/protocol/httpbind'><presence><status>@@</status></presence></body>"),
    p("generic_json", "list", "POST", "/api/rooms/1/messages", JSON, '{"text":["@@"],"id":"forbidden"}',
      '{"text":["@@"],"id":"forbidden"}'),
]


def _encoded(value: str | bytes) -> bytes:
    return sent(value).encode() if isinstance(value, str) else value


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize("case", INBOUND, ids=[case.id for case in INBOUND])
async def test_inbound(case: In, suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply(case.path.split("?")[0], case.reply[0], case.reply[1])
    headers = {"Host": case.host, **dict(case.headers)}
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    async with suite.client.request(case.method, f"{suite.gateway.url}{case.path}", data=_encoded(case.body),
                                    headers=headers, skip_auto_headers=("Content-Type",)) as response:
        answer = await response.read()
    if isinstance(case.expect, int):
        assert response.status == case.expect, answer
        assert suite.backend.hits == []
        return
    assert response.status == 200, answer
    expected = rewritten(case.expect).encode() if isinstance(case.expect, str) else case.expect
    assert [hit.body for hit in suite.backend.hits] == [expected]


# Every multipart case again with a body of unknown length (chunked, in pieces of 7 bytes so that delimiters
# and headers fall across them): the route streams it (`max_upload`), and must read it as the buffered path does.
STREAMED = [dataclasses.replace(case, id=f"{case.id}-streamed", path="/upload" if case.path == "/form" else case.path)
            for case in INBOUND if case.content_type is not None and case.content_type.startswith("multipart/")]


async def _pieces(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 7):
        yield body[start:start + 7]


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize("case", STREAMED, ids=[case.id for case in STREAMED])
async def test_inbound_streamed(case: In, suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply(case.path.split("?")[0], case.reply[0], case.reply[1])
    headers = {"Host": case.host, "Content-Type": str(case.content_type)}
    async with suite.client.request(case.method, f"{suite.gateway.url}{case.path}", data=_pieces(_encoded(case.body)),
                                    headers=headers) as response:
        answer = await response.read()
    if isinstance(case.expect, int):
        assert response.status == case.expect, answer
        assert suite.backend.hits == []
        return
    assert response.status == 200, answer
    expected = rewritten(case.expect).encode() if isinstance(case.expect, str) else case.expect
    assert [hit.body for hit in suite.backend.hits] == [expected]


@dataclass(frozen=True)
class Out:
    """A backend answer and what the client must get (a template) or the status it gets instead."""

    id: str
    host: str
    method: str
    path: str
    content_type: str
    answer: str | bytes
    expect: str | int
    headers: tuple[tuple[str, str], ...] = ()


def o(host: str, id: str, path: str, content_type: str, answer: str | bytes, expect: str | int,
      method: str = "GET", **kw: tuple[tuple[str, str], ...]) -> Out:
    return Out(f"{host}-{id}", host_of(host) if host != "codec" else CODEC_HOST, method, path, content_type,
               answer, expect, **kw)


OUTBOUND: list[Out] = [
    o("codec", "json-html-error-page", "/json", "text/html", "<p>@@</p>", 502),
    o("codec", "json-latin1", "/json", "application/json; charset=iso-8859-1", '{"text":"@@"}', 502),
    o("codec", "json-nul-key", "/json", JSON, '{"text\\u0000":"@@"}', 502),
    o("codec", "json-object", "/json", JSON, '{"text":{"a":"@@"}}', '{"text":{"a":"@@"}}'),
    # A route declaring only event fields: any other answer is read whole (every JSON value), since
    # no pointer describes its shape.
    o("codec", "sse-route-events", "/sse", "text/event-stream", 'data: {"delta":"@@","id":"forbidden"}\n\n',
      'data: {"delta":"@@","id":"forbidden"}\n\n'),
    # An event's other lines: the client acts on `event` (the listener called) and `id` (lastEventId, sent
    # back as Last-Event-ID), so they are read; it ignores comments, unknown fields and a `retry` not all
    # digits, so they are dropped, at any line ending, and a value the filters block ends the stream.
    o("codec", "sse-event-name", "/sse", "text/event-stream", 'event: @@\ndata: {"delta":"hi"}\n\n',
      'event: @@\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-event-name-no-space", "/sse", "text/event-stream", 'event:@@\ndata: {"delta":"hi"}\n\n',
      'event: @@\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-event-name-cr", "/sse", "text/event-stream", 'event: @@\rdata: {"delta":"hi"}\r\r',
      'event: @@\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-event-name-after-bom", "/sse", "text/event-stream",
      '\ufeffevent: @@\r\ndata: {"delta":"hi"}\r\n\r\n', 'event: @@\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-id", "/sse", "text/event-stream", 'id: @@\ndata: {"delta":"hi"}\n\n',
      'id: @@\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-id-without-data", "/sse", "text/event-stream", "id: @@\n\n", "id: @@\n\n"),
    o("codec", "sse-id-with-nul", "/sse", "text/event-stream", 'id: @@\0\ndata: {"delta":"hi"}\n\n',
      'data: {"delta":"hi"}\n\n'),
    o("codec", "sse-comment", "/sse", "text/event-stream", ': @@\n\ndata: {"delta":"hi"}\n: @@\n\n',
      ':\n\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-unknown-field", "/sse", "text/event-stream", 'note: @@\ndata: {"delta":"hi"}\n\n',
      'data: {"delta":"hi"}\n\n'),
    o("codec", "sse-retry-not-digits", "/sse", "text/event-stream", 'retry: 5 @@\ndata: {"delta":"hi"}\n\n',
      'data: {"delta":"hi"}\n\n'),
    o("codec", "sse-retry-digits", "/sse", "text/event-stream", 'retry:3000\ndata: {"delta":"hi"}\n\n',
      'retry: 3000\ndata: {"delta":"hi"}\n\n'),
    o("codec", "sse-event-name-blocked", "/sse", "text/event-stream",
      'data: {"delta":"a"}\n\nevent: banned\ndata: {"delta":"b"}\n\n', 'data: {"delta":"a"}\n\n'),
    o("codec", "sse-event-name-too-long", "/sse", "text/event-stream",
      'data: {"delta":"a"}\n\nevent: ' + "x" * 70000 + '\ndata: {"delta":"b"}\n\n', 'data: {"delta":"a"}\n\n'),
    o("codec", "sse-route-json-answer", "/sse", JSON, '{"delta":"@@","id":"forbidden"}', '{"delta":"@@","id":"@@"}'),
    o("codec", "sse-route-json-other-shape", "/sse", JSON,
      '{"choices":[{"index":0,"message":{"role":"assistant","content":"@@"}}],"error":{"message":"@@ too"}}',
      '{"choices":[{"index":0,"message":{"role":"assistant","content":"@@"}}],"error":{"message":"@@ too"}}'),
    o("codec", "sse-route-json-number", "/sse", JSON, '{"choices":[{"n":4111111111111111}]}', 403),
    o("codec", "sse-route-json-number-exponent", "/sse", JSON, '{"choices":[{"n":4.111111111111111E15}]}', 403),
    o("codec", "sse-event-number-exponent", "/sse", "text/event-stream", 'data: {"delta":4.111111111111111e15}\n\n',
      ""),
    o("codec", "sse-route-text-answer", "/sse", "text/plain; charset=utf-8", "@@ as plain text", "@@ as plain text"),
    o("codec", "sse-route-html-answer", "/sse", "text/html", "<p>@@</p>", "<p>@@</p>"),  # read as text
    o("matrix", "thread-summary", "/_matrix/client/v3/sync", JSON,
      '{"rooms":{"join":{"!r:x":{"timeline":{"events":[{"type":"m.room.message","event_id":"$forbidden",'
      '"content":{"body":"root"},"unsigned":{"m.relations":{"m.thread":{"count":1,"latest_event":{'
      '"type":"m.room.message","content":{"body":"@@ in thread"}}}}}}]}}}}}',
      '{"rooms":{"join":{"!r:x":{"timeline":{"events":[{"type":"m.room.message","event_id":"$forbidden",'
      '"content":{"body":"root"},"unsigned":{"m.relations":{"m.thread":{"count":1,"latest_event":{'
      '"type":"m.room.message","content":{"body":"@@ in thread"}}}}}}]}}}}}'),
    o("matrix", "sliding-sync", "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync", JSON,
      '{"pos":"5","rooms":{"!r:x":{"name":"@@ room","timeline":[{"type":"m.room.message",'
      '"content":{"body":"@@"}}],"required_state":[{"type":"m.room.topic","content":{"topic":"@@"}}]}}}',
      '{"pos":"5","rooms":{"!r:x":{"name":"@@ room","timeline":[{"type":"m.room.message",'
      '"content":{"body":"@@"}}],"required_state":[{"type":"m.room.topic","content":{"topic":"@@"}}]}}}',
      method="POST"),
    o("matrix", "html-reference-in-sync", "/_matrix/client/v3/rooms/!r:x/messages", JSON,
      '{"chunk":[{"type":"m.room.message","content":{"body":"x","formatted_body":"<p>forb&#105;dden</p>"}}]}',
      '{"chunk":[{"type":"m.room.message","content":{"body":"x","formatted_body":"<p>@@</p>"}}]}'),
    o("matrix", "members", "/_matrix/client/v3/rooms/!r:x/members", JSON,
      '{"chunk":[{"type":"m.room.member","state_key":"@forbidden:x","content":{"membership":"join",'
      '"displayname":"@@"}}]}',
      '{"chunk":[{"type":"m.room.member","state_key":"@forbidden:x","content":{"membership":"join",'
      '"displayname":"@@"}}]}'),
    o("rocketchat", "method-call-result", "/api/v1/method.call/loadHistory", JSON,
      json.dumps({"message": json.dumps({"msg": "result", "id": "7", "result": {"messages": [
          {"_id": "forbidden", "msg": "@@", "md": [{"type": "PARAGRAPH", "value": [
              {"type": "PLAIN_TEXT", "value": "@@"}]}]}]}}), "success": True}),
      json.dumps({"message": json.dumps({"msg": "result", "id": "7", "result": {"messages": [
          {"_id": "forbidden", "msg": "@@", "md": [{"type": "PARAGRAPH", "value": [
              {"type": "PLAIN_TEXT", "value": "@@"}]}]}]}}), "success": True}), method="POST"),
    o("rocketchat", "method-call-error-text", "/api/v1/method.call/sendMessage", JSON,
      '{"status":"error","message":"@@ is not allowed"}', '{"status":"error","message":"@@ is not allowed"}',
      method="POST"),
    o("rocketchat", "room-last-message", "/api/v1/rooms.get", JSON,
      '{"update":[{"_id":"forbidden","topic":"@@","lastMessage":{"msg":"@@"}}],"remove":[],"success":true}',
      '{"update":[{"_id":"forbidden","topic":"@@","lastMessage":{"msg":"@@"}}],"remove":[],"success":true}'),
    o("mattermost", "bookmarks", "/api/v4/channels/c1/bookmarks", JSON,
      '[{"id":"forbidden","display_name":"@@","link_url":"https://x.test/@@"}]',
      '[{"id":"forbidden","display_name":"@@","link_url":"https://x.test/@@"}]'),
    o("rocketchat", "button-in-history", "/api/v1/channels.history", JSON,
      '{"messages":[{"_id":"forbidden","msg":"","attachments":[{"actions":[{"type":"button","text":"go",'
      '"msg":"@@","url":"https://x.test/@@"}]}]}],"success":true}',
      '{"messages":[{"_id":"forbidden","msg":"","attachments":[{"actions":[{"type":"button","text":"go",'
      '"msg":"@@","url":"https://x.test/@@"}]}]}],"success":true}'),
    o("mattermost", "profile-attributes", "/api/v4/users/u1/custom_profile_attributes", JSON,
      '{"fieldid1":"@@ department"}', '{"fieldid1":"@@ department"}'),
    o("rocketchat", "livechat-custom-field", "/api/v1/livechat/custom.field", JSON,
      '{"field":{"key":"forbidden","value":"@@","overwrite":true},"success":true}',
      '{"field":{"key":"forbidden","value":"@@","overwrite":true},"success":true}', method="POST"),
    o("mattermost", "edit-history", "/api/v4/posts/p1/edit_history", JSON,
      '[{"id":"forbidden","message":"@@ before edit"}]', '[{"id":"forbidden","message":"@@ before edit"}]'),
]


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize("case", OUTBOUND, ids=[case.id for case in OUTBOUND])
async def test_outbound(case: Out, suite: Suite) -> None:
    path = case.path.split("?")[0]
    answer = sent(case.answer).encode() if isinstance(case.answer, str) else case.answer
    suite.backend.reply(path, answer, case.content_type)
    async with suite.client.request(case.method, f"{suite.gateway.url}{case.path}",
                                    headers={"Host": case.host, **dict(case.headers)}) as response:
        body = await response.read()
    if isinstance(case.expect, int):
        assert response.status == case.expect
        assert b"forbidden" not in body
        return
    assert response.status == 200, body
    assert body == rewritten(case.expect).encode()


@pytest.mark.asyncio(loop_scope="package")
async def test_slash_command_previews_asked_in_the_query_are_read(suite: Suite) -> None:
    """Rocket.Chat's GET commands.preview carries the typed parameters in the query: the backend gets them
    filtered (they went unread before)."""
    suite.backend.hits.clear()
    suite.backend.reply("/api/v1/commands.preview", '{"preview":{"items":[]},"success":true}')
    url = f"{suite.gateway.url}/api/v1/commands.preview?command=giphy&params={sent('@@')}&roomId=r1"
    async with suite.client.get(url, headers={"Host": host_of("rocketchat")}) as response:
        assert response.status == 200, await response.read()
    assert [hit.path for hit in suite.backend.hits] == ["/api/v1/commands.preview?command=giphy&params=%5Bredacted%5D&roomId=r1"]


@pytest.mark.asyncio(loop_scope="package")
async def test_query_names_in_brackets_are_read_as_qs_and_rack_read_them(suite: Suite) -> None:
    """Express's qs fills `q` from `[q]`, Rack 2 from `q]`: the backend gets both filtered."""
    suite.backend.hits.clear()
    suite.backend.reply("/query", "{}")
    url = f"{suite.gateway.url}/query?%5Bq%5D={sent('@@')}&q%5D={sent('@@')}&%5Bother%5D={sent('@@')}"
    async with suite.client.get(url, headers={"Host": CODEC_HOST}) as response:
        assert response.status == 200, await response.read()
    assert [hit.path for hit in suite.backend.hits] == [
        f"/query?%5Bq%5D=%5Bredacted%5D&q%5D=%5Bredacted%5D&%5Bother%5D={sent('@@')}"]


@pytest.mark.asyncio(loop_scope="package")
async def test_mattermost_file_names_in_the_query_are_read(suite: Suite) -> None:
    """Mattermost's POST /files may name the file in the query (`filename`): the backend gets it filtered."""
    suite.backend.hits.clear()
    suite.backend.reply("/api/v4/files", '{"file_infos":[]}')
    body = ('--b0und4ry\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nx\r\n'
            "--b0und4ry--\r\n")
    url = f"{suite.gateway.url}/api/v4/files?channel_id=c1&filename={sent('@@')}.txt"
    async with suite.client.post(url, data=body.encode(), headers={"Host": host_of("mattermost"), "Content-Type": MP},
                                 skip_auto_headers=("Content-Type",)) as response:
        assert response.status == 200, await response.read()
    assert [hit.path for hit in suite.backend.hits] == ["/api/v4/files?channel_id=c1&filename=%5Bredacted%5D.txt"]
