"""Event handlers that call the page's own code, and links that do nothing, read apart from payloads.

Pasted markup is full of handlers: `<button onclick="save()">`, `<img onerror="this.src='fallback.png'">`,
`<select onchange="this.form.submit()">`, `<a href="javascript:void(0)" onclick="toggle()">`. Such a handler
runs a function the page defines or sets a property of its own element to a plain value; a payload runs
something of the attacker's (`alert(1)`, `document.cookie`, `fetch('//x')`, `eval(atob(...))`, `location=`).
The handler rules (`READ_RULES`) match both; after a hit, `read` blanks every handler whose quoted value is
only such calls and settings, and every `javascript:` link that does nothing (`void(0)`), and the hit
stands only if its rule still matches (`ruleset.holds`; RE2 has no look-ahead to say it in the rule); a handler hit that
does not stand leaves one note of `OWN_HANDLER`. The reading is strict:
an unquoted value, a bracket, an operator, a name a payload uses (`SINKS`) or a string with a colon or
markup in it leaves the handler as it was.
"""

from __future__ import annotations

import re

READ_RULES = frozenset({"handler-in-tag", "bare-handler", "broken-tag", "script-url", "script-url-attr",
                        "global-eval"})
# Names a payload reaches for: dialogs, evaluation, the network, navigation, the document and the window,
# storage, markup sinks. A handler that names any of them (as a call, an object or inside a string) stays
# what the rules say it is.
SINKS = frozenset("""
alert prompt confirm eval fetch import settimeout setinterval setimmediate function constructor atob write
writeln open execscript print msgbox require xmlhttprequest sendbeacon postmessage location cookie document
window top self parent frames globalthis navigator localstorage sessionstorage opener domain innerhtml
outerhtml insertadjacenthtml srcdoc createelement appendchild prototype __proto__ href action formaction
""".split())

_NAME = r"[a-z_$][\w$]{0,40}"
_STRING = r"(?:'[^'\"<>:()\\`;]{0,80}'|\"[^'\"<>:()\\`;]{0,80}\")"
_ARGUMENT = rf"(?:-?\d+(?:\.\d+)?|{_STRING}|{_NAME}(?:\.{_NAME}){{0,3}})"
_CALL = rf"(?:return\s+)?{_NAME}(?:\.{_NAME}){{0,3}}\s*\(\s*(?:{_ARGUMENT}(?:\s*,\s*{_ARGUMENT}){{0,5}})?\s*\)"
_SETTING = rf"this(?:\.{_NAME}){{1,3}}\s*=\s*(?:-?\d+|{_STRING}|null|true|false)"
_STATEMENT = rf"(?:{_CALL}|{_SETTING}|return\s+(?:false|true)|void\s*\(?\s*0\s*\)?)"
_OWN_CODE = re.compile(rf"\s*{_STATEMENT}(?:\s*;\s*{_STATEMENT}){{0,4}}\s*;?\s*")
# A handler attribute with a quoted value (bounded: a value past 200 characters is no page call).
_HANDLER = re.compile(r"(?<![\w-])on[a-z]{3,40}\s*=\s*(?:\"([^\"]{0,200})\"|'([^']{0,200})')")
_NO_OP_LINK = re.compile(r"javascript\s*:\s*(?:void\s*\(?\s*0\s*\)?\s*;?|;)?(?=\s*[\"'])")
_WORD = re.compile(r"[a-z_$][\w$]*")


def own_code(value: str) -> bool:
    """Whether a handler's value only calls functions and sets its element's properties to plain values,
    naming nothing a payload uses."""
    return (_OWN_CODE.fullmatch(value) is not None
            and SINKS.isdisjoint(_WORD.findall(value)))


def read(text: str) -> str | None:
    """`text` (case-folded) with each handler of the page's own code and each link that does nothing blanked
    (spaces, the same length); None when there is none."""
    spans = [match.span() for match in _HANDLER.finditer(text)
             if own_code(match[1] if match[1] is not None else match[2])]
    spans.extend(match.span() for match in _NO_OP_LINK.finditer(text) if match.end() > match.start())
    if not spans:
        return None
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start >= position:  # a link inside a handler's value was blanked with it
            pieces.append(text[position:start])
            pieces.append(" " * (end - start))
            position = end
    pieces.append(text[position:])
    return "".join(pieces)


# What a hit of `HANDLER_RULES` that does not stand still weighs, once per message: an element with behaviour
# of the page's own attached is unusual in chat (an alert with most tags), never a block on its own.
OWN_HANDLER = 0.45
HANDLER_RULES = frozenset({"handler-in-tag", "bare-handler", "broken-tag"})

