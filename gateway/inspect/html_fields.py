"""Text fields that the protocol defines as HTML, read the way the client renders them.

Matrix `formatted_body` (format `org.matrix.custom.html`) is shown by clients as HTML: they turn
`forb&#105;dden`, `&#x66;orbidden` and named references such as `&fjlig;` into letters. The filters
must judge those letters, not the reference text, so the chain gets such a field with every
character reference decoded, as a browser decodes it, except references to the five characters
that make markup (`<`, `>`, `&`, `"`, `'`): those stay as they were. The text the filters see is
therefore still the same HTML, with the same markup and the same escaped text, only spelled
plainly; what they hand back is forwarded as it is (masking keeps the formatting), and no decoded
reference can ever become a tag or an attribute. A field the chain leaves alone is forwarded byte
for byte, references and all. A field where a decoded letter would join the text before it into
another reference (`&am&#112;;`) reads differently once spelled plainly: it is refused.

Markup splits what a client shows as one word: `card <b>4111</b> 1111 1111 1111` and `forbi<b></b>dden`
are shown as `card 4111 1111 1111 1111` and `forbidden`, which no filter finds in the HTML. So the
filters also read the field as shown (`shown`: the text between tags joined as rendered, block tags as
line breaks, every reference decoded); when that reading is blocked, the payload is; when it is changed
otherwise than the HTML reading changed it, the field goes out as that changed text, escaped (its
formatting lost, its content filtered). See `inspection.run_fields`.

Matrix's extensible text blocks (`m.text`, its unstable `org.matrix.msc1767.text`, and the rich room
topic's `m.topic`, MSC3765) list one text in several types, `{"mimetype": "text/html", "body": ...}`
beside a plain one, and a client shows the first type it renders: a `body` inside one of those lists is
read as HTML whatever its `mimetype` says, since a plain body with no markup reads the same either way
(`ig<b></b>nore` in an HTML topic is read as `ignore`).

XMPP XHTML-IM needs nothing here: it is XML, which the XMPP codec parses, so its character
references are already decoded and entities XML does not define are refused.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from gateway.codec import CodecError

__all__ = ["HTML_ENDINGS", "HTML_KEYS", "as_read", "escaped", "is_html", "shown"]

# Keys whose string value a chat protocol the presets speak defines as HTML.
HTML_KEYS = frozenset({"formatted_body"})
# Lists of one text in several types (a `body` in an item of one may be HTML).
TYPED_TEXTS = frozenset({"m.text", "org.matrix.msc1767.text", "m.topic"})
# What a path `is_html` reads must end with: one C call rules most paths out.
HTML_ENDINGS = (*HTML_KEYS, "/body")
# A character reference as the HTML standard reads it (decimal, hex, or a name, `;` optional for
# the legacy names): the same tokens `html.unescape` decodes.
_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_MARKUP = frozenset("<>&\"'")


def is_html(path: str) -> bool:
    """Whether the field at `path` (a JSON pointer) holds HTML (or may: a typed text list's `body`)."""
    head, _, last = path.rpartition("/")
    if last in HTML_KEYS:
        return True
    if last != "body":
        return False
    parts = head.rsplit("/", 2)
    return len(parts) == 3 and parts[2].isdigit() and parts[1] in TYPED_TEXTS


def _plain(found: re.Match[str]) -> str:
    reference = found.group(0)
    shown = html.unescape(reference)
    return reference if _MARKUP.intersection(shown) else shown


def as_read(text: str) -> str:
    """The same HTML with every reference a reader sees as a letter spelled as that letter.

    Raises `CodecError` when the plain spelling would show something else than the original."""
    if "&" not in text:
        return text
    plain = _REFERENCE.sub(_plain, text)
    if plain != text and html.unescape(plain) != html.unescape(text):
        raise CodecError("an HTML field whose character references cannot be read as plain letters")
    return plain


# Tags a browser shows as a line break (or a block's edge): text on either side is not one word.
_BREAKS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5",
                     "h6", "blockquote", "pre", "hr", "details", "summary", "caption"})


class _Shown(HTMLParser):
    """The text of an HTML fragment as a browser lays it out, without the tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")


def shown(text: str) -> str:
    """The letters a client shows for the HTML `text`: tags removed (block tags as line breaks), references
    decoded; `text` itself when it holds no markup."""
    if "<" not in text and "&" not in text:
        return text
    parser = _Shown()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def escaped(text: str) -> str:
    """Plain `text` as HTML that shows exactly it."""
    return html.escape(text, quote=False)
