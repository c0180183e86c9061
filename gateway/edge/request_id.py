"""The request id: one per request, passed on when the client sent a well-formed one, in every log line."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

REQUEST_ID = "X-Request-Id"
_REQUEST_ID_FORM = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_ID_CHARS = 24  # 12 random bytes in hex, as before
_BATCH = 256    # ids per read of the OS's random source


class _Ids:
    """Fresh ids from the OS's random source (what `secrets` reads), 256 per read: a system call per
    request cost more here than the rest of making the id. A forked child starts with a batch of its own."""

    __slots__ = ("_batch", "_next")

    def __init__(self) -> None:
        self._batch = ""
        self._next = 0

    def take(self) -> str:
        at = self._next
        if at >= len(self._batch):
            self._batch = os.urandom(_BATCH * _ID_CHARS // 2).hex()
            at = 0
        self._next = at + _ID_CHARS
        return self._batch[at:at + _ID_CHARS]

    def forget(self) -> None:
        self._batch = ""
        self._next = 0


_IDS = _Ids()
os.register_at_fork(after_in_child=_IDS.forget)  # never the parent's unused ids in two processes


def new_request_id() -> str:
    return _IDS.take()


def request_id_from(headers: Mapping[str, str]) -> str:
    """Pass on a well-formed incoming X-Request-Id; replace anything else (it ends up in logs)."""
    given = headers.get(REQUEST_ID)
    if given and _REQUEST_ID_FORM.match(given):
        return given
    return new_request_id()
