"""A bounded memo for answers to keys that clients choose (paths, header names, media types).

Hot-path parsers remember their answers so a repeated request costs a dictionary lookup. The
keys come from clients, so the memo must not grow with them: at most `limit` answers are kept,
and when it is full it is emptied at once (a flood of distinct keys costs a refill, never
memory, and no bookkeeping per lookup as a least-recently-used order would). Callers decide
which keys are worth keeping (long ones are not).
"""

from __future__ import annotations

from collections.abc import Callable


class Memo[K, V](dict[K, V]):
    """A dict of at most `limit` entries; `keep` adds one, emptying the memo first when it is full."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


class TextMemo[V](Memo[str, V]):
    """A memo keyed by text a client sent: a key longer than `longest` is answered, never kept."""

    __slots__ = ("longest",)

    def __init__(self, limit: int, longest: int) -> None:
        super().__init__(limit)
        self.longest = longest

    def through(self, key: str, compute: Callable[[str], V]) -> V:
        """The remembered answer for `key`, else `compute(key)` (kept when `key` is short enough; an
        exception is never kept, it is raised again the next time)."""
        found = self.get(key)
        if found is None:
            found = compute(key)
            if len(key) <= self.longest:
                self.keep(key, found)
        return found
