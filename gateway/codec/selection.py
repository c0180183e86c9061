"""Pointer sets compiled into an automaton, so a walk costs one dict lookup per key, whatever the pointers.

A `Selection` is what a set of pointers says about one JSON value: whether it is text (`done`),
which selection reads the JSON inside it when it is a string (`inner`, for `@json`), and, when it
is an array or object, a `Branch` giving the selection of each member or element. Selections are
interned per `Automaton` and built lazily, so each distinct set of pointer states is worked out
once per codec (at most a few dozen for a preset) and every later payload only follows links.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from gateway.codec.keys import fold_key
from gateway.codec.pointer import Pointer

__all__ = ["ANY_DEPTH", "JSON_STEP", "WILDCARD", "Automaton", "Branch", "NamedSelections", "Selection", "State"]

WILDCARD = "*"
ANY_DEPTH = "**"
JSON_STEP = "@json"
META = frozenset({WILDCARD, ANY_DEPTH, JSON_STEP})

State = tuple[tuple[str, ...], int]  # pointer segments and the index of the next one to match
EVERYTHING: State = ((ANY_DEPTH,), 0)  # what a text pointer ending on an array or object becomes
_UNSET: object = object()


def _closure(states: Iterable[State]) -> frozenset[State]:
    """`states` plus, for each `**`, the state that lets it match no level at all."""
    out = list(dict.fromkeys(states))
    for segments, i in out:  # grows while iterating: consecutive `**` each add one
        if i < len(segments) and segments[i] == ANY_DEPTH and (segments, i + 1) not in out:
            out.append((segments, i + 1))
    return frozenset(out)


def _reads_into(segments: tuple[str, ...], i: int) -> bool:
    """Whether a pending state names what is inside this very value (not a `**` passing by)."""
    return segments[i] != ANY_DEPTH and not (i > 0 and segments[i - 1] == ANY_DEPTH)


class Automaton:
    """Interns the selections of one codec direction; `fold` compares keys case-folded; `guard`: a key
    that a pointer names only in another case is refused (`Branch.twin`), for backends that may bind it."""

    __slots__ = ("_interned", "fold", "guard")

    def __init__(self, fold: bool = False, guard: bool = False) -> None:
        self.fold = fold
        self.guard = guard and not fold
        self._interned: dict[frozenset[State], Selection] = {}

    def selection(self, states: Iterable[State]) -> Selection | None:
        """The selection for `states` (None when there are none: nothing below is read)."""
        key = _closure(states)
        if not key:
            return None
        found = self._interned.get(key)
        if found is None:
            found = self._interned[key] = Selection(self, key)
        return found

    def start(self, pointers: Iterable[Pointer]) -> Selection | None:
        """The selection of a document's top value for `pointers`."""
        return self.selection((self.segments(pointer.segments), 0) for pointer in pointers)

    def segments(self, segments: Sequence[str]) -> tuple[str, ...]:
        if not self.fold:
            return tuple(segments)
        return tuple(s if s in META else fold_key(s) for s in segments)

    def key(self, key: str) -> str:
        return fold_key(key) if self.fold else key


class Selection:
    """What the pointers say about one value: text or not, and how to read what is inside it."""

    __slots__ = ("_array", "_automaton", "_inner", "_object", "_states", "done")

    def __init__(self, automaton: Automaton, states: frozenset[State]) -> None:
        self._automaton = automaton
        self._states = states
        self.done = any(i == len(segments) for segments, i in states)
        self._inner: object = _UNSET
        self._object: object = _UNSET
        self._array: object = _UNSET

    @property
    def automaton(self) -> Automaton:
        return self._automaton

    @property
    def inner(self) -> Selection | None:
        """The selection of the JSON document held in this value when it is a string (`@json`)."""
        if self._inner is _UNSET:
            self._inner = self._automaton.selection(
                (s, i + 1) for s, i in self._states if i < len(s) and s[i] == JSON_STEP)
        return self._inner  # type: ignore[return-value]

    def branch(self, array: bool) -> Branch | None:
        """How to read the members (or elements) of this value; None: skip it unread."""
        cached = self._array if array else self._object
        if cached is _UNSET:
            cached = self._branch(array)
            if array:
                self._array = cached
            else:
                self._object = cached
        return cached  # type: ignore[return-value]

    def _branch(self, array: bool) -> Branch | None:
        states = self._states
        while any(i < len(s) and s[i] == JSON_STEP for s, i in states):  # `@json` on a container: a no-op
            states = _closure((s, i + 1) if i < len(s) and s[i] == JSON_STEP else (s, i) for s, i in states)
        pending = [(segments, i) for segments, i in states if i < len(segments)]
        # Text that is a list, or an object no other pointer reads into (a `**` passing through
        # does not count: it reads every object alike, it says nothing about this one).
        if self.done and EVERYTHING not in pending and (array or not any(_reads_into(s, i) for s, i in pending)):
            pending.append(EVERYTHING)
        if not pending:
            return None
        return Branch(self._automaton, pending, self.done or EVERYTHING in pending)


