"""Each codec: the documented refusal (CodecError) or a payload that round-trips byte for byte."""

from __future__ import annotations

import json
from urllib.parse import quote_plus

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz import targets
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import JSON_TEXT, JSON_VALUES, TEXT, either, utf8

JSON_BODIES = either(st.one_of(
    JSON_TEXT,
    st.builds(lambda t, rest: json.dumps({"text": t, **rest}), TEXT, st.dictionaries(TEXT, JSON_VALUES, max_size=3)),
    st.builds(lambda ts: json.dumps({"messages": [{"text": t} for t in ts]}), st.lists(TEXT, max_size=4)),
    st.builds(lambda t: json.dumps({"data": json.dumps({"msg": t})}), TEXT),
).map(utf8))


@FUZZ
@given(JSON_BODIES)
@example(b'{"text":"a","text":"b"}')
@example(b'{"text":"\\ud800"}')
@example(b'{"data":"{\\"msg\\":\\"x\\",\\"msg\\":\\"y\\"}"}')
@example(b'[' * 2000)
def test_json(body: bytes) -> None:
    targets.round_trip(targets.http(targets.JSON, "application/json"), body)


FORM_BODIES = either(st.lists(st.tuples(st.sampled_from(["text", "msg", "other", "text[]", "TEXT"]) | TEXT, TEXT),
                              max_size=5)
                     .map(lambda pairs: "&".join(f"{quote_plus(k, errors="surrogatepass")}={quote_plus(v, errors="surrogatepass")}" for k, v in pairs).encode()))


@FUZZ
@given(FORM_BODIES)
@example(b"text=a&text=b")
@example(b"text=%ZZ")
@example(b"text=%ed%a0%80")
def test_form(body: bytes) -> None:
    targets.round_trip(targets.http(targets.FORM, "application/x-www-form-urlencoded"), body)


def _multipart(parts: list[tuple[str, str, str]]) -> bytes:
    out = []
    for name, headers, value in parts:
        out.append(f'--XyZ\r\nContent-Disposition: form-data; name="{name}"\r\n{headers}\r\n{value}\r\n')
    return ("".join(out) + "--XyZ--\r\n").encode("utf-8", "surrogatepass")


MULTIPART_BODIES = either(st.lists(st.tuples(
    st.sampled_from(["text", "msg", "file", "other"]),
    st.sampled_from(["", "Content-Type: text/plain\r\n", "Content-Type: text/plain; charset=utf-8\r\n",
                     "Content-Transfer-Encoding: base64\r\n", "Content-Type: application/octet-stream\r\n"]),
    TEXT), max_size=4).map(_multipart))


@FUZZ
@given(MULTIPART_BODIES)
@example(b'--XyZ\r\nContent-Disposition: form-data; name="text"; name="msg"\r\n\r\nx\r\n--XyZ--\r\n')
@example(b'--XyZ\r\nContent-Disposition: form-data; name="text"\r\n\r\n--XyZ\r\n--XyZ--\r\n')
def test_multipart(body: bytes) -> None:
    targets.round_trip(targets.http(targets.FORM, "multipart/form-data; boundary=XyZ"), body)


@FUZZ
@given(either(st.one_of(JSON_TEXT, TEXT).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       st.sampled_from([None, "text/plain", "application/json", "text/plain; charset=utf-8",
                        "application/x-www-form-urlencoded", "text/plain; charset=latin-1", "application/json;;",
                        'text/plain; charset="utf-8"; charset=utf-8', "multipart/form-data"]))
def test_content_types_and_first_fit(body: bytes, content_type: str | None) -> None:
    targets.round_trip(targets.http(targets.TEXT, content_type), body)
