"""JSON documents: find string values by pointer, and splice new strings in at their exact offsets.

Pointers are RFC 6901 (`/content/body`, `~0` for `~`, `~1` for `/`) with three extra segments:
`*` matches every member of an object or every element of an array, `**` any number of levels
(none included), and `@json` descends into a string that itself holds a JSON document
(Mattermost's `posted` event carries its post that way: `/data/post/@json/message`). On an
object or array, `@json` is a no-op, so a pointer keeps working when a server sends that value
as real JSON instead.

What a pointer reaches is text, whatever its JSON type, because a JavaScript backend turns it
back into text (`${msg.text}`): a string is one field; a number is a field holding its text as
JavaScript prints it (`gateway.codec.numbers`: `4.111111111111111e15` is `4111111111111111`; written
back as a string if a filter changes it); an array is descended into, every string and
number below it a field, and the array one more field, its items joined as JavaScript joins arrays into
text (`numbers.joined`; a change the filters make to that field that the items' own changes do not make
is refused when rendering); the members of an object read as text that hold a number alone are one more
field, read joined (`gateway.codec.siblings`: a number split over sibling fields); so is an object, unless other
pointers lead into it (`/*` with `/*/text`: the object's text is where those say); `true`,
`false` and `null` hold no text.

The walk only descends where some pointer leads; everything else is skipped with the C scanner
of the standard library, which validates it on the way. Objects on a pointer's way must not
repeat a key (the backend might read the other copy), compared after case folding when the
backend folds keys (`fold`, see `keys.py`), must not spell a key a pointer names in another case when
the selection guards (requests: a backend that folds keys would read it as that key), and must not be
EJSON-special; no key anywhere may be
`__proto__` or hold a control character. Rendering replaces exactly the bytes of the changed
literals: the rest of the document is forwarded as it came.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

from gateway.codec._base import CodecError, Renderer, TextField, chars_limit
from gateway.codec.json_limits import MAX_DEPTH, check_document
from gateway.codec.keys import PROTO, check_ejson, refuse_special_keys
from gateway.codec.numbers import joined_fields, shown, window_after
from gateway.codec.pointer import Pointer, escape
from gateway.codec.selection import ANY_DEPTH, JSON_STEP, WILDCARD, Automaton, Selection
from gateway.codec.siblings import Run, check_siblings, sibling_runs

__all__ = [
    "ANY_DEPTH", "JSON_STEP", "MAX_DEPTH", "WILDCARD", "JsonDoc", "Pointer", "Walker",
    "check_document", "parse_document", "reject_constant", "select", "walk_document",
]

_WS = re.compile(r"[ \t\n\r]*")
_SPACE = " \t\n\r"


def reject_constant(name: str) -> float:
    raise CodecError(f"{name} is not JSON")


# The C scanners behind json.loads: one reads a value and returns where it ends, one a string.
_SCAN: Callable[[str, int], tuple[object, int]] = json.JSONDecoder(
    parse_constant=reject_constant).scan_once  # type: ignore[attr-defined]
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def string_literal(text: str, original: str) -> str:
    """`text` as a JSON string literal, \\u-escaped if the literal it replaces was."""
    return json.dumps(text, ensure_ascii=original.isascii() and "\\u" in original)


class JsonDoc:
    """One JSON text and what was found in it: string fields and nested payloads, by offset."""

    __slots__ = ("joined", "leaves", "nested", "siblings", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.leaves: dict[int, tuple[int, int]] = {}         # literal start -> (end, field index)
        self.nested: dict[int, tuple[int, Renderer]] = {}    # literal start -> (end, inner renderer)
        # field index -> (start, end) of an array read joined, and the slice of its joined text the field holds
        self.joined: dict[int, tuple[int, int, int, int]] = {}
        # field index -> sibling members read joined (`gateway.codec.siblings`)
        self.siblings: dict[int, Run] = {}

    def render(self, changes: Mapping[int, str]) -> str | None:
        """The text with changed literals spliced in, or None when nothing in it changed."""
        splices: list[tuple[int, int, str]] = []
        replaced: set[int] = set()
        for start, (end, index) in self.leaves.items():
            if index in changes:
                splices.append((start, end, string_literal(changes[index], self.text[start:end])))
                replaced.add(start)
        for start, (end, inner) in self.nested.items():
            if start in replaced:  # the whole string was rewritten as a field: that wins
                continue
            rendered = inner(changes)
            if rendered is not None:
                splices.append((start, end, string_literal(rendered, self.text[start:end])))
        for index, (start, end, first, stop) in self.joined.items():
            if index in changes:
                self._check_joined(start, end, first, stop, splices, changes[index])
        for index, run in self.siblings.items():
            if index in changes:
                check_siblings(run, changes[index], changes)
        if not splices:
            return None
        splices.sort()
        pieces: list[str] = []
        last = 0
        for start, end, literal in splices:
            pieces += (self.text[last:start], literal)
            last = end
        pieces.append(self.text[last:])
        return "".join(pieces)

    def _check_joined(self, start: int, end: int, first: int, stop: int, splices: list[tuple[int, int, str]],
                      text: str) -> None:
        """An array's joined text (the slice `[first:stop]` of it) that the filters changed (`text`) goes out
        only as its items' changes make it: the backend reads the items, so a change only the joined reading
        made cannot be written back."""
        pieces: list[str] = []
        last = start
        for begin, finish, literal in sorted(s for s in splices if start <= s[0] and s[1] <= end):
            pieces += (self.text[last:begin], literal)
            last = finish
        pieces.append(self.text[last:end])
        if window_after(json.loads(self.text[start:end]), json.loads("".join(pieces)), first, stop) != text:
            raise CodecError("the filters changed what an array's items make joined, as a JavaScript backend reads "
                             "it, and not in the items themselves")


class Walker:
    """Walks one JsonDoc along a selection, recording text fields into a shared list.

    `automaton` folds keys when the backend does; `placeholders`: refuse a Socket.IO binary
    placeholder where text is read (the backend puts the attachment there, bytes the gateway
    never sees).
    """

    __slots__ = ("automaton", "doc", "fields", "limit", "placeholders", "text")

    def __init__(self, doc: JsonDoc, fields: list[TextField], automaton: Automaton, *,
                 placeholders: bool = False, limit: int | None = None) -> None:
        self.doc = doc
        self.text = doc.text
        self.fields = fields
        self.automaton = automaton
        self.placeholders = placeholders
        self.limit = limit  # the characters an array's joined reading may hold (`numbers.joined_windows`)

    def ws(self, pos: int) -> int:
        """Past any whitespace at `pos` (the end of the text is a valid answer)."""
        text = self.text
        if pos < len(text) and text[pos] in _SPACE:
            return _WS.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string too
        return pos

    def skip(self, pos: int) -> int:
        """End of the value at `pos`, validated but not looked into."""
        try:
            return int(_SCAN(self.text, pos)[1])
        except StopIteration:
            raise CodecError(f"expected a JSON value at offset {pos}") from None

    def string(self, pos: int) -> tuple[str, int]:
        if self.text[pos] != '"':
            raise CodecError(f"expected a JSON string at offset {pos}")
        value, end = scanstring(self.text, pos + 1, True)
        return value, end

    def add_joined(self, start: int, end: int, path: str) -> None:
        """The array at `start` as one more field, its items joined (`numbers.joined`), when it joins two or
        more strings or numbers (one alone is its own field already); longer than the fields' `max_chars`,
        as the windows `numbers.joined_windows` gives, one field each."""
        if any(at == start for at, *_ in self.doc.joined.values()):
            return  # two pointers may select the same array: offer it once
        for text, first, stop in joined_fields(json.loads(self.text[start:end]), self.limit):
            self.doc.joined[len(self.fields)] = (start, end, first, stop)
            self.fields.append(TextField(path, text))

    def add_siblings(self, members: list[int], path: str) -> None:
        """The number-only members of the object at `path` (field indices, in document order) read joined, one
        more field per run (`gateway.codec.siblings`)."""
        for run in sibling_runs([(index, self.fields[index].text) for index in members]):
            self.doc.siblings[len(self.fields)] = run
            self.fields.append(TextField(path, run[0]))

    def add_field(self, start: int, end: int, path: str, text: str) -> None:
        if start not in self.doc.leaves:  # two pointers may select the same value: offer it once
            self.doc.leaves[start] = (end, len(self.fields))
            self.fields.append(TextField(path, text))

    def value(self, pos: int, selection: Selection, path: str) -> int:
        """Walk the value at `pos` as `selection` says; returns its end."""
        char = self.text[pos]
        if char == '"':
            text, end = self.string(pos)
            if selection.done:
                self.add_field(pos, end, path, text)
            inner = selection.inner
            if inner is not None:
                nested = parse_document(text, inner, self.fields, f"{path}/{JSON_STEP}", limit=self.limit)
                self.doc.nested[pos] = (end, nested.render)
            return end
        if char not in "{[":
            end = self.skip(pos)
            if selection.done and char not in "tfn":  # a number where text is read: as JavaScript prints it
                self.add_field(pos, end, path, shown(self.text[pos:end]))
            return end
        branch = selection.branch(char == "[")
        if branch is None:
            return self.skip(pos)
        step = branch.step
        if char == "{":
            placeholders = branch.descending and self.placeholders
            key_of = self.automaton.key
            twin = branch.twin if self.automaton.guard else None
            leaves: list[int] = []  # the members read as one text field each (strings and numbers)

            def member(key: str, at: int) -> int:
                if placeholders and key == "_placeholder":
                    raise CodecError("a binary attachment where the route reads text")
                if twin is not None and twin(key):
                    raise CodecError("a key spelt as a read key in another case (backends that fold keys read it)")
                nxt = step(key_of(key))
                if nxt is None:
                    return self.skip(at)
                count = len(self.fields)
                end = self.value(at, nxt, f"{path}/{escape(key)}")
                if len(self.fields) == count + 1 and self.text[at] not in "[{":
                    leaves.append(count)
                return end
            end = self.members(pos, member, read_as_text=branch.descending)
            if len(leaves) >= 2:
                self.add_siblings(leaves, path)
            return end

        def element(index: int, at: int) -> int:
            nxt = step(str(index))
            return self.value(at, nxt, f"{path}/{index}") if nxt is not None else self.skip(at)
        end = self.elements(pos, element)
        if selection.done:  # an array where text is read: a JavaScript backend reads its items joined
            self.add_joined(pos, end, path)
        return end

    def members(self, pos: int, visit: Callable[[str, int], int], *, read_as_text: bool = False) -> int:
        """Visit each member of the object at `pos` (visit returns the member value's end);
        `read_as_text`: the object sits where text is read."""
        text, space, skip_space = self.text, _SPACE, _WS.match
        if text[pos] != "{":
            raise CodecError(f"expected a JSON object at offset {pos}")
        pos = self.ws(pos + 1)
        if text[pos] == "}":
            return pos + 1
        seen: set[str] = set()
        keys: set[str] = set()
        while True:
            if text[pos] != '"':
                raise CodecError(f"expected a JSON string at offset {pos}")
            key, pos = scanstring(text, pos + 1, True)
            name = self.automaton.key(key)
            if name in seen:
                raise CodecError("duplicate key in a JSON object" + (" (keys compared case-folded)"
                                                                     if self.automaton.fold else ""))
            if key == PROTO:
                raise CodecError("a __proto__ key in a JSON object")
            seen.add(name)
            keys.add(key)
            if text[pos] in space:
                pos = skip_space(text, pos).end()  # type: ignore[union-attr]
            if text[pos] != ":":
                raise CodecError(f"expected ':' at offset {pos}")
            pos += 1
            if text[pos] in space:
                pos = skip_space(text, pos).end()  # type: ignore[union-attr]
            pos = visit(key, pos)
            if text[pos] in space:
                pos = skip_space(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == ",":
                pos += 1
                if text[pos] in space:
                    pos = skip_space(text, pos).end()  # type: ignore[union-attr]
                continue
            if text[pos] == "}":
                check_ejson(keys, read_as_text)
                return pos + 1
            raise CodecError(f"expected ',' or '}}' at offset {pos}")

    def elements(self, pos: int, visit: Callable[[int, int], int]) -> int:
        """Visit each element of the array at `pos` (visit returns the element's end)."""
        text = self.text
        if text[pos] != "[":
            raise CodecError(f"expected a JSON array at offset {pos}")
        pos = self.ws(pos + 1)
        if text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self.ws(visit(index, pos))
            if text[pos] == "]":
                return pos + 1
            if text[pos] != ",":
                raise CodecError(f"expected ',' or ']' at offset {pos}")
            pos = self.ws(pos + 1)
            index += 1


def walk_document(text: str, fields: list[TextField], root: Callable[[Walker, int], int],
                  automaton: Automaton, *, placeholders: bool = False, limit: int | None | object = ...) -> JsonDoc:
    """Check `text`, let `root` walk its top value, and insist nothing follows it. `limit`: what an array's
    joined reading may hold (by default the `max_chars` of `fields`, when it is a capped list)."""
    check_document(text)
    doc = JsonDoc(text)
    walker = Walker(doc, fields, automaton, placeholders=placeholders,
                    limit=chars_limit(fields) if limit is ... else limit)  # type: ignore[arg-type]
    try:
        end = walker.ws(root(walker, walker.ws(0)))
    except CodecError:
        raise
    except IndexError:
        raise CodecError("JSON text ends too early") from None
    except RecursionError:
        raise CodecError("JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and int() refusing a number of thousands of digits
        raise CodecError(f"invalid JSON: {exc}") from None
    if end != len(text):
        raise CodecError(f"unexpected data after the JSON value at offset {end}")
    refuse_special_keys(text)
    return doc


def parse_document(text: str, selection: Selection | None, fields: list[TextField], path: str = "", *,
                   limit: int | None | object = ...) -> JsonDoc:
    """Walk a whole JSON text as `selection` says, appending the text fields found to `fields`
    (None: nothing is read, the text is only checked); `limit` as `walk_document` takes it."""
    if selection is None:
        return walk_document(text, fields, lambda walker, pos: walker.skip(pos), Automaton())
    return walk_document(text, fields, lambda walker, pos: walker.value(pos, selection, path),
                         selection.automaton, limit=limit)


def select(pointers: Sequence[Pointer], *, fold: bool = False, guard: bool = False) -> Selection | None:
    """The selection of a document's top value for `pointers` (compile once, walk many); `guard` as
    `Automaton` takes it."""
    return Automaton(fold, guard).start(pointers)
