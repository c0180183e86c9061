"""Forwarding latency with and without the transcript sink, and with a store that cannot keep up.

    .venv/bin/python -m benchmarks.transcripts.bench [--seconds 10] [--rounds 3] [--clients 32]

The gateway runs as `python -m gateway serve` (its own process) in front of an upstream that answers
every POST with a chat JSON; the route masks both directions, so every request yields two records.
A closed-loop load (`--clients` connections, each sending its next request when the answer is in)
measures requests per second and latency percentiles per variant:

  off       transcripts off (no `transcripts.database`): the baseline
  sqlite    transcripts on SQLite
  postgres  transcripts on PostgreSQL (127.0.0.1:5432, database `test`, a schema of its own)
  slow      PostgreSQL where every inserted row waits 5 ms (a trigger calling pg_sleep): the
            store keeps up with at most 200 rows/s, below the load, so the queue (1,000 records
            here) fills and `on_backlog: drop` takes over
  stuck     PostgreSQL with the message table locked by another session for the whole run:
            nothing is written at all

Variants are measured in interleaved rounds (each round measures every variant once, starting one
variant later than the round before, so none always follows the same one and its disk writes), and the
report gives the median of the rounds, with the sink's own counters from the admin /metrics
(records written and dropped). Results go to benchmarks/results/transcripts-DATE.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from benchmarks.payload import chat_json
from benchmarks.servers import REPO, Server, free_port, start, wait_ready

VARIANTS = ("off", "sqlite", "postgres", "slow", "stuck")
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
ROW_DELAY = 0.005          # seconds each inserted row waits in the `slow` variant
ROOMS = 50
QUEUE = 1000               # records the sink may hold: small, so a slow store reaches `on_backlog` in a run
RESULTS = REPO / "benchmarks" / "results"
CARD = "4111 1111 1111 1111"


def gateway_config(workdir: Path, variant: str, port: int, admin: int, upstream: int, database: str) -> Path:
    """One route, masking both ways; transcripts per variant (masked text, a queue of QUEUE records, drop)."""
    transcripts = "" if variant == "off" else f"""
transcripts:
  database: "{database}"
  store: masked
  on_backlog: drop
  queue: {QUEUE}
  worker: {{enabled: false}}
"""
    text = f"""
listen: {{host: 127.0.0.1, port: {port}}}
admin: {{host: 127.0.0.1, port: {admin}}}
logging: {{level: warning, access_log: false}}
upstreams:
  api: {{url: "http://127.0.0.1:{upstream}"}}
filters:
  mask: {{use: masking}}
routes:
  - name: chat
    match: {{path: "/api/rooms/{{room}}/messages", methods: [POST]}}
    upstream: api
    allow: [anonymous]
    messages: {{inbound: {{json: ["/text"]}}, outbound: {{json: ["/text"]}}}}
    filters: [mask]
{transcripts}"""
    path = workdir / f"chatguard-{variant}.yaml"
    path.write_text(text)
    return path


def upstream_app() -> web.Application:
    answer = json.dumps({"text": f"agent: we have your card {CARD} on file, thanks"}).encode()

    async def post(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=answer, content_type="application/json")

    app = web.Application()
    app.router.add_post("/api/rooms/{room}/messages", post)
    return app


@asynccontextmanager
async def serve_upstream() -> AsyncIterator[int]:
    runner = web.AppRunner(upstream_app(), access_log=None)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield port
    finally:
        await runner.cleanup()


@asynccontextmanager
async def pg_schema() -> AsyncIterator[str]:
    schema = f"cg_bench_{secrets.token_hex(5)}"
    owner = await asyncpg.connect(PG_SERVER)
    try:
        await owner.execute(f'CREATE SCHEMA "{schema}"')
        yield schema
    finally:
        await owner.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await owner.close()


async def slow_down(schema: str) -> None:
    """Every row inserted into the message table waits ROW_DELAY (a real, slow store)."""
    owner = await asyncpg.connect(PG_SERVER)
    try:
        await owner.execute(f"""
            CREATE FUNCTION "{schema}".cg_slow() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN PERFORM pg_sleep({ROW_DELAY}); RETURN NEW; END $$;
            CREATE TRIGGER cg_slow BEFORE INSERT ON "{schema}".transcript_messages
            FOR EACH ROW EXECUTE FUNCTION "{schema}".cg_slow();""")
    finally:
        await owner.close()


@asynccontextmanager
async def locked(schema: str) -> AsyncIterator[None]:
    """The message table locked by another session: the store accepts nothing until released."""
    holder = await asyncpg.connect(PG_SERVER)
    try:
        await holder.execute("BEGIN")
        await holder.execute(f'LOCK TABLE "{schema}".transcript_messages IN ACCESS EXCLUSIVE MODE')
        yield
        await holder.execute("ROLLBACK")
    finally:
        await holder.close()


async def load(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """Closed loop: each client posts, waits for the answer, posts again, for `seconds`."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def client(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        body = chat_json().replace('"text":"', f'"text":"card {CARD} ', 1).encode()
        target = f"{url}/api/rooms/room{number % ROOMS}/messages"
        while (started := time.perf_counter()) < stop_at:
            try:
                async with session.post(target, data=body, headers={"Content-Type": "application/json"}) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(i, session) for i in range(clients)))
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e6, 1)

    return {"requests": len(latencies), "rate": round(len(latencies) / seconds, 1), "errors": errors,
            "p50_us": pct(0.50), "p99_us": pct(0.99), "p999_us": pct(0.999)}