class Branch:
    """The members or elements of one container: each key leads to a selection, or to nothing."""

    __slots__ = ("_automaton", "_cache", "_explicit", "_folded", "_table", "_wild", "_wild_states", "descending")

    def __init__(self, automaton: Automaton, pending: list[State], descending: bool) -> None:
        self._automaton = automaton
        self.descending = descending  # everything below is text
        self._wild_states = [(s, i) if s[i] == ANY_DEPTH else (s, i + 1) for s, i in pending
                             if s[i] == ANY_DEPTH or s[i] == WILDCARD]
        self._explicit: dict[str, list[State]] = {}
        for s, i in pending:
            if s[i] != ANY_DEPTH and s[i] != WILDCARD:
                self._explicit.setdefault(s[i], []).append((s, i + 1))
        self._wild: object = _UNSET
        self._cache: dict[str, Selection | None] = {}
        self._table: tuple[dict[str, Selection | None], Selection | None] | None = None
        self._folded: frozenset[str] | None = None

    def twin(self, key: str) -> bool:
        """Whether `key` is a key some pointer names here, spelt in another case (`Message` for `/message`):
        what ASP.NET Core's System.Text.Json (its web defaults), Newtonsoft or Go would read as that key."""
        if key in self._explicit:
            return False
        folded = self.folded()
        return bool(folded) and fold_key(key) in folded

    def folded(self) -> frozenset[str]:
        """The keys pointers name here, each as `fold_key` gives it (an ASCII key: upper case)."""
        folded = self._folded
        if folded is None:
            folded = self._folded = frozenset(fold_key(name) for name in self._explicit)
        return folded

    def step(self, key: str) -> Selection | None:
        """The selection of the member named `key` (already folded when the automaton folds)."""
        extra = self._explicit.get(key)
        if extra is None:
            if self._wild is _UNSET:
                self._wild = self._automaton.selection(self._wild_states)
            return self._wild  # type: ignore[return-value]
        if key not in self._cache:
            self._cache[key] = self._automaton.selection([*self._wild_states, *extra])
        return self._cache[key]

    def table(self) -> tuple[dict[str, Selection | None], Selection | None]:
        """`step` as data: the selection of each key a pointer names, and that of every other key, so a
        walk over parsed members looks each one up (`table.get(key, other)`) without a call."""
        table = self._table
        if table is None:
            if self._wild is _UNSET:
                self._wild = self._automaton.selection(self._wild_states)
            table = self._table = ({key: self.step(key) for key in self._explicit}, self._wild)  # type: ignore[assignment]
        return table  # type: ignore[return-value]


class NamedSelections:
    """Selections per message name (Socket.IO events, DDP methods and collections), `*` added to each.

    The pointers of a name address that message (for Socket.IO, its argument list); `every` gives
    the pointers read for a reserved kind (`#ack`) when the config declares none for it, and `own` a
    reserved kind's own pointers alone (`#connect` addresses an object, not an argument list).
    Reserved kinds (`#...`) are not messages: their pointers are not among every message's.
    """

    __slots__ = ("_by_name", "_every", "_other", "_own", "automaton")

    def __init__(self, named: Mapping[str, Sequence[Pointer]], fold: bool = False) -> None:
        self.automaton = automaton = Automaton(fold)
        wildcard = tuple(named.get(WILDCARD, ()))
        self._by_name = {name: automaton.start([*pointers, *wildcard]) for name, pointers in named.items()}
        self._other = automaton.start(wildcard)  # a name the config does not list
        self._every = automaton.start(dict.fromkeys(p for name, ps in named.items() if not name.startswith("#")
                                                    for p in ps))
        self._own = {name: automaton.start(list(ps)) for name, ps in named.items() if name.startswith("#")}

    def own(self, name: str) -> Selection | None:
        """The reserved kind `name`'s own pointers, without the wildcard's; None when not declared."""
        return self._own.get(name)

    def get(self, name: str) -> Selection | None:
        return self._by_name.get(name, self._other)

    def declared(self, name: str) -> bool:
        """Whether `name` has pointers of its own (not only the wildcard's)."""
        return name in self._by_name

    def every(self, name: str) -> Selection | None:
        """`name`'s own pointers when declared, else every pointer declared for any name."""
        return self._by_name[name] if name in self._by_name else self._every
