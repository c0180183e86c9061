"""The chat message every benchmark sends: a realistic ~300-byte JSON body, the same for every target."""

from __future__ import annotations

import json

TEXT = ("Hi team, the customer on ticket 4711 asked again about the delayed refund; I told them we "
        "would call back before 5 pm today. Can someone from billing confirm the amount and the date, "
        "please? I will be offline after lunch, so reply here in the room. Thanks!")


def chat_json() -> str:
    body = json.dumps({"type": "message", "user": "agent.smith", "text": TEXT}, separators=(",", ":"))
    assert 280 <= len(body) <= 320, len(body)
    return body
