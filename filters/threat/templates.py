"""Template expressions read as the engines read them: a constant computed inside a template's delimiters.

Server-side template injection is found by a probe: arithmetic on constants inside the delimiters of some
engine (`{{7*7}}`, `${7*7}`, `<%= 7*7 %>`, `#{7*7}`, `[[${7*7}]]`, `@(7*7)`, `#set($x=7*7)`): a page that shows
`49` evaluated it. A template someone writes computes on its data (`{{ price * 1.2 }}`, `${user.age + 1}`);
a value that computes on constants alone only asks whether it is evaluated. So rather than listing probes,
this module finds each engine's delimiters (Jinja, Twig, Nunjucks and Angular `{{ }}`; FreeMarker, EL, Mako
and JavaScript `${ }`; Pug, Ruby and JSF `#{ }`; Thymeleaf `*{ }`, `[[ ]]`, `[( )]`; ERB, EJS, ASP and JSP
`<% %>`; Razor `@( )` and `@{ }`; Jinja's `{% print %}`; Velocity `#set( )`) and parses what they hold with
a small expression grammar: numbers and short strings, operators (`+ - * / % ** // ~`), parentheses, lists,
a few calls and filters engines provide (`print`, `range`, `|add:`, `|sum`, `?length`...). A probe is such an
expression with an operator and nothing but constants. Smarty's `{math equation=...}`, Django's
`{% widthratio %}` on numbers and Velocity's `#evaluate(` are probes by their form.

Linear: one scan finds the openers, each expression is at most `MAX_EXPRESSION` characters and
`MAX_TOKENS` tokens, at most `MAX_OPENERS` openers are read.
"""

from __future__ import annotations

import re

MAX_EXPRESSION = 160
MAX_TOKENS = 60
MAX_PROBES = 16
MAX_OPENERS = 48  # openers read per text: a pasted template holds many, a probe one or two
PROBE = 0.85  # constant arithmetic in a template's delimiters: a probe of server-side evaluation
PASTED = 0.3  # the same in a pasted program (`${60 * 60 * 24}` in a template literal): a note

# Where an expression opens, and what closes it, per engine.
_OPENERS = (
    (r"\{\{[=\-~#]?", "}}"), (r"\$\{\{", "}}"), (r"\$\{", "}"), (r"#\{", "}"), (r"[*~]\{", "}"),
    (r"<%[=\-]?", "%>"), (r"\[\[", "]]"), (r"\[\(", ")]"), (r"@\(", ")"), (r"@\{", "}"),
    (r"\{%-?\s*print\b", "%}"), (r"#set\s*\(", ")"),
)
_OPENING = re.compile("|".join(f"({pattern})" for pattern, _ in _OPENERS))
_CLOSERS = tuple(close for _, close in _OPENERS)
# Probes by their form: Smarty computing an equation, Django's ratio tag on numbers, Velocity evaluating a string.
_FORMS = re.compile(r"\{\s*math\s+equation\s*=|\{%-?\s*widthratio\s+-?\d[\d.]*\s+-?\d[\d.]*\s+-?\d[\d.]*\s*-?%\}|"
                    r"#evaluate\s*\(")
# What `read` needs: the screen a caller's combined scan answers.
HINT = r"\{\{|\$\{|#\{|[*~]\{|<%|\[\[|\[\(|@\(|@\{|\{%|#set|#evaluate|\{\s*math\b"

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|('[^'\n]{0,24}'|\"[^\"\n]{0,24}\")|(\*\*|//|[-+*/%~])|"
                    r"([()\[\],|:?.;=$])|([a-z_][a-z0-9_]{0,24}))", re.IGNORECASE)
_CALLS = frozenset("print range abs int float str len sum max min round pow string number".split())
_FILTERS = frozenset("add sum length abs round int float string multiply divide times plus minus size count "
                     "first last max min join upper lower capitalize".split())
