"""Can one message stall a worker? Small-request latency while worst-case 1 MB messages are inspected.

One chatguard worker (masking + threat on `/text`, a route that admits 1 MB fields so the detectors get
the whole message) in front of a trivial backend. First the latency of small chat POSTs alone, then the
same while another client sends worst-case 1 MB messages back to back, one shape after another (the
detector benchmark's shapes). The filters give the event loop a turn every 2 ms of CPU time, so the
small requests should stay within a few milliseconds of their latency alone. Also prints the default
routes' answer to such a message (413: `max_chars` keeps it away from the filters).

    python -m benchmarks.stall [--small 400] [--shapes spaced-ones dashed-ones ...] [--json out.json]
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

WORST = ("spaced-ones", "dashed-ones", "card-groups", "token-assignments", "domains", "at-dots", "angles",
         "ignore-words", "zero-width", "mixed-script")
BIG = 1_000_000
SMALL = {"text": "hi, my order 1234 has not arrived yet, can you check? thanks, Ann"}


def gateway_conf(workdir: Path, port: int, admin: int, upstream: int) -> Path:
    conf = workdir / "stall.yaml"
    conf.write_text(gateway_head(port, admin, upstream, """  mask: {use: masking, timeout: 60s}
  threat: {use: threat, timeout: 60s}""") + """
routes:
  - name: big
    match: {path: "/big", methods: [POST]}
    upstream: api
    allow: [anonymous]
    max_body: 2MiB
    max_chars: 1048576
    messages: {inbound: {json: ["/text"]}}
    filters: [mask, threat]
  - name: chat
    match: {path: "/chat", methods: [POST]}
    upstream: api
    allow: [anonymous]
    messages: {inbound: {json: ["/text"]}}
    filters: [mask, threat]
""")
    return conf


def backend() -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", ok)
    return app


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2)}


async def small_requests(session: aiohttp.ClientSession, url: str, count: int,
                         stop: asyncio.Event | None = None) -> list[float]:
    """Latencies of sequential small POSTs: `count` of them, or until `stop` is set."""
    took: list[float] = []
    while (stop is None and len(took) < count) or (stop is not None and not stop.is_set()):
        started = time.perf_counter()
        async with session.post(url, json=SMALL) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"small request answered {resp.status}")
        took.append(time.perf_counter() - started)
    return took


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chatguard-stall-") as tmp:
        workdir = Path(tmp)
        async with serving(backend()) as upstream_port:
            port, admin = servers.free_port(), servers.free_port()
            conf = gateway_conf(workdir, port, admin, upstream_port)
            async with chatguard(conf, workdir, port) as server:
                base = f"http://127.0.0.1:{port}"
                timeout = aiohttp.ClientTimeout(total=600)
                async with aiohttp.ClientSession(timeout=timeout) as small, \
                        aiohttp.ClientSession(timeout=timeout) as big:
                    await small_requests(small, f"{base}/chat", 50)  # warm-up
                    alone = await small_requests(small, f"{base}/chat", args.small)
                    async with big.post(f"{base}/chat", json={"text": text("spaced-ones", BIG)}) as resp:
                        default_status = resp.status
                    stop = asyncio.Event()
                    during_task = asyncio.ensure_future(small_requests(small, f"{base}/chat", 0, stop))
                    shapes: list[dict[str, Any]] = []
                    cpu_before = server.cpu_seconds()
                    for shape in args.shapes:
                        body = json.dumps({"text": text(shape, BIG)})
                        started, cpu = time.perf_counter(), server.cpu_seconds()
                        async with big.post(f"{base}/big", data=body,
                                            headers={"Content-Type": "application/json"}) as resp:
                            await resp.read()
                            status = resp.status
                        shapes.append({"shape": shape, "status": status,
                                       "wall_ms": round((time.perf_counter() - started) * 1000, 1),
                                       "cpu_ms": round((server.cpu_seconds() - cpu) * 1000, 1)})
                    stop.set()
                    during = await during_task
                    cpu_total = server.cpu_seconds() - cpu_before
    result = {"alone": percentiles(alone), "during": percentiles(during), "big_messages": shapes,
              "default_route_status_for_1MB_field": default_status,
              "gateway_cpu_s_during": round(cpu_total, 2)}
    result["p50_added_ms"] = round(result["during"]["p50_ms"] - result["alone"]["p50_ms"], 2)
    result["p99_added_ms"] = round(result["during"]["p99_ms"] - result["alone"]["p99_ms"], 2)
    return result


def print_table(result: dict[str, Any]) -> None:
    print("small POST latency       n      p50 ms   p99 ms   max ms")
    for key in ("alone", "during"):
        row = result[key]
        print(f"  {key:<20} {row['n']:>6} {row['p50_ms']:>9} {row['p99_ms']:>8} {row['max_ms']:>8}")
    print(f"  added by the big messages: p50 {result['p50_added_ms']} ms, p99 {result['p99_added_ms']} ms")
    print("\n1 MB message (route admitting 1 MB fields)   status   wall ms    CPU ms")
    for row in result["big_messages"]:
        print(f"  {row['shape']:<42} {row['status']:>6} {row['wall_ms']:>9} {row['cpu_ms']:>9}")
    print(f"\na default route answers a 1 MB field with {result['default_route_status_for_1MB_field']}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=400, help="small requests measured alone")
    parser.add_argument("--shapes", nargs="+", default=list(WORST), help="worst-case shapes sent at 1 MB")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
