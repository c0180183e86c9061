"""multipart/form-data bodies (RFC 7578), parsed strictly: what parsers could read two ways is refused.

Browsers and HTTP libraries send one shape: the body starts with the first delimiter, each part
has a `Content-Disposition: form-data; name=...` header (and maybe a `Content-Type`), lines end
in CRLF, and the closing delimiter ends the body. Anything else (a preamble, transport padding,
header folding, bare LF, `name*=` or repeated parameters, a `Content-Transfer-Encoding` that some
parsers decode, an epilogue) is where parsers disagree, so it is a CodecError. A declared field
must be text: a part without a filename, or a file whose type is `text/*`, in UTF-8.

A declared name sent in more than one part is also read as its parts joined by commas, as a Node backend
(multer) makes them a list, and as `form` reads a name's copies.

Every file's name (`filename`) is read too, whatever the part's name, as field `<name>#filename`:
chat servers show it in the room as the sender wrote it (Rocket.Chat's and Mattermost's uploads), so it
is chat text even when the file is not. It is read as UTF-8, what browsers send and Go keeps (a name that
is not UTF-8 is refused); a changed name is written back as a quoted string, and a change that would need
a quote, a backslash or a line break is refused (parsers unescape those differently).

The body is handled as a latin-1 string (one character per byte), so the shared renderer
machinery splices parts without decoding binary files; `Extracted` encodes it back as latin-1.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from gateway.codec._base import CodecError, Renderer, TextField
from gateway.codec.form import FormNames, check_joins, check_special, copy_group, declared, read_joined

__all__ = ["BYTES", "FILENAME", "MAX_HEADER", "MAX_PARTS", "boundary_of", "extract_multipart", "part_file_name"]

FILENAME = "#filename"  # suffix of the field holding a part's file name

BYTES = "latin-1"      # the str <-> bytes mapping the body travels in
MAX_PARTS = 1000
MAX_HEADER = 8 * 1024  # bytes of one part's header block
_BCHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_HEADER = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*")
_PARAM = re.compile(r';[ \t]*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*'
                    r'(?:"((?:[^"\\\r\n]|\\[^\r\n])*)"|([!#$%&\'*+\-.^_`|~0-9A-Za-z]+))[ \t]*')
_QUOTED_PAIR = re.compile(r"\\(.)")
_TEXT_TYPES = re.compile(r"text/[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_ALLOWED_HEADERS = frozenset({"content-disposition", "content-type", "content-transfer-encoding"})


def boundary_of(params: Mapping[str, str]) -> str:
    """The boundary parameter of a multipart Content-Type, checked against RFC 2046's grammar."""
    boundary = params.get("boundary")
    if boundary is None or not _BCHARS.fullmatch(boundary):
        raise CodecError("multipart body without a valid boundary parameter")
    return boundary


def _parameters(value: str, what: str, spans: dict[str, tuple[int, int]] | None = None) -> tuple[str, dict[str, str]]:
    """The value's type and parameters; `spans` is given each parameter's value span in `value`
    (the quotes included)."""
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    pos = len(head)
    while pos < len(value):
        found = _PARAM.match(value, pos)
        if found is None:
            raise CodecError(f"unreadable parameters in a part's {what}")
        key = found.group(1).lower()
        if key in params or key.endswith("*"):
            raise CodecError(f"a repeated or extended ({key}) parameter in a part's {what}")
        quoted = found.group(2)
        params[key] = _QUOTED_PAIR.sub(r"\1", quoted) if quoted is not None else found.group(3)
        if spans is not None:
            group = 2 if quoted is not None else 3
            start, end = found.span(group)
            spans[key] = (start - 1, end + 1) if quoted is not None else (start, end)
        pos = found.end()
    return head.strip().lower(), params


def _part_headers(block: str) -> tuple[dict[str, str], dict[str, int]]:
    """The part's headers by lower-case name, and where each value starts in `block`."""
    headers: dict[str, str] = {}
    starts: dict[str, int] = {}
    at = 0
    for line in block.split("\r\n"):
        if "\n" in line or "\r" in line or line[:1] in (" ", "\t"):
            raise CodecError("a part header with a bare line break or folding")
        found = _HEADER.fullmatch(line)
        if found is None:
            raise CodecError("an unreadable part header")
        name = found.group(1).lower()
        if name not in _ALLOWED_HEADERS or name in headers:
            raise CodecError(f"a part header {name!r} that parsers read differently")
        headers[name] = found.group(2)
        starts[name] = at + found.start(2)
        at += len(line) + 2
    return headers, starts


def part_file_name(block: str) -> tuple[str, str | None]:
    """A part's name and file name (None for no file) from its header block, read as `extract_multipart`
    reads it (CodecError for what it refuses); for a stream that reads parts one at a time."""
    headers, _ = _part_headers(block)
    disposition, params = _parameters(headers.get("content-disposition", ""), "Content-Disposition")
    if disposition != "form-data" or "name" not in params:
        raise CodecError("a part without Content-Disposition: form-data and a name")
    return params["name"], params.get("filename")


