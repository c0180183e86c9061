"""Property tests for the parsers of untrusted bytes in gateway/e2ee: whatever arrives, the answer
is a verdict or a left-alone envelope, never an exception of another kind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.codec import Codec, FieldSelector, Pointer
from gateway.database import open_database
from gateway.e2ee.envelope import Envelope, EnvelopeError
from gateway.e2ee.fields import FieldCrypto
from gateway.e2ee.recognise import Kind, json_kind, xmpp_kinds
from gateway.keyring import KeyService, LocalKek

B64 = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=:+/", max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(B64.map(lambda t: "cg1:" + t), st.text(max_size=80)))
def test_envelope_parse_refuses_cleanly(text: str) -> None:
    try:
        envelope = Envelope.parse(text)
    except EnvelopeError as exc:
        assert exc.reason == "malformed"
    else:
        assert len(envelope.nonce) == 12 and len(envelope.ciphertext) >= 16


XML_PIECES = st.sampled_from([
    "<message xmlns='jabber:client'>", "</message>", "<body>", "</body>", "hi", "&amp;", "&x;",
    "<encrypted xmlns='urn:xmpp:omemo:2'>", "<encrypted xmlns='eu.siacs.conversations.axolotl'/>", "</encrypted>",
    "<body xmlns='http://jabber.org/protocol/httpbind'>", "<!DOCTYPE a>", "<?pi?>", "<!-- c -->", "<", ">", "'",
    "<presence>", "</presence>", "\x00", "é",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(XML_PIECES, max_size=12).map("".join))
def test_xmpp_recognition_never_raises(stanza: str) -> None:
    kinds = xmpp_kinds(stanza.encode())
    assert kinds and kinds <= set(Kind)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=60), st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["ciphertext", "x", "*"]),
                                                                 inner, max_size=3),
    max_leaves=8).map(orjson.dumps)))
def test_json_recognition_never_raises(payload: bytes) -> None:
    assert json_kind(payload, (Pointer.parse("/ciphertext"), Pointer.parse("/*/ciphertext"))) in set(Kind)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(B64.map(lambda t: "cg1:" + t), min_size=1, max_size=4))
def test_opening_hostile_envelopes_leaves_them_alone(tmp_path: Path, texts: list[str]) -> None:
    async def run() -> None:
        db = open_database(f"sqlite:///{tmp_path}/keys.db")
        await db.open()
        try:
            keys = KeyService(db, LocalKek(bytes(32)))
            await keys.setup()
            page = orjson.dumps({"chunk": [{"body": text} for text in texts]})
            reasons: list[str] = []
            opened = await FieldCrypto(keys).open(Codec(FieldSelector(json=("/chunk/*/body",))), page, None,
                                                  reasons.append, content_type="application/json")
            assert opened == page and len(reasons) == len(texts)
        finally:
            await db.aclose()
    asyncio.run(run())
