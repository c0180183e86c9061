"""`chatguard scan`: dry-run a route's filter chain over exported messages, one per line.

Operators use it to see what a policy would do to real transcripts before deploying
it. The pipeline is built once; lines are read, filtered and written one at a time,
so memory stays flat however long the input is.

Input: each line is a JSON string (`"hi\\nthere"`), or else taken as raw text. Blank
lines are skipped; bytes that are not UTF-8 become U+FFFD. Output: one JSON object per
message: `{"line", "action", "text", "findings": [{"type", "start", "end", "filter"}],
"reasons", "score", "decision"}`; a finding's span refers to the text its filter saw. `score` is
the risk the route's response bands are applied to (the highest finding score of the filters
that asked for a response), `decision` what the gateway would do: the actions of every band
that score reaches plus the filters' hints (`alert`, `throttle`, `quarantine`, `ban`,
`step_up`...), and `block` when the chain blocks. A value masked without risk decides nothing.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterable, Iterable
from typing import Any, BinaryIO, TextIO

import orjson

from filters import Action, ChainResult, Direction, Hints, Message
from filters.options import OptionsError
from gateway.config.settings import Settings
from gateway.enforce.countermeasures import actions_for
from gateway.enforce.settings import ResponseSettings
from gateway.runtime.chains import FilterChains

__all__ = ["parse_line", "run_scan", "scan"]

Lines = Iterable[str | bytes] | AsyncIterable[str | bytes]


def parse_line(line: str | bytes) -> str | None:
    """The message text a line holds, or None for a blank line."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", "replace")
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    if line.startswith('"'):
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            return line
        if isinstance(value, str):
            return value
    return line


def decision(result: ChainResult, bands: ResponseSettings) -> tuple[float, list[str]]:
    """The risk score and the actions the route's response bands take for `result`."""
    hinted = [v for v in result.verdicts if v.hints]
    score = max((f.score for v in hinted for f in v.findings), default=0.0)
    actions: set[str] = set()
    if hinted:
        merged = Hints(any(v.hints.ban for v in hinted), any(v.hints.alert for v in hinted),
                       any(v.hints.step_up for v in hinted))
        actions.update(actions_for(bands, score, merged))
    if result.action is Action.BLOCK:
        actions.add("block")
    return round(score, 4), sorted(actions)


def _record(number: int, result: ChainResult, bands: ResponseSettings) -> bytes:
    score, actions = decision(result, bands)
    record: dict[str, Any] = {
        "line": number,
        "action": result.action.value,
        "text": result.text,
        "findings": [{"type": f.type, "start": f.start, "end": f.end, "filter": v.filter}
                     for v in result.verdicts for f in v.findings],
        "reasons": list(result.reasons),
        "score": score,
        "decision": actions,
    }
    try:
        return orjson.dumps(record)
    except TypeError:  # lone surrogates in a raw line: JSON cannot carry them
        record["text"] = result.text.encode("utf-8", "replace").decode("utf-8")
        return orjson.dumps(record)


async def _numbered(lines: Lines) -> AsyncIterable[tuple[int, str | bytes]]:
    if isinstance(lines, AsyncIterable):
        number = 0
        async for line in lines:
            number += 1
            yield number, line
    else:
        for number, line in enumerate(lines, 1):
            yield number, line


async def scan(settings: Settings, route: str, direction: Direction | str, lines: Lines,
               out: TextIO | BinaryIO) -> int:
    """Run `route`'s chain in `direction` over `lines`, writing JSON lines to `out` (text or binary).

    Returns the exit status (0). An unknown route raises OptionsError at `--route`
    listing the configured routes; bad filter options raise it at their key path.
    """
    direction = Direction(direction)
    pipeline = FilterChains.build(settings)
    try:
        if route not in pipeline.routes:
            known = ", ".join(pipeline.routes) or "none configured"
            raise OptionsError("--route", f"unknown route {route!r} (known: {known})")
        chain = pipeline.chain(route, direction)
        await pipeline.start()
        own = next((r.responses for r in settings.routes if r.name == route), None)
        bands = own if own is not None else settings.responses
        binary = isinstance(out, io.RawIOBase | io.BufferedIOBase)
        async for number, line in _numbered(lines):
            text = parse_line(line)
            if text is None:
                continue
            result = await chain.run(Message(text, direction=direction, route=route))
            data = _record(number, result, bands) + b"\n"
            if binary:
                out.write(data)  # type: ignore[arg-type]
            else:
                out.write(data.decode("utf-8"))  # type: ignore[call-overload]
        out.flush()
    finally:
        await pipeline.aclose()
    return 0


def run_scan(settings: Settings, route: str, direction: Direction | str = Direction.INBOUND,
             stdin: BinaryIO | None = None, stdout: TextIO | None = None) -> int:
    """Blocking entry point for the CLI: stdin and stdout by default."""
    source = stdin if stdin is not None else sys.stdin.buffer
    target = stdout if stdout is not None else sys.stdout
    return asyncio.run(scan(settings, route, direction, source, target))
