"""application/x-www-form-urlencoded bodies and query strings: fields by name, the rest byte for byte.

A declared name matches the way frameworks read names: `msg`, `msg[]`, `msg[0]` and `msg[a]`
all fill `msg` in PHP, Rack and Express's `qs`, and PHP reads `m.sg` and `m sg` as `m_sg`. Brackets
are read as each of them reads them (`_readings`): `qs` reads `[msg]` as `msg`, Rack 2 also `]msg`
and `msg]`; PHP reads a `[` never closed as `_` (`chat[message` is `chat_message`); ASP.NET's jQuery
value providers read `Input[Message]` as `Input.Message`. A declared name with brackets
(`data[text]`) is filled by every name nested under it (`data[text][]`, `[data][text][a]`).
Names are compared ignoring case (`FormNames`): PHP, Rails, Django and Express bind them as sent,
but ASP.NET's model binding finds `MESSAGE=` and `Message=` for a `message` field, so a field
any of them could bind is read. ASP.NET also binds a dotted name by its last part (`Input.Message`
fills `Message` of the `Input` model, and `Message=` alone fills it when no `Input.` field came):
a name whose last dotted part is the last dotted part of a declared name is read too.
What different frameworks would split or decode differently is refused rather than guessed:
a `;` inside a pair whose name matters (Rack and old Python and Go split on it), a `%` not
followed by two hex digits (`%u0041` is IIS's `A`), and bytes that are not UTF-8 once decoded.
`_method` (Rails, Laravel and Symfony run the request as that method) and a `_charset_` other
than UTF-8 (some decode the other fields with it) are refused in every body and query, and so is a
name holding a control character: PHP reads a name as a C string, so `msg%00x=` fills `msg` where
Go, Express and ASP.NET keep the NUL (as for JSON keys, no form needs them).

A name sent more than once is read copy by copy and also as its copies joined by commas, in the order
sent: Node's querystring and Express make the copies a list (`msg=4111&msg=1111...` is `["4111", "1111",
...]`, which a page prints as `4111,1111,...`) and ASP.NET binds them to one string the same way, so a
value split over copies is read whole (`numbers.joined_fields`, in windows past `max_chars`). Copies are
grouped by their name before any bracket, ignoring case (`msg`, `MSG`, `msg[]`); explicit indices out of
order (`msg[1]=..&msg[0]=..`, which `qs` sorts) are refused. As for JSON lists, a change the filters make
only in the joined reading cannot be written into the copies: the form is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from urllib.parse import quote_plus, unquote_plus

from gateway.codec._base import CodecError, Renderer, TextField, chars_limit
from gateway.codec.keys import fold_key
from gateway.codec.numbers import joined_fields, window_after

__all__ = ["METHOD_OVERRIDE", "FormNames", "check_joins", "check_special", "copy_group", "declared", "extract_form",
           "read_joined"]

METHOD_OVERRIDE = "_method"
_CHARSET_FIELD = "_charset_"
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INDEX = re.compile(r"\[(\d*)\]")


def _decode(raw: str) -> str:
    if "%" in raw and _BAD_PERCENT.search(raw):
        raise CodecError("form field holds a '%' that is not a percent-escape")
    try:
        return unquote_plus(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise CodecError("form field is not valid UTF-8 once percent-decoded") from None


class FormNames:
    """Declared form field names, kept case-folded (`fold_key`) whole, by their last dotted part, and
    (names with brackets) as their bracketed path.

    Built once per codec; `declared` asks it about each name a body or query sends."""

    __slots__ = ("every", "names", "paths", "tails")

    def __init__(self, names: Collection[str]) -> None:
        self.every = "*" in names
        self.names = frozenset(fold_key(name) for name in names)
        self.tails = frozenset(fold_key(name.rpartition(".")[2]) for name in names if name != "*")
        self.paths = frozenset(path for name in names if "[" in name and len(path := _path(name)) > 1)

    def __bool__(self) -> bool:
        return self.every or bool(self.names)

    def __or__(self, other: FormNames) -> FormNames:
        union = FormNames(())
        union.every = self.every or other.every
        union.names = self.names | other.names
        union.tails = self.tails | other.tails
        union.paths = self.paths | other.paths
        return union


_RUN = re.compile(r"[^\[\]]+")
_PLAIN = re.compile(r"[^\[\]. ]*")
_JQUERY = re.compile(r"\[([^\]]*)\]")


def _path(name: str) -> tuple[str, ...]:
    """A name's nesting as `qs` and Rack 2 read its brackets, case-folded: runs between brackets."""
    return tuple(fold_key(run.strip(" ")) for run in _RUN.findall(name) if run.strip(" "))


def _php(name: str) -> str:
    return name.lstrip(" ").replace(".", "_").replace(" ", "_")


def _readings(name: str) -> tuple[str, ...]:
    """The top-level names a sent name fills, one per framework that reads brackets its own way."""
    base = name.split("[", 1)[0]
    runs = _RUN.findall(name)
    found = [name, base, _php(base), runs[0].strip(" ") if runs else ""]
    opened = name.find("[")
    if opened >= 0 and "]" not in name[opened:]:
        found.append(_php(name).replace("[", "_"))  # PHP: a `[` never closed is part of the name
    if opened >= 0:  # ASP.NET's jQuery providers: a[b] is a.b, a[] is a, a[0] stays
        found.append(_JQUERY.sub(lambda bracket: "" if not bracket.group(1) else (
            bracket.group(0) if bracket.group(1)[0].isdigit() else "." + bracket.group(1)), name))
    return tuple(found)


