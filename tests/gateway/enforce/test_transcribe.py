"""The transcript step of `enforce`: what is offered, and what a full queue means per route."""

from __future__ import annotations

from filters import Action, Direction
from gateway.codec import CodecError
from gateway.enforce.decide import decide
from gateway.enforce.enforcement import Wire
from gateway.enforce.transcribe import NOT_RECORDED, Transcriber
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.sink import TranscriptSink
from gateway.transcripts.store import TranscriptStore
from tests.gateway.enforce._exchange import CARD, exchange, inspection


class Offered(TranscriptSink):
    """The real sink's accounting with the queue replaced by a list the test reads (or a full queue)."""

    def __init__(self, *, full: bool = False) -> None:
        super().__init__(TranscriptStore.__new__(TranscriptStore), queue=10)
        self.full = full
        self.got: list[TranscriptRecord] = []

    def offer(self, records: object, route: str, on_backlog: str) -> bool:
        if self.full:
            self._accepting = False
            return super().offer(records, route, on_backlog)  # type: ignore[arg-type]
        self.got.extend(records)  # type: ignore[arg-type]
        return True


def test_a_forwarded_message_is_offered_after_masking() -> None:
    sink = Offered()
    ex = exchange()
    result = inspection(Action.MODIFY, findings=(CARD,))
    enforcement = Transcriber(sink).record(ex, Direction.INBOUND, result, decide(ex, Direction.INBOUND, result))
    assert enforcement.forwards
    (only,) = sink.got
    assert (only.conversation, only.route, only.subject, only.roles, only.verdict) == (
        "room", "chat", "alice", ("agent",), "modify")
    assert only.text == "x" and only.original is None and only.findings == ("card",)


def test_store_disabled_offers_nothing() -> None:
    sink = Offered()
    ex = exchange(transcripts={"store": "disabled"})
    result = inspection(Action.PASS)
    Transcriber(sink).record(ex, Direction.INBOUND, result, decide(ex, Direction.INBOUND, result))
    assert sink.got == []


def test_an_unparseable_message_is_recorded_as_blocked() -> None:
    sink = Offered()
    ex = exchange()
    error = CodecError("bad json")
    enforcement = Transcriber(sink).record(ex, Direction.INBOUND, error, decide(ex, Direction.INBOUND, error))
    assert enforcement.wire is Wire.REFUSE
    assert [(r.verdict, r.text) for r in sink.got] == [("block", None)]


def test_a_full_queue_under_drop_forwards_and_counts() -> None:
    sink = Offered(full=True)
    ex = exchange()
    result = inspection(Action.PASS)
    enforcement = Transcriber(sink).record(ex, Direction.INBOUND, result, decide(ex, Direction.INBOUND, result))
    assert enforcement.forwards
    assert sink.metrics.dropped.labels("chat")._value.get() == 1


def test_a_full_queue_under_refuse_answers_503() -> None:
    sink = Offered(full=True)
    ex = exchange(transcripts={"on_backlog": "refuse"})
    result = inspection(Action.PASS)
    enforcement = Transcriber(sink).record(ex, Direction.INBOUND, result, decide(ex, Direction.INBOUND, result))
    assert enforcement.wire is Wire.REFUSE and enforcement.answer is not None
    assert enforcement.answer.status == 503 and enforcement.answer.body["error"] == NOT_RECORDED
    assert sink.metrics.refused.labels("chat")._value.get() == 1


def test_a_full_queue_under_refuse_on_a_websocket_follows_on_block() -> None:
    sink = Offered(full=True)
    ex = exchange(websocket=True, on_block="close", transcripts={"on_backlog": "refuse"})
    result = inspection(Action.PASS)
    enforcement = Transcriber(sink).record(ex, Direction.OUTBOUND, result, decide(ex, Direction.OUTBOUND, result))
    assert enforcement.wire is Wire.CLOSE and enforcement.to_client is not None
    assert enforcement.to_client.reason == NOT_RECORDED


def test_a_blocked_message_stays_blocked_when_the_queue_is_full() -> None:
    sink = Offered(full=True)
    ex = exchange(transcripts={"on_backlog": "refuse"})
    result = inspection(Action.BLOCK)
    enforcement = Transcriber(sink).record(ex, Direction.INBOUND, result, decide(ex, Direction.INBOUND, result))
    assert enforcement.answer is not None and enforcement.answer.status == 403
