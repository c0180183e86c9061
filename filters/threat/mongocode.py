"""MongoDB queries written as code: a filter a developer typed, not an operator object slipped into a value.

A NoSQL injection is an operator object arriving where a plain value was expected: a JSON body's
`{"user": {"$ne": null}}`, a form's `user[$ne]=1`, or JavaScript for the server to run (`$where`). A developer
asking about a query writes it in the shell's or a driver's syntax instead: `db.users.find({ age: { $gt: 23 } })`,
`User.find({ age: { $gte: 16 } }).limit(10)`, object keys unquoted as JavaScript allows. Such a call, closed
(balanced brackets, strings closed), not opened by a quote or a statement break (`'; db.x.find(`), with every
operator key bare and none that runs JavaScript (`$where`, `$function`, `$accumulator`), is code talked about:
the operator and call rules' hits inside it are dropped. Anything else stays as the rules weigh it (fail closed).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

READ_RULES = frozenset(("mongo-operator", "db-call"))

# A query method called on `db.<collection>` or on a model or collection variable (`User.find(`, `users.find(`);
# the text is case-folded. Calls that drop or evaluate are not queries and are left to the rules.
_CALL = re.compile(
    r"(?<![\w$.])(?:db\.[a-z_][\w$]*|[a-z_][\w$]*)\.(?:find|findone|countdocuments|count|distinct|aggregate|"
    r"updateone|updatemany|deleteone|deletemany|replaceone|findoneandupdate|findoneanddelete|"
    r"findoneandreplace|estimateddocumentcount)\s*\(")
# What must not stand right before the call: a quote, `;`, `||`/`&&` or `return` (a value breaking out of a
# string or a statement into one of its own).
_OPENED = re.compile(r"(?:[\"'`;|&]|\breturn)\s*$")
_JAVASCRIPT = re.compile(r"\$(?:where|function|accumulator)\b")
_QUOTED_OPERATOR = re.compile(r"[\"'`]\s*\$|\[\s*\$")
_TOKEN = re.compile(r"[(){}\[\]\"'`\\]")
_CLOSERS = {"(": ")", "{": "}", "[": "]"}


def _closes(text: str, start: int) -> dict[int, int]:
    """Each bracket from `start` on mapped to the index after its closer, strings inside brackets skipped.

    One pass (linear): a bracket left unclosed, or closed by the wrong kind, has no entry (read as no code).
    """
    closes: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    quote = ""
    escaped = -1
    for token in _TOKEN.finditer(text, start):
        char, at = token.group(), token.start()
        if quote:
            if at == escaped:
                continue
            if char == "\\":
                escaped = at + 1
            elif char == quote:
                quote = ""
        elif char in _CLOSERS:
            stack.append((_CLOSERS[char], at))
        elif char in ")}]":
            if stack and stack[-1][0] == char:
                closes[stack.pop()[1]] = at + 1
            else:
                stack.clear()
        elif stack and char != "\\":
            quote = char
    return closes


@lru_cache(maxsize=8)
def _spans(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Starts and ends of the closed query calls written as code in `text`, merged, in order."""
    calls = list(_CALL.finditer(text))
    if not calls:
        return (), ()
    closes = _closes(text, calls[0].start())
    bad = [found.start() for found in _JAVASCRIPT.finditer(text)] + [found.start() for found in _QUOTED_OPERATOR.finditer(text)]
    bad.sort()
    starts: list[int] = []
    ends: list[int] = []
    for call in calls:
        paren = call.end() - 1
        close = closes.get(paren)
        if close is None or _OPENED.search(text[max(0, call.start() - 12):call.start()]):
            continue
        index = bisect_right(bad, paren)
        if index < len(bad) and bad[index] < close:
            continue  # JavaScript to run, or an operator key quoted as a JSON body quotes it
        if starts and call.start() <= ends[-1]:
            ends[-1] = max(ends[-1], close)
        else:
            starts.append(call.start())
            ends.append(close)
    return tuple(starts), tuple(ends)


def written(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` lies inside a closed MongoDB query call written as code (see the module)."""
    starts, ends = _spans(text)
    index = bisect_right(starts, start) - 1
    return index >= 0 and ends[index] >= end
