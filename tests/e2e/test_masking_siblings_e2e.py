"""A number split over sibling fields of a JSON object, through the running gateway: read joined as a backend that
puts them side by side reads them, refused when the joined reading holds a value no field holds alone, while
ordinary numeric siblings arrive byte for byte (`gateway.codec.siblings`)."""

from __future__ import annotations

import aiohttp
import orjson
import pytest

from tests.e2e.conftest import Backend, gateway, next_message, preset

FILTERS = {"mask": {"use": "masking", "options": {"style": "redact"}}}
PATH = "/api/rooms/7/messages"

# A route that reads every member of an object as text (its name names no kind of value).
SPLIT = preset("generic_json", ("mask",), options={"inbound": ["/text", "/data/*"], "outbound": ["/text", "/data/*"]})


@pytest.mark.parametrize("card", [
    '{"prefix":"4111","number":"1111 1111 1111"}',
    '{"a":"4111","b":"1111","c":"1111","d":"1111"}',
    '{"first":4111,"rest":"111111111111"}',
    '{"x":"1","a":"4111 1111","b":"1111 1111","note":"see you"}',
])
async def test_a_card_split_over_sibling_fields_is_refused_both_ways(card: str, backend: tuple[Backend, str],
                                                                     client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = ('{"text":"pay","data":' + card + "}").encode()
    chat.reply(PATH, body)
    async with gateway(url, [SPLIT], FILTERS) as gw:
        async with client.post(f"{gw.url}{PATH}", data=body, headers={"Content-Type": "application/json"}) as response:
            assert response.status == 400
        assert [hit for hit in chat.hits if hit.method == "POST"] == []
        async with client.get(f"{gw.url}{PATH}") as response:  # the backend's answer holds it: never relayed
            assert response.status == 502
            assert b"1111" not in await response.read()


async def test_a_split_card_in_fields_named_for_it_is_masked_in_each(backend: tuple[Backend, str],
                                                                      client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = b'{"text":"pay","data":{"card1":"4111 1111","card2":"1111 1111","holder":"Jo"}}'
    async with gateway(url, [SPLIT], FILTERS) as gw, client.post(
            f"{gw.url}{PATH}", data=body, headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200
    assert orjson.loads(chat.hits[0].body)["data"] == {"card1": "[CARD]", "card2": "[CARD]", "holder": "Jo"}


@pytest.mark.parametrize("card", [
    '{"w":"1920","h":"1080","dpi":96}',
    '{"price":"19.99","qty":"3","zip":"10115","year":2026}',
    '{"lat":"52.5200","lon":"13.4050"}',
    '{"id":1700000000000,"parent":1700000000123}',
    '{"from":"09:00","to":"17:30","room":"4.012"}',
])
async def test_ordinary_numeric_siblings_pass_byte_exact(card: str, backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = ('{ "text" : "ok", "data" : ' + card + " }").encode()
    chat.reply(PATH, body)
    async with gateway(url, [SPLIT], FILTERS) as gw:
        async with client.post(f"{gw.url}{PATH}", data=body, headers={"Content-Type": "application/json"}) as response:
            assert response.status == 200
        async with client.get(f"{gw.url}{PATH}") as response:
            assert await response.read() == body
    assert chat.hits[0].body == body


async def test_a_card_split_over_sibling_fields_never_crosses_a_websocket(backend: tuple[Backend, str],
                                                                          client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [SPLIT], FILTERS) as gw, client.ws_connect(f"{gw.url}/ws") as ws:
        peer = await chat.peer()
        await ws.send_str('{"text":"next","data":{"w":"1920","h":"1080"}}')  # ordinary numbers: relayed as sent
        assert orjson.loads(await peer.receive_str()) == {"text": "next", "data": {"w": "1920", "h": "1080"}}
        await ws.send_str('{"text":"pay","data":{"prefix":"4111","number":"1111 1111 1111"}}')
        await peer.closed()  # refused as not understood: the connection closes, the number never arrives
        closing = await next_message(ws)
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 1003
