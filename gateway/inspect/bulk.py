"""A large payload read and written back off the event loop: on one codec thread.

Reading a megabyte of JSON the way the backend will (parsed, its nesting, surrogate escapes, special
and repeated keys checked) costs the codec about 5 ms of CPU, and writing it back with changed fields
about as much again; on the event loop each is one stretch during which no other client is served.
From `THREAD_FROM` bytes a payload is read and rendered on a thread of its own instead, where the
event loop takes the interpreter lock back at least every half millisecond, or after the one C call
that holds it (a scan of the whole text: about a millisecond per MB), so it keeps serving, only slower.
One thread per process: large payloads are read one after another. The answer, and any refusal
(`CodecError`), are the codec's own, on either thread.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from gateway.codec import Codec, Extracted

__all__ = ["THREAD_FROM", "extract", "render"]

THREAD_FROM = 64 * 1024  # bytes (characters of a text frame): from this size the codec runs on its thread
SWITCH_INTERVAL = 0.0005  # seconds the codec thread may hold the interpreter lock while the loop waits

_thread: ThreadPoolExecutor | None = None


def _codec_thread() -> ThreadPoolExecutor:
    global _thread
    if _thread is None:
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatguard-codec")
    return _thread


async def extract(codec: Codec, payload: bytes | str, content_type: str | None = None, *,
                  frame: bool = False) -> Extracted:
    """`codec`'s fields of an HTTP body (`content_type`) or a WebSocket message (`frame`)."""
    def read() -> Extracted:
        if frame:
            return codec.extract_frame(payload)
        return codec.extract_http(payload if isinstance(payload, bytes) else payload.encode(), content_type)
    if len(payload) < THREAD_FROM:
        return read()
    return await asyncio.get_running_loop().run_in_executor(_codec_thread(), read)


async def render(extracted: Extracted, payload: bytes | str, replacements: Mapping[int, str]) -> bytes | str:
    """`extracted.render(replacements)`, for `payload` as it was read."""
    if len(payload) < THREAD_FROM:
        return extracted.render(replacements)
    return await asyncio.get_running_loop().run_in_executor(_codec_thread(), extracted.render, replacements)
