"""A payload's fields decided in place while every filter passes each of them at once.

Most payloads (an HTTP chat body, a WebSocket frame) carry a field or two that every filter passes
without awaiting anything. For them the steps run here, one after another, building no chain result
or inspection: the caller forwards the payload as it came. At the first step that answers anything
else (or awaits), the general loop (`run_fields`) takes over from that very step with what was
decided so far, so no filter runs twice and the inspection is the one `run_fields` gives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any

from filters import Action, Chain, ChainResult, Message, Step
from gateway.codec import Extracted, TextField
from gateway.codec.shapes import Shapes
from gateway.inspect.html_fields import HTML_ENDINGS, is_html
from gateway.inspect.inspection import YIELD_AFTER, Inspection, field_message, run_fields

__all__ = ["one_passed_now", "passed_at_once", "reads_html"]

_HTML_ENDINGS = HTML_ENDINGS  # what a path `is_html` reads must end with: one C call rules most out


def reads_html(fields: Sequence[TextField]) -> bool:
    """Whether one of `fields` is read as HTML (`run_fields` reads it as the client renders it)."""
    return any(found.path.endswith(_HTML_ENDINGS) and is_html(found.path) for found in fields)


async def passed_at_once(extracted: Extracted, payload: bytes | str, chain: Chain, steps: Sequence[Step],
                         template: Message, batch_from: int | None) -> Inspection | None:
    """None when every step (`chain`'s for the template's direction) passed every field of `extracted` at
    once; otherwise the inspection `run_fields` gives for `payload`. `batch_from`: `chain.batch_from`.
    `template` may be the message of the first field itself (only what every message of the payload shares
    is read from it, as `field_message` does).
    Raises `CodecError` as `run_fields` does (an HTML field that cannot be read as plain letters)."""
    fields = extracted.fields
    chars = 0
    for found in fields:
        if found.path.endswith(_HTML_ENDINGS) and is_html(found.path):
            return await run_fields(extracted, payload, chain, template)
        chars += len(found.text)
    if batch_from is not None and chars >= batch_from:  # the worker-process batch may take it
        return await run_fields(extracted, payload, chain, template)
    begin = chain.begin
    spents: list[float] = []  # CPU per field decided so far: their chain results, should they be needed
    computed = 0.0
    for found in fields:
        # A template made as this field's own message (`Exchange.field_message`) is that message.
        message = template if found.text is template.text and found.path is template.field else \
            field_message(template, found)
        spent = 0.0
        number = 0
        for step in steps:
            called = begin(step, message)
            if type(called) is not tuple or called[0] is not step.passed:
                prior = _prior(fields, spents, steps)
                prior.append(await chain.resume(message, number, called, spent))
                return await run_fields(extracted, payload, chain, template, prior=prior)
            spent += called[2]
            number += 1
        spents.append(spent)
        computed += spent
        if computed >= YIELD_AFTER:
            computed = 0.0
            await asyncio.sleep(0)  # as between the fields of any payload
    return None


def one_passed_now(payload: bytes | str, text: str, found: tuple[str, str, int, int], chain: Chain,
                   steps: Sequence[Step], template: Message, batch_from: int | None,
                   encoding: str = "utf-8") -> Coroutine[Any, Any, Inspection] | None:
    """`passed_at_once` for `payload` (a text frame, or a body read as `text` in `encoding`) whose one field a
    shape read (`Shapes.one`: `found`), without a coroutine or the `Extracted` around the field: None when every
    step passed it at once; else the coroutine that gives the inspection, the `Extracted` made for it
    (`Shapes.spliced`): a step answered anything else (it is not run again), or the field is not one to decide
    here (HTML, or long enough for the worker-process batch). `template` may be the field's own message, as for
    `passed_at_once`."""
    path, value = found[0], found[1]
    if (path.endswith(_HTML_ENDINGS) and is_html(path)) or (batch_from is not None and len(value) >= batch_from):
        return run_fields(Shapes.spliced(text, found, payload, encoding), payload, chain, template)
    # `field_message`'s message, made without the field around the text (or the template itself, made as it)
    message = template if value is template.text and path is template.field else \
        Message(value, template.direction, template.channel, template.route, path, template.principal,
                template.conversation, template.client, template.metadata)
    begin = chain.begin
    spent = 0.0
    number = 0
    for step in steps:
        called = begin(step, message)
        if type(called) is not tuple or called[0] is not step.passed:
            return _handed_over(Shapes.spliced(text, found, payload, encoding), payload, chain, template, message,
                                number, called, spent)
        spent += called[2]
        number += 1
    return None


async def _handed_over(extracted: Extracted, payload: bytes | str, chain: Chain, template: Message, message: Message,
                       number: int, called: Any, spent: float) -> Inspection:
    """The general loop from step `number` of the payload's one field on (that step answered `called`)."""
    first = await chain.resume(message, number, called, spent)
    return await run_fields(extracted, payload, chain, template, prior=[first])


def _prior(fields: Sequence[TextField], spents: list[float], steps: Sequence[Step]) -> list[ChainResult]:
    """The chain results of the first fields, which every filter passed at once (`spents`: their CPU)."""
    passed = tuple(step.passed for step in steps)
    return [ChainResult(Action.PASS, found.text, passed, (), spent) for found, spent in zip(fields, spents,
                                                                                              strict=False)]
