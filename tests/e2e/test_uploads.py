"""Multipart uploads past a route's `max_body` stream (`max_upload`): file bytes pass as they come, every
part's header and every text part are read, and a batch the filters refuse stops the upload."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.conftest import BANNED, REPLACED, WORD, Backend, gateway, preset
from tests.helpers import serve_app

BOUNDARY = "b0und4ry"
MP = f"multipart/form-data; boundary={BOUNDARY}"
# A file that looks like everything a parser could trip on: the watched word, CRLFs, the delimiter's start.
FILE = (os.urandom(100_000) + f"\r\n--{BOUNDARY[:-1]} {WORD}\r\n".encode()) * 3


def route(**extra: Any) -> dict[str, Any]:
    settings = {"name": "upload", "match": {"path": "/upload"}, "upstream": "up", "allow": ["anonymous"],
                "filters": ["words", "stop"], "messages": {"inbound": {"form": ["msg", "description"]}},
                "max_body": "4KiB", "max_upload": "2MiB", **extra}
    return {key: value for key, value in settings.items() if value is not None}


def part(name: str, content: bytes, file_name: str | None = None) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'
    if file_name is not None:
        disposition += f'; filename="{file_name}"\r\nContent-Type: application/octet-stream'
    return f"--{BOUNDARY}\r\n{disposition}\r\n\r\n".encode() + content + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def pieces(data: bytes, size: int = 65_536) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def post(client: aiohttp.ClientSession, url: str, data: bytes, *, chunked: bool = False) -> tuple[int, bytes]:
    async with client.post(f"{url}/upload", data=pieces(data) if chunked else data,
                           headers={"Content-Type": MP}) as response:
        return response.status, await response.read()


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
async def test_a_large_upload_streams_with_its_text_read(chunked: bool, backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    data = body(part("msg", f"see {WORD}".encode()), part("file", FILE, f"{WORD}.bin"),
                part("description", f"{WORD} too".encode()), part("file2", FILE[:5000], "b.bin"))
    async with gateway(url, [route()]) as gw:
        status, answer = await post(client, gw.url, data, chunked=chunked)
    assert status == 200, answer
    [hit] = chat.hits
    assert hit.body == data.replace(f"see {WORD}".encode(), f"see {REPLACED}".encode()).replace(
        f'"{WORD}.bin"'.encode(), f'"{REPLACED}.bin"'.encode()).replace(
        f"{WORD} too".encode(), f"{REPLACED} too".encode())
    assert "Content-Length" not in hit.headers  # it streamed: the gateway did not know the length


async def test_without_max_upload_a_large_upload_is_too_large(backend: tuple[Backend, str],
                                                              client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [route(max_upload="0")]) as gw:
        status, _ = await post(client, gw.url, body(part("file", FILE, "a.bin")))
    assert status == 413
    assert chat.hits == []


@pytest.mark.parametrize(("parts", "status"), [
    # decided before the backend hears of the request
    ((part("file", FILE, f"{BANNED}.bin"),), 403),
    ((part("msg", BANNED.encode()), part("file", FILE, "a.bin")), 403),
    # decided once the file went: the backend's request is cut short, so it never gets a whole body
    ((part("file", FILE, "a.bin"), part("description", BANNED.encode())), 403),
    ((part("file", FILE, "a.bin"), part("file", FILE, f"{BANNED}.png")), 403),
    # read two ways, too large, or a name read before the file again after it
    ((part("file", FILE, "a.bin"), part("msg", b"x" * 5000)), 413),
    ((part("file", FILE * 8, "a.bin"),), 413),
    ((part("msg", b"4111"), part("file", FILE, "a.bin"), part("msg", b"1111")), 400),
    ((part("file", FILE, "a.bin"), b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data;\r\n name=msg"
      b"\r\n\r\nx\r\n"), 400),
], ids=["file-name", "text-before", "text-after", "second-file-name", "text-part-past-max-body", "past-max-upload",
        "name-again-after-a-file", "folded-header-after-a-file"])
async def test_a_refused_batch_stops_the_upload(parts: tuple[bytes, ...], status: int, backend: tuple[Backend, str],
                                                client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [route()]) as gw:
        got, answer = await post(client, gw.url, body(*parts))
    assert got == status, answer
    assert chat.hits == []  # nothing, or a request cut short the backend could not read


async def test_a_body_that_ends_inside_a_file_never_reaches_the_backend_whole(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [route()]) as gw:
        status, _ = await post(client, gw.url, part("file", FILE, "a.bin")[:-2], chunked=True)
    assert status == 400
    assert chat.hits == []


async def test_mattermost_uploads_past_max_body_stream(backend: tuple[Backend, str],
                                                       client: aiohttp.ClientSession) -> None:
    chat, url = backend
    data = body(part("channel_id", b"c1"), part("files", FILE, f"{WORD} photo.jpg"))
    # (the test backend reads at most 1 MiB, so the preset's max_body is lowered below the file instead)
    async with gateway(url, [preset("mattermost", max_body="64KiB", max_upload="10MiB")]) as gw:
        async with client.post(f"{gw.url}/api/v4/files", data=data, headers={"Content-Type": MP}) as response:
            assert response.status == 200, await response.read()
    assert chat.hits[0].body == data.replace(f'"{WORD} photo.jpg"'.encode(), f'"{REPLACED} photo.jpg"'.encode())


async def test_an_upload_past_the_global_max_body_reaches_the_backend_whole(client: aiohttp.ClientSession) -> None:
    """limits.max_body (1 MiB) bounds buffered bodies, not a streamed upload (aiohttp's own bound included)."""
    received: list[int] = []

    async def count(request: web.Request) -> web.Response:
        received.append(sum([len(chunk) async for chunk in request.content.iter_any()]))
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", count)
    data = body(part("msg", b"hi"), part("file", FILE * 6, "a.bin"))  # 1.8 MB
    async with serve_app(app) as url, gateway(url, [route(max_body=None, max_upload="10MiB")]) as gw:
        status, answer = await post(client, gw.url, data)
    assert status == 200, answer
    assert received == [len(data)]
