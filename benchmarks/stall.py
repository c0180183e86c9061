"""Can one message stall a worker? Small-request latency while worst-case 1 MB messages are inspected.

One chatguard worker (masking + threat on `/text`, a route that admits 1 MB fields so the detectors get
the whole message) in front of a trivial backend. First the latency of small chat POSTs alone, then the
same while another client sends worst-case 1 MB messages back to back, one shape after another (the
detector benchmark's shapes), then the costliest shape again cut into fields just short of what is
offloaded (those run on the event loop, a turn between fields). Long texts go to worker processes
(`offload.mode: process`) or to the filter thread (`thread`, the fallback): each mode named in `--modes`
gets its own gateway, one after the other in the same run. Besides the gateway's CPU (process tree) it
reports what its own process spent (event loop and threads): with worker processes, the loop's share;
less what the small requests served meanwhile cost it (their CPU each, measured alone), the big
messages' share of the gateway process.
Also prints the default routes' answer to such a message (413: `max_chars` keeps it away from the filters).

    python -m benchmarks.stall [--modes process thread] [--small 400] [--shapes spaced-ones ...] [--nice N]
                               [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
FIELDS_SHAPE = "token-assignments"  # the costliest shape per MB, sent again as many fields
FIELD_CHARS = 2047  # just short of `offload.from_chars` (2048): each field is inspected on the event loop
SMALL = {"text": "hi, my order 1234 has not arrived yet, can you check? thanks, Ann"}


def gateway_conf(workdir: Path, port: int, admin: int, upstream: int, mode: str, nice: int | None = None) -> Path:
    conf = workdir / f"stall-{mode}.yaml"
    conf.write_text(gateway_head(port, admin, upstream, """  mask: {use: masking, timeout: 60s}
  threat: {use: threat, timeout: 60s}""") + f"""
offload: {{mode: {mode}, start: eager{"" if nice is None else f", nice: {nice}"}}}""" + """
routes:
  - name: big
    match: {path: "/big", methods: [POST]}
    upstream: api
    allow: [anonymous]
    max_body: 4MiB
    max_chars: 1048576
    max_fields: 1000
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


def own_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), without its children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bodies(shapes: list[str]) -> list[tuple[str, bytes]]:
    """The big messages: each shape as one 1 MB field, then the costliest shape as fields the event loop
    inspects itself."""
    # UTF-8 as it comes: \u escapes would make the zero-width and mixed-script shapes 6 MB, past `max_body`
    out = [(shape, json.dumps({"text": text(shape, BIG)}, ensure_ascii=False).encode()) for shape in shapes]
    whole = text(FIELDS_SHAPE, BIG)
    pieces = [whole[i:i + FIELD_CHARS] for i in range(0, len(whole), FIELD_CHARS)]
    out.append((f"{FIELDS_SHAPE} x{len(pieces)} fields", json.dumps({"text": pieces}).encode()))
    return out


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


