"""XMPP stanzas (RFC 6120/6121 shapes, RFC 7395 framing): body text, and hostile XML refused."""

from __future__ import annotations

import pytest

from gateway.codec import CodecError, Extracted, TextField
from gateway.codec.xmpp import extract_xmpp

MESSAGE = ("<message xmlns='jabber:client' from='juliet@example.com/balcony' id='ktx72v49' "
           "to='romeo@example.net' type='chat' xml:lang='en'><body>Art thou not Romeo, &amp; a Montague?</body>"
           "<thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread></message>")
CARBON = ("<message xmlns='jabber:client' from='romeo@montague.example' to='romeo@montague.example/home' "
          "type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
          "<message xmlns='jabber:client' from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' "
          "type='chat'><body>What man art thou?</body><thread>0e3141cd80894871a68e6fe6b1ec56fa</thread></message>"
          "</forwarded></received></message>")
BOSH = ("<body rid='1249243562' sid='SomeSID' xmlns='http://jabber.org/protocol/httpbind'>"
        "<message to='contact@example.com' xmlns='jabber:client'><body>I said &quot;Hi!&quot;</body></message>"
        "<message to='friend@example.com' xmlns='jabber:client'><body>I said &quot;Hi!&quot;</body></message>"
        "</body>")


def extract(stanza: str | bytes) -> tuple[list[TextField], Extracted]:
    data = stanza.encode() if isinstance(stanza, str) else stanza
    fields: list[TextField] = []
    render = extract_xmpp(data, fields)
    return fields, Extracted(stanza, fields, render or (lambda changes: None))


