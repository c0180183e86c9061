"""The filter contract: what a filter receives and returns.

A filter reads one piece of chat text and returns a `Verdict`; it never touches a
connection. Keeping the decision a plain return value makes every decision
auditable and testable without a network.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, runtime_checkable

from typing_extensions import TypeVar

from filters._context import FilterContext


class Direction(enum.StrEnum):
    """Which way a message travels: inbound is client -> backend."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Channel(enum.StrEnum):
    HTTP = "http"
    WS = "ws"


class Action(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - an action name, not a password
    MODIFY = "modify"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who sent the message, as far as the gateway knows."""

    subject: str = "anonymous"
    roles: frozenset[str] = frozenset({"anonymous"})
    mfa: bool = False

    @property
    def anonymous(self) -> bool:
        return self.subject == "anonymous"


ANONYMOUS = Principal()


@dataclass(frozen=True, slots=True)
class Message:
    """One piece of chat text found by the codec, with where it came from."""

    text: str
    direction: Direction = Direction.INBOUND
    channel: Channel = Channel.HTTP
    route: str = ""
    field: str = ""
    principal: Principal = ANONYMOUS
    conversation: str = ""
    client: str = ""
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __init__(self, text: str, direction: Direction = Direction.INBOUND, channel: Channel = Channel.HTTP,
                 route: str = "", field: str = "", principal: Principal = ANONYMOUS, conversation: str = "",
                 client: str = "", metadata: Mapping[str, Any] | None = None) -> None:
        """The generated `__init__` of a frozen dataclass sets each field through `object.__setattr__`;
        the slots' own setters do the same in half the time (one message per field of every payload)."""
        _SET_TEXT(self, text)
        _SET_DIRECTION(self, direction)
        _SET_CHANNEL(self, channel)
        _SET_ROUTE(self, route)
        _SET_FIELD(self, field)
        _SET_PRINCIPAL(self, principal)
        _SET_CONVERSATION(self, conversation)
        _SET_CLIENT(self, client)
        _SET_METADATA(self, {} if metadata is None else metadata)

    def with_text(self, text: str) -> Message:
        """This message with another text (each filter's change is passed on this way: built directly,
        as `dataclasses.replace` would, without its walk over the fields)."""
        return Message(text, self.direction, self.channel, self.route, self.field, self.principal,
                       self.conversation, self.client, self.metadata)


(_SET_TEXT, _SET_DIRECTION, _SET_CHANNEL, _SET_ROUTE, _SET_FIELD, _SET_PRINCIPAL, _SET_CONVERSATION, _SET_CLIENT,
 _SET_METADATA) = (getattr(Message, field.name).__set__ for field in dataclasses.fields(Message))


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a filter found: its type and the span it covers in the text it saw."""

    type: str
    start: int
    end: int
    score: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "start": self.start, "end": self.end, "score": self.score}


@dataclass(frozen=True, slots=True)
class Hints:
    """Optional responses a filter suggests; the gateway's `enforce` decides what happens."""

    ban: bool = False
    alert: bool = False
    step_up: bool = False
    labels: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.ban or self.alert or self.step_up or bool(self.labels)

    @staticmethod
    def merge(hints: Iterable[Hints]) -> Hints:
        """Several filters' hints as one: any ban, alert or step-up wins; labels are joined in order."""
        found = [h for h in hints if h]
        if not found:
            return NO_HINTS
        labels = tuple(dict.fromkeys(label for h in found for label in h.labels))
        return Hints(any(h.ban for h in found), any(h.alert for h in found), any(h.step_up for h in found), labels)


NO_HINTS = Hints()


@dataclass(frozen=True, slots=True)
class Verdict:
    """A filter's decision about one message."""

    action: Action = Action.PASS
    text: str | None = None
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    hints: Hints = NO_HINTS
    filter: str = ""

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK


PASS = Verdict()


def modify(text: str, reason: str = "", findings: tuple[Finding, ...] | list[Finding] = (),
           hints: Hints = NO_HINTS) -> Verdict:
    """A verdict that forwards `text` instead of the original."""
    return Verdict(Action.MODIFY, text, reason, tuple(findings), hints)


def block(reason: str, findings: tuple[Finding, ...] | list[Finding] = (),
          hints: Hints = NO_HINTS) -> Verdict:
    """A verdict that stops the message; `reason` is audited, never shown to the sender."""
    return Verdict(Action.BLOCK, None, reason, tuple(findings), hints)


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What one `Filter.refresh` did. Each text names a file and why, never the file's contents."""

    loaded: tuple[str, ...] = ()   # files whose new version is in use now
    refused: tuple[str, ...] = ()  # new versions refused (the previous version stays in use): "file: why"
    stale: tuple[str, ...] = ()    # every file whose newest version was refused, until a good one comes


@runtime_checkable
class FilterStream(Protocol):
    """Per-stream state of a filter that must see a stream whole (a value split across chunks).

    The gateway makes one per streamed response (and field) through `Filter.stream`, feeds it
    every chunk in order and forwards what `feed` returns; `close` returns the held tail at
    end of stream. What is held back must stay bounded. `findings` lists everything found so
    far (spans count from the start of the stream); the gateway audits the new ones after
    each call. Raising fails closed: the stream is cut.
    """

    @property
    def findings(self) -> Sequence[Finding]: ...

    async def feed(self, chunk: str) -> str: ...

    async def close(self) -> str: ...


@dataclass(frozen=True)
class NoOptions:
    """Options of a filter that takes none."""


OptionsT = TypeVar("OptionsT", default=NoOptions)  # a filter's Options type; plain `Filter` takes none


class Filter(Generic[OptionsT]):
    """Base class of every filter, built-in or plugin: `class Mine(Filter[MineOptions])` (or plain
    `class Mine(Filter)` for a filter without options).

    Subclasses set `name`, optionally an `Options` frozen dataclass (checked against the
    config at startup; `self.options` is typed by the class parameter) and `directions`,
    and override `inspect`. The constructor takes `(options, context)`: the bound options
    and the gateway's `FilterContext` (store, vault, clock, logger); override it only to
    prepare once what every message needs, and call `super().__init__(options, context)`.
    One instance is built per configured filter and shared by every route and connection
    that uses it, so `inspect` must not keep per-message state on `self`.
    """

    name: ClassVar[str] = ""
    Options: ClassVar[type[Any]] = NoOptions
    directions: ClassVar[frozenset[Direction]] = frozenset(Direction)
    description: ClassVar[str] = ""

    def __init__(self, options: OptionsT | None = None, context: FilterContext | None = None) -> None:
        self.options: OptionsT = options if options is not None else self.Options()
        self.context: FilterContext = context if context is not None else FilterContext()

    def handles(self, direction: Direction) -> bool:
        return direction in self.directions

    @property
    def offloadable(self) -> bool:
        """True when `inspect` only computes: it awaits nothing tied to the event loop (no state
        store, vault or other I/O) and keeps no state on `self` between calls. A long text (2,048
        characters or more by default) is then inspected off the event loop (`filters._offload`: in
        worker processes that build the filter from its config entry, or on the filter thread), so
        that the event loop keeps serving other clients meanwhile. Default False: every call on
        the event loop."""
        return False

    async def inspect(self, message: Message) -> Verdict:
        """Decide about one message. The default passes everything."""
        return PASS

    def inspect_now(self, message: Message) -> Verdict | None:
        """`inspect`'s answer computed without awaiting anything, or None when this message needs
        `inspect` (the default: always). A filter that often decides by computing alone overrides it:
        the chain then calls it first, under the same budget, and skips the coroutine `inspect` costs
        (a few microseconds per message per filter); on None it awaits `inspect` as usual. Where it
        answers, the answer must be the one `inspect` gives."""
        return None

    def stream(self, message: Message) -> FilterStream | None:
        """Per-stream state for the stream `message` starts (its text is empty), or None.

        None (the default) means each chunk is inspected alone with `inspect`. A filter
        whose findings can span chunks (the masking filter) returns a fresh `FilterStream`.
        """
        return None

    @property
    def refresh_every(self) -> float:
        """Seconds between calls of `refresh` while the gateway serves; 0 (the default): never."""
        return 0.0

    def refresh(self) -> Refreshed:
        """Re-read the files the filter reads that changed since the last look (feeds that change on
        their own schedule), and swap each new version in whole. A version the filter cannot use
        (unreadable, emptied, malformed) is refused and the previous one stays in use: a filter never
        ends up checking against nothing. Called off the event loop, never while the filter is being
        built; `inspect` may run meanwhile on another thread, so swap by assigning one reference."""
        return Refreshed()

    async def aclose(self) -> None:
        """Release what the filter holds (files, connections). Called once at shutdown."""


type AnyFilter = Filter[Any]  # a filter whatever its options (for code that handles every filter)


def own_inspect_now(flt: AnyFilter) -> Callable[[Message], Verdict | None] | None:
    """`flt.inspect_now` when its class has one of its own, else None: the default answers nothing, so
    calling it would only add a call before every `inspect`."""
    own = getattr(type(flt), "inspect_now", Filter.inspect_now) is not Filter.inspect_now
    return flt.inspect_now if own else None
