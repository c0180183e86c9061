"""`encrypt_fields: {xmpp: true}` on a real key service (SQLite): message bodies sealed and opened
again, tampered envelopes left sealed, XHTML-IM copies refused, OMEMO stanzas untouched."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.codec import Codec, FieldSelector
from gateway.database import open_database
from gateway.e2ee.envelope import scope
from gateway.e2ee.fields import FieldCrypto, SealRefused, field_name
from gateway.e2ee.xmpp_fields import conversation_of
from gateway.keyring import KeyService, LocalKek
from tests.gateway.e2ee.test_recognise import OMEMO_2, OMEMO_LEGACY

KEK = LocalKek(bytes(range(7, 39)))
XMPP = Codec(FieldSelector(xmpp=True))
ENVELOPE = re.compile(r"cg1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22,}")
CHAT = ("<message xmlns='jabber:client' to='Juliet@Example.com/balcony' type='chat' id='m1'>"
        "<body>meet me at 4 &amp; bring the key</body><subject>plans</subject>"
        "<active xmlns='http://jabber.org/protocol/chatstates'/></message>")


class Failures(list[str]):
    def __call__(self, reason: str) -> None:
        self.append(reason)


@pytest.fixture
async def crypto(tmp_path: Path) -> AsyncIterator[FieldCrypto]:
    db = open_database(f"sqlite:///{tmp_path}/keys.db")
    await db.open()
    service = KeyService(db, KEK)
    await service.setup()
    yield FieldCrypto(service)
    await db.aclose()


def body_of(stanza: str | bytes) -> str:
    text = stanza if isinstance(stanza, str) else stanza.decode()
    found = re.search(r"<body>([^<]*)</body>", text)
    assert found is not None, text
    return found.group(1)


async def test_bodies_are_sealed_and_open_again(crypto: FieldCrypto) -> None:
    sealed = await crypto.seal_xmpp(XMPP, CHAT, "", frame=True)
    assert isinstance(sealed, str)
    assert ENVELOPE.fullmatch(body_of(sealed)) and "bring the key" not in sealed
    assert "<subject>plans</subject>" in sealed and sealed.endswith("chatstates'/></message>")  # the rest as sent
    # the backend echoes it, as a contact's server would deliver it (with a from)
    delivered = sealed.replace("<message ", "<message from='romeo@example.net/orchard' ", 1)
    failures = Failures()
    opened = await crypto.open(XMPP, delivered, None, failures, frame=True)
    assert body_of(opened) == "meet me at 4 &amp; bring the key" and failures == []
    # the key belongs to the stanza's conversation: the bare `to` (clients leave `from` out)
    key = await crypto.keys.current(scope("xmpp:juliet@example.com"))
    assert key.id in body_of(sealed)


async def test_forwarded_bodies_are_sealed_too(crypto: FieldCrypto) -> None:
    stanza = ("<message xmlns='jabber:client' to='a@x'><body>mine</body><forwarded xmlns='urn:xmpp:forward:0'>"
              "<message xmlns='jabber:client' to='b@x'><body>quoted secret</body></message></forwarded></message>")
    sealed = await crypto.seal_xmpp(XMPP, stanza, "", frame=True)
    assert isinstance(sealed, str) and "mine" not in sealed and "quoted secret" not in sealed
    assert len(ENVELOPE.findall(sealed)) == 2
    assert "quoted secret" in str(await crypto.open(XMPP, sealed, None, Failures(), frame=True))


async def test_tampered_and_moved_envelopes_stay_sealed_and_are_counted(crypto: FieldCrypto) -> None:
    sealed = str(await crypto.seal_xmpp(XMPP, CHAT, "", frame=True))
    envelope = body_of(sealed)
    tampered = sealed.replace(envelope, envelope[:-4] + ("AAAA" if not envelope.endswith("AAAA") else "BBBB"))
    failures = Failures()
    assert await crypto.open(XMPP, tampered, None, failures, frame=True) == tampered
    moved = f"<message xmlns='jabber:client'><subject>{envelope}</subject></message>"  # bound to `body`
    assert await crypto.open(XMPP, moved, None, failures, frame=True) == moved
    assert failures == ["tampered", "tampered"]


@pytest.mark.parametrize("html", [
    "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
    "<p>the <b>same</b> words</p></body></html>",
    "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
    "<img src='cid:1' alt='a secret caption'/></body></html>",
], ids=["text", "alt"])
async def test_an_xhtml_im_copy_is_refused(crypto: FieldCrypto, html: str) -> None:
    stanza = f"<message xmlns='jabber:client' to='a@x'><body>the same words</body>{html}</message>"
    with pytest.raises(SealRefused) as refused:
        await crypto.seal_xmpp(XMPP, stanza, "", frame=True)
    assert "XHTML-IM" in refused.value.reason


@pytest.mark.parametrize("stanza", [OMEMO_LEGACY, OMEMO_2], ids=["axolotl", "omemo2"])
async def test_omemo_stanzas_are_untouched(crypto: FieldCrypto, stanza: str) -> None:
    assert await crypto.seal_xmpp(XMPP, stanza, "", frame=True) == stanza


@pytest.mark.parametrize("stanza", [
    "<presence xmlns='jabber:client'><status>away</status></presence>",
    "<iq xmlns='jabber:client' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
    "<message xmlns='jabber:client' to='a@x'><body>   </body></message>",
    "",
])
async def test_stanzas_without_a_body_pass_as_they_are(crypto: FieldCrypto, stanza: str) -> None:
    assert await crypto.seal_xmpp(XMPP, stanza, "", frame=True) == stanza


async def test_a_planted_envelope_is_sealed_again(crypto: FieldCrypto) -> None:
    first = body_of(str(await crypto.seal_xmpp(XMPP, CHAT, "", frame=True)))
    again = str(await crypto.seal_xmpp(XMPP, f"<message xmlns='jabber:client' to='a@x'><body>{first}</body></message>",
                                       "", frame=True))
    assert body_of(again) != first
    assert body_of(await crypto.open(XMPP, again, None, Failures(), frame=True)) == first


async def test_outside_a_websocket_frame_nothing_is_forwarded_unsealed(crypto: FieldCrypto) -> None:
    with pytest.raises(SealRefused):
        await crypto.seal_xmpp(XMPP, CHAT.encode(), "", frame=False)


@pytest.mark.parametrize(("route", "stanza", "expected"), [
    ("room-1", CHAT, "room-1"),
    ("", "<message to='b@X/r' from='a@x/phone'/>", "xmpp:a@x b@x"),
    ("", "<message from='b@x' to='a@x'/>", "xmpp:a@x b@x"),
    ("", "<message to='room@muc.x' type='groupchat'/>", "xmpp:room@muc.x"),
    ("", "<message/>", "xmpp:"),
    ("", "not xml", "xmpp:"),
])
def test_conversation_of_a_stanza(route: str, stanza: str, expected: str) -> None:
    assert conversation_of(route, stanza.encode()) == expected


def test_field_names_of_xmpp_paths() -> None:
    assert field_name("message/body") == "body"
    assert field_name("message/sent/forwarded/message/body") == "body"
    assert field_name("/content/body") == "body"
