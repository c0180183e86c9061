"""The batches a streamed upload is decided in (the real-socket cases are tests/e2e/test_uploads.py)."""

from __future__ import annotations

import pytest

from gateway.codec import CodecError, TextField
from gateway.codec.multipart import BYTES, extract_multipart
from gateway.proxy.uploads import Batch

DELIMITER = b"--b0und4ry"


def test_a_batch_is_a_body_of_its_own_with_the_files_left_out() -> None:
    batch = Batch([(b'Content-Disposition: form-data; name="msg"', b"hi"),
                   (b'Content-Disposition: form-data; name="f"; filename="a.bin"', None)])
    body = batch.body(DELIMITER)
    assert body == (b'--b0und4ry\r\nContent-Disposition: form-data; name="msg"\r\n\r\nhi\r\n--b0und4ry\r\n'
                    b'Content-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n\r\n--b0und4ry--\r\n')
    fields: list[TextField] = []
    extract_multipart(body.decode(BYTES), "b0und4ry", {"msg"}, fields)
    assert [(f.path, f.text) for f in fields] == [("msg", "hi"), ("f#filename", "a.bin")]
    assert batch.split(body, DELIMITER) == [b'Content-Disposition: form-data; name="msg"\r\n\r\nhi',
                                            b'Content-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n']


@pytest.mark.parametrize("rendered", [
    b"--b0und4ry\r\nx\r\n\r\n\r\n--b0und4ry\r\ny\r\n\r\n\r\n--b0und4ry\r\nz\r\n\r\n\r\n--b0und4ry--\r\n",
    b"x\r\n\r\n\r\n--b0und4ry--\r\n",
])
def test_a_rendered_batch_of_another_shape_is_refused(rendered: bytes) -> None:
    batch = Batch([(b"x", b""), (b"y", None)])
    with pytest.raises(CodecError):
        batch.split(rendered, DELIMITER)
