"""Everything built from one config, assembled once and swapped whole on reload.

Requests read `holder.current` once at their start, so a reload never mixes the
routes of one config with the upstream pools or filters of another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import aiohttp

from filters import Chain, Direction, FileWatch, FilterContext, PoolWatch
from gateway.access.rbac import AccessControl, RouteAccess
from gateway.access.rbac.config import MESSAGE_KINDS
from gateway.codec import Codec, FieldCaps, Pointer
from gateway.config.settings import FilterRef, RouteSettings, Settings
from gateway.e2ee.policy import E2EERule
from gateway.e2ee.recognise import Recogniser
from gateway.enforce.settings import ResponseSettings
from gateway.runtime.chains import FilterChains
from gateway.runtime.request_names import RequestNames
from gateway.runtime.routing import Route, RouteTable
from gateway.runtime.upstreams import Upstreams
from gateway.state import StateStore
from gateway.state.vault import StoreVault

log = logging.getLogger("chatguard.runtime")


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """What the hot path needs for one route, precomputed."""

    route: Route
    settings: RouteSettings
    upstream: str
    max_body: int
    timeout: aiohttp.ClientTimeout
    inbound_codec: Codec | None
    outbound_codec: Codec | None
    events_codec: Codec | None  # outbound server-sent events (`messages.outbound.sse`)
    inbound_chain: Chain
    outbound_chain: Chain
    max_frame: int
    access: RouteAccess
    responses: ResponseSettings | None = None  # the route's own score bands (None: the app's)
    answers_codec: Codec | None = None  # non-event answers of a route declaring only `sse` fields
    names: RequestNames | None = None  # message names HTTP requests carry, where `messages_allow` applies
    e2ee: E2EERule | None = None               # policy and recogniser for client messages (None: allow, none)
    seal_codec: Codec | None = None            # `encrypt_fields`: what is sealed on the way in
    seal_pointers: tuple[Pointer, ...] = ()
    max_upload: int = 0  # multipart bodies past max_body stream up to this many bytes (gateway.proxy.uploads)
    # Per direction, the verdicts a payload every filter passed counts per field (`Metrics.count_verdicts`):
    # `(route, filter, "pass")` for each step, made once rather than per payload.
    passes: Mapping[Direction, tuple[tuple[str, str, str], ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "passes", MappingProxyType({
            direction: tuple((self.name, step.name, "pass") for step in self.chain(direction).steps_for(direction))
            for direction in Direction}))

    @property
    def name(self) -> str:
        return self.route.name

    def codec(self, direction: Direction) -> Codec | None:
        return self.inbound_codec if direction is Direction.INBOUND else self.outbound_codec

    def chain(self, direction: Direction) -> Chain:
        return self.inbound_chain if direction is Direction.INBOUND else self.outbound_chain


class Runtime:
    """Route table, upstream pools and filter chains of one validated config."""

    def __init__(self, settings: Settings, store: StateStore | None = None,
                 watch: Callable[[str], PoolWatch] | None = None,
                 files: Callable[[str], FileWatch] | None = None, *,
                 previous: Runtime | None = None, vouched: Mapping[str, FilterRef] | None = None) -> None:
        """`watch`: what counts the work of each pool of worker processes, `files`: what counts the
        refreshes of each filter's files; `previous`, the runtime in service, whose unchanged filters are
        carried over, and `vouched` (`FilterChains.build`)."""
        self.settings = settings
        self.routes = RouteTable.build(settings.routes)
        self.access = AccessControl.build(settings)
        # Filters that keep data across messages (the masking vault, behaviour counts) keep it in the
        # shared store, so every worker and gateway instance sees the same tokens and counts.
        context = FilterContext() if store is None else FilterContext(store=store, vault=StoreVault(store))
        carried: FilterChains | None = previous.chains if previous is not None else None
        self.chains: FilterChains = FilterChains.build(settings, context, watch, files, previous=carried,
                                                       vouched=vouched)
        self.upstreams = Upstreams(settings.upstreams)
        self.trusted = settings.trusted_networks
        self.plans: dict[str, RoutePlan] = {}
        for route in self.routes:
            rs = route.settings
            upstream = settings.upstreams[rs.upstream]
            codecs = rs.messages.compile(f"routes[{route.index}].messages")  # built at config load
            caps = FieldCaps(rs.max_fields or settings.limits.max_fields, rs.max_chars or settings.limits.max_chars)
            self.plans[route.name] = RoutePlan(
                route=route,
                settings=rs,
                upstream=rs.upstream,
                max_body=rs.max_body if rs.max_body is not None else settings.limits.max_body,
                max_upload=int(rs.max_upload),
                # `connect` bounds a wait for the pool that bypassed its gate (delegated auth, released
                # messages) plus the connect itself; proxied requests wait in `Upstreams.gate` instead.
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=upstream.connect_timeout,
                                              connect=upstream.connect_timeout + upstream.pool_timeout,
                                              sock_read=rs.timeout or None),
                inbound_codec=_capped(codecs.inbound, caps),
                outbound_codec=_capped(codecs.outbound, caps),
                events_codec=_capped(codecs.events, caps),
                answers_codec=_capped(codecs.unshaped, caps),
                inbound_chain=self.chains.chain(route.name, Direction.INBOUND),
                outbound_chain=self.chains.chain(route.name, Direction.OUTBOUND),
                max_frame=rs.websocket.max_frame or settings.websocket.max_frame,
                access=self.access.routes[route.name],
                responses=rs.responses,
                names=RequestNames.build(rs.message_names, MESSAGE_KINDS, self.access.routes[route.name].messages,
                                         codecs.inbound),
                e2ee=_e2ee_rule(rs),
                seal_codec=rs.encrypt_fields.codec(),
                seal_pointers=rs.encrypt_fields.pointers(),
            )

        self._users = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        await self.upstreams.start()
        await self.chains.start()

    def acquire(self) -> None:
        """Mark one request or WebSocket as using this runtime (reload waits for them)."""
        self._users += 1
        self._idle.clear()

    def release(self) -> None:
        self._users -= 1
        if self._users == 0:
            self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def aclose(self) -> None:
        await self.upstreams.aclose()
        await self.chains.aclose()


def _e2ee_rule(rs: RouteSettings) -> E2EERule | None:
    """The route's E2EE policy and recogniser; None when there is nothing to recognise."""
    recognition = rs.encrypted
    if not recognition.messages or not recognition.declared:
        return None
    return E2EERule(rs.e2ee, Recogniser(recognition.event_type, recognition.pointers(), recognition.omemo))


