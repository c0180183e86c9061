"""The chat message every benchmark sends: a realistic chat JSON, the same for every target.

The default is the ~300-byte message of the main table; `chat_json(size)` pads the text with more
ordinary chat sentences (no digits runs, links or markup, like most real messages) to about `size`
bytes for the message-size rows.
"""

from __future__ import annotations

import json

TEXT = ("Hi team, the customer on ticket 4711 asked again about the delayed refund; I told them we "
        "would call back before 5 pm today. Can someone from billing confirm the amount and the date, "
        "please? I will be offline after lunch, so reply here in the room. Thanks!")
MORE = ("Quick update from the support queue: the customer said the new app version still logs them out "
        "when they switch rooms, and they would like to know whether we can look at it this week. ")
DEFAULT_SIZE = 300


def chat_json(size: int = DEFAULT_SIZE) -> str:
    """A chat message of about `size` bytes (exactly the classic ~305-byte one for the default)."""
    text = TEXT
    while len(text) + 60 < size:
        text += " " + MORE.strip()
    body = json.dumps({"type": "message", "user": "agent.smith", "text": text}, separators=(",", ":"))
    if size > DEFAULT_SIZE:
        overshoot = len(body) - size
        if overshoot > 0:
            text = text[: len(text) - overshoot].rstrip()
            body = json.dumps({"type": "message", "user": "agent.smith", "text": text}, separators=(",", ":"))
    if size == DEFAULT_SIZE:
        assert 280 <= len(body) <= 320, len(body)
    return body
