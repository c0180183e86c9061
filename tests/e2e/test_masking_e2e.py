"""The masking filter through the running gateway: sensitive values in chat text never reach the
other side, in any spelling, while the JSON around them (numeric ids and timestamps that pass
Luhn and look like cards) arrives byte for byte."""

from __future__ import annotations

import unicodedata

import aiohttp
import orjson
import pytest

from tests.e2e.conftest import Backend, gateway, next_message, preset

FILTERS = {"mask": {"use": "masking", "options": {"style": "redact"}}}
# Numbers that pass Luhn (a 16-digit id, a 13-digit epoch-ms timestamp): data, never masked.
HEAD = '{"id":4111111111111111,"ts":1700000000000,"text":"'
TAIL = '","amount":5555555555554444,"room":"4242424242424242"}'
PATH = "/api/rooms/7/messages"

# (text as written inside the JSON string, text after masking, the value that must not survive)
CASES: list[tuple[str, str, str]] = [
    ("card 4242 4242 4242 4242 ok", "card [CARD] ok", "4242424242424242"),
    ("mastercard 2223-0031-2200-3222 thanks", "mastercard [CARD] thanks", "2223003122003222"),
    ("my ssn is 123-45-6789", "my ssn is [SSN]", "123456789"),
    ("iban DE89 3704 0044 0532 0130 00", "iban [IBAN]", "DE89370400440532013000"),
    ("mail bob.smith@example.com now", "mail [EMAIL] now", "bob.smith@example.com"),
    ("key AKIAIOSFODNN7EXAMPLE here", "key [SECRET] here", "AKIAIOSFODNN7EXAMPLE"),
    ("pw password=Xk9#mQ2$vL8pR4tZ", "pw password=[SECRET]", "Xk9#mQ2$vL8pR4tZ"),
    # evasion: full-width digits, as UTF-8 and as JSON escapes
    ("ｃａｒｄ ４２４２ ４２４２ ４２４２ ４２４２", "ｃａｒｄ [CARD]", "4242424242424242"),
    ("card \\uff14\\uff12\\uff14\\uff12 4242 4242 4242", "card [CARD]", "4242424242424242"),
    # evasion: zero-width joiners and soft hyphens between the digits, escaped and raw
    ("4242\\u200d4242\\u200d4242\\u200d4242", "[CARD]", "4242424242424242"),
    ("4242\u00ad4242\u200b4242\u200d4242!", "[CARD]!", "4242424242424242"),
    # glued to CJK text
    ("请付款4242424242424242谢谢", "请付款[CARD]谢谢", "4242424242424242"),
]
IDS = [f"{i}-{case[1].split('[')[1].split(']')[0]}" for i, case in enumerate(CASES)]


def payload(text: str) -> bytes:
    return (HEAD + text + TAIL).encode()


def hidden(value: str, received: bytes) -> bool:
    """True when `value` appears nowhere in `received`, however it is spelt."""
    text = unicodedata.normalize("NFKC", received.decode("unicode_escape" if b"\\u" in received else "utf-8"))
    squeezed = "".join(c for c in text if c not in " -.\u00ad\u200b\u200c\u200d")
    return value not in squeezed and value.encode() not in received


def check(received: bytes, masked: str, value: str) -> None:
    head, tail = HEAD.encode(), TAIL.encode()
    assert received.startswith(head) and received.endswith(tail)   # every other byte is the original
    assert orjson.loads(received)["text"] == masked
    assert hidden(value, received[len(head):-len(tail)])