def declared(name: str, names: FormNames | Collection[str]) -> bool:
    """Whether a field called `name` fills one of `names` in some framework (`*`: every name)."""
    wanted = names if isinstance(names, FormNames) else FormNames(names)
    if wanted.every:
        return True
    if _PLAIN.fullmatch(name):
        folded = fold_key(name)
        return folded in wanted.names or folded in wanted.tails
    for reading in _readings(name):
        if fold_key(reading) in wanted.names or fold_key(reading.split("[", 1)[0].rpartition(".")[2]) in wanted.tails:
            return True
    if wanted.paths:
        path = _path(name)
        return any(path[:len(declared_path)] == declared_path for declared_path in wanted.paths)
    return False


def check_special(name: str, value: str) -> None:
    """Refuse the fields that change how the backend reads the request, and names backends cut or
    mangle (a control character: PHP stops at NUL)."""
    if _CONTROL.search(name):
        raise CodecError("a form field name holds a control character")
    if name.strip().lower() == METHOD_OVERRIDE:
        raise CodecError("a _method field would make the backend run another method")
    if name == _CHARSET_FIELD and value.strip().lower() not in _UTF8:
        raise CodecError("a _charset_ field names a charset other than UTF-8")


def extract_form(text: str, names: FormNames | Collection[str], fields: list[TextField]) -> Renderer:
    """Offer the value of every field whose name `declared` matches.

    A name given twice yields two fields (`msg`, `msg[1]`): backends differ in which copy they
    read, so both are inspected; so are `msg` and `MSG`, which ASP.NET binds as one field.
    """
    names = names if isinstance(names, FormNames) else FormNames(names)
    pairs = text.split("&")
    owned: dict[int, int] = {}  # field index -> pair index
    seen: dict[str, int] = {}
    copies: dict[str, list[int]] = {}  # a name's group (`copy_group`) -> the indices of its fields
    for position, pair in enumerate(pairs):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        name = _decode(raw_name)
        value = _decode(raw_value)
        check_special(name, value)
        if ";" in pair:
            _check_semicolons(pair, names)
        if not declared(name, names):
            continue
        count = seen.get(name, 0)
        seen[name] = count + 1
        owned[len(fields)] = position
        copies.setdefault(copy_group(name), []).append(len(fields))
        fields.append(TextField(name if count == 0 else f"{name}[{count}]", value))
    joins = read_joined(copies, fields, lambda member: _decode(pairs[owned[member]].partition("=")[0])) \
        if len(copies) < len(owned) else []

    def render(changes: Mapping[int, str]) -> str | None:
        check_joins(joins, fields, changes)
        rewritten = list(pairs)
        touched = False
        for index, position in owned.items():
            if index in changes:
                raw_name = pairs[position].partition("=")[0]
                rewritten[position] = f"{raw_name}={quote_plus(changes[index], safe='')}"
                touched = True
        return "&".join(rewritten) if touched else None

    return render


def copy_group(name: str) -> str:
    """The list a field called `name` joins in Node and ASP.NET: its name before any bracket (`qs`: the
    first bracket's for `[msg]`), any case."""
    base = name.split("[", 1)[0]
    if not base and (runs := _RUN.findall(name)):
        base = runs[0]
    return fold_key(base)


# A joined reading: its field's index, the indices of the copies it joins, and its window's span.
type Join = tuple[int, list[int], int, int]


def read_joined(copies: Mapping[str, list[int]], fields: list[TextField], name_of: Callable[[int], str]) -> list[Join]:
    """Add the joined readings of every name sent more than once to `fields` (`name_of`: a field's name as sent)."""
    joins: list[Join] = []
    for members in copies.values():
        if len(members) < 2:
            continue
        indices = [found.group(1) for member in members
                   if (found := _INDEX.search(name_of(member))) is not None and found.group(1)]
        if [int(index) for index in indices] != sorted(int(index) for index in indices):
            raise CodecError("a form name's copies carry indices out of order (qs sorts them)")
        values: list[object] = [fields[member].text for member in members]
        label = fields[members[0]].path + "[*]"
        for text, start, end in joined_fields(values, chars_limit(fields)):
            joins.append((len(fields), members, start, end))
            fields.append(TextField(label, text))
    return joins


def check_joins(joins: list[Join], fields: list[TextField], changes: Mapping[int, str]) -> None:
    """Refuse a change the filters made to a joined reading that the copies' own changes do not make."""
    for index, members, start, end in joins:
        if index not in changes:
            continue
        before: list[object] = [fields[member].text for member in members]
        after: list[object] = [changes.get(member, fields[member].text) for member in members]
        if window_after(before, after, start, end) != changes[index]:
            raise CodecError("the filters changed what a form name's copies make joined, as Node and ASP.NET "
                             "read them: it cannot be written into the copies")


def _check_semicolons(pair: str, names: FormNames) -> None:
    """A backend that also splits on `;` reads other fields out of this pair: refuse if any matters."""
    for part in pair.split(";"):
        raw_name, _, raw_value = part.partition("=")
        name = _decode(raw_name)
        check_special(name, _decode(raw_value))
        if declared(name, names):
            raise CodecError("a ';' inside a form field whose name is read (some backends split on it)")
    if declared(_decode(pair.partition("=")[0]), names):
        raise CodecError("a ';' inside a form field whose name is read (some backends split on it)")
