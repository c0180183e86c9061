"""Tests of the example plugin, written the way a plugin author would, with filters.testing."""

import pytest
from chatguard_example_filter import TicketMask

from filters import Action, Direction, OptionsError
from filters.testing import check_filter, make_filter, run_filter


async def test_passes_the_conformance_battery() -> None:
    await check_filter(TicketMask)


@pytest.mark.parametrize(("text", "expected"), [
    ("see OPS-1234 for details", "see [ticket] for details"),
    ("sec-7 and INC-99.", "[ticket] and [ticket]."),
    ("no tickets here", "no tickets here"),
    ("OPS-1234x is not a key", "OPS-1234x is not a key"),
])
async def test_masks_references_in_replies(text: str, expected: str) -> None:
    verdict = await run_filter(TicketMask, text, direction="outbound")
    assert (verdict.text or text) == expected


async def test_leaves_inbound_messages_alone() -> None:
    assert not make_filter(TicketMask).handles(Direction.INBOUND)
    assert (await run_filter(TicketMask, "see OPS-1", direction="inbound")).action is Action.PASS


async def test_options_are_checked_with_the_key_path() -> None:
    with pytest.raises(OptionsError, match=r"^filters.ticket_mask.options.prefixes\[0\]: expected letters"):
        make_filter(TicketMask, {"prefixes": ["OPS-"]})


async def test_custom_prefix_and_placeholder() -> None:
    verdict = await run_filter(TicketMask, "JIRA-5 done", options={"prefixes": ["jira"], "placeholder": "#"},
                               direction="outbound")
    assert verdict.action is Action.MODIFY
    assert verdict.text == "# done"


def test_is_discovered_through_the_entry_point() -> None:
    # By name, as a config's `use: ticket_mask` would load it.
    assert type(make_filter("ticket_mask")) is TicketMask
