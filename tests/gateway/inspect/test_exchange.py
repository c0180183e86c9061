"""The exchange: what the dispatcher learnt about one request, and the message template built from it."""

from __future__ import annotations

import pytest

from filters import Channel, Direction
from tests.gateway.enforce._exchange import ALICE, exchange


def test_limits_and_bans_count_by_the_address_unless_the_dispatcher_gave_a_key() -> None:
    plain = exchange()
    assert plain.client_key == plain.client == "198.51.100.7"
    keyed = exchange()
    keyed.client, keyed.client_key = "2001:db8::1", "2001:db8::/64"
    assert keyed.client_key == "2001:db8::/64"


def test_the_channel_follows_the_upgrade_decided_once() -> None:
    assert exchange().channel is Channel.HTTP
    assert exchange(websocket=True).channel is Channel.WS


def test_a_message_template_carries_who_where_and_which_request_but_no_text() -> None:
    ex = exchange()
    template = ex.message(Direction.OUTBOUND, Channel.WS)
    assert (template.text, template.direction, template.channel) == ("", Direction.OUTBOUND, Channel.WS)
    assert (template.route, template.principal, template.conversation, template.client) == \
        ("chat", ALICE, "room", "198.51.100.7")
    assert template.metadata == {"request_id": "rid-1"}
    assert ex.message(Direction.INBOUND).channel is Channel.HTTP  # HTTP unless told


def test_a_filter_cannot_write_into_the_shared_template_for_the_next_message() -> None:
    ex = exchange()
    first = ex.message(Direction.INBOUND, Channel.WS).with_text("hello")
    with pytest.raises(TypeError):
        first.metadata["verified"] = True  # type: ignore[index]
    with pytest.raises(TypeError):
        del first.metadata["request_id"]  # type: ignore[attr-defined]
    following = ex.message(Direction.INBOUND, Channel.WS).with_text("next")
    assert following.metadata == {"request_id": "rid-1"}


def test_gateway_credentials_and_identity_headers_start_empty() -> None:
    ex = exchange()
    assert ex.session is None and ex.expires is None
    assert dict(ex.identity) == {}
