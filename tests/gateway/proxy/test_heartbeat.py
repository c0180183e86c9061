"""The heartbeat pushed back by data without a callback per message (`gateway.proxy.heartbeat`): what a
message does to the timer in each state (on real sockets: tests/gateway/proxy/test_websocket.py)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.proxy.heartbeat import QuietHeartbeat


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def time(self) -> float:
        return self.now


class _Aiohttp:
    """aiohttp's hook, recorded: its reset runs from a loop callback."""

    def __init__(self) -> None:
        self.resets = 0

    def _on_data_received(self) -> None:
        self.resets += 1


class _Socket(QuietHeartbeat, _Aiohttp):
    def __init__(self, *, heartbeat: float | None = 30.0, armed: bool = True, pong_due: bool = False,
                 pending: bool = False) -> None:
        super().__init__()
        self._heartbeat = heartbeat
        self._heartbeat_cb = object() if armed else None  # type: ignore[assignment]
        self._pong_response_cb = object() if pong_due else None  # type: ignore[assignment]
        self._need_heartbeat_reset = pending
        self._heartbeat_when = 0.0
        self._loop = _Clock()


def test_a_message_on_an_armed_timer_moves_the_next_ping_without_a_callback() -> None:
    sock = _Socket()
    sock._on_data_received()
    assert (sock.resets, sock._heartbeat_when) == (0, 130.0)
    sock._loop.now = 101.5
    sock._on_data_received()
    assert (sock.resets, sock._heartbeat_when) == (0, 131.5)  # a heartbeat after the last data


@pytest.mark.parametrize("state", [{"armed": False}, {"pong_due": True}, {"pending": True}, {"heartbeat": None}])
def test_after_a_ping_while_one_waits_or_without_a_heartbeat_aiohttps_own_reset_runs(state: dict[str, Any]) -> None:
    sock = _Socket(**state)
    sock._on_data_received()
    assert (sock.resets, sock._heartbeat_when) == (1, 0.0)