def _capped(codec: Codec | None, caps: FieldCaps) -> Codec | None:
    """What reaches a route's filters is bounded: fields per message, characters per field."""
    return None if codec is None else codec.capped(caps)


class RuntimeHolder:
    """The current runtime; `swap` installs a new one and retires the old after a grace period."""

    def __init__(self, runtime: Runtime) -> None:
        self.current = runtime
        self._retiring: dict[asyncio.Task[None], Runtime] = {}

    async def swap(self, runtime: Runtime, grace: float) -> None:
        """Start `runtime` and put it in service (what it carried over from the current one becomes its
        own); if it cannot start, the current one stays and the error is raised."""
        await runtime.start()
        runtime.chains.take_over(self.current.chains)
        old, self.current = self.current, runtime
        old.chains.retire()  # one report per refused feed version: the config in service makes it
        task = asyncio.get_running_loop().create_task(self._retire(old, grace), name="chatguard-retire-runtime")
        self._retiring[task] = old
        task.add_done_callback(lambda done: self._retiring.pop(done, None))

    @staticmethod
    async def _retire(old: Runtime, grace: float) -> None:
        """Close the old pools once nothing uses them: open WebSockets keep them for as long as they live."""
        await asyncio.sleep(grace)
        await old.wait_idle()
        await old.aclose()

    async def aclose(self) -> None:
        """At shutdown: runtimes still waiting to retire are closed now, with the current one."""
        waiting = list(self._retiring.items())
        self._retiring.clear()
        for task, old in waiting:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await old.aclose()
        await self.current.aclose()