_COUNTING = frozenset("add sum length multiply divide times plus minus size count".split())  # filters that compute
# A Razor block's declaration of its result (`@{ var x = 7*7; }`) and Velocity's variable (`#set($x = 7*7)`).
_DECLARED = re.compile(r"(?:(?:var|let|const|int|double|dynamic)\s+[a-z_][a-z0-9_]*|\$!?\{?[a-z_][a-z0-9_]*\}?)\s*=(?!=)",
                       re.IGNORECASE)


class _Stop(Exception):
    """Not a constant expression."""


class _Expression:
    """A recursive-descent reader of one expression; `operations` and `constants` count what it computed."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[int, str]] = []
        position = 0
        while position < len(text):
            found = _TOKEN.match(text, position)
            if found is None or found.end() == position:
                if text[position:].strip():
                    raise _Stop
                break
            kind = found.lastindex or 0
            self.tokens.append((kind, found[kind].lower()))
            if len(self.tokens) > MAX_TOKENS:
                raise _Stop
            position = found.end()
        self.at = 0
        self.depth = 0
        self.operations = 0
        self.constants = 0

    def peek(self) -> tuple[int, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[int, str]:
        token = self.peek()
        if token is None:
            raise _Stop
        self.at += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise _Stop

    def expression(self) -> None:
        self.unary()
        while (token := self.peek()) is not None and token[0] == 3:
            self.take()
            self.operations += 1
            self.unary()

    def unary(self) -> None:
        while (token := self.peek()) is not None and token[1] in ("-", "+", "~"):
            self.take()
        self.primary()
        self.postfix()

    def primary(self) -> None:
        kind, value = self.take()
        if kind in (1, 2):
            self.constants += 1
            return
        if value in ("(", "["):
            self.depth += 1
            if self.depth > 8:
                raise _Stop
            closing = ")" if value == "(" else "]"
            self.expression()
            while self.peek() == (4, ","):
                self.take()
                self.expression()
            self.expect(closing)
            self.depth -= 1
            return
        if kind == 5 and value in _CALLS and self.peek() == (4, "("):
            self.primary()  # its arguments, as a parenthesised list
            return
        raise _Stop  # a name: the template's own data

    def postfix(self) -> None:
        while (token := self.peek()) is not None and token[1] in ("|", "?"):
            self.take()
            kind, name = self.take()
            if kind != 5 or name not in _FILTERS:
                raise _Stop
            self.operations += name in _COUNTING
            if self.peek() == (4, ":"):  # Django's `|add:7`
                self.take()
                self.primary()
            elif self.peek() == (4, "("):
                self.primary()


def _constant(text: str) -> bool:
    """Whether `text` (what delimiters hold) computes on constants alone: an operator, and no name of data."""
    text = text.strip().strip("-=~").strip()
    if text.endswith(";"):
        text = text[:-1]
    declared = _DECLARED.match(text)
    if declared is not None:
        text = text[declared.end():]
    try:
        reader = _Expression(text)
        reader.expression()
        if reader.peek() is not None:
            return False
    except _Stop:
        return False
    return reader.operations > 0 and reader.constants > 0


def probes(text: str) -> list[tuple[int, int]]:
    """Spans of the template probes in (lower-cased) `text`: constant arithmetic in an engine's delimiters, or
    a probe by its form (`_FORMS`); at most `MAX_OPENERS` openers read."""
    found: list[tuple[int, int]] = []
    for match in _FORMS.finditer(text):
        found.append(match.span())
        if len(found) >= MAX_PROBES:
            return found
    read = 0
    position = 0
    while read < MAX_OPENERS and len(found) < MAX_PROBES and (opener := _OPENING.search(text, position)) is not None:
        read += 1
        closer = _CLOSERS[(opener.lastindex or 1) - 1]
        body_start = opener.end()
        close = text.find(closer, body_start, body_start + MAX_EXPRESSION + len(closer))
        position = body_start
        if close < 0:
            continue
        if _constant(text[body_start:close]):
            found.append((opener.start(), close + len(closer)))
            position = close + len(closer)
    return found