@pytest.mark.parametrize(("stanza", "expected"), [
    (MESSAGE, [("message/body", "Art thou not Romeo, & a Montague?")]),
    (CARBON, [("message/received/forwarded/message/body", "What man art thou?")]),
    (BOSH, [("body/message/body", 'I said "Hi!"'), ("body/message/body", 'I said "Hi!"')]),
    ("<message xmlns='jabber:client'><subject>Plot</subject><body xml:lang='en'>a</body>"
     "<body xml:lang='fr'>b</body></message>", [("message/subject", "Plot"), ("message/body", "a"),
                                                 ("message/body", "b")]),
    ("<cli:message xmlns:cli='jabber:client'><cli:body>prefixed</cli:body></cli:message>",
     [("message/body", "prefixed")]),
    ("<message xmlns='jabber:client'><body><![CDATA[<b>x</b> & y]]></body></message>",
     [("message/body", "<b>x</b> & y")]),
    ("<message xmlns='jabber:client'><body>caf&#xE9; &#233;</body></message>", [("message/body", "café é")]),
    ("<message xmlns='jabber:client'><body/><body></body><body> </body></message>", []),
    ("<message xmlns='jabber:client'><body>plain</body><html xmlns='http://jabber.org/protocol/xhtml-im'>"
     "<body xmlns='http://www.w3.org/1999/xhtml'><p>rich <em>text</em> &amp; more</p><br/>tail</body></html>"
     "</message>", [("message/body", "plain"), ("message/html/body", "rich "), ("message/html/body", "text"),
                    ("message/html/body", " & more"), ("message/html/body", "tail")]),
    ("<message xmlns='jabber:client'><html xmlns='http://jabber.org/protocol/xhtml-im'>"
     "<body xmlns='http://www.w3.org/1999/xhtml'><img src='https://x.example/a alt=\"decoy\"' "
     "alt='the real alt'/></body></html></message>", [("message/html/body/img@alt", "the real alt")]),
    ("<message xmlns='jabber:client'><body>see link</body><x xmlns='jabber:x:oob'>"
     "<url>https://files.example/forbidden.pdf</url><desc>the description</desc></x></message>",
     [("message/body", "see link"), ("message/x/desc", "the description")]),
    ("<presence xmlns='jabber:client'><show>away</show><status>out for lunch</status>"
     "<nick xmlns='http://jabber.org/protocol/nick'>Ann</nick></presence>",
     [("presence/status", "out for lunch"), ("presence/nick", "Ann")]),
    ("<message xmlns='jabber:client'><x xmlns='http://jabber.org/protocol/muc#user'>"
     "<invite to='x@example.org'><reason>join us</reason></invite></x></message>",
     [("message/x/invite/reason", "join us")]),
    ("<message xmlns='jabber:client'><reactions id='744f6e18' xmlns='urn:xmpp:reactions:0'>"
     "<reaction>ok</reaction></reactions></message>", [("message/reactions/reaction", "ok")]),
    ("<iq type='set' xmlns='jabber:client'><query xmlns='http://jabber.org/protocol/muc#owner'>"
     "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:x</value></field>"
     "<field var='muc#roomconfig_roomdesc'><value>room about cards</value></field>"
     "<field var='muc#roomconfig_persistentroom' type='boolean'><value>1</value></field></x></query></iq>",
     [("iq/query/x/field/value", "room about cards")]),
    ("<iq type='get' xmlns='jabber:client'><request xmlns='urn:xmpp:http:upload:0' filename='plan.pdf' "
     "size='23456' content-type='application/pdf'/></iq>", [("iq/request@filename", "plan.pdf")]),
    # text other users see, carried by extensions: a direct invitation's reason attribute, moderation
    # reasons, a call's end reason, abuse reports, location notes
    ("<message xmlns='jabber:client' to='b@example.org'><x xmlns='jabber:x:conference' jid='r@muc.example.org' "
     "reason='come see the cards'/></message>", [("message/x@reason", "come see the cards")]),
    ("<iq type='set' xmlns='jabber:client'><moderate id='m1' xmlns='urn:xmpp:message-moderate:1'>"
     "<retract xmlns='urn:xmpp:message-retract:1'/><reason>spam about cards</reason></moderate></iq>",
     [("iq/moderate/reason", "spam about cards")]),
    ("<message xmlns='jabber:client' type='groupchat'><retract id='m1' xmlns='urn:xmpp:message-retract:1'>"
     "<moderated by='r@muc.example.org/mod' xmlns='urn:xmpp:message-moderate:1'/><reason>off topic</reason>"
     "</retract><moderated xmlns='urn:xmpp:message-moderate:0'><reason>off topic too</reason></moderated></message>",
     [("message/retract/reason", "off topic"), ("message/moderated/reason", "off topic too")]),
    ("<iq type='set' xmlns='jabber:client'><jingle xmlns='urn:xmpp:jingle:1' sid='a'>"
     "<reason><success/><text>call me at the number</text></reason></jingle></iq>",
     [("iq/jingle/reason/text", "call me at the number")]),
    ("<iq type='set' xmlns='jabber:client'><block xmlns='urn:xmpp:blocking'><item jid='s@example.org'>"
     "<report xmlns='urn:xmpp:reporting:1' reason='urn:xmpp:reporting:abuse'><text>he said things</text>"
     "</report></item></block></iq>", [("iq/block/item/report/text", "he said things")]),
    ("<iq type='set' xmlns='jabber:client'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish "
     "node='http://jabber.org/protocol/geoloc'><item><geoloc xmlns='http://jabber.org/protocol/geoloc'>"
     "<description>home</description><text>the blue door</text></geoloc></item></publish></pubsub></iq>",
     [("iq/pubsub/publish/item/geoloc/description", "home"), ("iq/pubsub/publish/item/geoloc/text", "the blue door")]),
    ("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>", []),
    ("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", []),
    ("<iq type='get' id='1' xmlns='jabber:client'><query xmlns='jabber:iq:roster'/></iq>", []),
    ("<?xml version='1.0' encoding='utf-8'?><message xmlns='jabber:client'><body>é</body></message>",
     [("message/body", "é")]),
    ("", []), ("  \n", []),
])
def test_extract(stanza: str, expected: list[tuple[str, str]]) -> None:
    fields, extracted = extract(stanza)
    assert [(f.path, f.text) for f in fields] == expected
    assert extracted.render({}) is stanza


