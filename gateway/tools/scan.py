"""`chatguard scan`: dry-run a route's filter chain over exported messages, one per line.

Operators use it to see what a policy would do to real transcripts before deploying
it. The pipeline is built once; lines are read and filtered one at a time and their
records written in blocks of 64 KB (each at once on a terminal), so memory stays flat
however long the input is. Long lines go to the filter thread, never to worker processes.

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
import dataclasses
import io
import sys
from collections.abc import AsyncIterable, Iterable
from typing import Any, BinaryIO, TextIO

import orjson

from filters import Action, ChainResult, Channel, Direction, Hints, Message
from filters.options import OptionsError
from gateway.config.settings import Settings
from gateway.enforce.countermeasures import actions_for
from gateway.enforce.settings import ResponseSettings
from gateway.runtime.chains import FilterChains

__all__ = ["parse_line", "run_scan", "scan"]

Lines = Iterable[str | bytes] | AsyncIterable[str | bytes]
_FLUSH = 1 << 16  # bytes of records written at once: one write per many lines, memory still flat


def parse_line(line: str | bytes) -> str | None:
    """The message text a line holds, or None for a blank line."""
    if isinstance(line, bytes):
        if line[:1] == b'"':  # the usual export: one JSON string a line, read straight from its bytes
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                pass
            else:
                if isinstance(value, str):
                    return value
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
    if not hinted and result.action is not Action.BLOCK:
        return 0.0, []  # what masking alone gives: nothing for the bands to decide
    score = max((f.score for v in hinted for f in v.findings), default=0.0)
    actions: set[str] = set()
    if hinted:
        merged = hinted[0].hints if len(hinted) == 1 else Hints(
            any(v.hints.ban for v in hinted), any(v.hints.alert for v in hinted), any(v.hints.step_up for v in hinted))
        actions.update(actions_for(bands, score, merged))
    if result.action is Action.BLOCK:
        actions.add("block")
    return round(score, 4), sorted(actions)


_QUIET_TAIL = b',"findings":[],"reasons":[],"score":0.0,"decision":[]}'


def _record(number: int, result: ChainResult, bands: ResponseSettings) -> bytes:
    verdicts = result.verdicts
    if result.action is Action.PASS and not any(v.findings or v.reason or v.hints for v in verdicts):
        try:  # most lines: nothing found, nothing to decide; the record from fixed pieces
            text = orjson.dumps(result.text)
        except TypeError:
            pass
        else:
            return b'{"line":%d,"action":"pass","text":%b%b' % (number, text, _QUIET_TAIL)
    score, actions = decision(result, bands)
    record: dict[str, Any] = {
        "line": number,
        "action": result.action,  # a str enum: orjson writes its value
        "text": result.text,
        "findings": [{"type": f.type, "start": f.start, "end": f.end, "filter": v.filter}
                     for v in verdicts if v.findings for f in v.findings],
        "reasons": [v.reason for v in verdicts if v.reason],
        "score": score,
        "decision": actions,
    }
    try:
        return orjson.dumps(record)
    except TypeError:  # lone surrogates in a raw line: JSON cannot carry them
        record["text"] = result.text.encode("utf-8", "replace").decode("utf-8")
        return orjson.dumps(record)


def _one_at_a_time(settings: Settings) -> Settings:
    """`settings` with long texts inspected on the filter thread (`offload.mode: thread`).

    The worker processes keep a gateway's event loop free for its other clients; a scan reads one
    line at a time and has none, so starting a process (importing the filters and building them
    again) would only cost it time: hundreds of milliseconds of CPU for a handful of long lines.
    Same filters, same budgets, same verdicts; `isolate: process` filters still run in their own."""
    if settings.offload.mode == "thread":
        return settings
    return dataclasses.replace(settings, offload=dataclasses.replace(settings.offload, mode="thread"))


def _interactive(out: TextIO | BinaryIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _write(out: TextIO | BinaryIO, binary: bool, pending: list[bytes]) -> None:
    """Write the records held in `pending`, one a line, and empty it."""
    if not pending:
        return
    data = b"\n".join(pending) + b"\n"
    pending.clear()
    if binary:
        out.write(data)  # type: ignore[arg-type]
    else:
        out.write(data.decode("utf-8"))  # type: ignore[call-overload]


async def _batches(lines: Lines) -> AsyncIterable[Iterable[tuple[int, str | bytes]]]:
    """Numbered lines: an async source one at a time, a plain one as a single batch (so that each of its
    lines costs no step of an async generator)."""
    if isinstance(lines, AsyncIterable):
        number = 0
        async for line in lines:
            number += 1
            yield ((number, line),)
    else:
        yield enumerate(lines, 1)


async def scan(settings: Settings, route: str, direction: Direction | str, lines: Lines,
               out: TextIO | BinaryIO) -> int:
    """Run `route`'s chain in `direction` over `lines`, writing JSON lines to `out` (text or binary).

    Returns the exit status (0). An unknown route raises OptionsError at `--route`
    listing the configured routes; bad filter options raise it at their key path.
    """
    direction = Direction(direction)
    pipeline = FilterChains.build(_one_at_a_time(settings))
    try:
        if route not in pipeline.routes:
            known = ", ".join(pipeline.routes) or "none configured"
            raise OptionsError("--route", f"unknown route {route!r} (known: {known})")
        chain = pipeline.chain(route, direction)
        await pipeline.start()
        own = next((r.responses for r in settings.routes if r.name == route), None)
        bands = own if own is not None else settings.responses
        binary = isinstance(out, io.RawIOBase | io.BufferedIOBase)
        pending: list[bytes] = []
        size = 0
        flush_at = 1 if _interactive(out) else _FLUSH
        async for batch in _batches(lines):
            for number, line in batch:
                text = parse_line(line)
                if text is None:
                    continue
                result = await chain.run(Message(text, direction, Channel.HTTP, route))
                data = _record(number, result, bands)
                pending.append(data)
                size += len(data) + 1
                if size >= flush_at:
                    _write(out, binary, pending)
                    size = 0
        _write(out, binary, pending)
        out.flush()
    finally:
        await pipeline.aclose()
    return 0


def run_scan(settings: Settings, route: str, direction: Direction | str = Direction.INBOUND,
             stdin: BinaryIO | None = None, stdout: TextIO | BinaryIO | None = None) -> int:
    """Blocking entry point for the CLI: stdin and stdout by default (their bytes: records are
    UTF-8 JSON already, with no text layer to decode and encode them again)."""
    source = stdin if stdin is not None else sys.stdin.buffer
    if stdout is None:
        sys.stdout.flush()
    target = stdout if stdout is not None else sys.stdout.buffer
    return asyncio.run(scan(settings, route, direction, source, target))
