"""Every detector the worst-case benchmark and the linearity tests exercise, by name.

Each target takes one message text and does the work the gateway would do on it:
one detector alone (under the per-field quota of candidates the engine gives it), the
whole masking engine (fold, screen, all detectors), a stream masker fed in large and in
small chunks, the gateway's stream engine (`StreamChain`: masking then threat, the text of small
pieces gathered per `limits.stream_batch`, as a fast backend's stream is), the threat filter's decision, the link judgement (normalise, find the
distinct links, judge each), and the behaviour filter's fingerprint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from filters import Chain, Direction, Message, Step, StreamChain
from filters.behaviour.fingerprint import bands
from filters.masking import MaskingFilter
from filters.masking.engine import BUILTIN, Masker
from filters.threat import ThreatFilter
from filters.threat.detect import Detector
from filters.threat.normalise import views
from gateway.config.settings import LimitSettings

Target = Callable[[str], object]
def _stream(masking: MaskingFilter, chunk: int) -> Target:
    """The stream masker fed `chunk` characters at a time (4 KB: SSE events; 16: a model's tokens)."""
    def run(text: str) -> object:
        async def feed() -> int:
            stream = masking.stream()
            assert stream is not None
            sent = 0
            for at in range(0, len(text), chunk):
                sent += len(await stream.feed(text[at:at + chunk]))
            return sent + len(await stream.close())
        return asyncio.run(feed())
    return run


def _chain(chunk: int, batch: int) -> Target:
    """Masking then threat over one streamed field fed `chunk` characters at a time, through the
    gateway's stream engine gathering `batch` characters (1: every piece alone) before the filters run."""
    steps = [Step("mask", MaskingFilter(), 60.0), Step("threat", ThreatFilter(), 60.0)]
    template = Message("", direction=Direction.OUTBOUND)

    def run(text: str) -> object:
        async def feed() -> int:
            chain = StreamChain(Chain(steps), template, batch)
            sent = 0
            for at in range(0, len(text), chunk):
                sent += len((await chain.run(text[at:at + chunk], "", final=False)).text)
            return sent + len((await chain.run("", "", final=True)).text)
        return asyncio.run(feed())
    return run


def _alone(name: str, masker: Masker) -> Target:
    """One detector as the engine runs it: under the text's quota, stopping where it runs out."""
    return lambda text: masker.examine(BUILTIN[name], text)


def targets(stream_batch: int | None = None) -> dict[str, Target]:
    """Every target; `stream_batch` sets the stream chain's batch (default: `limits.stream_batch`'s)."""
    masker = Masker(tuple(BUILTIN))
    threat = ThreatFilter()
    found: dict[str, Target] = {f"masking:{name}": _alone(name, masker) for name in BUILTIN}
    found["masking (engine, all types)"] = masker.scan
    found["masking (stream, 4 KB chunks)"] = _stream(MaskingFilter(), 4096)
    found["masking (stream, 16-char chunks)"] = _stream(MaskingFilter(), 16)
    batch = LimitSettings().stream_batch if stream_batch is None else stream_batch
    found["stream chain (16-char pieces)"] = _chain(16, batch)
    found["stream chain (4 KB pieces)"] = _chain(4096, batch)
    found["threat:normalise"] = views
    found["threat:links"] = Detector(["link"]).analyse
    found["threat (filter decision)"] = threat.decide
    found["behaviour:fingerprint"] = bands
    return found
