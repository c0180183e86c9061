"""What every match of a rule must contain: the literal pieces a pre-screen can look for.

`atoms(pattern)` returns strings such that every text the pattern matches contains at least one of
them, or None when no such small set can be told. A message holding none of a rule's atoms cannot
match the rule, so the rule set skips it (see `ruleset.RuleSet`). RE2 is asked only for whether the
atoms occur; this module only reads the pattern.

Sound by construction, and conservative where unsure:
- The pattern is read with Python's own regular expression parser, which reads RE2's syntax the same
  way for everything used here. Where the two differ the pattern is not screened: POSIX classes
  (`[[:alpha:]]`, which Python reads as a list of characters), numbered escapes (octal in RE2,
  back-references in Python), and anything Python refuses (`\\pL`, `\\x{..}`, `\\z`, flags in the middle).
- Only literal characters and small explicit classes give atoms; `.`, `\\w`, `\\s`, `\\d`, negated
  classes and anything optional give none. A zero-width assertion (`\\b`, `^`, `$`) is read as the empty
  string: dropping its condition only widens what the piece matches, so what it needs still holds.
- A sequence needs what any one of its items needs (or a run of items that each match one of a few
  strings: the strings of the run); an alternation needs one of what each branch needs; a repetition
  needs what its item needs only if it repeats at least once.
- Case counts: the rules read the folded, lower-case view, and are spelt case-sensitively; a pattern
  that turns on `i` anywhere is not screened (RE2 folds `k` to the Kelvin sign, `s` to the long s).
- An atom is cut to its first `MAX_ATOM` characters (a piece of a string a match must hold is one too):
  a smaller automaton for the screen, at the price of a few more sets run.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre  # type: ignore[attr-defined, unused-ignore]
from re import _parser as sre_parse  # type: ignore[attr-defined, unused-ignore]
from typing import Any

MAX_CLASS = 8  # characters a class may hold to count as a list of atoms
MAX_EXACT = 24  # strings a run of items may spell before it stops being a list of atoms
MAX_ATOMS = 320  # atoms one rule may need (an alternation of many branches: the words of 42 languages)
MAX_ATOM = 6  # characters of an atom looked for
# Read differently by RE2 and Python, or case-insensitive (see above).
_UNREADABLE = re.compile(r"\[:\^?[A-Za-z]+:\]|\\[0-9]|\(\?[a-zA-Z-]*[xi]")
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
# How often a character turns up in ordinary chat, roughly, and ordinary chat itself: only to choose
# between atom lists (the rarest is screened for) and to order rules, never to decide a match.
_COMMON = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 .,!?'-:\n")
ORDINARY = """
morning all, a client from the ticket queue wrote again about the late refund; i said we'd call them
back after 4 pm. can billing confirm the sum and the date of the transfer, please? i'll be away from my
desk after lunch, so answer in this channel. thanks! small update from support: the new release still
signs people out when they change channels. could you check the order status and send me
the tracking number? my password reset email never arrived, what should i do now? sure, no problem:
i'll look at it this afternoon and get back to you. the meeting is moved to 3:30 (room b), bring the
slides. does anyone know where the latest report is? it's in the shared folder, under q3/finance.
we need to update the docs before the release - also, what's the plan for the weekend? i think the
issue is fixed now, let me know if you still see the error message. great, that works for me :)
can you send the file again? the link didn't open on my phone. ok, i will try again later with a
different browser. is the system down? everything is slow since this morning, and the app keeps
asking me to log in. please follow the instructions in the email and then restart. the rules for
the contest are on the website; just answer the questions and submit the form by friday. he told me
he asked twice and got no reply, so i said i would write to the manager and call him myself. i'd like
to change my delivery address, just like last time; is that possible before the parcel ships?
bonjour, je voudrais savoir où en est ma commande, merci d'avance. hola, ¿me pueden ayudar con mi
factura? ahora no funciona. hallo, ich habe eine frage zu meiner rechnung, können sie mir helfen?
"""


@functools.cache  # every filter built reads the same rules: reading a large rule once per process is enough
def atoms(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains, or None if that cannot be told."""
    if _UNREADABLE.search(pattern):
        return None
    try:
        found = _need(list(sre_parse.parse(pattern)))
    except Exception:  # noqa: BLE001 (refused, or a parser whose private shape has changed: run the rule always)
        return None
    return _shortest(frozenset(atom[:MAX_ATOM] for atom in found)) if found else None


