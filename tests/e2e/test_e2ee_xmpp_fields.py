"""`encrypt_fields: {xmpp: true}` through the running gateway in front of a real WebSocket XMPP backend
(an echoing one): the backend receives only envelopes in `<body>`, the client reads back what it sent
(after the filters), XHTML-IM copies are refused, OMEMO stanzas pass byte-identical."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiohttp import WSMsgType

from gateway.e2ee.envelope import looks_sealed
from gateway.keys import METRICS
from tests.e2e.conftest import REPLACED, WORD, gateway, next_message
from tests.gateway.e2ee.test_recognise import OMEMO_LEGACY
from tests.helpers import route, serve_ws_upstream

KEK = "6a" * 32
XMPP = {"inbound": {"xmpp": True}, "outbound": {"xmpp": True}}
BODY = re.compile(r"<body>([^<]*)</body>")


def settings(tmp_path: Path) -> dict[str, Any]:
    return {"keys": {"kek": KEK, "store": f"sqlite:///{tmp_path}/keys.db"}}


def stanza(text: str) -> str:
    return f"<message xmlns='jabber:client' to='juliet@example.com' type='chat'><body>{text}</body></message>"


def failures(app: Any, reason: str) -> float:
    value = app[METRICS].registry.get_sample_value("chatguard_field_envelope_failures_total",
                                                   {"route": "route-0", "reason": reason})
    return float(value or 0.0)


async def test_backend_sees_envelopes_client_reads_the_text(tmp_path: Path) -> None:
    async with serve_ws_upstream(("xmpp",)) as (upstream, url), \
            gateway(url, [route("/ws/echo", websocket=True, messages=XMPP, encrypt_fields={"xmpp": True},
                                filters=["words"])], **settings(tmp_path)) as gw, \
            aiohttp.ClientSession() as client, client.ws_connect(f"{gw.url}/ws/echo", protocols=("xmpp",)) as ws:
        await ws.send_str(stanza(f"the {WORD} plan for tonight"))
        echoed = await next_message(ws)
        assert echoed.type is WSMsgType.TEXT
        assert echoed.data == stanza(f"the {REPLACED} plan for tonight")   # filtered, then sealed, then opened
        [stored] = upstream.received
        assert isinstance(stored, str) and "plan for tonight" not in stored and WORD not in stored
        found = BODY.search(stored)
        assert found is not None and looks_sealed(found.group(1))

        # OMEMO passes byte-identical both ways, its fallback body included
        await ws.send_str(OMEMO_LEGACY)
        assert (await next_message(ws)).data == OMEMO_LEGACY
        assert upstream.received[-1] == OMEMO_LEGACY

        # an envelope the backend hands back where it was not sealed (here: a subject, which is not sealed
        # on the way in) does not open: it reaches the client as it is, counted, never a crash
        moved = f"<message xmlns='jabber:client' to='juliet@example.com'><subject>{found.group(1)}</subject></message>"
        await ws.send_str(moved)
        assert (await next_message(ws)).data == moved
        assert failures(gw.app, "tampered") == 1

        # an XHTML-IM copy beside the body is refused: no plaintext reaches the backend
        before = len(upstream.received)
        await ws.send_str("<message xmlns='jabber:client' to='juliet@example.com'><body>hi there</body>"
                          "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
                          "<p>hi <b>there</b></p></body></html></message>")
        refused = await next_message(ws)
        assert refused.type is WSMsgType.TEXT and orjson.loads(refused.data)["error"].startswith("an XHTML-IM body")
        await ws.send_str("<presence xmlns='jabber:client'/>")
        assert (await next_message(ws)).data == "<presence xmlns='jabber:client'/>"
        assert upstream.received[before:] == ["<presence xmlns='jabber:client'/>"]
