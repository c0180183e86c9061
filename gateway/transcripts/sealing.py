"""How transcript text is kept: sealed under the conversation's data key, or plain without keys.

Associated data binds each ciphertext to its row id, conversation and kind (masked or full):
a sealed text copied onto another row, into another conversation, or from the `full` column
into the `text` column does not open. The archive seals whole rows the same way.
"""

from __future__ import annotations

from gateway.keyring import DataKey, KeyService, KeyUnavailable, SealError

SCOPE_PREFIX = "transcripts:"
TEXT, FULL = "text", "full"


def scope(conversation: str) -> str:
    return SCOPE_PREFIX + conversation


def aad(row_id: str, conversation: str, kind: str) -> bytes:
    return f"chatguard transcript\x00{row_id}\x00{conversation}\x00{kind}".encode()


def seal_text(key: DataKey | None, row_id: str, conversation: str, kind: str, text: str | None) -> bytes | None:
    if text is None:
        return None
    raw = text.encode()
    return key.seal(raw, aad(row_id, conversation, kind)) if key is not None else raw


class Opener:
    """Opens stored text for readers: each data key is looked up once per read, always fresh."""

    def __init__(self, keys: KeyService | None) -> None:
        self.keys = keys
        self._found: dict[str, DataKey | None] = {}
        self._unavailable: set[str] = set()

    async def open(self, key_id: str | None, row_id: str, conversation: str, kind: str,
                   stored: bytes | None) -> tuple[str | None, str]:
        """(text, status): status is ok | absent | erased (key shredded) | unreadable."""
        if stored is None:
            return None, "absent"
        if key_id is None:
            return stored.decode(errors="replace"), "ok"
        if self.keys is None or key_id in self._unavailable:
            return None, "unreadable"
        if key_id not in self._found:
            try:
                self._found[key_id] = await self.keys.find(key_id, fresh=True)
            except KeyUnavailable:
                self._unavailable.add(key_id)
                return None, "unreadable"
        key = self._found[key_id]
        if key is None:
            return None, "erased"
        try:
            return key.open(stored, aad(row_id, conversation, kind)).decode(), "ok"
        except (SealError, UnicodeDecodeError):
            return None, "unreadable"
