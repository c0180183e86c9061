"""Whole-message SQL fragments, read with a small SQL tokenizer and expression grammar.

A classic injection is a value that, pasted into a query, completes it: it may close the
literal it lands in (`x' ...`) or a parenthesis (`1) ...`), then goes on as SQL (operators,
a boolean test, a comment, UNION SELECT, a stacked statement) to the end of the value.
Rather than listing payloads, this module asks whether the *whole message* parses that
way, in each context a value is pasted into: bare (a number), after a single quote and
after a double quote. A sentence fails within a few tokens ("i like 3 or 4" never gets a
SQL operator past "i like"; "it's" leaves a bare word after the literal), so the parser
reads tokens lazily and stops at the first one the grammar cannot take.

Linear: one RE2 token scan, at most `MAX_TOKENS` tokens and `MAX_DEPTH` nested levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from filters._patterns import Spans, byte_pattern, each_spans, text_pattern

MAX_CHARS = 600  # a fragment is a value, not a document: longer messages are not parsed
MAX_TOKENS = 120
MAX_DEPTH = 24
BREAKOUT = 0.85  # a literal or parenthesis closed, then SQL to the end of the value
EXPRESSION = 0.6  # a whole message that is a SQL boolean expression or subquery

# Token kinds, in the order of the pattern's groups.
_KINDS = ("c", "s", "S", "n", "v", "w", "o", "p", "x")
# Blanks as the databases' lexers take them: RE2's \s lacks the vertical tab, which MySQL's character tables
# (`my_isspace`) read as a space like the tab and the form feed.
_TOKEN = byte_pattern(
    r"(?s)[\s\x0b]*(?:"
    r"(--[^\n]*|#[^\n]*|/\*(?:[^*]|\*+[^*/])*\*+/|/\*.*)"  # c: comment (an open /* runs to the end)
    r"|((?:[xbn]|_[a-z0-9]{2,12}[ \t]*)?'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\")"  # s: string literal
    # (a hex, bit or national string `x'61'`, `b'01'`, `n'x'`, or one given a character set `_utf8mb4'x'`)
    r"|(['\"].*)"  # S: a literal left open to the end: the query's own quote closes it
    r"|((?:_[a-z0-9]{2,12}[ \t]*)?(?:0x[0-9a-f]+|0b[01]+)|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+)"  # n: number
    r"|(@@?[a-z_][a-z0-9_.$]*|@)"  # v: variable
    r"|([a-z_][a-z0-9_$]*|\x60[^\x60]*\x60)"  # w: word or quoted identifier
    r"|(<=>|<>|!=|<=|>=|\|\||&&|::|->>?|[=<>+\-*/%&|^~!])"  # o: operator
    r"|([(),;.])"  # p: punctuation
    r"|(.))",  # x: anything else
)
_EXECUTABLE_COMMENT = text_pattern(r"/\*!\d*|\*/")  # MySQL runs what /*! ... */ holds
_WORD = re.compile(r"[a-z][a-z0-9_]*")  # a word as `_letters` reads it (the text is ASCII: digits are 0-9)
_PARAMETER = byte_pattern(r"[?&]?[a-z_][a-z0-9_.\[\]-]{0,30}")  # a query-string parameter's name

_VALUE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_@.:+-")
_BARE_OPENERS = frozenset("0123456789().-+!~@'\"")
_BINARY_CHARS = frozenset("=<>|&^*%+(")
_LOGIC = frozenset({"and", "or", "xor", "&&", "||"})
_COMPARE = frozenset({"=", "<", ">", "<=", ">=", "<>", "!=", "<=>", "like", "rlike", "regexp"})
_ARITH = frozenset({"+", "-", "*", "/", "%", "&", "|", "^", "div", "mod", "->", "->>"})
_PREFIX = frozenset({"not", "!", "-", "+", "~", "binary"})
_LITERALS = frozenset({"true", "false", "null", "unknown", "current_user", "current_date", "current_time",
                       "current_timestamp", "localtime", "session_user", "system_user"})
# Words that end an expression: a clause, or a word that can never be an operand.
_RESERVED = frozenset({"select", "from", "where", "having", "group", "order", "by", "limit", "offset", "union",
                       "into", "procedure", "as", "asc", "desc", "then", "else", "end", "when", "is", "in",
                       "between", "like", "rlike", "regexp", "and", "or", "xor", "div", "mod", "not"})
# A statement after ";" (a stacked query).
_STATEMENTS = frozenset({"select", "drop", "insert", "update", "delete", "exec", "execute", "declare", "shutdown",
                         "waitfor", "create", "alter", "truncate", "call", "set", "grant", "copy", "load"})
# Functions that exist to probe or extract: calling one is a sign of its own.
_PROBES = frozenset({"sleep", "pg_sleep", "benchmark", "char", "chr", "ascii", "ord", "substr", "substring",
                     "mid", "left", "right", "length", "concat", "concat_ws", "group_concat", "version", "user",
                     "database", "schema", "extractvalue", "updatexml", "load_file", "hex", "unhex", "if", "iif",
                     "elt", "make_set", "count", "cast", "convert", "md5", "randomblob", "exists", "instr",
                     "json_extract", "json_keys", "current_setting", "to_char", "utl_inaddr", "dbms_pipe",
                     # and those that spell a string without a quote: from codes, hex or base64
                     "nchar", "unistr", "decode", "convert_from", "from_base64", "to_base64", "encode"})


_JOINERS = frozenset({"and", "or", "xor", "div", "mod", "like", "rlike", "regexp", "is", "not", "between", "in",
                      "union", "having", "order", "group", "limit", "procedure", "into", "where", "collate"})
_LEADING_WORDS = _LITERALS | _PROBES | {"not", "select", "case", "exists", "binary"}

# Where `fragment` reads the (lower-cased) text at all: a quote, `=`, `+` or `/*!` anywhere, or a start
# its first tests take (a bare opener, `||`, `&&`, a leading word or joiner, a first word followed by an
# operator or by a joiner). Where this does not match, `fragment` answers None at those tests: a screen
# the threat filter's one scan answers, so most chat never calls it. `_SPACE` is what `str.strip` takes.
_SPACE = (r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}"
          r"\x{3000}]")
_END = r"(?:[^a-z0-9_]|$)"  # the end of a word as `_WORD` reads it
OPENING = (r"['\"=+]|/\*!"
           rf"|^{_SPACE}*[0-9().\-+!~@|&]"
           rf"|^{_SPACE}*(?:{'|'.join(sorted(_LEADING_WORDS | _JOINERS))}){_END}"
           rf"|^{_SPACE}*[a-z][a-z0-9_]*{_SPACE}*(?:[=<>|&^*%+(]|!=|::)"
           rf"|^{_SPACE}*[a-z][a-z0-9_]*{_SPACE}+(?:{'|'.join(sorted(_JOINERS))}){_END}")


class _Stop(Exception):
    """The grammar cannot take the next token: not a fragment."""


class _Truncated(Exception):
    """The message ended inside a parenthesis: the rest is the query's own."""


