"""A JSON document's text fields read through orjson, when that provably gives what the walk gives.

The walk of `jsonpath` reads a document in Python, token by token, so that a changed field can be
spliced back at its exact offsets; for a chat message of a few hundred bytes that is most of the
codec's cost. Most messages are not changed, so they need the fields but not the offsets: orjson
parses the document in C and a walk over the parsed value along the same `Selection` finds them.

That answer is used only when the walk would give the same one; otherwise `fields_of` returns None
and the caller walks (which also phrases any refusal):
- orjson refuses everything the standard library's scanner refuses, and more (NaN, Infinity, numbers
  beyond a double): whatever it refuses is walked;
- what the walk checks and orjson does not is checked here: nesting and lone surrogate escapes
  (`check_document`), `__proto__` and control-character keys (`refuse_special_keys`), a key repeated
  in an object (orjson keeps the last copy: the keys in the text are counted, and must be as many as
  in the parsed value), EJSON objects on a pointer's way (`check_ejson`);
- what the walk reads in a way the parsed value cannot tell is walked: a number where text is read
  (the walk reads its literal), a string read as JSON (`@json`), keys the backend compares case-folded.

A changed payload is rendered by the walk (`Renderer` of `read`), which must find the same fields
again, or the payload is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import orjson

from gateway.codec._base import CodecError, Renderer, TextField, chars_limit
from gateway.codec.json_limits import check_document
from gateway.codec.jsonpath import parse_document
from gateway.codec.keys import check_ejson, fold_key, refuse_special_keys
from gateway.codec.numbers import joined_fields
from gateway.codec.pointer import escape
from gateway.codec.selection import Selection
from gateway.codec.siblings import sibling_runs

__all__ = ["fields_of", "read", "renderer"]

# Strings (a key when a colon follows) and the runs between them: in valid JSON no quote stands outside
# a string, so the tokens align. `findall` gives the colon part: non-empty for keys only.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"([ \t\n\r]*:)?|[^"]+', re.DOTALL)


class _Walk(Exception):
    """The parsed value cannot tell what the walk would read here."""


def read(text: str, selection: Selection | None, fields: list[TextField]) -> Renderer:
    """Append the text fields of the JSON document `text` to `fields`, as `parse_document` would, and
    return the renderer of the document; raises `CodecError` as the walk does."""
    limit = chars_limit(fields)
    found = fields_of(text, selection, limit)
    if found is None:
        return parse_document(text, selection, fields).render
    first = len(fields)
    for field in found:
        fields.append(field)  # a capped list refuses here, at the same field as it would in the walk
    return renderer(text, selection, found, first, limit)


def renderer(text: str, selection: Selection | None, found: list[TextField], first: int = 0,
             limit: int | None = None) -> Renderer:
    """The renderer of a document whose fields `fields_of` found (the fields at `first` on in the payload's list;
    `limit` as `fields_of` read arrays joined): the walk reads the document again, finds the same fields, and
    splices the changed ones in."""
    def render(changes: Mapping[int, str]) -> str | None:
        walked: list[TextField] = []
        doc = parse_document(text, selection, walked, limit=limit)
        if walked != found:  # pragma: no cover - the checks above make the two readings agree
            raise CodecError("the JSON document reads differently on a second look")
        return doc.render({i - first: t for i, t in changes.items() if first <= i < first + len(found)})
    return render


def fields_of(text: str, selection: Selection | None, limit: int | None = None) -> list[TextField] | None:
    """The text fields the walk would find in `text`, in its order (arrays read joined within `limit`
    characters, as the walk of a list capped at that `max_chars` reads them); None when only the walk can
    tell (including every document the walk refuses)."""
    if selection is None or selection.automaton.fold:
        return None
    try:
        check_document(text)
        value = orjson.loads(text)
        found: list[TextField] = []
        _select(value, selection, "", found, limit)
        if _repeats_a_key(value, text):
            return None  # some object repeats a key: the walk refuses it if the repeat is on a pointer's way
        refuse_special_keys(text)
    except (orjson.JSONDecodeError, CodecError, _Walk):
        return None
    return found


def _select(value: object, selection: Selection, path: str, found: list[TextField], limit: int | None) -> None:
    """`Walker.value` over a parsed value."""
    kind = type(value)
    if kind is str:
        if selection.inner is not None:
            raise _Walk
        if selection.done:
            found.append(TextField(path, value))  # type: ignore[arg-type]  # a str
        return
    if kind is dict or kind is list:
        branch = selection.branch(kind is list)
        if branch is None:
            return
        if kind is dict:
            members: dict[str, object] = value  # type: ignore[assignment]
            table, other = branch.table()
            twins = branch.folded() if selection.automaton.guard else None
            leaves: list[int] = []  # the members read as one text field each, as `Walker.value` counts them
            for key, item in members.items():
                nxt = table.get(key, other)  # `branch.step(key)`, without a call
                if twins and nxt is other and key not in table \
                        and (key.upper() if key.isascii() else fold_key(key)) in twins:
                    raise _Walk  # a read key in another case (`Branch.twin`): the walk refuses it, naming why
                if nxt is None:
                    continue
                at = f"{path}/{escape(key)}" if "~" in key or "/" in key else f"{path}/{key}"
                if type(item) is str:  # the common leaf, without a call of its own
                    if nxt.inner is not None:
                        raise _Walk
                    if nxt.done:
                        leaves.append(len(found))
                        found.append(TextField(at, item))
                else:
                    _select(item, nxt, at, found, limit)
            if len(leaves) >= 2:  # number-only members read joined, as `Walker.add_siblings`
                for text, _ in sibling_runs([(index, found[index].text) for index in leaves]):
                    found.append(TextField(path, text))
            if len(members) <= 2:
                check_ejson(set(members), branch.descending)
            return
        step = branch.step
        for index, item in enumerate(value):  # type: ignore[arg-type]  # a list
            nxt = step(str(index))
            if nxt is not None:
                _select(item, nxt, f"{path}/{index}", found, limit)
        if selection.done:  # an array where text is read: its items joined too, as `Walker.add_joined`
            for text, _, _ in joined_fields(value, limit):  # type: ignore[arg-type]
                found.append(TextField(path, text))
        return
    if selection.done and value is not None and kind is not bool:
        raise _Walk  # a number where text is read: the walk reads its literal


def _repeats_a_key(value: object, text: str) -> bool:
    """Whether some object in the JSON text `text` repeats a key (`value` is `text` parsed).

    Outside strings, a JSON text holds one colon per object member; inside them, a colon stands as
    itself or as a `\\u` escape. orjson writes the parsed value back with one colon per member it kept
    and every colon of its strings as itself. So, in a text without `\\u`, the two counts of colons
    differ exactly when a member was dropped: a repeated key (whose copy took its colons with it).
    With `\\u` escapes, the members are counted by tokens."""
    if "\\u" not in text:
        return text.count(":") != orjson.dumps(value).count(b":")
    tokens = _TOKENS.findall(text)
    return len(tokens) - tokens.count("") != _members(value)


def _members(value: object) -> int:
    """Members of every object in a parsed value."""
    count = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            count += len(item)
            pending += [v for v in item.values() if type(v) is dict or type(v) is list]
        elif type(item) is list:
            pending += [v for v in item if type(v) is dict or type(v) is list]
    return count
