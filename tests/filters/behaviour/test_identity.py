import pytest

from filters import Principal
from filters.behaviour.identity import Actor, network
from filters.testing import tmessage


@pytest.mark.parametrize(("address", "expected"), [
    ("203.0.113.77", "203.0.113.0/24"),
    ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
    ("::ffff:203.0.113.9", "203.0.113.0/24"),
    ("unix-socket", "unix-socket"),
])
def test_network(address: str, expected: str) -> None:
    assert network(address, 24, 48) == expected


def test_anonymous_senders_are_keyed_by_address() -> None:
    actor = Actor.of(tmessage("hi", client="198.51.100.4"))
    assert actor.subject == "ip:198.51.100.4" and not actor.known


def test_hostile_subjects_are_hashed_into_bounded_keys() -> None:
    actor = Actor.of(tmessage("hi", client="198.51.100.4", principal=Principal("a|b " + "x" * 500, frozenset({"u"}))))
    assert len(actor.subject) < 40 and "|" not in actor.subject and actor.known
