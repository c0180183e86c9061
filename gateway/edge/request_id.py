"""The request id: one per request, passed on when the client sent a well-formed one, in every log line."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

REQUEST_ID = "X-Request-Id"
_REQUEST_ID_FORM = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    return secrets.token_hex(12)


def request_id_from(headers: Mapping[str, str]) -> str:
    """Pass on a well-formed incoming X-Request-Id; replace anything else (it ends up in logs)."""
    given = headers.get(REQUEST_ID)
    if given and _REQUEST_ID_FORM.match(given):
        return given
    return new_request_id()
