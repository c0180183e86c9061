"""Content-bypass suite, request line and headers: text carried in the query string, protocol
versions named there, and headers a backend reads as another identity, method or path.

Frameworks merge the query into the parameters a handler reads, so a declared field sent as
`?msg=...` must be filtered like a body field; each case says the exact target the backend must
get (with every `@@` rewritten) or the status that refuses the request.
"""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

from tests.bypass.conftest import CODEC_HOST, Suite, host_of
from tests.e2e.conftest import rewritten, sent

R = "%5Bredacted%5D"  # the replacement, as a form encoder writes it
TEXT = "text/plain;charset=UTF-8"
OCTETS = "application/octet-stream"

# id, host, method, target, content type, body, expected target (template) or status
QUERY: list[tuple[str, str, str, str, str | None, bytes, str | int]] = [
    ("form-query-field", CODEC_HOST, "GET", "/form?msg=@@&room=forbidden", None, b"",
     f"/form?msg={R}&room=forbidden"),
    ("form-query-array-name", CODEC_HOST, "GET", "/form?msg[]=@@", None, b"", f"/form?msg[]={R}"),
    ("form-query-encoded-name", CODEC_HOST, "GET", "/form?m%73g=@@", None, b"", f"/form?m%73g={R}"),
    ("form-query-dotted-name", CODEC_HOST, "GET", "/form?m.sg=x", None, b"", "/form?m.sg=x"),
    # ASP.NET binds query names ignoring case, and a dotted name by its last part
    ("form-query-name-case", CODEC_HOST, "GET", "/form?MSG=@@&Msg=@@", None, b"", f"/form?MSG={R}&Msg={R}"),
    ("form-query-prefixed-name", CODEC_HOST, "GET", "/form?Input.msg=@@", None, b"", f"/form?Input.msg={R}"),
    ("query-name-case", CODEC_HOST, "GET", "/query?Q=@@", None, b"", f"/query?Q={R}"),
    ("form-query-repeated", CODEC_HOST, "GET", "/form?msg=ok&msg=@@", None, b"", f"/form?msg=ok&msg={R}"),
    ("form-query-semicolon", CODEC_HOST, "GET", "/form?a=1;msg=@@", None, b"", 400),
    ("form-query-iis-escape", CODEC_HOST, "GET", "/form?msg=%u0066orbidden", None, b"", 400),
    ("form-query-bad-utf8", CODEC_HOST, "GET", "/form?msg=%ff@@", None, b"", 400),
    ("form-query-nul-in-name", CODEC_HOST, "GET", "/form?msg%00x=@@", None, b"", 400),
    ("form-query-method-override", CODEC_HOST, "GET", "/form?_method=DELETE", None, b"", 400),
    ("form-query-and-body", CODEC_HOST, "POST", "/form?msg=@@", "application/x-www-form-urlencoded",
     b"msg=forbidden", f"/form?msg={R}"),
    ("query-only-body-streams", CODEC_HOST, "POST", "/query?q=@@", OCTETS, b"forbidden bytes", f"/query?q={R}"),
    ("query-percent-encoded-value", CODEC_HOST, "GET", "/query?q=%66orbidden", None, b"", f"/query?q={R}"),
    ("query-other-param-untouched", CODEC_HOST, "GET", "/query?id=forbidden", None, b"", "/query?id=forbidden"),
    ("sio-eio3", CODEC_HOST, "POST", "/sio?EIO=3&transport=polling", TEXT, b'42["chat message","x"]', 415),
    ("sio-eio-twice", CODEC_HOST, "POST", "/sio?EIO=4&EIO=3&transport=polling", TEXT, b'42["chat message","x"]',
     415),
    ("sio-eio4", CODEC_HOST, "POST", "/sio?EIO=4&transport=polling", TEXT, b'42["chat message","x"]',
     "/sio?EIO=4&transport=polling"),
    ("rocketchat-search", host_of("rocketchat"), "GET", "/api/v1/chat.search?roomId=r1&searchText=@@", None, b"",
     f"/api/v1/chat.search?roomId=r1&searchText={R}"),
    ("matrix-upload-filename", host_of("matrix"), "POST", "/_matrix/media/v3/upload?filename=@@.pdf", OCTETS,
     b"%PDF forbidden", f"/_matrix/media/v3/upload?filename={R}.pdf"),
]


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize(("host", "method", "target", "content_type", "body", "expect"),
                         [case[1:] for case in QUERY], ids=[case[0] for case in QUERY])
async def test_query(host: str, method: str, target: str, content_type: str | None, body: bytes,
                     expect: str | int, suite: Suite) -> None:
    suite.backend.hits.clear()
    path = target.split("?")[0]
    suite.backend.reply(path, "ok" if path == "/sio" else "{}", "text/html" if path == "/sio" else "application/json")
    headers = {"Host": host, **({"Content-Type": content_type} if content_type else {})}
    url = URL(f"{suite.gateway.url}{sent(target)}", encoded=True)  # sent byte for byte, as a hostile client does
    async with suite.client.request(method, url, data=body or None,
                                    headers=headers, skip_auto_headers=("Content-Type",)) as response:
        answer = await response.read()
    if isinstance(expect, int):
        assert response.status == expect, answer
        assert suite.backend.hits == []
        return
    assert response.status == 200, answer
    assert [hit.path for hit in suite.backend.hits] == [rewritten(expect)]
    if content_type == OCTETS:
        assert suite.backend.hits[0].body == body  # the body of a query-only route streams untouched


# Headers a backend would read as the gateway's identity, another method or another path.
HOSTILE_HEADERS = [
    "X_Chatguard_Subject", "x-chatguard-subject", "X-ChatGuard-Roles", "X_CHATGUARD_ROLES",
    "X-HTTP-Method-Override", "X_HTTP_Method_Override", "X-Method-Override", "X-HTTP-Method",
    "X-Original-URL", "X_Original_URL", "X-Rewrite-URL", "X-Original-URI", "X-Forwarded-Uri",
    "X-Forwarded-Path", "X-Forwarded-Prefix", "X-Envoy-Original-Path",
    "X_Forwarded_For", "X-Real-IP", "True-Client-IP", "X_Forwarded_Host", "X_Forwarded_Proto",
    "Content_Type", "Transfer_Encoding", "Content_Length",
]


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize("name", HOSTILE_HEADERS)
async def test_hostile_header_spellings_never_reach_the_backend(name: str, suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    async with suite.client.post(f"{suite.gateway.url}/json", data=b'{"text":"hi"}',
                                 headers={"Host": CODEC_HOST, "Content-Type": "application/json",
                                          name: "evil-value"}) as response:
        assert response.status == 200, await response.read()
    (hit,) = suite.backend.hits
    assert "evil-value" not in hit.headers.values(), hit.headers


@pytest.mark.asyncio(loop_scope="package")
@pytest.mark.parametrize("query", ["EIO=3&transport=websocket", "EIO=4&EIO=3&transport=websocket",
                                   "transport=websocket&EIO=5"])
async def test_websocket_handshake_naming_another_engine_io_version_is_refused(query: str, suite: Suite) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await suite.client.ws_connect(f"{suite.gateway.url}/socket.io/?{query}", headers={"Host": host_of("socketio")})
    assert refused.value.status == 415
    assert suite.backend.peers.empty()
