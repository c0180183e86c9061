"""A token stream through the gateway: how late each event's text reaches the client, and the CPU a
stream of small events costs, with the text of small events read one by one and gathered.

One chatguard worker (masking + threat on the `content` of OpenAI-style SSE events) in front of a backend
in this process. `paced`: the backend sends `--tokens` events of one short word each, `--gap` ms apart,
like a model streaming; for each, the time from the backend's write to the client holding its text (the
client counts characters, so it does not matter which event carries them). `burst`: the backend sends
`--burst-kb` KB of text (`--shape`, the detector benchmark's shapes) in 16-character events at once; the
gateway's CPU per KB and the wall time to the last byte, after a burst of `--warm-kb` KB of other text of
that shape. `--offload` sets `offload.mode` and `offload.start`: by default the worker processes start with
the gateway (`process-eager`); started lazily, at the first long text, they were still importing and
building their filters during the measured burst, and that start was counted as the burst's CPU. Each
`--batches` value (`limits.stream_batch`; 1: every event's text read alone, as before batching) gets its
own gateway, `--rounds` times, in turn.

`--in-process`: no server; the burst's bytes through the SSE relay itself (`EventRelay`, as the gateway
builds it for the route, the events read in 64 KB chunks), the relay's CPU per event and per KB with
masking and threat, and with a stream filter that changes nothing (what the relay itself costs), the
best of `--rounds` rounds of each.

    python -m benchmarks.sse_stream [--batches 1 4096] [--rounds 2] [--tokens 200] [--gap 20]
                                    [--burst-kb 64] [--warm-kb 16] [--shape random-words]
                                    [--offload process-eager|process-lazy|thread] [--in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks import servers
from benchmarks.detectors.shapes import text
from benchmarks.local import chatguard, gateway_head, serving
from filters import PASS, Chain, Direction, Filter, FilterStream, Finding, Message, Step, Verdict
from filters.masking import MaskingFilter
from filters.threat import ThreatFilter
from gateway.codec import Codec, SseFields
from gateway.proxy.sse import EventRelay

WORDS = ("the ", "order ", "you ", "placed ", "on ", "Monday ", "is ", "on ", "its ", "way, ", "and ", "should ")


class Backend:
    """Streams one response as the benchmark sets it up; notes when each character count went out."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.gap = 0.0
        self.sent: list[tuple[int, float]] = []  # (characters sent so far, perf_counter at the write)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        total = 0
        for piece in self.pieces:
            total += len(piece)
            event = b"data: " + json.dumps({"choices": [{"delta": {"content": piece}}]}).encode() + b"\n\n"
            self.sent.append((total, time.perf_counter()))
            await response.write(event)
            if self.gap:
                await asyncio.sleep(self.gap)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


def conf(workdir: Path, port: int, admin: int, upstream: int, batch: int, offload: str = "process-eager") -> Path:
    path = workdir / f"sse-{batch}.yaml"
    mode, _, start = offload.partition("-")
    path.write_text(gateway_head(port, admin, upstream, """  mask: {use: masking, timeout: 60s}
  threat: {use: threat, timeout: 60s}""") + f"""
limits: {{stream_batch: {batch}, max_body: 4MiB}}
offload: {{mode: {mode}, start: {start or "lazy"}}}
routes:
  - name: chat
    match: {{path: "/v1/chat", methods: [GET]}}
    upstream: api
    allow: [anonymous]
    messages: {{outbound: {{sse: {{json: ["/choices/*/delta/content"]}}}}}}
    filters: [mask, threat]
""")
    return path


async def receive(client: aiohttp.ClientSession, url: str, backend: Backend) -> tuple[list[float], str]:
    """Read the stream; per backend write, how long until the client held that many characters."""
    late: list[float] = []
    got = ""
    buffer = b""
    async with client.get(url) as resp:
        async for chunk in resp.content.iter_any():
            now = time.perf_counter()
            buffer += chunk
            *events, buffer = buffer.split(b"\n\n")
            for event in events:
                data = event.decode().partition("data: ")[2]
                if data and data != "[DONE]":
                    got += json.loads(data)["choices"][0]["delta"]["content"]
            while len(late) < len(backend.sent) and backend.sent[len(late)][0] <= len(got):
                late.append(now - backend.sent[len(late)][1])
    return late, got