def test_render_changes_only_the_body_text() -> None:
    fields, extracted = extract(MESSAGE)
    out = extracted.render({0: "Art thou <redacted> & more"})
    assert out == MESSAGE.replace("Art thou not Romeo, &amp; a Montague?", "Art thou &lt;redacted&gt; &amp; more")


def test_render_bytes_and_attribute_with_gt() -> None:
    stanza = b"<message xmlns='jabber:client' id='a>b' to=\"x'y\"><body>secret</body></message>"
    fields, extracted = extract(stanza)
    assert extracted.render({0: "***"}) == stanza.replace(b"secret", b"***")


def test_render_one_of_several_bodies() -> None:
    fields, extracted = extract(BOSH)
    out = extracted.render({1: "bye\r"})
    assert isinstance(out, str)
    assert out == BOSH[:BOSH.rindex("I said")] + "bye&#13;" + BOSH[BOSH.rindex("</body></message>"):]


def test_render_refuses_text_xml_cannot_carry() -> None:
    fields, extracted = extract(MESSAGE)
    with pytest.raises(CodecError):
        extracted.render({0: "nul\x00"})


XXE = ("<?xml version='1.0'?><!DOCTYPE message [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
       "<message xmlns='jabber:client'><body>&xxe;</body></message>")
LAUGHS = ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
          + "".join(f"<!ENTITY lol{i} '{('&lol' + str(i - 1) + ';') * 10 if i > 1 else '&lol;' * 10}'>"
                    for i in range(1, 10))
          + "]><message xmlns='jabber:client'><body>&lol9;</body></message>")


@pytest.mark.parametrize(("stanza", "message"), [
    (XXE, "DTD"),
    (LAUGHS, "DTD"),
    ("<!DOCTYPE message SYSTEM 'http://evil.example/x.dtd'><message/>", "DTD"),
    ("<message xmlns='jabber:client'><body>&undefined;</body></message>", "invalid XML"),
    ("<message xmlns='jabber:client'><!-- hidden --><body>x</body></message>", "comment"),
    ("<message xmlns='jabber:client'><?php evil() ?><body>x</body></message>", "processing instruction"),
    ("<message xmlns='jabber:client'><body>hidden <b>card</b></body></message>", "child elements"),
    ("<message xmlns='jabber:client'><body>unclosed</message>", "invalid XML"),
    ("<message xmlns='jabber:client'/><message xmlns='jabber:client'/>", "invalid XML"),
    ("<x:message><x:body>unbound prefix</x:body></x:message>", "invalid XML"),
    ("<message xmlns='jabber:client'><body>&#0;</body></message>", "invalid XML"),
    ("<a>" * 100 + "</a>" * 100, "nested deeper"),
    (b"<message xmlns='jabber:client'><body>\xff\xfe</body></message>", "invalid XML"),
    ("not xml at all", "invalid XML"),
    ("<?xml version='1.0' encoding='ISO-8859-1'?><message xmlns='jabber:client'><body>é</body></message>",
     "encoding"),
    ("<?xml version='1.0' encoding='UTF-16'?><message xmlns='jabber:client'><body>x</body></message>",
     "encoding"),
])
def test_hostile_xml_is_refused(stanza: str | bytes, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        extract(stanza)


def test_render_xhtml_runs_and_attributes() -> None:
    stanza = ("<message xmlns='jabber:client'><html xmlns='http://jabber.org/protocol/xhtml-im'>"
              "<body xmlns='http://www.w3.org/1999/xhtml'><p>card <b>4111</b></p>"
              "<img src='x' alt=\"it's 4111\"/></body></html></message>")
    fields, extracted = extract(stanza)
    assert [f.text for f in fields] == ["card ", "4111", "it's 4111"]
    out = extracted.render({1: "****", 2: "it's \"****\""})
    assert out == stanza.replace("<b>4111</b>", "<b>****</b>").replace(
        "alt=\"it's 4111\"", "alt=\"it&apos;s &quot;****&quot;\"")
