"""Matrix end-to-end encryption and blind-backend field encryption against a real Synapse (SQLite,
loopback) driven by a real client library (matrix-nio) through the running gateway.

- with `encrypt_fields` on the matrix preset, Synapse's database holds only envelopes (its event
  table and its full-text search table), while the client reading through the gateway sees the text;
- an `m.room.encrypted` event goes through untouched;
- `e2ee: require` refuses a plaintext `m.room.message` with the reason, and Synapse never gets it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from nio import (
    AsyncClient,
    RegisterResponse,
    RoomCreateResponse,
    RoomMessagesResponse,
    RoomSendError,
    RoomSendResponse,
)

from gateway.e2ee.envelope import looks_sealed
from tests.e2e.matrix.synapse import Synapse, run_synapse
from tests.helpers import gateway_config, run_gateway

pytestmark = pytest.mark.slow  # one Synapse for the module: about 20 s to start on a loaded machine

KEK = "6a" * 32
SECRET_TEXT = "the vault code is 7-4-1-9, call me"
MEGOLM: dict[str, Any] = {
    "algorithm": "m.megolm.v1.aes-sha2", "sender_key": "c5bLPRD6dAG/7Rg9wAgxm6yBPuQyNyY3FxdfLCcnXhA",
    "ciphertext": "AwgAEpABqOCAaP6NqXquQcEsrGCVInjRTLHmVH8exzDZ1E2Ae5nd",
    "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ", "device_id": "RJYKSTBOIE"}


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    with run_synapse(tmp_path_factory.mktemp("synapse")) as server:
        yield server


def matrix_gateway(synapse: Synapse, tmp_path: Path, **route: Any) -> Any:
    return run_gateway(gateway_config(synapse.url, [{"preset": "matrix", "upstream": "up", "allow": ["anonymous"],
                                                     **route}],
                                      keys={"kek": KEK, "store": f"sqlite:///{tmp_path}/keys.db"}))


@asynccontextmanager
async def user(homeserver: str) -> AsyncIterator[AsyncClient]:
    """A freshly registered matrix-nio client talking to `homeserver` (the gateway)."""
    client = AsyncClient(homeserver, f"u{secrets.token_hex(4)}")
    try:
        registered = await client.register(client.user, secrets.token_urlsafe(16))
        assert isinstance(registered, RegisterResponse), registered
        yield client
    finally:
        await client.close()


async def new_room(client: AsyncClient) -> str:
    created = await client.room_create(name="support")
    assert isinstance(created, RoomCreateResponse), created
    return str(created.room_id)


def stored_event(db: Path, event_id: str) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT json FROM event_json WHERE event_id = ?", (event_id,)).fetchone()
    assert row is not None
    return json.loads(row[0])  # type: ignore[no-any-return]


def synapse_files_hold(synapse: Synapse, text: str) -> bool:
    """Whether `text` appears anywhere in Synapse's database files (main file and write-ahead log)."""
    needle = text.encode()
    return any(needle in path.read_bytes() for path in synapse.db.parent.glob("homeserver.db*"))


async def test_synapse_stores_envelopes_while_the_client_reads_the_text(synapse: Synapse, tmp_path: Path) -> None:
    async with matrix_gateway(synapse, tmp_path, encrypt_fields={"json": ["/body", "/formatted_body"]}) as gw, \
            user(gw.url) as client:
        room = await new_room(client)
        sent = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": SECRET_TEXT,
                                                               "format": "org.matrix.custom.html",
                                                               "formatted_body": f"<b>{SECRET_TEXT}</b>"})
        assert isinstance(sent, RoomSendResponse), sent
        content = stored_event(synapse.db, sent.event_id)["content"]
        assert looks_sealed(content["body"]) and looks_sealed(content["formatted_body"])
        assert content["msgtype"] == "m.text"
        with sqlite3.connect(synapse.db) as conn:   # Synapse's full-text index holds the envelope too
            indexed = [r[0] for r in conn.execute("SELECT value FROM event_search WHERE event_id = ?",
                                                  (sent.event_id,))]
        assert indexed and all(SECRET_TEXT not in value for value in indexed)
        assert not synapse_files_hold(synapse, "vault code")
        history = await client.room_messages(room, start="", limit=20)
        assert isinstance(history, RoomMessagesResponse), history
        bodies = [event.source["content"].get("body") for event in history.chunk]
        assert SECRET_TEXT in bodies
        [mine] = [e for e in history.chunk if e.event_id == sent.event_id]
        assert mine.source["content"]["formatted_body"] == f"<b>{SECRET_TEXT}</b>"
        # a client that bypasses the gateway sees only the envelope
        direct = AsyncClient(synapse.url, client.user)
        try:
            direct.access_token, direct.user_id = client.access_token, client.user_id
            raw = await direct.room_messages(room, start="", limit=20)
        finally:
            await direct.close()
        assert isinstance(raw, RoomMessagesResponse)
        [theirs] = [e for e in raw.chunk if e.event_id == sent.event_id]
        assert looks_sealed(theirs.source["content"]["body"])


async def test_encrypted_event_passes_untouched(synapse: Synapse, tmp_path: Path) -> None:
    async with matrix_gateway(synapse, tmp_path, e2ee="require",
                              encrypt_fields={"json": ["/body", "/formatted_body"]}) as gw, user(gw.url) as client:
        room = await new_room(client)
        sent = await client.room_send(room, "m.room.encrypted", MEGOLM)
        assert isinstance(sent, RoomSendResponse), sent
        assert stored_event(synapse.db, sent.event_id)["content"] == MEGOLM
        history = await client.room_messages(room, start="", limit=20)
        assert isinstance(history, RoomMessagesResponse)
        [event] = [e for e in history.chunk if e.event_id == sent.event_id]
        assert event.source["content"] == MEGOLM and event.source["type"] == "m.room.encrypted"


async def test_require_refuses_plaintext_messages(synapse: Synapse, tmp_path: Path) -> None:
    async with matrix_gateway(synapse, tmp_path, e2ee="require") as gw, user(gw.url) as client:
        room = await new_room(client)   # room creation and its state events are not message events
        refused = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "plain hello"})
        assert isinstance(refused, RoomSendError), refused
        assert refused.message == "this room requires end-to-end encryption"   # what the client shows
        assert refused.status_code == "M_FORBIDDEN"
        assert refused.transport_response is not None and refused.transport_response.status == 403
        assert not synapse_files_hold(synapse, "plain hello")
