"""Recognising end-to-end encrypted client messages per protocol, and what the policy makes of them."""

from __future__ import annotations

import pytest

from gateway.codec import Pointer
from gateway.e2ee.policy import FORBIDDEN, REQUIRED, E2EERule, refusal_for
from gateway.e2ee.recognise import Kind, Recogniser, json_kind, xmpp_kinds

OMEMO_LEGACY = (
    "<message xmlns='jabber:client' to='juliet@example.com' type='chat' id='m1'>"
    "<encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='27183'>"
    "<key rid='31415'>BASE64ENCODED...</key><iv>BASE64ENCODED...</iv></header>"
    "<payload>BASE64ENCODED</payload></encrypted>"
    "<body>I sent you an OMEMO encrypted message but your client doesn't seem to support that.</body>"
    "<store xmlns='urn:xmpp:hints'/></message>")
OMEMO_2 = ("<message xmlns='jabber:client' to='juliet@example.com' type='chat'>"
           "<encrypted xmlns='urn:xmpp:omemo:2'><header sid='27183'><keys jid='juliet@example.com'>"
           "<key rid='31415'>b64</key></keys></header><payload>b64</payload></encrypted></message>")
PLAIN = "<message xmlns='jabber:client' to='juliet@example.com'><body>hello</body></message>"


@pytest.mark.parametrize(("stanza", "kinds"), [
    (OMEMO_LEGACY, {Kind.ENCRYPTED}),
    (OMEMO_2, {Kind.ENCRYPTED}),
    (PLAIN, {Kind.PLAINTEXT}),
    ("<presence xmlns='jabber:client'><status>away</status></presence>", {Kind.NONE}),
    ("<message xmlns='jabber:client'><active xmlns='http://jabber.org/protocol/chatstates'/></message>", {Kind.NONE}),
    # an element named `encrypted` in another namespace is no OMEMO: the body is plaintext
    ("<message xmlns='jabber:client'><encrypted xmlns='urn:example:fake'/><body>hi</body></message>",
     {Kind.PLAINTEXT}),
    # OMEMO nested deeper than a direct child (inside a carbon) does not make the stanza encrypted
    ("<message xmlns='jabber:client'><body>hi</body><x><encrypted xmlns='urn:xmpp:omemo:2'/></x></message>",
     {Kind.PLAINTEXT}),
    ("<body xmlns='http://jabber.org/protocol/httpbind' rid='1' sid='s'>" + OMEMO_2 + PLAIN + "</body>",
     {Kind.ENCRYPTED, Kind.PLAINTEXT}),
    ("", {Kind.NONE}),
    ("<message><body>unclosed</message>", {Kind.NONE}),          # the XMPP codec refuses it
    ("<!DOCTYPE m [<!ENTITY a 'x'>]><message><body>&a;</body></message>", {Kind.NONE}),  # never expanded
])
def test_xmpp_stanzas(stanza: str, kinds: set[Kind]) -> None:
    assert xmpp_kinds(stanza.encode()) == kinds


CIPHER = (Pointer.parse("/ciphertext"), Pointer.parse("/parts/*/sealed"))


@pytest.mark.parametrize(("body", "kind"), [
    ('{"ciphertext":"AAEC","room":"r"}', Kind.ENCRYPTED),
    ('{"parts":[{"x":1},{"sealed":"AAEC"}]}', Kind.ENCRYPTED),
    ('{"text":"hello"}', Kind.PLAINTEXT),
    ('{"ciphertext":""}', Kind.PLAINTEXT),            # an empty string hides nothing
    ('{"ciphertext":12}', Kind.PLAINTEXT),            # not a string: not ciphertext
    ('{"ciphertext":{"a":"b"}}', Kind.PLAINTEXT),
    ("not json", Kind.NONE),                           # the route's codec refuses it
    ('{"text":"hi","n":1e400}', Kind.PLAINTEXT),       # read as the codec reads it: no way around the policy
    ('{"text":"hi","n":123456789012345678901234567890}', Kind.PLAINTEXT),
])
def test_generic_json_pointer(body: str, kind: Kind) -> None:
    assert json_kind(body.encode(), CIPHER) == kind


@pytest.mark.parametrize(("event_type", "kind"), [
    ("m.room.encrypted", Kind.ENCRYPTED), ("m.room.message", Kind.PLAINTEXT), ("m.sticker", Kind.PLAINTEXT),
    ("m.room.encrypted.x", Kind.PLAINTEXT), ("M.ROOM.ENCRYPTED", Kind.PLAINTEXT),
])
def test_matrix_event_type_from_the_path(event_type: str, kind: Kind) -> None:
    recogniser = Recogniser(event_type="type")
    assert recogniser.kinds({"room": "!r:x", "type": event_type}, b'{"body":"x"}') == {kind}


@pytest.mark.parametrize(("policy", "kinds", "reason"), [
    ("require", {Kind.PLAINTEXT}, REQUIRED),
    ("require", {Kind.ENCRYPTED, Kind.PLAINTEXT}, REQUIRED),
    ("require", {Kind.ENCRYPTED}, None),
    ("require", {Kind.NONE}, None),
    ("forbid", {Kind.ENCRYPTED}, FORBIDDEN),
    ("forbid", {Kind.PLAINTEXT}, None),
    ("allow", {Kind.ENCRYPTED, Kind.PLAINTEXT}, None),
])
def test_policy(policy: str, kinds: set[Kind], reason: str | None) -> None:
    refusal = refusal_for(policy, frozenset(kinds))  # type: ignore[arg-type]
    assert (refusal.reason if refusal is not None else None) == reason


def test_rule_reports_what_it_found() -> None:
    rule = E2EERule("require", Recogniser(omemo=True))
    kinds, refusal = rule.check({}, PLAIN.encode())
    assert kinds == {Kind.PLAINTEXT} and refusal is not None and refusal.reason == REQUIRED
    assert rule.check({}, OMEMO_LEGACY) == (frozenset({Kind.ENCRYPTED}), None)
