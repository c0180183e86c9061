"""`chatguard feeds fetch`: keep a feed file current from a public URL, for a cron job or CronJob.

```
chatguard feeds fetch --url https://feeds.example/list.txt --out /var/lib/chatguard/feeds/list.txt
```
The download goes over HTTPS with the certificate verified (the system's trust store, or `--ca-file`),
within `--max-bytes` (after decompression) and `--timeout` for the whole exchange. The validators of
the last download (ETag, Last-Modified) are kept beside the file (`FILE.http`, with the file's SHA-256)
and sent back while the file is still what that download wrote, so a feed that did not change costs a 304. A body is checked the way the threat filter reads feeds
(`filters.threat.feeds`): a page that is not a list (an HTML error page, a truncated file), or one that
lists nothing, is refused. Only then does a new file replace the old one, by a rename in the same
directory, so the gateway (which re-reads a file whose identity changed) never sees half a file.

Exit status: 0 when the file is current (replaced, or not modified), 1 on any failure (the file and its
validators are left as they were), 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import ssl
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from filters.options import ByteSize, Duration, OptionsError
from filters.threat.feeds import MAX_FEED_BYTES, FeedText, read_feed, read_feed_file

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_REDIRECTS = 5
_CHUNK = 1 << 16


class FetchError(Exception):
    """Why a download was not taken: one line on stderr (never the body)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of one fetch that left the file current."""

    changed: bool
    entries: int = 0


def _validators_path(out: Path) -> Path:
    return out.with_name(out.name + ".http")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _validators(out: Path, url: str) -> dict[str, str]:
    """The conditional headers for `url` from the last download into `out`; none when there is no usable
    record, it is for another URL, or the file is not what that download wrote (gone, or changed since:
    a 304 would then keep a file the server never sent)."""
    try:
        record = json.loads(_validators_path(out).read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("url") != url:
            return {}
        with open(out, "rb") as handle:
            if _digest(handle.read(MAX_FEED_BYTES + 1)) != record.get("sha256"):
                return {}
    except (OSError, ValueError):
        return {}
    headers = {}
    if isinstance(record.get("etag"), str):
        headers["If-None-Match"] = record["etag"]
    if isinstance(record.get("last_modified"), str):
        headers["If-Modified-Since"] = record["last_modified"]
    return headers


def _previous_entries(out: Path) -> int:
    try:
        return len(read_feed_file(str(out)).entries)
    except (OSError, ValueError):
        return 0


def _write_atomically(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `target` with `data` by a rename from the same directory (readers see the old or the new
    file, whole), flushed to disk first."""
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(part, mode)
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise
    with contextlib.suppress(OSError):  # the rename itself to disk (not every file system allows it)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def check_body(data: bytes, had: int) -> FeedText:
    """`data` read as a feed; FetchError when it is no list or lists nothing."""
    feed = read_feed(data.decode("utf-8", errors="replace").splitlines())
    problem = feed.problem(had)
    if not problem and not feed.entries:
        problem = "it lists nothing"
    if problem:
        raise FetchError(f"the body is not a usable feed: {problem}")
    return feed


async def _body(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError(f"the body is larger than {max_bytes} bytes (Content-Length {declared})")
    data = bytearray()
    while chunk := await response.content.read(_CHUNK):
        data += chunk
        if len(data) > max_bytes:
            raise FetchError(f"the body is larger than {max_bytes} bytes")
    return bytes(data)


async def fetch(url: str, out: Path, *, max_bytes: int = 64 * 1024 * 1024, within: float = 60.0,
                ca_file: str | None = None) -> Fetched:
    """Bring `out` up to date with the feed at `url`; FetchError (file untouched) when that fails."""
    if urlsplit(url).scheme != "https" or not urlsplit(url).hostname:
        raise FetchError("the URL must be https://HOST/...")
    if not out.parent.is_dir():
        raise FetchError(f"{out.parent} is not a directory")
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise FetchError(f"cannot load the CA file {ca_file!r}: {exc}") from None
    headers = {"User-Agent": "chatguard-feeds", "Accept": "text/plain, */*;q=0.5", **_validators(out, url)}
    connector = aiohttp.TCPConnector(ssl=context)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=within)) as client, \
                client.get(url, headers=headers, max_redirects=MAX_REDIRECTS) as response:
            if response.url.scheme != "https":
                raise FetchError("a redirect left HTTPS")
            if response.status == 304 and ("If-None-Match" in headers or "If-Modified-Since" in headers):
                return Fetched(changed=False)
            if response.status != 200:
                raise FetchError(f"the server answered {response.status}")
            data = await _body(response, max_bytes)
            validators = {"url": url, "etag": response.headers.get("ETag"),
                          "last_modified": response.headers.get("Last-Modified"), "sha256": _digest(data)}
    except TimeoutError:
        raise FetchError(f"no complete answer within {within:g}s") from None
    except aiohttp.ClientConnectorCertificateError as exc:
        raise FetchError(f"the server's certificate was refused: {exc.certificate_error}") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise FetchError(f"the download failed: {type(exc).__name__}") from None
    feed = check_body(data, _previous_entries(out))
    try:
        _write_atomically(out, data)
        _write_atomically(_validators_path(out), json.dumps(validators).encode())
    except OSError as exc:
        raise FetchError(f"cannot write {out}: {exc.strerror or exc}") from None
    return Fetched(changed=True, entries=len(feed.entries))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatguard feeds", description="Feed files of the threat filter.")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("fetch", help="download a feed over HTTPS into a file, replacing it only when valid")
    one.add_argument("--url", required=True, help="https:// URL of a list, one URL or domain a line")
    one.add_argument("--out", required=True, help="the feed file the threat filter's `blocklists` names")
    one.add_argument("--max-bytes", default="64MiB", help="largest body taken, after decompression (default 64MiB, "
                                                          f"at most {MAX_FEED_BYTES // (1024 * 1024)}MiB)")
    one.add_argument("--timeout", default="60s", help="for the whole download (default 60s)")
    one.add_argument("--ca-file", default=None, help="PEM CA bundle to verify the server with (default: the "
                                                     "system's trust store)")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        max_bytes = int(ByteSize.parse(args.max_bytes, "--max-bytes"))
        timeout = float(Duration.parse(args.timeout, "--timeout"))
    except OptionsError as exc:
        print(f"chatguard feeds: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not 0 < max_bytes <= MAX_FEED_BYTES or not 0 < timeout <= 3600:
        print(f"chatguard feeds: --max-bytes must be 1..{MAX_FEED_BYTES} and --timeout 1ms..1h", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    try:
        outcome = asyncio.run(fetch(args.url, out, max_bytes=max_bytes, within=timeout, ca_file=args.ca_file))
    except FetchError as exc:
        print(f"chatguard feeds: {out} left as it was: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if outcome.changed:
        print(f"{out}: updated, {outcome.entries} entries")
    else:
        print(f"{out}: not modified")
    return EXIT_OK
