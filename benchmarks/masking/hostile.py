"""Hostile wrappings of sensitive values: how a value may reach the masker other than as typed in chat.

    .venv/bin/python benchmarks/masking/hostile.py [--count 4000] [--seed 11] [--misses 3]

The corpus (`corpus.py`) varies the values and the sentences around them; this set varies what is
around and inside a value: invisible and unusual spaces, other digit scripts, line breaks inside it,
markdown and code around it, JSON string escapes, URL and HTML encodings, context words in languages
the corpus never uses, a value split over two fields of a JSON text pasted into chat. Each wrapping is
a family of its own, and every class of wrapping has a family in the tuning half and another in the
validation half (`T`/`V`, as in `values.py`): fixes are made from tuning misses, and the validation
half tells whether they hold for the class. Look-alikes go through the same wrappings, so a fix that
unwraps too eagerly shows as look-alikes altered.

Prints recall and look-alikes altered for each half and each family, with a few misses of each.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import sys
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import values as v  # noqa: E402
from corpus import Line  # noqa: E402
from metrics import score  # noqa: E402
from values import T, V  # noqa: E402

# A value as the wrapping gets it: its type, and its groups (the wrapping picks the separator).
Value = tuple[str, list[str]]
# A wrapping: (type, groups, rng) -> (text before, the value as written, text after).
Wrap = Callable[[str, list[str], random.Random], tuple[str, str, str]]

_WORDS = {  # what the line says before the value, by type; the wrappings may replace it
    "card": "card", "ssn": "SSN", "iban": "IBAN", "phone": "phone", "email": "email", "secret": "token",
    "password": "password:", "lookalike": "reference",
}
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def _groups_of(kind: str, r: random.Random, part: str) -> Value:
    """A fresh value of `kind`, cut into the groups people write it in."""
    if kind == "card":
        number = v.raw_card(r, part)
        return kind, [number[i:i + 4] for i in range(0, len(number), 4)]
    if kind == "ssn":
        s = v.raw_ssn(r)
        return kind, [s[:3], s[3:5], s[5:]]
    if kind == "iban":
        number = v.raw_iban(r, part)
        return kind, [number[i:i + 4] for i in range(0, len(number), 4)]
    if kind == "phone":
        return kind, [v.phone(r, part)]
    if kind == "email":
        return kind, [v.email(r, part)]
    if kind == "secret":
        families = [name for name, (p, _) in v.SECRET_FAMILIES.items() if p == part and name != "hex-key"]
        return kind, [v.SECRET_FAMILIES[r.choice(families)][1](r)]
    return "password", [v.password(r) if r.random() < 0.5 else v.chosen_password(r)]


def _joined(separator: str) -> Wrap:
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        return f"my {_WORDS[kind]} ", separator.join(groups), " thanks"
    return wrap


def _between_digits(mark: str) -> Wrap:
    """`mark` between every two characters of the value (zero-width and invisible characters)."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        return f"my {_WORDS[kind]} ", mark.join("".join(groups)), " thanks"
    return wrap


def _digits(table: dict[int, str]) -> Wrap:
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        return f"{_WORDS[kind]} ", " ".join(groups).translate(table), " ok"
    return wrap


def _broken(line_break: str) -> Wrap:
    """The value broken in its middle by a line break, as a narrow chat window or a paste does."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        if len(groups) < 2:
            text = groups[0]
            cut = len(text) // 2 if kind in ("secret", "password") else len(text)
            return f"{_WORDS[kind]} ", text[:cut] + (line_break if cut < len(text) else "") + text[cut:], ""
        half = len(groups) // 2
        return f"{_WORDS[kind]}{line_break}", " ".join(groups[:half]) + line_break + " ".join(groups[half:]), line_break
    return wrap


def _around(before: str, after: str) -> Wrap:
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        return f"{_WORDS[kind]} {before}", " ".join(groups), after
    return wrap


def _json_escaped(escape: str) -> Wrap:
    """A JSON text pasted as chat, the value's separators written as JSON escapes ("\\n", "\\u0020")."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        value = escape.join(groups) if len(groups) > 1 else json.dumps(groups[0])[1:-1]
        return '{"user": 17, "note": "my ' + _WORDS[kind] + " ", value, '", "ok": true}'
    return wrap