async def one(args: argparse.Namespace, batch: int, backend: Backend, upstream: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chatguard-sse-") as tmp:
        workdir = Path(tmp)
        port, admin = servers.free_port(), servers.free_port()
        async with chatguard(conf(workdir, port, admin, upstream, batch, args.offload), workdir, port) as server, \
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as client:
            url = f"http://127.0.0.1:{port}/v1/chat"
            backend.pieces, backend.gap, backend.sent = [WORDS[i % len(WORDS)] for i in range(20)], 0.0, []
            await receive(client, url, backend)  # warm-up
            backend.pieces = [WORDS[i % len(WORDS)] for i in range(args.tokens)]
            backend.gap, backend.sent = args.gap / 1000, []
            late, _ = await receive(client, url, backend)
            warm = text(args.shape, args.warm_kb * 1024, seed="warm-up")  # other text, same shape: started
            backend.pieces = [warm[i:i + 16] for i in range(0, len(warm), 16)]  # offload processes and their
            backend.gap, backend.sent = 0.0, []  # first reads are not in the figure
            await receive(client, url, backend)
            whole = text(args.shape, args.burst_kb * 1024)
            backend.pieces = [whole[i:i + 16] for i in range(0, len(whole), 16)]
            backend.gap, backend.sent = 0.0, []
            cpu, started = server.cpu_seconds(), time.perf_counter()
            _, got = await receive(client, url, backend)
            burst_cpu, burst_wall = server.cpu_seconds() - cpu, time.perf_counter() - started
    ordered = sorted(late)
    return {"batch": batch, "offload": args.offload, "tokens": len(late), "late_p50_ms": round(statistics.median(ordered) * 1000, 2),
            "late_p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
            "late_max_ms": round(ordered[-1] * 1000, 2),
            "burst_cpu_us_per_kb": round(burst_cpu * 1e6 / args.burst_kb), "burst_wall_ms": round(burst_wall * 1000),
            "burst_chars_out": len(got)}


class _Echo(Filter):
    """A stream filter that lets every piece out as it came: the relay's own cost."""

    async def inspect(self, message: Message) -> Verdict:
        return PASS

    def stream(self, message: Message) -> FilterStream | None:
        return _EchoStream()


class _EchoStream:
    findings: list[Finding] = []

    async def feed(self, chunk: str) -> str:
        return chunk

    async def close(self) -> str:
        return ""


async def relay_cpu(args: argparse.Namespace, batch: int, filters: list[Filter]) -> float:
    """CPU seconds of one burst through a fresh relay (gathering `batch`), best of `--rounds`."""
    whole = text(args.shape, args.burst_kb * 1024)
    raw = b"".join(b"data: " + json.dumps({"choices": [{"delta": {"content": whole[i:i + 16]}}]}).encode()
                   + b"\n\n" for i in range(0, len(whole), 16)) + b"data: [DONE]\n\n"
    codec = Codec.for_events(SseFields(json=("/choices/*/delta/content",)))
    chain = Chain([Step(f"f{i}", f, 60.0) for i, f in enumerate(filters)])
    best = float("inf")
    for _ in range(args.rounds):
        relay = EventRelay(codec, chain, Message("", direction=Direction.OUTBOUND), 4 << 20, batch=batch)
        started = time.process_time()
        for at in range(0, len(raw), 65536):
            await relay.feed(raw[at:at + 65536])
        await relay.close()
        best = min(best, time.process_time() - started)
    return best


async def in_process(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    events = args.burst_kb * 1024 // 16
    for batch in args.batches:
        for name, filters in (("masking+threat", [MaskingFilter(), ThreatFilter()]), ("unchanged", [_Echo()])):
            cpu = await relay_cpu(args, batch, filters)
            results.append({"batch": batch, "filters": name, "relay_us_per_event": round(cpu * 1e6 / events, 1),
                            "relay_us_per_kb": round(cpu * 1e6 / args.burst_kb)})
            print(json.dumps(results[-1]), flush=True)
    return results


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.in_process:
        return await in_process(args)
    backend = Backend()
    app = web.Application()
    app.router.add_get("/{tail:.*}", backend.handle)
    results = []
    async with serving(app) as upstream:
        for _ in range(args.rounds):
            for batch in args.batches:
                results.append(await one(args, batch, backend, upstream))
                print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sse_stream", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4096])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--gap", type=float, default=20.0, help="ms between the paced events")
    parser.add_argument("--burst-kb", type=int, default=64)
    parser.add_argument("--warm-kb", type=int, default=16, help="a burst before the measured one (0: none)")
    parser.add_argument("--shape", default="random-words")
    parser.add_argument("--in-process", action="store_true", help="the SSE relay alone, no server")
    parser.add_argument("--offload", default="process-eager", choices=["process-eager", "process-lazy", "thread"],
                        help="offload.mode and offload.start of the gateway (eager: its processes are ready "
                             "before the first burst, so their start is not counted)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
