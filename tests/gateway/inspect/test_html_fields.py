"""HTML fields: the filters read the letters a client renders; nothing decoded becomes markup."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import CodecError
from gateway.inspect.html_fields import as_read, escaped, is_html, shown


@pytest.mark.parametrize(("raw", "shown"), [
    ("forb&#105;dden", "forbidden"),
    ("&#x66;orbidden", "forbidden"),
    ("&#X66;orbidden", "forbidden"),
    ("&fjlig;ord", "fjord"),
    ("caf&eacute", "café"),  # a legacy name without `;`: browsers still decode it
    ("<b>plain</b>", "<b>plain</b>"),
    # references to the characters of markup stay as they were
    ("&lt;b&gt; &#60;i&#x3E; &amp;#105; &quot;&#39;&apos;", "&lt;b&gt; &#60;i&#x3E; &amp;#105; &quot;&#39;&apos;"),
    ("&#38;#105;", "&#38;#105;"),
    ("&unknown; & alone", "&unknown; & alone"),
])
def test_references_are_spelled_as_the_letters_a_browser_shows(raw: str, shown: str) -> None:
    assert as_read(raw) == shown


@pytest.mark.parametrize("raw", ["&am&#112;;", "&l&#116;;b>"])
def test_a_decoded_letter_completing_another_reference_is_refused(raw: str) -> None:
    with pytest.raises(CodecError):
        as_read(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["&", "#", "x", ";", "l", "t", "a", "m", "p", "1", "0", "5", "6", "<", "&#112;",
                                  "&#116;", "&lt;", "&amp;", "&fjlig;", "'", " "]), max_size=30).map("".join))
def test_property_the_reader_sees_the_same_text(raw: str) -> None:
    # What a browser shows is unchanged by the rewrite: no decoded reference became markup or a new reference.
    try:
        plain = as_read(raw)
    except CodecError:
        return
    assert html.unescape(plain) == html.unescape(raw)
    assert plain.count("<") == raw.count("<") and plain.count(">") == raw.count(">")


def test_only_fields_the_protocol_defines_as_html() -> None:
    assert is_html("/content/formatted_body")
    assert is_html("/rooms/join/!r/timeline/events/0/content/m.new_content/formatted_body")
    assert not is_html("/content/body")
    assert not is_html("/formatted_body_not")
    # a body in a list of one text in several types may be the HTML one (rich topics, extensible events)
    assert is_html("/m.topic/m.text/0/body")
    assert is_html("/content/m.topic/0/body")
    assert is_html("/content/org.matrix.msc1767.text/1/body")
    assert not is_html("/m.text/body") and not is_html("/m.topic/m.text/0/mimetype")
    assert not is_html("/m.text/x/body") and not is_html("/body")


@pytest.mark.parametrize(("html_text", "letters"), [
    ("card <b>4111</b> 1111", "card 4111 1111"),
    ("forbi<b></b>dden", "forbidden"),
    ('<b title=">">t</b>ext', "text"),            # a `>` inside an attribute ends no tag
    ("x &amp; y &lt;3 caf&eacute;", "x & y <3 café"),
    ("<p>one</p><p>two</p>", "\none\n\ntwo\n"),    # blocks are lines: their words do not join
    ("a<br>b", "a\nb"),
    ("no markup at all", "no markup at all"),
])
def test_shown_is_what_a_client_lays_out(html_text: str, letters: str) -> None:
    assert shown(html_text) == letters


def test_escaped_text_is_shown_as_itself() -> None:
    for text in ["a < b & c > d", "<script>x</script>", "&amp;", "plain"]:
        assert shown(escaped(text)) == text
