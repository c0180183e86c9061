"""One decode, one chain run per field, one re-encode: the bridge between codec and filters."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from filters import NO_HINTS, Action, Chain, ChainResult, Hints, Message
from gateway.codec import Codec, Extracted, TextField
from gateway.inspect import bulk
from gateway.inspect.html_fields import as_read, escaped, is_html, shown

YIELD_AFTER = 0.001  # seconds of filter CPU time between turns of the event loop
_TYPE = attrgetter("type")


@dataclass(frozen=True, slots=True)
class Inspection:
    """What the filters decided about one payload (an HTTP body or one WebSocket message)."""

    action: Action
    payload: bytes | str            # what to forward: the original object when nothing changed
    results: tuple[ChainResult, ...]
    original: bytes | str | None = None  # what was inspected, when `payload` differs (held for review as sent)
    # per result: (field path, text as inspected), for transcripts; kept out of repr (unmasked text)
    sources: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def finding_types(self) -> dict[str, int]:
        """Counts per finding type, for audit and metrics (never the values themselves); counted in C, as a
        verdict may hold tens of thousands of findings."""
        counts: Counter[str] = Counter()
        for result in self.results:
            for verdict in result.verdicts:
                counts.update(map(_TYPE, verdict.findings))
        return dict(counts)

    def threat(self) -> tuple[float, Hints] | None:
        """The risk (highest finding score of the filters that gave hints) and their merged hints, or
        None when no filter asked for a response: masking a card is not a threat, a scored attack is."""
        hinted = [v for result in self.results for v in result.verdicts if v.hints is not NO_HINTS and v.hints]
        if not hinted:
            return None
        score = max((f.score for v in hinted for f in v.findings), default=0.0)
        return score, Hints.merge(v.hints for v in hinted)

    def reasons(self) -> list[str]:
        return [reason for result in self.results for reason in result.reasons]


async def inspect(codec: Codec, chain: Chain, payload: bytes | str, template: Message, *,
                  content_type: str | None = None, frame: bool = False) -> Inspection:
    """Run `chain` over every text field `codec` finds in `payload`.

    Raises `gateway.codec.CodecError` when the payload does not parse; the caller turns that
    into 400 or a WebSocket close, never into forwarding the payload unfiltered.
    """
    extracted = await bulk.extract(codec, payload, content_type, frame=frame)
    return await run_fields(extracted, payload, chain, template)


async def inspect_query(codec: Codec, chain: Chain, query: str, template: Message) -> Inspection:
    """Run `chain` over the declared fields of a raw query string (frameworks merge the query into
    the parameters a handler reads); the payload of the result is the query to forward."""
    return await run_fields(codec.extract_query(query), query, chain, template)


def field_message(template: Message | None, found: TextField) -> Message:
    if template is None:
        raise TypeError("a chain runs over fields as messages made from a template")
    # Positional: the order of Message's fields (text, direction, channel, route, field, principal,
    # conversation, client, metadata); keywords cost a dict per message.
    return Message(found.text, template.direction, template.channel, template.route, found.path, template.principal,
                   template.conversation, template.client, template.metadata)


async def run_fields(extracted: Extracted, payload: bytes | str,
                     run: Chain | Callable[[TextField], Awaitable[ChainResult]], template: Message | None = None,
                     seen: Callable[[TextField, int], None] | None = None,
                     prior: Sequence[ChainResult] = ()) -> Inspection:
    """The one loop over a payload's text fields: stop at the first block, re-encode what changed.

    `run` decides a field: a chain, run over the field as a message made from `template`, or a
    function (a stream's); `seen` is told of every field that passed. A chain may take all of the
    fields to a worker process in one call (`Chain.run_batch`); otherwise every `YIELD_AFTER`
    seconds of filter CPU time the event loop gets a turn, so a payload of many fields delays the
    worker's other clients by one slice at a time, not by all of it. `prior`: the results of the first
    fields, decided already (`gateway.inspect.frames`), taken as if the loop had computed them.
    """
    fields: Sequence[TextField] = extracted.fields
    chars = 0
    html_fields = False
    for found in fields:
        chars += len(found.text)
        if is_html(found.path):  # the filters judge what the client renders (see html_fields.py)
            fields = [TextField(f.path, as_read(f.text)) if is_html(f.path) else f for f in fields]
            chars = sum(len(f.text) for f in fields)
            html_fields = True
            break
    if isinstance(run, Chain) and template is not None and seen is None and not prior:
        least = run.batch_from(template.direction)
        if least is not None and chars >= least:
            batch = await run.run_batch(template, [(found.path, found.text) for found in fields])
            if batch is not None:
                inspection = await _batched(extracted, payload, fields, batch)
                return await _as_shown(inspection, extracted, payload, fields, run, template) if html_fields \
                    else inspection
    results: list[ChainResult] = []
    sources: list[tuple[str, str]] = []
    replacements: dict[int, str] = {}
    computed = 0.0  # CPU the filters spent since this loop last let the event loop run
    for index, found in enumerate(fields):
        if index < len(prior):
            result = prior[index]
        else:
            result = await (run.run(field_message(template, found)) if isinstance(run, Chain) else run(found))
        results.append(result)
        sources.append((found.path, found.text))
        computed += result.cpu
        if computed >= YIELD_AFTER:
            computed = 0.0
            await asyncio.sleep(0)  # other clients' requests run between the fields of a big payload
        if result.action is Action.BLOCK:
            return Inspection(Action.BLOCK, payload, tuple(results), sources=tuple(sources))
        if result.text != found.text:
            replacements[index] = result.text
        if seen is not None:
            seen(found, index)
    if html_fields and isinstance(run, Chain):  # a stream's function reads each piece once, in order: not here
        return await _shown_fields(extracted, payload, fields, results, sources, replacements, run, template)
    if not replacements:
        return Inspection(Action.PASS, payload, tuple(results), sources=tuple(sources))
    return Inspection(Action.MODIFY, await bulk.render(extracted, payload, replacements), tuple(results), payload,
                      tuple(sources))


async def _shown_fields(extracted: Extracted, payload: bytes | str, fields: Sequence[TextField],
                        results: list[ChainResult], sources: list[tuple[str, str]], replacements: dict[int, str],
                        run: Chain, template: Message | None) -> Inspection:
    """The end of `run_fields` for a payload with HTML fields: each also read as shown (`html_fields.shown`).
    A block of that reading blocks the payload; a change of it the HTML reading did not make sends the field
    as the changed text, escaped."""
    for index, found in enumerate(fields):
        if not is_html(found.path):
            continue
        text = shown(found.text)
        if text == found.text:
            continue  # no markup: the HTML reading was this one
        result = await run.run(field_message(template, TextField(found.path, text)))
        if result.action is Action.BLOCK:
            results[index], sources[index] = result, (found.path, text)
            return Inspection(Action.BLOCK, payload, tuple(results), sources=tuple(sources))
        decided = replacements.get(index, found.text)
        if result.text != text and shown(decided) != result.text:
            results[index], sources[index] = result, (found.path, text)
            replacements[index] = escaped(result.text)
    if not replacements:
        return Inspection(Action.PASS, payload, tuple(results), sources=tuple(sources))
    return Inspection(Action.MODIFY, await bulk.render(extracted, payload, replacements), tuple(results), payload,
                      tuple(sources))


async def _as_shown(inspection: Inspection, extracted: Extracted, payload: bytes | str, fields: Sequence[TextField],
                    run: Chain, template: Message) -> Inspection:
    """`_shown_fields` after a batch: the HTML fields read as shown too, unless the batch blocked."""
    if inspection.action is Action.BLOCK:
        return inspection
    results = list(inspection.results)
    replacements = {index: result.text for index, (result, found) in enumerate(zip(results, fields, strict=True))
                    if result.text != found.text}
    return await _shown_fields(extracted, payload, fields, results, list(inspection.sources), replacements, run,
                               template)


async def _batched(extracted: Extracted, payload: bytes | str, fields: Sequence[TextField],
             results: list[ChainResult]) -> Inspection:
    """The inspection of a payload whose fields one worker-process call decided (`Chain.run_batch`)."""
    sources = tuple((found.path, found.text) for found in fields[:len(results)])
    if results and results[-1].action is Action.BLOCK:
        return Inspection(Action.BLOCK, payload, tuple(results), sources=sources)
    replacements = {index: result.text for index, (result, found) in enumerate(zip(results, fields, strict=True))
                    if result.text != found.text}
    if not replacements:
        return Inspection(Action.PASS, payload, tuple(results), sources=sources)
    return Inspection(Action.MODIFY, await bulk.render(extracted, payload, replacements), tuple(results), payload,
                      sources)
