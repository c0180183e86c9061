"""CPU the transcript step adds to one message on the request path, without sockets or load noise.

    .venv/bin/python -m benchmarks.transcripts.hot_path [--messages 20000] [--fields 1]

Measures, with the thread's CPU clock, `decide` alone and `decide` + `Transcriber.record` on a
masked message (one modified field per `--fields`), the way `enforce` runs them: once with a
sink that accepts (a store that never finishes writing, so the queue only grows) and once with a
full queue (`on_backlog: drop`). The difference is what the sink costs the forwarding path per
message; the network benchmark (`bench.py`) shows the same from the outside, in latency.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from filters import Action, ChainResult, Direction, Finding, Principal, Verdict
from gateway.config.settings import parse_settings
from gateway.enforce.decide import decide
from gateway.enforce.transcribe import Transcriber
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.runtime.runtime import Runtime
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.sink import TranscriptSink
from gateway.transcripts.store import TranscriptStore


class Stuck(TranscriptStore):
    """A store whose writes never finish: the sink accepts until its queue is full."""

    def __init__(self) -> None:  # no database: nothing is ever written
        self.max_text = 65_536

    async def write(self, records: Sequence[TranscriptRecord]) -> None:
        await asyncio.Event().wait()


def exchange() -> Exchange:
    settings = parse_settings({
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "routes": [{"name": "chat", "match": {"path": "/rooms/{room}"}, "upstream": "up", "allow": ["anonymous"],
                    "messages": {"inbound": {"json": ["/text"]}}}],
    }, environ={})
    runtime = Runtime(settings)
    request = make_mocked_request("POST", "/rooms/r1", headers={"Content-Type": "application/json"},
                                  app=web.Application())
    return Exchange(request=request, runtime=runtime, plan=runtime.plans["chat"], request_id="rid",
                    client="198.51.100.7", principal=Principal("alice", frozenset({"agent"})), conversation="r1")


def inspection(fields: int) -> Inspection:
    card = Finding("card", 9, 28, 1.0)
    verdict = Verdict(Action.MODIFY, "pay with [CARD] now", "", (card,), filter="mask")
    results = tuple(ChainResult(Action.MODIFY, "pay with [CARD] now", (verdict,)) for _ in range(fields))
    sources = tuple((f"/text{i}", "pay with 4111 1111 1111 1111 now") for i in range(fields))
    return Inspection(Action.MODIFY, b'{"text":"pay with [CARD] now"}', results, b"{}", sources)


def per_message(messages: int, step: object) -> float:
    call = step  # type: ignore[assignment]
    started = time.thread_time()
    for _ in range(messages):
        call()  # type: ignore[operator]
    return (time.thread_time() - started) / messages * 1e6


async def run(messages: int, fields: int) -> dict[str, float]:
    ex, found = exchange(), inspection(fields)
    accepting = TranscriptSink(Stuck(), queue=messages * fields * 4)
    full = TranscriptSink(Stuck(), queue=1)
    await accepting.start()
    await full.start()
    full.offer([TranscriptRecord("c", "chat", "inbound", "http", "s", (), "pass")], "chat", "drop")
    on, over = Transcriber(accepting), Transcriber(full)
    figures = {
        "decide_us": per_message(messages, lambda: decide(ex, Direction.INBOUND, found)),
        "decide_record_us": per_message(messages, lambda: on.record(ex, Direction.INBOUND, found,
                                                                    decide(ex, Direction.INBOUND, found))),
        "decide_record_full_queue_us": per_message(messages, lambda: over.record(
            ex, Direction.INBOUND, found, decide(ex, Direction.INBOUND, found))),
    }
    await accepting.aclose(within=0.1)
    await full.aclose(within=0.1)
    return {k: round(v, 2) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transcripts.hot_path", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--fields", type=int, default=1, help="text fields per message (one record each)")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.messages, args.fields))
    added = figures["decide_record_us"] - figures["decide_us"]
    print(f"decide alone                     {figures['decide_us']:8.2f} us CPU per message")
    print(f"decide + transcript (accepted)   {figures['decide_record_us']:8.2f} us  (+{added:.2f} us, "
          f"{args.fields} record(s))")
    print(f"decide + transcript (queue full) {figures['decide_record_full_queue_us']:8.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
