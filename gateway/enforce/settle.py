"""Running the countermeasures an `Enforcement` names, and what their outcome means on the wire.

`settle` is the only async step: the responder bans, throttles, quarantines and alerts through
the state store. `settled` and `answer` are pure: a ban or throttle refuses the message (403 /
429; a WebSocket client is closed with 1008 and its upstream only hears that the client went
away), step-up and quarantine answer the sender (401 / 202, or an error frame), and a state
store that cannot answer fails closed (503, or 1011). Alerts and logs change nothing on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from aiohttp import WSCloseCode

from filters import Action, Channel, Direction
from gateway.access.rbac import STEP_UP
from gateway.audit.record import write_audit
from gateway.edge.errors import BANNED, TOO_MANY, HttpAnswer, banned, refusal, too_many_requests
from gateway.enforce.countermeasures import Outcome
from gateway.enforce.decide import POLICY_CLOSE, Result, decide, ws_error_frame
from gateway.enforce.enforcement import Close, Enforcement, Wire
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.keys import METRICS, RESPONDER, TRANSCRIBER
from gateway.state import StateUnavailable

__all__ = ["HELD", "answer", "enforce", "forwarded", "settle", "settled"]

HELD = "held for review"
UNAVAILABLE = "service unavailable"
CLIENT_GONE = Close(int(WSCloseCode.GOING_AWAY), "client went away")  # what the upstream hears of a refused client


async def settle(exchange: Exchange, enforcement: Enforcement) -> Enforcement:
    """Run the countermeasures `enforcement` names (if any) and return the final enforcement."""
    pending = enforcement.countermeasure
    if pending is None:
        return enforcement
    responder = exchange.request.app[RESPONDER].for_route(pending.settings)
    try:
        outcome = await responder.respond(pending.offender, pending.score, pending.hints, pending.reasons,
                                          pending.payload)
    except StateUnavailable:
        return settled(enforcement, None)
    return settled(enforcement, outcome, time.time())


def settled(enforcement: Enforcement, outcome: Outcome | None, now: float = 0.0) -> Enforcement:
    """The enforcement once its countermeasures ran (`outcome` None: the state store was down)."""
    pending = enforcement.countermeasure
    if pending is None:
        return enforcement
    channel = Channel(pending.offender.channel)
    if outcome is None:
        down = refusal(503, UNAVAILABLE, pending.offender.request_id) if channel is Channel.HTTP else None
        action = _refuse(down) if down is not None else _close(Close(int(WSCloseCode.INTERNAL_ERROR), UNAVAILABLE))
        return replace(action, audit=pending.if_store_down)
    instead = answer(outcome, channel, now)
    if instead is None:
        return replace(enforcement, countermeasure=None)
    return replace(instead, audit=pending.if_answered)


def answer(outcome: Outcome, channel: Channel, now: float) -> Enforcement | None:
    """What the sender gets instead of the chain's decision; None for countermeasures it does not see."""
    rid = outcome.request_id
    http = channel is Channel.HTTP
    if outcome.ban is not None:
        return _refuse(banned(outcome.ban.until, now, rid)) if http else _close(Close(POLICY_CLOSE, BANNED))
    if outcome.retry_after is not None:
        return _refuse(too_many_requests(outcome.retry_after, rid)) if http else _close(Close(POLICY_CLOSE, TOO_MANY))
    if "step_up" in outcome.actions:
        return _refuse(refusal(401, STEP_UP, rid)) if http else _reply(ws_error_frame(rid, STEP_UP))
    if outcome.quarantine_id is not None:
        if http:
            return _refuse(HttpAnswer(202, {"status": HELD, "id": outcome.quarantine_id, "request_id": rid}))
        return _reply(ws_error_frame(rid, HELD, id=outcome.quarantine_id))
    return None


def _refuse(answer: HttpAnswer) -> Enforcement:
    return Enforcement(Wire.REFUSE, answer=answer)


def _close(to_client: Close) -> Enforcement:
    return Enforcement(Wire.CLOSE, to_client=to_client, to_upstream=CLIENT_GONE)


def _reply(frame: str) -> Enforcement:
    return Enforcement(Wire.REPLY, reply=frame)


async def enforce(exchange: Exchange, direction: Direction, result: Result) -> Enforcement:
    """What the proxies call per message: `decide`, run its countermeasures, offer its transcript
    (never waiting; a full queue may refuse it, see `gateway.enforce.transcribe`), write its audit entries."""
    count_verdicts(exchange, result)
    enforcement = decide(exchange, direction, result)
    if enforcement.countermeasure is not None:
        enforcement = await settle(exchange, enforcement)
    transcriber = exchange.request.app.get(TRANSCRIBER)
    if transcriber is not None:
        enforcement = transcriber.record(exchange, direction, result, enforcement)
    if enforcement.audit:
        write_audit(enforcement.audit)
    return enforcement


def forwarded(exchange: Exchange, direction: Direction, result: Result, transcribed: bool,
              count: Callable[[str, str, str], None] | None = None) -> bytes | None:
    """The payload `enforce` forwards when nothing else follows from the message, without building the
    enforcement: an inspection every filter passed, no response to run (`Inspection.threat`), nothing to
    audit and no transcript (`transcribed`: the app has a transcriber). None: `enforce` must decide.
    `count`: the app's `count_verdict`, when the caller holds it already."""
    if type(result) is not Inspection or result.action is not Action.PASS or transcribed:
        return None
    if direction is Direction.INBOUND and result.threat() is not None:
        return None
    count_verdicts(exchange, result, count)
    payload = result.payload
    return payload.encode() if isinstance(payload, str) else payload


def count_verdicts(exchange: Exchange, result: Result, count: Callable[[str, str, str], None] | None = None) -> None:
    """`chatguard_filter_actions_total{route, filter, action}`: every verdict of every filter that ran;
    a filter that failed (raised, timed out, over budget) counts as `error`."""
    if not isinstance(result, Inspection):
        return
    if count is None:
        count = exchange.request.app[METRICS].count_verdict
    route = exchange.plan.name
    for chain_result in result.results:
        for verdict in chain_result.verdicts:
            action = "error" if verdict.reason and verdict.reason in chain_result.failures else _LABEL[verdict.action]
            count(route, verdict.filter or "-", action)


_LABEL = {action: action.value for action in Action}  # Enum.value is a property: a call per read