async def run_mode(args: argparse.Namespace, mode: str, big_bodies: list[tuple[str, bytes]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chatguard-stall-") as tmp:
        workdir = Path(tmp)
        async with serving(backend()) as upstream_port:
            port, admin = servers.free_port(), servers.free_port()
            conf = gateway_conf(workdir, port, admin, upstream_port, mode, args.nice)
            async with chatguard(conf, workdir, port) as server:
                base = f"http://127.0.0.1:{port}"
                timeout = aiohttp.ClientTimeout(total=600)
                async with aiohttp.ClientSession(timeout=timeout) as small, \
                        aiohttp.ClientSession(timeout=timeout) as big:
                    await small_requests(small, f"{base}/chat", 50)  # warm-up
                    own_alone = own_cpu_seconds(server.process.pid)
                    alone = await small_requests(small, f"{base}/chat", args.small)
                    per_small = (own_cpu_seconds(server.process.pid) - own_alone) / len(alone)
                    async with big.post(f"{base}/chat", json={"text": text("spaced-ones", BIG)}) as resp:
                        default_status = resp.status
                    stop = asyncio.Event()
                    during_task = asyncio.ensure_future(small_requests(small, f"{base}/chat", 0, stop))
                    shapes: list[dict[str, Any]] = []
                    cpu_before, own_before = server.cpu_seconds(), own_cpu_seconds(server.process.pid)
                    for shape, body in big_bodies:
                        started, cpu = time.perf_counter(), server.cpu_seconds()
                        own = own_cpu_seconds(server.process.pid)
                        async with big.post(f"{base}/big", data=body,
                                            headers={"Content-Type": "application/json"}) as resp:
                            await resp.read()
                            status = resp.status
                        shapes.append({"shape": shape, "status": status,
                                       "wall_ms": round((time.perf_counter() - started) * 1000, 1),
                                       "cpu_ms": round((server.cpu_seconds() - cpu) * 1000, 1),
                                       "gateway_process_cpu_ms": round(
                                           (own_cpu_seconds(server.process.pid) - own) * 1000, 1)})
                    stop.set()
                    during = await during_task
                    cpu_total = server.cpu_seconds() - cpu_before
                    own_total = own_cpu_seconds(server.process.pid) - own_before
    result = {"mode": mode, "alone": percentiles(alone), "during": percentiles(during), "big_messages": shapes,
              "default_route_status_for_1MB_field": default_status,
              "gateway_cpu_s_during": round(cpu_total, 2), "gateway_process_cpu_s_during": round(own_total, 2),
              "gateway_process_cpu_ms_per_small_request": round(per_small * 1000, 3),
              "gateway_process_cpu_s_big_messages": round(own_total - len(during) * per_small, 2)}
    result["p50_added_ms"] = round(result["during"]["p50_ms"] - result["alone"]["p50_ms"], 2)
    result["p99_added_ms"] = round(result["during"]["p99_ms"] - result["alone"]["p99_ms"], 2)
    return result


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    big_bodies = bodies(args.shapes)
    return [await run_mode(args, mode, big_bodies) for mode in args.modes]


def print_table(result: dict[str, Any]) -> None:
    print(f"offload.mode: {result['mode']}")
    print("small POST latency       n      p50 ms   p99 ms   max ms")
    for key in ("alone", "during"):
        row = result[key]
        print(f"  {key:<20} {row['n']:>6} {row['p50_ms']:>9} {row['p99_ms']:>8} {row['max_ms']:>8}")
    print(f"  added by the big messages: p50 {result['p50_added_ms']} ms, p99 {result['p99_added_ms']} ms")
    print("\n1 MB message (route admitting 1 MB fields)   status   wall ms    CPU ms  of which gateway process")
    for row in result["big_messages"]:
        print(f"  {row['shape']:<42} {row['status']:>6} {row['wall_ms']:>9} {row['cpu_ms']:>9} "
              f"{row['gateway_process_cpu_ms']:>10}")
    print(f"  CPU during the big messages: {result['gateway_cpu_s_during']} s, of which the gateway process "
          f"{result['gateway_process_cpu_s_during']} s; less the small requests served meanwhile (at "
          f"{result['gateway_process_cpu_ms_per_small_request']} ms each, as alone), the big messages' share of "
          f"the gateway process: {result['gateway_process_cpu_s_big_messages']} s")
    print(f"a default route answers a 1 MB field with {result['default_route_status_for_1MB_field']}\n")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", nargs="+", default=["process", "thread"], choices=["process", "thread"],
                        help="offload modes measured, one gateway each, in this order")
    parser.add_argument("--small", type=int, default=400, help="small requests measured alone")
    parser.add_argument("--shapes", nargs="+", default=list(WORST), help="worst-case shapes sent at 1 MB")
    parser.add_argument("--nice", type=int, help="offload.nice of the gateways (default: the gateway's own)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    for result in results:
        print_table(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