@dataclass(slots=True)
class Fragment:
    """What a message parsed as SQL holds."""

    breakout: bool = False  # a literal or parenthesis of the query closed
    logic: int = 0
    compare: int = 0
    symbolic: int = 0  # comparisons written with symbols (=, <, <>...), not words (like)
    constants: int = 0  # constant against constant inside parentheses or a call: (5=7), elt(3=3,1)
    ordinals: int = 0  # ORDER BY / GROUP BY a column number: counting the query's columns
    arith: int = 0
    comments: int = 0
    calls: int = 0  # calls of probing functions
    subquery: bool = False  # SELECT or UNION
    stacked: bool = False
    names: int = 0  # bare identifiers (column names, or prose words)
    casts: int = 0
    variables: int = 0
    statement: bool = False  # a lone value, `;`, then a statement that reads as SQL (`1; declare @q ...`)
    spelt: int = 0  # strings spelt without a quote: hex or bit literals of two bytes or more (`0x61646d696e`)
    tokens: int = 0


class _Parser:
    def __init__(self, data: str) -> None:
        self._data = data
        self._scan: Iterator[Spans] = each_spans(_TOKEN, data)  # raw spans: no match object per token
        self._ahead: tuple[str, str] | None = None
        self._ended = False
        self.depth = 0
        self.seen = Fragment()

    def _read(self) -> tuple[str, str] | None:
        while not self._ended:
            groups = next(self._scan, None)
            if groups is None:
                self._ended = True
                return None
            index = next((i for i in range(1, 10) if groups[i][0] >= 0), 0)
            if not index:  # only trailing white space was left
                self._ended = True
                return None
            start, end = groups[index]
            kind = _KINDS[index - 1]
            if kind == "c":
                self.seen.comments += 1
                continue
            self.seen.tokens += 1
            if self.seen.tokens > MAX_TOKENS:
                raise _Stop
            data = self._data
            if kind == "n" and end < len(data) and (data[end] == "_" or "a" <= data[end] <= "z"):
                # Digits glued to letters ("7a", "2nd") are a name, as MySQL reads them; the word
                # that follows is this token's tail, so the scan skips it.
                tail = next(self._scan, None)
                if tail is not None:
                    end = tail[0][1]
                kind = "w"
            return kind, data[start:end]
        return None

    def peek(self) -> tuple[str, str] | None:
        if self._ahead is None:
            self._ahead = self._read()
        return self._ahead

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _Truncated if self.depth else _Stop
        self._ahead = None
        return token

    def at(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token[0] == kind and (value is None or token[1] == value)

    def expect(self, kind: str, value: str) -> None:
        if self.take() != (kind, value):
            raise _Stop

    # expression := operand (binary-operator operand | postfix)*
    def expression(self) -> None:
        self.rest_of_expression(self.operand())

    def rest_of_expression(self, constant: bool = False) -> None:
        """`constant`: the operand just read is a literal (for constant-against-constant tests)."""
        seen = self.seen
        after_arith = False
        while (token := self.peek()) is not None:
            kind, value = token
            if kind == "o" and value == "::":
                self.take()
                if self.take()[0] != "w":
                    raise _Stop
                seen.casts += 1
                continue
            if kind not in ("o", "w"):
                return
            negated = False
            if value == "not" and kind == "w":
                self.take()
                negated = True
                nxt = self.peek()
                if nxt is None or nxt[1] not in ("like", "rlike", "regexp", "between", "in"):
                    raise _Stop
                value = nxt[1]
            if value == "is" and kind == "w":
                self.take()
                if self.at("w", "not"):
                    self.take()
                if self.take()[1] not in ("null", "true", "false", "unknown"):
                    raise _Stop
                seen.compare += 1
            elif value == "between":
                self.take()
                self.operand()
                self.expect("w", "and")
                self.operand()
                seen.compare += 1
            elif value == "in" and kind == "w":
                self.take()
                self.parenthesised()
                seen.compare += 1
            elif value in _LOGIC:
                self.take()
                seen.logic += 1
                constant, after_arith = self.operand(), False
                continue
            elif value in _COMPARE:
                self.take()
                seen.compare += 1
                seen.symbolic += value[0] in "=<>!"
                right = self.operand()
                following = self.peek()
                if constant and right and not after_arith and self.depth and \
                        (following is None or following[1] not in _ARITH):
                    seen.constants += 1
            elif value in _ARITH:
                self.take()
                seen.arith += 1
                constant, after_arith = self.operand(), True
                continue
            elif negated:
                raise _Stop
            else:
                return
            constant, after_arith = False, False

    def operand(self) -> bool:
        """Reads one operand; whether it is a literal constant."""
        while (token := self.peek()) is not None and token[1] in _PREFIX and token[0] in ("o", "w"):
            self.take()
        return self.primary()

    def primary(self) -> bool:
        kind, value = self.take()
        seen = self.seen
        if kind in ("n", "s"):
            if kind == "n" and ("0x" in value and len(value) - value.index("0x") >= 6
                                or "0b" in value and len(value) - value.index("0b") >= 18):
                seen.spelt += 1
            return True
        if kind == "S":
            self.seen.breakout = True  # the query's closing quote completes it
            return True
        if kind == "v":
            seen.variables += 1
            return False
        if kind == "p" and value == "(":
            self.parenthesised(opened=True)
            return False
        if kind != "w":
            raise _Stop
        if value in _LITERALS:
            return True
        if value == "case":
            self.case()
            return False
        if value in _RESERVED:
            raise _Stop
        if self.at("p", "("):
            if value in _PROBES:
                seen.calls += 1
            self.parenthesised()
            return False
        seen.names += 1
        while self.at("p", "."):  # table.column
            self.take()
            if self.take()[0] != "w":
                raise _Stop
        return False

    def parenthesised(self, *, opened: bool = False) -> None:
        if not opened:
            self.expect("p", "(")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Stop
        if self.at("w", "select"):
            self.take()
            self.select()
        elif not self.at("p", ")"):
            self.expression()
            while self.at("p", ","):
                self.take()
                self.expression()
        self.expect("p", ")")
        self.depth -= 1

    def case(self) -> None:
        if not self.at("w", "when"):
            self.expression()
        while self.at("w", "when"):
            self.take()
            self.expression()
            self.expect("w", "then")
            self.expression()
        if self.at("w", "else"):
            self.take()
            self.expression()
        self.expect("w", "end")

    def select(self) -> None:
        """After SELECT: a column list and the clauses a probe uses (UNION continues it)."""
        self.seen.subquery = True
        if self.at("w", "distinct") or self.at("w", "all"):
            self.take()
        while True:
            if self.at("o", "*"):
                self.take()
            else:
                self.expression()
                if self.at("w", "as"):
                    self.take()
                    self.take()
                elif self.at("w") and self.peek() is not None and self.peek()[1] not in _RESERVED:  # type: ignore[index]
                    self.take()  # an alias
            if not self.at("p", ","):
                break
            self.take()
        if self.at("w", "from"):
            self.take()
            if self.at("p", "("):
                self.parenthesised()
            elif self.take()[0] != "w":
                raise _Stop
            while self.at("p", "."):
                self.take()
                self.take()
        self.clauses()

    def clauses(self) -> None:
        while (token := self.peek()) is not None and token[0] == "w":
            value = token[1]
            if value in ("where", "having"):
                self.take()
                self.expression()
            elif value in ("order", "group"):
                self.take()
                self.expect("w", "by")
                self.seen.ordinals += self.at("n")
                self.expression()
                while self.at("p", ","):
                    self.take()
                    self.expression()
                if self.at("w", "asc") or self.at("w", "desc"):
                    self.take()
            elif value == "limit":
                self.take()
                self.operand()
                if self.at("p", ",") or self.at("w", "offset"):
                    self.take()
                    self.operand()
            elif value == "union":
                self.take()
                if self.at("w", "all") or self.at("w", "distinct"):
                    self.take()
                self.expect("w", "select")
                self.select()
            else:
                return


def _parse(data: str, quoted: bool, joined: bool = False) -> Fragment | None:
    """`quoted`: `data` starts with the quote the query opened; `joined`: with an operand standing
    for the query's own left-hand side (the value goes on with an operator: " or 1=1")."""
    parser = _Parser(data)
    seen = parser.seen
    seen.breakout = joined
    try:
        constant = False
        if quoted:
            kind, value = parser.take()
            if kind != "s" or not _is_value(value[1:-1]):
                return None
            seen.breakout = constant = True
        else:
            parser.expression()
        while parser.at("p", ")"):  # the value closes the query's parentheses
            parser.take()
            seen.breakout, constant = True, False
        parser.rest_of_expression(constant)
        parser.clauses()
        if parser.at("p", ";"):
            lone = seen.tokens <= 3 and not seen.subquery  # a value alone before it (`363;`, `7);`)
            parser.take()
            token = parser.peek()
            if token is not None:
                if token[1] not in _STATEMENTS:
                    return None
                seen.stacked = True
                parser.take()
                following = parser.peek()
                seen.statement = lone and following is not None and _statement(token[1], following)
                return seen  # what follows is a statement of its own
        if parser.peek() is not None:
            return None
    except _Truncated:
        pass
    except _Stop:
        return None
    return seen


# What a stacked statement's keyword needs after it to read as SQL rather than a word of prose after a `;`.
_OBJECTS = frozenset({"table", "database", "user", "login", "procedure", "function", "view", "index", "schema",
                      "trigger"})


def _statement(keyword: str, following: tuple[str, str]) -> bool:
    """Whether `keyword` (of `_STATEMENTS`) followed by the token `following` begins a SQL statement."""
    kind, value = following
    if keyword == "declare":
        return kind == "v"
    if keyword in ("exec", "execute"):
        return value == "(" or kind == "v" or value.startswith(("xp_", "sp_", "master"))
    if keyword in ("drop", "create", "alter", "truncate"):
        return value in _OBJECTS
    if keyword in ("insert", "delete"):
        return value == ("into" if keyword == "insert" else "from")
    if keyword == "waitfor":
        return value in ("delay", "time")
    return keyword == "select" and (kind == "v" or value == "*")


def _is_value(value: str) -> bool:
    """What a form field or parameter holds before the quote an injection closes: one short token."""
    value = value.strip()
    return len(value) <= 40 and all(char in _VALUE_CHARS for char in value)


def _weight(seen: Fragment) -> float:
    operators = seen.logic + seen.compare + seen.arith
    # SQL past the closed literal: a symbolic comparison, a call, a subquery... Words between bare
    # words ("shabby" and white, "and i like it") are English, and a comment alone is left to the rules.
    evidence = seen.symbolic + seen.calls + seen.subquery + seen.stacked + seen.casts + seen.variables + \
        seen.constants + seen.ordinals + seen.spelt
    if not seen.names:
        evidence += seen.logic + seen.arith + seen.compare
    if operators:
        evidence += seen.comments
    if seen.breakout and evidence and seen.names <= 2 or seen.statement:
        return BREAKOUT
    if (seen.constants or seen.ordinals and seen.comments) and seen.names <= 1:
        return EXPRESSION
    anchors = seen.comments or seen.calls or seen.subquery or seen.variables or seen.casts
    # A boolean test between constants ("1 and 1 not like 0") or with SQL's own furniture; prose that
    # happens to parse ("i like 3 or 4") names things and has none.
    # Arithmetic between constants with no SQL furniture ("5 - 3 = 2 and 2 + 2 = 4") is someone's maths.
    if seen.logic and (anchors and seen.names <= 1 or operators >= 2 and not seen.names and not seen.arith):
        return EXPRESSION
    if seen.subquery and seen.tokens >= 4 and seen.names <= 1:
        return EXPRESSION
    return 0.0


def _letters(text: str, at: int) -> str:
    """The word at `at` of ASCII `text`: a letter, then letters, digits and underscores (one regex call,
    not a Python step per character: this runs on every message)."""
    found = _WORD.match(text, at)
    return found.group() if found is not None else ""


def _may_open(value: str, word: str) -> bool:
    """Whether `value` (stripped, non-empty; `word` its first word) can begin a bare fragment: a cheap
    test before the parser, which reads a few microseconds per token. Sentences start with two words
    that are not SQL."""
    if value[0] in _BARE_OPENERS:
        return True
    if not word:
        return False
    if word in _LEADING_WORDS:
        return True
    rest = value[len(word):].lstrip()
    if not rest:
        return False
    if rest[0] in _BINARY_CHARS or rest[:2] in ("!=", "::"):
        return True
    return _letters(rest, 0) in _JOINERS


def _may_close(value: str, quote: str) -> bool:
    """Whether the first `quote` in `value` can close a literal: a short value before it and SQL,
    not the rest of a word ("it's", "don't"), right after it."""
    at = value.find(quote)
    if at < 0 or not _is_value(value[:at]):
        return False
    word = _letters(value, at + 1)
    return not word or word in _JOINERS


def fragment(text: str) -> tuple[float, str] | None:
    """(weight, context) when the whole of `text` (lower-cased) reads as an injected SQL fragment."""
    text = text.strip()
    if not text or len(text) > MAX_CHARS or not text.isascii():
        return None
    if "'" not in text and '"' not in text and "=" not in text and "+" not in text and "/*!" not in text \
            and text[0] not in _BARE_OPENERS and text[:2] not in ("||", "&&"):
        # Most chat: one value, no quote, and a first word that opens no context (`_may_open`, inline: this
        # runs on every message).
        first = _WORD.match(text)
        if first is None:
            return None
        word = first.group()
        if word not in _LEADING_WORDS and word not in _JOINERS:
            rest = text[first.end():].lstrip()
            if not rest:
                return None
            if rest[0] not in _BINARY_CHARS and rest[:2] not in ("!=", "::"):
                second = _WORD.match(rest)
                if second is None or second.group() not in _JOINERS:
                    return None
    return _read(text)


def _read(text: str) -> tuple[float, str] | None:
    """`fragment` of `text`, stripped, ASCII and at most `MAX_CHARS` long, read in every context."""
    if "/*!" in text:  # MySQL runs what an executable comment holds: read it as code
        text = _EXECUTABLE_COMMENT.sub(" ", text).strip()
    values = [text]
    name, equals, value = text.partition("=")
    if equals and value.strip() and _PARAMETER.fullmatch(name.encode()) is not None:  # "id=1 and 1=1"
        values.append(value.strip())
    if "+" in text:  # perhaps a form-encoded value, where "+" is a space
        values += [value.replace("+", " ").strip() for value in values]
    best: tuple[float, str] | None = None
    for value in values:
        if not value:
            continue
        contexts = []
        closed = value.lstrip(")").lstrip()
        if closed != value and closed:  # ")) or 1=1": the value closes the query's parentheses first
            value = closed
            word = _letters(value, 0)
            if word in _JOINERS or value[:2] in ("||", "&&"):
                contexts.append(("0 ", "closed-parenthesis"))
        else:
            word = _letters(value, 0)
            if _may_open(value, word):
                contexts.append(("", "bare"))
        if "'" in value and _may_close(value, "'"):
            contexts.append(("'", "single-quote"))
        if '"' in value and _may_close(value, '"'):
            contexts.append(('"', "double-quote"))
        if word in _JOINERS or value[:2] in ("||", "&&"):
            contexts.append(("0 ", "continuation"))
        for prefix, context in contexts:
            seen = _parse(prefix + value, prefix in ("'", '"'), prefix == "0 ")
            weight = _weight(seen) if seen is not None else 0.0
            if weight and (best is None or weight > best[0]):
                best = (weight, context)
    return best


# A payload quoted in a question about it ("why does `' OR 1=1 --` log me in?"): the sender asks what the
# shape does, which is how people learn of it, and a message that only asks can still be a payload pasted
# into a query whole. Such a message is worth an alert, not a block, while its payload only tests a
# condition or closes a literal; one that damages, waits, reads the schema, files or joins a second
# SELECT (the strong rules, stacked statements) stays a block, and so does a message that is SQL to its
# end (`fragment`).
ASKED = 0.6  # the SQL score of a question that quotes a condition or a literal closed
_SHAPES = frozenset(("quote-boolean", "tautology", "quote-comment", "quote-compare", "comment-tail",
                     "string-concat", "sql-funcs", "subquery", "hex-literal", "pg-cast", "order-probe"))
_QUESTION_END = re.compile(r"[?？]\s*$")
_PROSE = re.compile(r"(?<![\w'\"`])[^\W\d_]{2,}(?![\w'\"`])")
_SQL_WORDS = frozenset(("or", "and", "not", "like", "null", "true", "false", "select", "union", "from", "where",
                        "having", "order", "by", "xor", "div", "is", "as", "in"))
_ASKING_WORDS = 4  # words of prose outside the payload that make a question of it


def asked(text: str, names: set[str]) -> bool:
    """Whether `text`, whose SQL hits are the rules `names`, is a question about a quoted payload: a question
    mark ends it, it holds `_ASKING_WORDS` words of prose beyond SQL's own, and every hit is a shape
    (`_SHAPES`) rather than damage or a second query."""
    if not names or not names <= _SHAPES or _QUESTION_END.search(text) is None:
        return False
    words = sum(1 for word in _PROSE.findall(text) if word.lower() not in _SQL_WORDS)
    return words >= _ASKING_WORDS