def cost(found: frozenset[str]) -> float:
    """A rough chance that ordinary chat holds one of `found` (lower is a better screen)."""
    total = 0.0
    for atom in found:
        chance = 1.0
        for char in atom.lower():
            chance *= 0.3 if char in _COMMON else 0.01
        total += chance + (1.0 if atom.lower() in ORDINARY else 0.0)
    return total


def _shortest(found: frozenset[str]) -> frozenset[str]:
    """`found` without the atoms that hold a shorter one (that one occurs wherever they do)."""
    ordered = sorted(found, key=len)
    kept: list[str] = []
    for atom in ordered:
        if not any(short in atom for short in kept):
            kept.append(atom)
    return frozenset(kept)


def _need(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """What a sequence of parsed items needs: the cheapest of what each item or run of items needs."""
    choices: list[frozenset[str]] = []
    for item in items:
        found = _need_one(*item)
        if found:
            choices.append(found)
    for first in range(len(items)):
        spelt: set[str] | None = {""}
        for op, av in items[first:]:
            each = _exact(op, av)
            if each is None or spelt is None:
                break
            spelt = {head + tail for head in spelt for tail in each}
            if len(spelt) > MAX_EXACT:
                break
            if "" not in spelt:
                choices.append(frozenset(spelt))
    return min(choices, key=lambda found: (cost(found), len(found))) if choices else None


def _need_one(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        return _need(list(av[-1]))
    if op is sre.ATOMIC_GROUP:
        return _need(list(av))
    if op in _REPEATS:
        low, _, item = av
        return _need(list(item)) if low >= 1 else None
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _need(list(branch))
            if not found:
                return None
            union |= found
        return frozenset(union) if len(union) <= MAX_ATOMS else None
    each = _exact(op, av)
    return frozenset(each) if each and "" not in each else None


def _exact(op: Any, av: Any) -> set[str] | None:
    """The strings one parsed item can match, if they are few (zero-width items match "")."""
    if op is sre.LITERAL:
        return {chr(av)}
    if op is sre.AT:
        return {""}
    if op is sre.IN:
        chars = _class(av)
        return set(chars) if chars is not None else None
    if op is sre.SUBPATTERN:
        return _exact_seq(list(av[-1]))
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            each = _exact_seq(list(branch))
            if each is None:
                return None
            union |= each
        return union if len(union) <= MAX_EXACT else None
    if op in _REPEATS:
        low, high, item = av
        each = _exact_seq(list(item))
        if each is None or high > 3:
            return None
        spelt: set[str] = set()
        power = {""}
        for count in range(high + 1):
            if count >= low:
                spelt |= power
            power = {head + tail for head in power for tail in each}
            if len(spelt) > MAX_EXACT or len(power) > MAX_EXACT:
                return None
        return spelt
    return None


def _exact_seq(items: list[tuple[Any, Any]]) -> set[str] | None:
    spelt = {""}
    for op, av in items:
        each = _exact(op, av)
        if each is None:
            return None
        spelt = {head + tail for head in spelt for tail in each}
        if len(spelt) > MAX_EXACT:
            return None
    return spelt


def _class(items: list[tuple[Any, Any]]) -> list[str] | None:
    """The characters of a class made only of listed characters and short ranges."""
    chars: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            chars.append(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < MAX_CLASS:
            chars.extend(chr(code) for code in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range
            return None
        if len(chars) > MAX_CLASS:
            return None
    return chars
