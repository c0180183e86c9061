"""From one message's inspection to its transcript records: a pure function, no store, no queue.

One record per text field the filters saw. A message that goes on is kept as it went on (the
masked text); with `keep_original` (a route under `store: full`) the text as the sender wrote it
is kept beside it, to be sealed. A message that does not go on (a filter blocked it, a
countermeasure answered instead, it could not be parsed or was refused by a per-message rule)
becomes one record marked `block` with no text at all: what the gateway refused to carry is
not kept either. Finding types go in, the values found never do.
"""

from __future__ import annotations

from dataclasses import dataclass

from filters import Action, ChainResult
from gateway.inspect.inspection import Inspection
from gateway.transcripts.record import TranscriptRecord, Verdict, conversation_of

__all__ = ["Envelope", "blocked", "records"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who said it, where and when: the same for every field of one message."""

    conversation: str
    route: str
    direction: str          # inbound | outbound
    channel: str            # http | ws
    subject: str
    roles: tuple[str, ...]
    request_id: str
    ts: float

    def record(self, verdict: Verdict, *, path: str = "", findings: tuple[str, ...] = (),
               masked: tuple[str, ...] = (), text: str | None = None, original: str | None = None) -> TranscriptRecord:
        return TranscriptRecord(
            conversation=conversation_of(self.conversation, self.subject), route=self.route,
            direction=self.direction, channel=self.channel, subject=self.subject, roles=self.roles,
            verdict=verdict, findings=findings, masked_types=masked, text=text, original=original,
            path=path, request_id=self.request_id, ts=self.ts)


def _types(result: ChainResult) -> tuple[str, ...]:
    return tuple(sorted({f.type for f in result.findings}))


def _masked(result: ChainResult) -> tuple[str, ...]:
    """Types whose values a filter replaced (their verdicts modified the text)."""
    return tuple(sorted({f.type for v in result.verdicts if v.action is Action.MODIFY for f in v.findings}))


def records(envelope: Envelope, inspection: Inspection, *, forwarded: bool,
            keep_original: bool) -> list[TranscriptRecord]:
    """The records of an inspected message; `forwarded` says whether it went on after enforcement."""
    if not forwarded or inspection.action is Action.BLOCK:
        types = tuple(sorted({t for r in inspection.results for t in _types(r)}))
        path = inspection.sources[len(inspection.results) - 1][0] \
            if len(inspection.sources) >= len(inspection.results) and inspection.results else ""
        return [blocked(envelope, path=path, findings=types)]
    found: list[TranscriptRecord] = []
    for index, result in enumerate(inspection.results):
        path, original = inspection.sources[index] if index < len(inspection.sources) else ("", None)
        if not result.text and not result.findings:
            continue  # an empty field (or a stream tail with nothing held) says nothing
        masked = _masked(result)
        verdict: Verdict = "modify" if result.action is Action.MODIFY or masked else "pass"
        found.append(envelope.record(
            verdict, path=path, findings=_types(result), masked=masked, text=result.text,
            original=original if keep_original and original is not None else None))
    return found


def blocked(envelope: Envelope, *, path: str = "", findings: tuple[str, ...] = ()) -> TranscriptRecord:
    """A message that was not carried: recorded, without any of its text."""
    return envelope.record("block", path=path, findings=findings)
