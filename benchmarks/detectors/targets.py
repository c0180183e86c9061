"""Every detector the worst-case benchmark and the linearity tests exercise, by name.

Each target takes one message text and does the work the gateway would do on it:
one detector alone (under the per-field quota of candidates the engine gives it), the
whole masking engine (fold, screen, all detectors), a stream masker fed in large and in
small chunks, the threat filter's decision, the link judgement (normalise, find the
distinct links, judge each), and the behaviour filter's fingerprint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from filters.behaviour.fingerprint import bands
from filters.masking import MaskingFilter
from filters.masking.engine import BUILTIN, Masker
from filters.threat import ThreatFilter
from filters.threat.detect import Detector
from filters.threat.normalise import views

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


def _alone(name: str, masker: Masker) -> Target:
    """One detector as the engine runs it: under the text's quota, stopping where it runs out."""
    return lambda text: masker.examine(BUILTIN[name], text)


def targets() -> dict[str, Target]:
    masker = Masker(tuple(BUILTIN))
    threat = ThreatFilter()
    found: dict[str, Target] = {f"masking:{name}": _alone(name, masker) for name in BUILTIN}
    found["masking (engine, all types)"] = masker.scan
    found["masking (stream, 4 KB chunks)"] = _stream(MaskingFilter(), 4096)
    found["masking (stream, 16-char chunks)"] = _stream(MaskingFilter(), 16)
    found["threat:normalise"] = views
    found["threat:links"] = Detector(["link"]).analyse
    found["threat (filter decision)"] = threat.decide
    found["behaviour:fingerprint"] = bands
    return found
