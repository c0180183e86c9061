"""The pre-route check: banned address or subject -> 403, too many requests -> 429.

It runs before anything is parsed or forwarded, so a banned or storming client costs
one or two store lookups. Ban keys are named here and used by `gateway.enforce.countermeasures`,
so both always agree on what "banned" means. A store that cannot answer refuses the
request (503): a ban must never lapse because Redis is down (`state.on_error: local`
chooses availability instead).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from filters.options import Duration, OptionsError, join
from gateway.edge.errors import banned, error_response, too_many_requests
from gateway.edge.request_id import request_id_from
from gateway.state import StateStore, StateUnavailable


def address_key(client: str) -> str:
    return f"ip:{client}"


def subject_key(subject: str) -> str:
    return f"subject:{subject}"


def pair_key(subject: str, client: str) -> str:
    return f"pair:{subject}|{client}"


def throttle_key(key: str) -> str:
    return f"throttle:{key}"


@dataclass(frozen=True)
class ShieldSettings:
    """The `shield:` section: request and WebSocket-connect rates per client address."""

    enabled: bool = True
    requests: int = 3000  # requests per address per `window` (offices share addresses: stay generous)
    window: Duration = Duration(60)
    throttled_requests: int = 20  # the limit for a throttled address or subject
    connects: int = 300  # WebSocket upgrades per address per `connect_window`
    connect_window: Duration = Duration(60)

    def validate(self, path: str) -> None:
        for name in ("requests", "throttled_requests", "connects", "window", "connect_window"):
            if not getattr(self, name) > 0:
                raise OptionsError(join(path, name), f"expected a number > 0, got {getattr(self, name)!r}")


def ban_keys(client: str, subject: str | None) -> list[str]:
    """Every key a ban covering this client can be recorded under (address, subject, the pair)."""
    keys = [address_key(client)]
    if subject and subject != "anonymous":
        keys += [subject_key(subject), pair_key(subject, client)]
    return keys


async def check(request: web.Request, store: StateStore, settings: ShieldSettings, client: str,
                subject: str | None, *, websocket: bool = False, request_id: str | None = None) -> web.Response | None:
    """None to let the request on; otherwise the answer (403 banned, 429 limited, 503 store down).

    One `screen` of the store: the bans of the address, subject and pair, their throttles, the
    address's request rate and, for a WebSocket upgrade, its connect rate (a storm of upgrades
    from one address -> 429). On Redis that is one round trip per request.
    """
    if not settings.enabled:
        return None
    keys = ban_keys(client, subject)
    hits = [(f"shield:rate:{client}", float(settings.window))]
    if websocket:
        hits.append((f"shield:connect:{client}", float(settings.connect_window)))
    try:
        found = await store.screen(keys, [throttle_key(key) for key in keys], hits)
    except StateUnavailable:
        return error_response(503, "service unavailable", request_id or request_id_from(request.headers))
    if found.ban is not None:
        return banned(found.ban.until, time.time(), request_id or request_id_from(request.headers)).response()
    limit = settings.throttled_requests if found.flagged else settings.requests
    if found.counts[0] > limit:
        return too_many_requests(float(settings.window), request_id or request_id_from(request.headers)).response()
    if websocket and found.counts[1] > settings.connects:
        return too_many_requests(float(settings.connect_window),
                                 request_id or request_id_from(request.headers)).response()
    return None
