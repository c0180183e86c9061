"""The loop over a payload's fields: one chain run per field, and the event loop gets turns between them."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from filters import (
    ANONYMOUS,
    PASS,
    Action,
    Chain,
    Channel,
    Direction,
    Filter,
    Message,
    Principal,
    Step,
    Verdict,
)
from filters.testing import make_filter, tmessage
from gateway.codec import Codec, FieldSelector, TextField
from gateway.inspect.inspection import YIELD_AFTER, field_message, inspect
from tests.filters.test_budget import spin


class Busy(Filter):
    """Computes for one yield slice per field, then passes."""

    name = "busy"

    async def inspect(self, message: Message) -> Verdict:
        spin(YIELD_AFTER)
        return PASS


async def test_other_tasks_run_between_the_fields_of_a_costly_payload() -> None:
    codec = Codec.for_selector(FieldSelector(json=("/m/*",)))
    assert codec is not None
    payload = b'{"m": [' + b", ".join(b'"x"' for _ in range(20)) + b"]}"
    turns = 0
    stop = asyncio.Event()

    async def neighbour() -> None:
        nonlocal turns
        while not stop.is_set():
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(neighbour(), name="neighbour")
    await asyncio.sleep(0)
    started = turns
    result = await inspect(codec, Chain([Step("busy", Busy(), 1.0)]), payload, tmessage(""),
                           content_type="application/json")
    stop.set()
    await other
    assert result.action is Action.PASS and len(result.results) == 20
    assert turns - started >= 10  # about one turn per field; without yielding it would be none


def test_afield_message_is_the_template_with_the_field_text_and_path() -> None:
    template = Message(text="", direction=Direction.OUTBOUND, channel=Channel.WS, route="chat", field="",
                       principal=Principal("alice", frozenset({"agent"})), conversation="room", client="198.51.100.7",
                       metadata={"request_id": "rid"})
    made = field_message(template, TextField("/items/0/text", "hello"))
    assert made == replace(template, text="hello", field="/items/0/text")
    assert made.principal is not ANONYMOUS and made.metadata is template.metadata


async def test_an_html_field_is_judged_as_shown_too() -> None:
    """Markup between the digits hides a card number from a reading of the HTML; the client shows it whole.
    Whichever reading finds it, nothing of it goes out; one whose value sits in one run keeps its markup."""
    codec = Codec.for_selector(FieldSelector(json=("/formatted_body",)))
    assert codec is not None
    masking = make_filter("masking", {"detect": ["card"]})
    chain = Chain([Step("masking", masking, 1.0)])
    split = b'{"formatted_body":"<p>card <b>4111</b> 1111 1111 1111 &amp; more</p>"}'
    result = await inspect(codec, chain, split, tmessage(""), content_type="application/json")
    assert result.action is Action.MODIFY
    assert b"4111" not in result.payload and b"1111 1111 1111" not in result.payload
    assert b"&amp; more" in result.payload
    whole = b'{"formatted_body":"<p>card <b>4111 1111 1111 1111</b> &amp; more</p>"}'
    result = await inspect(codec, chain, whole, tmessage(""), content_type="application/json")
    assert result.action is Action.MODIFY
    assert b"4111" not in result.payload and b"<p>card <b>" in result.payload
    plain = b'{"formatted_body":"<p>nothing <b>to</b> see</p>"}'
    result = await inspect(codec, chain, plain, tmessage(""), content_type="application/json")
    assert result.action is Action.PASS and result.payload is plain


async def test_a_card_split_over_two_fields_of_a_json_body_is_masked_in_both() -> None:
    """The masker reads one field at a time; a field named for a card that holds a number alone is one."""
    codec = Codec.for_selector(FieldSelector(json=("/*",)))
    assert codec is not None
    chain = Chain([Step("masking", make_filter("masking", {}), 1.0)])
    body = b'{"card1": "4111 1111", "card2": "1111 1111", "note": "4111 1111", "qty": "12345678"}'
    result = await inspect(codec, chain, body, tmessage(""), content_type="application/json")
    assert result.action is Action.MODIFY
    assert b'"card1":"[CARD]"' in result.payload.replace(b" ", b"")
    assert b'"card2":"[CARD]"' in result.payload.replace(b" ", b"")
    assert b"4111 1111" in result.payload and b"12345678" in result.payload  # fields not named for a card
