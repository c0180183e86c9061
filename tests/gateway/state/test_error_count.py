"""Each Redis operation that fails is counted (`chatguard_state_errors_total`), against a real closed port."""

from __future__ import annotations

import pytest

from gateway.state import StateUnavailable, open_store
from gateway.state.settings import StateSettings
from tests.ports import closed_port as _closed_port


async def test_failed_operations_are_counted() -> None:
    errors: list[None] = []
    store = open_store(StateSettings(backend="redis", url=f"redis://127.0.0.1:{_closed_port()}/0", timeout=0.5),
                       on_error=lambda: errors.append(None))
    try:
        for _ in range(2):
            with pytest.raises(StateUnavailable):
                await store.incr("c", 1, 60)
    finally:
        await store.aclose()
    assert len(errors) == 2