async def sink_counters(admin: int) -> dict[str, float]:
    """The sink's counters from the admin /metrics (0 when transcripts are off)."""
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{admin}/metrics") as resp:
        text = await resp.text()
    found = {"written": 0.0, "dropped": 0.0, "queue": 0.0}
    names = {"chatguard_transcripts_written_total": "written", "chatguard_transcripts_dropped_total": "dropped",
             "chatguard_transcripts_queue_depth": "queue"}
    for line in text.splitlines():
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in names:
            found[names[name]] += float(line.rsplit(" ", 1)[1])
    return found


async def measure(variant: str, workdir: Path, upstream: int, clients: int, seconds: float,
                  warmup: float) -> dict[str, Any]:
    port, admin = free_port(), free_port()
    async with pg_schema() as schema:
        database = (f"sqlite://{workdir / f'{variant}-{secrets.token_hex(3)}.db'}" if variant == "sqlite"
                    else f"{PG_SERVER}?search_path={schema}")
        config = gateway_config(workdir, variant, port, admin, upstream, database)
        server: Server = start(f"chatguard-{variant}", [sys.executable, "-m", "gateway", "serve", "--config",
                                                       str(config)], None, workdir, port)
        try:
            await asyncio.to_thread(wait_ready, server, f"http://127.0.0.1:{admin}/healthz")
            if variant == "slow":
                await slow_down(schema)
            url = f"http://127.0.0.1:{port}"
            await load(url, clients, warmup)
            before = await sink_counters(admin)
            cpu_before = server.cpu_seconds()
            if variant == "stuck":
                async with locked(schema):
                    row = await load(url, clients, seconds)
                    after = await sink_counters(admin)
            else:
                row = await load(url, clients, seconds)
                after = await sink_counters(admin)
            cpu = server.cpu_seconds() - cpu_before
        finally:
            server.stop()
    row.update(variant=variant, written=after["written"] - before["written"],
               dropped=after["dropped"] - before["dropped"], queue_at_end=after["queue"],
               cpu_us_per_req=round(cpu / max(row["requests"], 1) * 1e6, 1))
    return row


def _median(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"variant": rows[0]["variant"], "rounds": len(rows)}
    for key in ("rate", "p50_us", "p99_us", "p999_us", "cpu_us_per_req", "written", "dropped", "errors"):
        out[key] = round(statistics.median(r[key] for r in rows), 1)
    return out


def report(summary: list[dict[str, Any]]) -> str:
    base = next((r for r in summary if r["variant"] == "off"), None)
    lines = [f"{'variant':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'p99 x off':>9} "
             f"{'CPU us/req':>10} {'written':>9} {'dropped':>9} {'errors':>6}"]
    for r in summary:
        ratio = f"{r['p99_us'] / base['p99_us']:.2f}" if base and base["p99_us"] else "-"
        lines.append(f"{r['variant']:10} {r['rate']:>8,.0f} {r['p50_us'] / 1000:>8.2f} {r['p99_us'] / 1000:>8.2f} "
                     f"{r['p999_us'] / 1000:>9.2f} {ratio:>9} {r['cpu_us_per_req']:>10.1f} {r['written']:>9,.0f} "
                     f"{r['dropped']:>9,.0f} {r['errors']:>6.0f}")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    variants = [v for v in args.variants if v in VARIANTS]
    raw: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cg-bench-transcripts-") as tmp:
        workdir = Path(tmp)
        async with serve_upstream() as upstream:
            for number in range(1, args.rounds + 1):
                shift = (number - 1) % len(variants)  # each round starts elsewhere: no variant always
                for variant in variants[shift:] + variants[:shift]:  # follows the same one (and its I/O)
                    print(f"  round {number}/{args.rounds}  {variant:9} ...", end="", flush=True)
                    try:
                        row = await measure(variant, workdir, upstream, args.clients, args.seconds, args.warmup)
                    except (RuntimeError, OSError, asyncpg.PostgresError) as exc:
                        failures.append(f"{variant}, round {number}: {exc}")
                        print(" failed", flush=True)
                        continue
                    raw[variant].append(row)
                    print(f" {row['rate']:>8,.0f} req/s  p99 {row['p99_us'] / 1000:6.2f} ms  "
                          f"written {row['written']:>8,.0f}  dropped {row['dropped']:>8,.0f}", flush=True)
    summary = [_median(rows) for rows in raw.values() if rows]
    print()
    print(report(summary))
    for failure in failures:
        print(f"failed: {failure}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"transcripts-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"settings": vars(args), "machine": {"cpus": os.cpu_count(),
                                                                   "python": platform.python_version()},
                               "summary": summary, "rounds": raw, "failures": failures}, indent=1))
    print(f"\nresults: {out}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transcripts.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per variant and round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before each measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32, help="connections in the closed loop")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
