"""Content-bypass suite, Socket.IO handshake query: names a client passes with `io(url, {query: ...})`.

socket.io clients put those values on every Engine.IO request, the opening GET, the polling POSTs and
the WebSocket upgrade; servers keep them as `socket.handshake.query` and use them as the user's name.
The preset reads the names it lists on all three; the rest of the query (`EIO`, `sid`, tokens) is not.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.bypass.conftest import Suite, host_of
from tests.e2e.conftest import REPLACED, WORD

pytestmark = pytest.mark.asyncio(loop_scope="package")

HOST = host_of("socketio")
OPEN = "/socket.io/?EIO=4&transport=polling"
WATCHED = quote(REPLACED)  # how the gateway writes the filtered value back


@pytest.mark.parametrize(("query", "expected"), [
    (f"username={WORD}", f"username={WATCHED}"),
    (f"Name={WORD}%20ann", f"Name={WATCHED}+ann"),  # any case, as form names are read
    (f"displayName=a&displayName={WORD}", f"displayName=a&displayName={WATCHED}"),
    (f"token={WORD}", f"token={WORD}"),  # not a name the preset reads: credentials pass as they are
])
async def test_the_opening_get_has_its_names_read(suite: Suite, query: str, expected: str) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/socket.io/", "0{}", "text/plain")
    async with suite.client.get(f"{suite.gateway.url}{OPEN}&{query}", headers={"Host": HOST}) as response:
        await response.read()
    assert response.status == 200
    assert [hit.path for hit in suite.backend.hits] == [f"{OPEN}&{expected}"]


async def test_a_polling_post_has_its_names_read(suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/socket.io/", "ok", "text/html")
    async with suite.client.post(f"{suite.gateway.url}{OPEN}&sid=s&nickname={WORD}", data=b"2",
                                 headers={"Host": HOST, "Content-Type": "text/plain;charset=UTF-8"}) as response:
        await response.read()
    assert response.status == 200
    assert [hit.path for hit in suite.backend.hits] == [f"{OPEN}&sid=s&nickname={WATCHED}"]


async def test_the_websocket_upgrade_has_its_names_read(suite: Suite) -> None:
    url = f"{suite.gateway.url}/socket.io/?EIO=4&transport=websocket&username={WORD}"
    async with suite.client.ws_connect(url, headers={"Host": HOST}) as ws:
        peer = await suite.backend.peer()
        assert peer.path == f"/socket.io/?EIO=4&transport=websocket&username={WATCHED}"
        await ws.close()