def _file_name(raw: str) -> str:
    """A `filename` parameter (latin-1 characters, one per byte) read as the UTF-8 browsers send."""
    try:
        return raw.encode(BYTES).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise CodecError("a part's filename is not valid UTF-8") from None


def _quoted_name(text: str) -> str:
    """A changed file name as the quoted parameter value it is written back as."""
    if any(char in text for char in '"\\\r\n'):
        raise CodecError("a changed file name would need a quote, a backslash or a line break")
    return '"' + text.encode("utf-8").decode(BYTES) + '"'


def _text_of(headers: Mapping[str, str], params: Mapping[str, str], raw: str) -> str:
    """The text of a declared part, or CodecError when it is not text the gateway can read."""
    encoding = headers.get("content-transfer-encoding", "binary").strip().lower()
    if encoding not in ("7bit", "8bit", "binary"):
        raise CodecError("a declared part with a Content-Transfer-Encoding")
    mime, type_params = _parameters(headers["content-type"], "Content-Type") \
        if "content-type" in headers else ("text/plain", {})
    if "filename" in params and not _TEXT_TYPES.fullmatch(mime):
        raise CodecError("a declared part is a file that is not text")
    if not _TEXT_TYPES.fullmatch(mime):
        raise CodecError(f"a declared part of type {mime}")
    if type_params.get("charset", "utf-8").lower() not in _UTF8:
        raise CodecError("a declared part in a charset other than UTF-8")
    try:
        return raw.encode(BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("a declared part is not valid UTF-8") from None


def extract_multipart(body: str, boundary: str, names: FormNames | Collection[str],
                      fields: list[TextField]) -> Renderer:
    """Offer every declared part's text (names matched as `form.declared` matches them); `body` is the
    request body decoded as latin-1."""
    names = names if isinstance(names, FormNames) else FormNames(names)
    delimiter = "--" + boundary
    if not body.startswith(delimiter + "\r\n"):
        raise CodecError("a multipart body must start with its first delimiter")
    separator = "\r\n" + delimiter
    spans: list[tuple[int, int, int]] = []  # content start, end, field index
    names_at: list[tuple[int, int, int]] = []  # filename value start, end (quotes included), field index
    seen: dict[str, int] = {}
    copies: dict[str, list[int]] = {}  # declared parts by the list a Node backend (multer) makes of them
    part_names: dict[int, str] = {}
    pos = len(delimiter) + 2
    parts = 0
    while True:
        parts += 1
        if parts > MAX_PARTS:
            raise CodecError(f"more than {MAX_PARTS} parts")
        head_end = body.find("\r\n\r\n", pos, pos + MAX_HEADER + 4)
        if head_end < 0:
            raise CodecError("a part header block that does not end (or is too long)")
        headers, starts = _part_headers(body[pos:head_end])
        param_spans: dict[str, tuple[int, int]] = {}
        disposition, params = _parameters(headers.get("content-disposition", ""), "Content-Disposition",
                                          param_spans)
        if disposition != "form-data" or "name" not in params:
            raise CodecError("a part without Content-Disposition: form-data and a name")
        if "filename" in params:
            offset = pos + starts["content-disposition"]
            value_start, value_end = param_spans["filename"]
            names_at.append((offset + value_start, offset + value_end, len(fields)))
            fields.append(TextField(params["name"] + FILENAME, _file_name(params["filename"])))
        start = head_end + 4
        if body.startswith(delimiter, start):
            # The blank line's CRLF would also be the delimiter's for parsers that scan for it from
            # the header end: they read an empty part here and a new part (any name) after it.
            raise CodecError("a part whose content starts with the delimiter")
        end = body.find(separator, start)
        if end < 0:
            raise CodecError("a multipart body without its closing delimiter")
        name, raw = params["name"], body[start:end]
        check_special(name, "" if "filename" in params else raw.encode(BYTES).decode("utf-8", "replace"))
        if declared(name, names):
            text = _text_of(headers, params, raw)
            count = seen.get(name, 0)
            seen[name] = count + 1
            spans.append((start, end, len(fields)))
            copies.setdefault(copy_group(name), []).append(len(fields))
            part_names[len(fields)] = name
            fields.append(TextField(name if count == 0 else f"{name}[{count}]", text))
        pos = end + len(separator)
        tail = body[pos:pos + 2]
        if tail == "\r\n":
            pos += 2
            continue
        if tail == "--" and body[pos + 2:] in ("", "\r\n"):
            break
        raise CodecError("a delimiter followed by padding or an epilogue")
    file_names = frozenset(names_at)
    joins = read_joined(copies, fields, part_names.__getitem__) if len(copies) < len(part_names) else []

    def render(changes: Mapping[int, str]) -> str | None:
        check_joins(joins, fields, changes)
        pieces: list[str] = []
        last = 0
        for start, end, index in sorted(spans + names_at):
            if index in changes:
                if (start, end, index) in file_names:
                    new = _quoted_name(changes[index])
                else:
                    new = changes[index].encode("utf-8").decode(BYTES)
                    if separator in "\r\n" + new + "\r\n":
                        raise CodecError("replacement text would end its part early")
                pieces += (body[last:start], new)
                last = end
        if not pieces:
            return None
        pieces.append(body[last:])
        return "".join(pieces)
    return render