@pytest.mark.parametrize(("text", "masked", "value"), CASES, ids=IDS)
async def test_http_inbound_is_masked_before_the_backend(text: str, masked: str, value: str,
                                                         backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("generic_json", ("mask",))], FILTERS) as gw, client.post(
            f"{gw.url}{PATH}", data=payload(text), headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200
    check(chat.hits[0].body, masked, value)


@pytest.mark.parametrize(("text", "masked", "value"), CASES, ids=IDS)
async def test_http_outbound_is_masked_before_the_client(text: str, masked: str, value: str,
                                                         backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    chat.reply(PATH, payload(text))
    async with gateway(url, [preset("generic_json", ("mask",))], FILTERS) as gw, \
            client.get(f"{gw.url}{PATH}") as response:
        assert response.status == 200
        check(await response.read(), masked, value)


@pytest.mark.parametrize(("text", "masked", "value"), CASES, ids=IDS)
async def test_ws_frames_are_masked_both_ways(text: str, masked: str, value: str, backend: tuple[Backend, str],
                                              client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("generic_json", ("mask",))], FILTERS) as gw, \
            client.ws_connect(f"{gw.url}/ws") as ws:
        peer = await chat.peer()
        await ws.send_str(payload(text).decode())
        check((await peer.receive_str()).encode(), masked, value)
        await peer.ws.send_bytes(payload(text))
        got = (await next_message(ws)).data
        check(got if isinstance(got, bytes) else got.encode(), masked, value)


async def test_clean_payload_with_card_like_numbers_passes_byte_exact(backend: tuple[Backend, str],
                                                                      client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = b'{ "id" : 4111111111111111 , "ts":1700000000000, "text":"order 1700000000000 on v4.2.1" }'
    chat.reply(PATH, body)
    async with gateway(url, [preset("generic_json", ("mask",))], FILTERS) as gw, client.post(
            f"{gw.url}{PATH}", data=body, headers={"Content-Type": "application/json"}) as response:
        assert await response.read() == body
    assert chat.hits[0].body == body


async def test_a_matrix_sync_is_masked_inside_the_timeline(backend: tuple[Backend, str],
                                                           client: aiohttp.ClientSession) -> None:
    chat, url = backend
    event = ('{"content":{"body":"%s","msgtype":"m.text"},"event_id":"$1:example.org",'
             '"origin_server_ts":1432735824653,"sender":"@a:example.org","type":"m.room.message"}')
    sync = '{"next_batch":"s1","rooms":{"join":{"!r:example.org":{"timeline":{"events":[%s]}}}}}'
    chat.reply("/_matrix/client/v3/sync", sync % (event % "ssn 123-45-6789, mail a@example.com"))
    async with gateway(url, [preset("matrix", ("mask",))], FILTERS) as gw, \
            client.get(f"{gw.url}/_matrix/client/v3/sync") as response:
        assert await response.read() == (sync % (event % "ssn [SSN], mail [EMAIL]")).encode()


@pytest.mark.parametrize(("text", "expect"), [
    # A JavaScript backend reads an array as its items joined: `4111,1111,1111,1111`, a card. The filters
    # read it so; their change cannot be written back into the items, so the message is refused.
    ('["4111","1111","1111","1111"]', 400),
    ('[["4111","1111"],["1111",1111]]', 400),
    ('[4111,"1111",1111,"1111"]', 400),
    # A value inside one item is masked in that item, and the joined reading agrees.
    ('["hello","card 4242 4242 4242 4242"]', '["hello","card [CARD]"]'),
    ('["4111","1111"]', '["4111","1111"]'),  # joined, no card: forwarded as sent
])
async def test_an_array_is_read_as_its_items_joined(text: str, expect: int | str, backend: tuple[Backend, str],
                                                    client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = ('{"text":' + text + "}").encode()
    async with gateway(url, [preset("generic_json", ("mask",))], FILTERS) as gw, client.post(
            f"{gw.url}{PATH}", data=body, headers={"Content-Type": "application/json"}) as response:
        if isinstance(expect, int):
            assert response.status == expect
            assert chat.hits == []
            return
        assert response.status == 200
    assert orjson.loads(chat.hits[0].body)["text"] == orjson.loads(expect)


FORM_ROUTE = {"name": "form", "match": {"path": "/form"}, "upstream": "up", "allow": ["anonymous"],
              "filters": ["mask"], "messages": {"inbound": {"form": ["msg"]}}}


@pytest.mark.parametrize(("form", "expect"), [
    # Node's querystring and ASP.NET read a name's copies as one list, `4111,1111,1111,1111`: a card.
    ("msg=4111&msg=1111&msg=1111&msg=1111", 400),
    ("msg[]=4111&msg[]=1111&MSG=1111&msg=1111", 400),
    ("msg[1]=1111&msg[0]=4111", 400),  # qs sorts explicit indices: refused rather than guessed
    ("msg=hello&msg=card+4242+4242+4242+4242", "msg=hello&msg=card+%5BCARD%5D"),
    ("msg=4111&msg=1111", "msg=4111&msg=1111"),  # joined, no card: forwarded as sent
])
async def test_a_form_names_copies_are_read_joined(form: str, expect: int | str, backend: tuple[Backend, str],
                                                   client: aiohttp.ClientSession) -> None:
    chat, url = backend
    chat.reply("/socket.io/", "6", "text/plain")  # an Engine.IO noop answers the polling GET
    async with gateway(url, [FORM_ROUTE, preset("socketio", ("mask",))], FILTERS) as gw:
        async with client.post(f"{gw.url}/form", data=form.encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
            status = response.status
        query = form.replace("msg", "username").replace("MSG", "USERNAME")  # the handshake query, read alike
        async with client.get(f"{gw.url}/socket.io/?EIO=4&transport=polling&{query}") as polling:
            polling_status = polling.status
    if isinstance(expect, int):
        assert (status, polling_status) == (expect, expect)
        assert chat.hits == []
        return
    assert (status, polling_status) == (200, 200)
    assert chat.hits[0].body == expect.encode()
    assert chat.hits[1].path.endswith("&" + expect.replace("msg", "username"))


async def test_a_names_parts_are_read_joined(backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    """multer (Express) makes a name's parts one list, which a page prints joined: a card here."""
    chat, url = backend
    form = aiohttp.FormData(default_to_multipart=True)
    for group in ("4111", "1111", "1111", "1111"):
        form.add_field("msg", group)
    async with gateway(url, [FORM_ROUTE], FILTERS) as gw, client.post(f"{gw.url}/form", data=form) as response:
        assert response.status == 400
        assert response.request_info.headers["Content-Type"].startswith("multipart/form-data")
    assert chat.hits == []