def _json_ascii(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
    """`json.dumps` with its default `ensure_ascii`: every non-ASCII character as a \\u escape."""
    value = json.dumps(" ".join(groups))[1:-1]
    return '{"field": "' + _WORDS[kind] + " ", value, '"}'


def _query(kind: str, groups: list[str], r: random.Random, plus: bool) -> tuple[str, str, str]:
    name = {"card": "card", "ssn": "ssn", "iban": "iban", "phone": "tel", "email": "email", "secret": "token",
            "password": "pw", "lookalike": "ref"}[kind]
    text = " ".join(groups)
    value = urllib.parse.quote_plus(text) if plus else urllib.parse.quote(text, safe="")
    return f"https://shop.example.com/checkout?step=2&{name}=", value, "&lang=en"


def _percent_all(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
    """Every character of the value percent-encoded."""
    return f"{_WORDS[kind].rstrip(':')}: ", "".join(f"%{b:02X}" for b in " ".join(groups).encode()), ""


def _entity(template: str) -> Wrap:
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        text = template.join(groups) if len(groups) > 1 else groups[0].replace("@", "&#64;").replace(".", "&#46;")
        return f"<p>{_WORDS[kind]} ", text, "</p>"
    return wrap


def _numeric_entities(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
    return f"<td>{_WORDS[kind]}</td><td>", "".join(f"&#{ord(c)};" for c in " ".join(groups)), "</td>"


def _context(words: dict[str, str]) -> Wrap:
    """Context words of another language, the value bare (no separators) where people write it so."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        return words[kind] + " ", "".join(groups) if kind in ("card", "ssn") else " ".join(groups), ""
    return wrap


def _split_fields(names: tuple[str, str]) -> Wrap:
    """The value in two fields of one JSON text (first half, second half)."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        text = " ".join(groups)
        half = len(text) // 2
        return '{"' + names[0] + '": "', text[:half] + '", "' + names[1] + '": "' + text[half:], '"}'
    return wrap


def _email_words(at: str, dot: str) -> Wrap:
    """An address spelt out against harvesters ("john (at) example (dot) com"); other values as they are."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        text = " ".join(groups)
        if kind == "email":
            text = text.replace("@", at).replace(".", dot)
        return f"{_WORDS[kind]}: ", text, ""
    return wrap


def _inner(open_mark: str, close_mark: str) -> Wrap:
    """Markup around the value's second group ("4111 <span>1111</span> 1111 1111")."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        if len(groups) < 3:
            return f"{_WORDS[kind]} ", " ".join(groups), ""
        return f"{_WORDS[kind]} ", " ".join([groups[0], open_mark + groups[1] + close_mark, *groups[2:]]), ""
    return wrap


def _credentials(scheme: str) -> Wrap:
    """A password inside a connection string or a link's user part ("postgres://app:Hunter2@db:5432/x")."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        if kind != "password":
            return f"{_WORDS[kind]} ", " ".join(groups), ""
        return f"{scheme}://{r.choice(['app', 'admin', 'bob'])}:", groups[0], f"@db{r.randint(1, 9)}.internal.example:5432/app"
    return wrap


def _basic_auth(name: str) -> Wrap:
    """HTTP basic credentials: user and password in base64 after "Basic"."""
    def wrap(kind: str, groups: list[str], r: random.Random) -> tuple[str, str, str]:
        if kind != "password":
            return f"{_WORDS[kind]} ", " ".join(groups), ""
        import base64
        encoded = base64.b64encode(f"{r.choice(['app', 'admin', 'bob'])}:{groups[0]}".encode()).decode()
        return f"{name}: Basic ", encoded, ""
    return wrap


_POLISH = {"card": "numer karty", "ssn": "numer SSN", "iban": "numer konta", "phone": "zadzwoń na",
           "email": "napisz na", "secret": "klucz API:", "password": "hasło:", "lookalike": "zamówienie"}
_TURKISH = {"card": "kart numaram", "ssn": "SSN numaram", "iban": "IBAN numaram", "phone": "telefonum",
            "email": "e-postam", "secret": "anahtar:", "password": "şifrem:", "lookalike": "sipariş"}
_VIETNAMESE = {"card": "số thẻ", "ssn": "số an sinh xã hội", "iban": "số tài khoản", "phone": "số điện thoại",
               "email": "địa chỉ email", "secret": "mã khóa:", "password": "mật khẩu:", "lookalike": "mã đơn hàng"}
_INDONESIAN = {"card": "nomor kartu", "ssn": "nomor jaminan sosial SSN", "iban": "rekening", "phone": "nomor HP",
               "email": "surel", "secret": "kunci API:", "password": "kata sandi:", "lookalike": "nomor pesanan"}
_GREEK = {"card": "αριθμός κάρτας", "ssn": "ΑΜΚΑ SSN", "iban": "λογαριασμός", "phone": "τηλέφωνο",
          "email": "email", "secret": "κλειδί:", "password": "κωδικός:", "lookalike": "παραγγελία"}
_HEBREW = {"card": "מספר כרטיס", "ssn": "מספר ביטוח SSN", "iban": "חשבון", "phone": "טלפון", "email": "מייל",
           "secret": "מפתח:", "password": "סיסמה:", "lookalike": "הזמנה"}

# (part, family, wrapping). Each class has a tuning family and a validation family.
FAMILIES: tuple[tuple[str, str, Wrap], ...] = (
    (T, "space:nbsp", _joined("\u00a0")), (V, "space:narrow-nbsp", _joined("\u202f")),
    (T, "space:thin", _joined("\u2009")), (V, "space:ideographic", _joined("\u3000")),
    (T, "invisible:zwsp", _between_digits("\u200b")), (V, "invisible:word-joiner", _between_digits("\u2060")),
    (T, "invisible:bom", _between_digits("\ufeff")), (V, "invisible:separator", _between_digits("\u2063")),
    (T, "digits:full-width", _digits(_FULL)),
    (V, "digits:arabic-indic", _digits(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))),
    (V, "digits:devanagari", _digits(str.maketrans("0123456789", "०१२३४५६७८९"))),
    (T, "break:newline", _broken("\n")), (V, "break:crlf", _broken("\r\n")),
    (T, "break:line-separator", _broken("\u2028")), (V, "break:next-line", _broken("\u0085")),
    (T, "markdown:bold", _around("**", "**")), (V, "markdown:code", _around("`", "`")),
    (T, "markdown:fence", _around("\n```\n", "\n```\n")), (V, "markdown:quote", _around("\n> ", "\n")),
    (T, "markdown:table", _around("| ", " |")), (V, "html:bold", _around("<b>", "</b>")),
    (T, "json:newline-escape", _json_escaped("\\n")), (V, "json:unicode-space", _json_escaped("\\u0020")),
    (T, "json:tab-escape", _json_escaped("\\t")), (V, "json:ensure-ascii", _json_ascii),
    (T, "url:percent-20", lambda k, g, r: _query(k, g, r, False)), (V, "url:plus", lambda k, g, r: _query(k, g, r, True)),
    (T, "url:every-char", _percent_all), (V, "html:nbsp-entity", _entity("&nbsp;")),
    (T, "html:numeric-entities", _numeric_entities), (V, "html:hex-space-entity", _entity("&#x20;")),
    (T, "words:polish", _context(_POLISH)), (V, "words:vietnamese", _context(_VIETNAMESE)),
    (T, "words:turkish", _context(_TURKISH)), (V, "words:indonesian", _context(_INDONESIAN)),
    (T, "words:greek", _context(_GREEK)), (V, "words:hebrew", _context(_HEBREW)),
    (T, "obfuscated:round-brackets", _email_words(" (at) ", " (dot) ")),
    (V, "obfuscated:square-brackets", _email_words("[at]", "[dot]")),
    (T, "separator:comma", _joined(",")), (V, "separator:underscore", _joined("_")),
    (T, "separator:spaced-hyphen", _joined(" - ")), (V, "separator:colon", _joined(":")),
    (T, "inner:html-tag", _inner("<span>", "</span>")), (V, "inner:markdown", _inner("**", "**")),
    (T, "credentials:connection-string", _credentials("postgres")),
    (V, "credentials:link-user", _credentials("https")),
    (T, "credentials:basic-auth", _basic_auth("Authorization")),
    (V, "credentials:proxy-basic-auth", _basic_auth("Proxy-Authorization")),
    (T, "split:two-fields", _split_fields(("card_part1", "card_part2"))),
    (V, "split:first-last", _split_fields(("first", "rest"))),
)
_KINDS = ("card", "ssn", "iban", "phone", "email", "secret", "password")
_NUMERIC = frozenset({"card", "ssn", "iban", "phone"})
# Families that only make sense for some kinds: digit scripts, numeric entities of digits, splits of numbers.
_ONLY: dict[str, frozenset[str]] = {
    "digits:full-width": _NUMERIC, "digits:arabic-indic": _NUMERIC, "digits:devanagari": _NUMERIC,
    "invisible:zwsp": _NUMERIC | {"email"}, "invisible:word-joiner": _NUMERIC | {"email"},
    "invisible:bom": _NUMERIC | {"email"}, "invisible:separator": _NUMERIC | {"email"},
    "split:two-fields": frozenset({"card", "iban"}), "split:first-last": frozenset({"card", "iban"}),
    "obfuscated:round-brackets": frozenset({"email"}), "obfuscated:square-brackets": frozenset({"email"}),
    "separator:comma": _NUMERIC, "separator:underscore": _NUMERIC, "separator:spaced-hyphen": _NUMERIC,
    "separator:colon": _NUMERIC, "inner:html-tag": _NUMERIC, "inner:markdown": _NUMERIC,
    "credentials:connection-string": frozenset({"password"}), "credentials:link-user": frozenset({"password"}),
    "credentials:basic-auth": frozenset({"password"}), "credentials:proxy-basic-auth": frozenset({"password"}),
    "space:nbsp": _NUMERIC, "space:narrow-nbsp": _NUMERIC, "space:thin": _NUMERIC, "space:ideographic": _NUMERIC,
}


def _lookalike(r: random.Random, part: str) -> list[str]:
    """Groups of something that is no value: failing checks, identifiers, versions, hashes, sample numbers."""
    choice = r.randrange(9)
    if choice == 0:
        number = v.raw_card(r, part)
        number = number[:-1] + str((int(number[-1]) + 1) % 10)
        return [number[i:i + 4] for i in range(0, len(number), 4)]
    if choice == 1:
        number = v.raw_iban(r, part)
        number = number[:2] + f"{(int(number[2:4]) + 1) % 100:02d}" + number[4:]
        return [number[i:i + 4] for i in range(0, len(number), 4)]
    if choice == 2:
        return [r.choice(["900", "666", "000"]), f"{r.randint(1, 99):02d}", f"{r.randint(1, 9999):04d}"]
    if choice == 3:
        return [str(uuid.UUID(int=r.getrandbits(128), version=4))]
    if choice == 4:
        return [f"{r.getrandbits(160):040x}"]
    if choice == 5:
        return [f"{r.randint(1, 30)}.{r.randint(0, 40)}.{r.randint(0, 400)}"]
    if choice == 6:
        return ["978", str(r.randint(0, 1)), v.digits(r, 3), v.digits(r, 5), v.digits(r, 1)]
    if choice == 7:
        return [str(r.randint(1_600_000_000_000, 1_800_000_000_000))]
    return ["ORD", v.digits(r, 8)]


def _parts(label: str, start: int, text: str, family: str) -> tuple[tuple[str, int, int], ...]:
    """The labelled spans of a value written at `start`: one, or the two halves of a value split over two
    JSON fields (the fields' names between them are no part of it)."""
    middle = text.find('", "') if family.startswith("split:") else -1
    if middle < 0:
        return ((label, start, start + len(text)),)
    rest = text.index('": "', middle + 4) + 4
    return (label, start, start + middle), (label, start + rest, start + len(text))


def generate(count: int, seed: int, part: str, lookalike: float = 0.3) -> list[Line]:
    """`count` lines of one half: values (and look-alikes) each in a wrapping of the half's families."""
    r = random.Random(f"hostile:{seed}:{part}")
    families = [(name, wrap) for p, name, wrap in FAMILIES if p == part]
    lines: list[Line] = []
    while len(lines) < count:
        name, wrap = r.choice(families)
        allowed = [k for k in _KINDS if k in _ONLY.get(name, _KINDS)]
        if r.random() < lookalike:  # said the way a reference is, not a value: "password: <uuid>" is a password
            before, text, after = wrap("lookalike", _lookalike(r, part), r)
            lines.append(Line(before + text + after, "lookalike", (), name))
            continue
        kind, groups = _groups_of(r.choice(allowed), r, part)
        before, text, after = wrap(kind, groups, r)
        start = len(before)
        label = "secret" if kind == "password" else kind
        lines.append(Line(before + text + after, "sensitive", _parts(label, start, text, name), name))
    return lines


async def _spans(lines: list[Line]) -> list[list[tuple[int, int]]]:
    from filters import Action, Message
    from filters.masking import MaskingFilter
    masker = MaskingFilter()
    out: list[list[tuple[int, int]]] = []
    for line in lines:
        verdict = await masker.inspect(Message(line.text))
        out.append([(f.start, f.end) for f in verdict.findings] if verdict.action is Action.MODIFY else [])
    return out


def _covered(line: Line, spans: list[tuple[int, int]]) -> bool:
    return all(all(any(a <= i < b for a, b in spans) for i in range(s, e)) for _, s, e in line.values)


def report(part: str, lines: list[Line], misses: int) -> None:
    """Print one part's recall and look-alikes altered, then per family, with up to `misses` examples each."""
    spans = asyncio.run(_spans(lines))
    figures = score(lines, spans)
    print(f"{part:10} recall {figures['recall']:6.1%}  look-alikes altered {figures['lookalikes_altered']:5.1%}"
          f"  ({int(figures['values'])} values)")
    rows: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    shown: dict[str, list[str]] = collections.defaultdict(list)
    for line, found in zip(lines, spans, strict=True):
        row = rows[line.family]
        if line.kind == "sensitive":
            row[0] += 1
            hit = _covered(line, found)
            row[1] += hit
            if not hit and len(shown[line.family]) < misses:
                shown[line.family].append("miss " + repr(line.text))
        else:
            row[2] += 1
            row[3] += bool(found)
            if found and len(shown[line.family]) < misses:
                shown[line.family].append("altered " + repr(line.text))
    for family in sorted(rows):
        values, hits, looks, altered = rows[family]
        print(f"  {family:28} recall {hits / max(values, 1):6.1%}  look-alikes altered {altered / max(looks, 1):5.1%}")
        for example in shown[family]:
            print("      " + example[:160])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--misses", type=int, default=3, help="misses shown per family")
    args = parser.parse_args()
    for part in (T, V):
        report(part, generate(args.count, args.seed, part), args.misses)

if __name__ == "__main__":
    main()
