"""Multipart uploads larger than a route's `max_body`, streamed: every part's header read, files not buffered.

The gateway buffers a body it reads, so an upload was bounded by `max_body` (1 MiB). On a route with
`max_upload`, a multipart body longer than `max_body` (or of unknown length) streams instead. Parts are
read in order, as strictly as `gateway.codec.multipart` reads a whole body (it reads each batch, see
below): a file part (a `filename` whose part the route does not read as text) has its header read and
its bytes passed on as they come; any other part is buffered (all of them together within `max_body`).

A file's name travels in its part's header, before its bytes, so it is decided before they go: at each
file's first byte, the parts not yet decided (the text fields before it and its own header) go through
the filters as one message, in a body of their own (`--b`, those parts with the files' bytes left out,
`--b--`), which `extract_multipart` reads and renders; then they go on as filtered, and the file's bytes
after them. The closing delimiter goes only after the last batch passed: a batch blocked after a file
has gone cuts the request to the backend short, so it never gets a whole body (Mattermost keeps the file
bytes it stored, under an id no client learns). A name read in one batch may not come again in a later
one: its copies would be read joined in one body (`form`) but not across batches.

Each batch is one message to the filters and the transcripts, so text on both sides of a file (Rocket.Chat's
web client sends `msg`, the file, then `description`, which the server makes one message) is two. Reading
them as one would mean holding the file until the text after it came, which is what streaming avoids; reading
the earlier parts again in the last batch would show the filters (and the behaviour counts) that text twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from gateway.codec import CodecError
from gateway.codec.form import FormNames, copy_group, declared
from gateway.codec.multipart import BYTES, MAX_HEADER, MAX_PARTS, part_file_name
from gateway.proxy.bodies import BodyTooLarge

__all__ = ["Batch", "UploadRefused", "stream_parts"]

_CRLF = b"\r\n"


class UploadRefused(Exception):
    """A batch of parts the filters refused after the upload began: `answer` goes to the client."""

    def __init__(self, answer: web.StreamResponse) -> None:
        super().__init__("upload refused")
        self.answer = answer


# Decides one batch: its own multipart body in, the filtered body (or the answer that ends the exchange) out.
type Decide = Callable[[bytes], Awaitable[bytes | web.StreamResponse]]


@dataclass
class Batch:
    """Parts not yet decided: each `(header, content)`, content None for a file part whose bytes stream."""

    parts: list[tuple[bytes, bytes | None]] = field(default_factory=list)
    size: int = 0

    def body(self, delimiter: bytes) -> bytes:
        inner = (_CRLF + delimiter + _CRLF).join(header + _CRLF + _CRLF + (content or b"")
                                                  for header, content in self.parts)
        return delimiter + _CRLF + inner + _CRLF + delimiter + b"--" + _CRLF

    def split(self, rendered: bytes, delimiter: bytes) -> list[bytes]:
        """The filtered parts of a body `body` made, each `header CRLF CRLF content`."""
        head, tail = delimiter + _CRLF, _CRLF + delimiter + b"--" + _CRLF
        if not (rendered.startswith(head) and rendered.endswith(tail)):
            raise CodecError("a filtered batch of parts lost its delimiters")
        parts = rendered[len(head):-len(tail)].split(_CRLF + delimiter + _CRLF)
        if len(parts) != len(self.parts):
            raise CodecError("a filtered batch of parts changed how many parts it holds")
        return parts


class _Reader:
    """The request body as it arrives, with what was read but not taken yet."""

    def __init__(self, content: aiohttp.StreamReader, limit: int) -> None:
        self.content = content
        self.limit = limit
        self.buffer = bytearray()  # grown in place: a part trickled in tiny pieces costs no copy per piece
        self.total = 0
        self.eof = False

    async def more(self) -> bool:
        if self.eof:
            return False
        chunk = await self.content.readany()
        if not chunk:
            self.eof = True
            return False
        self.total += len(chunk)
        if self.total > self.limit:
            raise BodyTooLarge
        self.buffer += chunk
        return True

    async def until(self, mark: bytes, bound: int, too_long: Exception) -> bytes:
        """Everything before `mark` (taken, with `mark`), at most `bound` bytes of it; `too_long` past them."""
        start = 0
        while (at := self.buffer.find(mark, start)) < 0:
            if len(self.buffer) > bound + len(mark):
                raise too_long
            start = max(0, len(self.buffer) - len(mark) + 1)
            if not await self.more():
                raise CodecError("a multipart body that ends inside a part")
        if at > bound:
            raise too_long
        found = bytes(self.buffer[:at])
        del self.buffer[:at + len(mark)]
        return found

    async def at_least(self, count: int) -> bytes:
        """The next `count` bytes, not taken (fewer where the body ends first)."""
        while len(self.buffer) < count and await self.more():
            pass
        return bytes(self.buffer[:count])

    async def rest(self, bound: int) -> bytes | None:
        """The rest of the body, or None when it is longer than `bound`."""
        while len(self.buffer) <= bound and await self.more():
            pass
        return bytes(self.buffer) if len(self.buffer) <= bound else None

    async def streamed(self, mark: bytes) -> AsyncIterator[bytes]:
        """The bytes before `mark`, as they come (`mark` taken); CodecError when the body ends first."""
        keep = len(mark) - 1
        while (at := self.buffer.find(mark)) < 0:
            if len(self.buffer) > keep:
                out = bytes(self.buffer[:-keep])
                del self.buffer[:-keep]
                yield out
            if not await self.more():
                raise CodecError("a multipart body that ends inside a file")
        if at:
            yield bytes(self.buffer[:at])
        del self.buffer[:at + len(mark)]


async def stream_parts(content: aiohttp.StreamReader, boundary: str, names: FormNames, max_body: int,
                       max_upload: int, decide: Decide) -> AsyncIterator[bytes]:
    """The body to send on, batch by batch as `decide` lets each go; raises UploadRefused when it does not,
    CodecError for a body read two ways, BodyTooLarge past `max_upload` (or buffered parts past `max_body`)."""
    reader = _Reader(content, max_upload)
    delimiter = ("--" + boundary).encode(BYTES)
    separator = _CRLF + delimiter
    closing = _CRLF + delimiter + b"--" + _CRLF
    if await reader.at_least(len(delimiter) + 2) != delimiter + _CRLF:
        raise CodecError("a multipart body must start with its first delimiter")
    del reader.buffer[:len(delimiter) + 2]
    batch = Batch()
    batch_groups: set[str] = set()  # the names the batch reads as text
    gone: set[str] = set()          # the names read in batches that went on
    parts = 0
    first = True

    async def decided(last: bool) -> bytes:
        """The batch filtered, as the bytes that follow what went before; the batch emptied."""
        nonlocal first
        rendered = await decide(batch.body(delimiter))
        if not isinstance(rendered, bytes):
            raise UploadRefused(rendered)
        joined = (_CRLF + delimiter + _CRLF).join(batch.split(rendered, delimiter))
        out = (delimiter + _CRLF if first else _CRLF + delimiter + _CRLF) + joined + (closing if last else b"")
        first = False
        batch.parts.clear()
        batch.size = 0
        gone.update(batch_groups)
        batch_groups.clear()
        return out

    while True:
        parts += 1
        if parts > MAX_PARTS:
            raise CodecError(f"more than {MAX_PARTS} parts")
        header = await reader.until(_CRLF + _CRLF, MAX_HEADER, CodecError("a part header block that does not end "
                                                                          "(or is too long)"))
        name, file_name = part_file_name(header.decode(BYTES))
        if await reader.at_least(len(delimiter)) == delimiter:
            raise CodecError("a part whose content starts with the delimiter")
        streams = file_name is not None and not declared(name, names)
        if not streams and declared(name, names):
            group = copy_group(name)
            if group in gone:
                raise CodecError("a name read before a file comes again after it: its copies would not be read "
                                 "joined")
            batch_groups.add(group)
        if streams:
            batch.parts.append((header, None))
            yield await decided(last=False)
            async for chunk in reader.streamed(separator):
                yield chunk
        else:
            body = await reader.until(separator, max_body - batch.size - len(header), BodyTooLarge())
            batch.parts.append((header, body))
            batch.size += len(header) + len(body)
        tail = await reader.at_least(2)
        del reader.buffer[:2]
        if tail == _CRLF:
            continue
        if tail == b"--" and await reader.rest(2) in (b"", _CRLF):
            yield await decided(last=True) if batch.parts else closing
            return
        raise CodecError("a delimiter followed by padding or an epilogue")
