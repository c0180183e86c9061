"""Reading a host name's label as words: how much of it is the vocabulary phishing names are made of.

Phishing and scam hosts are named so the reader takes them for a service's own pages: words of
signing in, security, payment, delivery, prizes or investment joined by hyphens or run together
(`secure-account-update`, `parcelfeepay24`, `claim-airdrop-now`), several in one name, digits
glued on. An ordinary organisation's name may hold one such word (`riverside-tech-support`,
`coindesk`), rarely two of different kinds with nothing else. The label is taken apart at hyphens
and digits and each run of letters is segmented into the fewest unknown letters (dynamic
programming over `linkdata.NAME_WORDS` and `NAME_FILLERS`, so `accounting` is not `account` +
`ing`); the words of the trade found, their kinds, digits glued to them and a name made of nothing
else add up to points. The score stays below a block: a name alone can raise an alert, a block
needs another sign (a brand, a cheap TLD, a kit's path). `unreadable` reads a run of letters
against the spelling of eight languages instead (`letterdata.py`): letters drawn at random hold
triples that no word does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.threat.letterdata import TRIPLES
from filters.threat.linkdata import (
    BRANDS,
    CHAINS,
    CRYPTO_ACTIONS,
    CRYPTO_OBJECTS,
    KEYWORDS,
    NAME_FILLERS,
    NAME_WORDS,
)

# The lure words of other languages (`konto`, `paczka`, `zahlung`) read as sign-in words.
_TRADE = {**dict.fromkeys((word for word in KEYWORDS if word.isalpha()), "access"), **NAME_WORDS}
_HELD = CRYPTO_OBJECTS | frozenset(CHAINS)  # what a crypto wallet holds or reaches (`linkdata.CRYPTO_OBJECTS`)
_ANY_HELD = re.compile("|".join(sorted(_HELD, key=len, reverse=True)))  # most names hold none: one search says so
_KNOWN = frozenset(_TRADE) | NAME_FILLERS | frozenset(BRANDS) | _HELD | CRYPTO_ACTIONS
_PREFIXES = frozenset(word[:end] for word in _KNOWN for end in range(2, len(word) + 1))
_PIECES = re.compile(r"[a-z]+|[0-9]+")  # on a label of 63 characters at most: the standard engine is cheaper per call
# points -> score; a name alone never reaches a block (0.8)
_SCORES = (0.0, 0.2, 0.3, 0.45, 0.55, 0.65)
_SHORT = 4  # a word this short counts only between known words or edges: `eth` is no word in `method`
_STRONG = "access"
# The letter triples words of eight languages hold (`letterdata.py`), with `^` and `$` for a word's edges.
_TRIPLES = frozenset(head + tail for row in TRIPLES.split() for head, tails in [row.split(":")] for tail in tails)


@dataclass(frozen=True, slots=True)
class NameWords:
    """What a label's words say."""

    words: tuple[str, ...]  # the words of the trade found, in order
    points: int
    score: float


def segment(run: str) -> list[str]:
    """`run` (lower-case letters) as words of `_KNOWN` (two letters or more) and single unknown letters,
    the fewest unknown letters first, then the fewest pieces (`secureaccount` -> `secure`, `account`).

    Read forward: from each position only as far as the letters are the start of some known word
    (`_PREFIXES`), which most runs leave after a letter or two."""
    size = len(run)
    unknown, pieces, back = [0] + [size + 1] * size, [0] * (size + 1), [0] * (size + 1)
    for start in range(size):
        lost, count = unknown[start], pieces[start] + 1
        if lost + 1 < unknown[start + 1] or (lost + 1 == unknown[start + 1] and count < pieces[start + 1]):
            unknown[start + 1], pieces[start + 1], back[start + 1] = lost + 1, count, start
        for end in range(start + 2, size + 1):
            word = run[start:end]
            if word not in _PREFIXES:
                break
            if word in _KNOWN and (lost < unknown[end] or (lost == unknown[end] and count < pieces[end])):
                unknown[end], pieces[end], back[end] = lost, count, start
    words: list[str] = []
    end = size
    while end:
        words.append(run[back[end]:end])
        end = back[end]
    return words[::-1]


def trade_words_only(run: str) -> bool:
    """Whether `run` (letters) reads wholly as known words with at least one word of the trade."""
    words = segment(run)
    return all(word in _KNOWN and len(word) > 1 for word in words) and any(word in _TRADE for word in words)


def _counted(words: list[str], at: int) -> bool:
    """Whether `words[at]` (a word of the trade) reads as a word of its own in its run of letters: a short
    one only in a run made wholly of known words (`cardfee`, not the `fee` of `coffee`), a longer one
    beside an edge or another known word (`aurevocashback`, not the `assist` of `waveassistant`)."""
    if len(words[at]) <= _SHORT:
        return all(word in _KNOWN for word in words)
    sides = [words[i] for i in (at - 1, at + 1) if 0 <= i < len(words)]
    return len(sides) < 2 or any(len(side) > 1 for side in sides)


def read_label(label: str) -> NameWords:
    """The words of the trade in one host label (ASCII, lower case) and the points they add up to."""
    found: list[str] = []
    letters = known = 0
    glued_digits = False
    for part in label.split("-"):
        pieces = _PIECES.findall(part)
        for piece in pieces:
            if piece.isdigit():
                continue
            words = segment(piece)
            letters += len(piece)
            known += sum(len(word) for word in words if word in _KNOWN)
            lures = [word for at, word in enumerate(words) if word in _TRADE and _counted(words, at)]
            found.extend(lures)
            glued_digits = glued_digits or (bool(lures) and any(p.isdigit() and len(p) > 1 for p in pieces))
    distinct = tuple(dict.fromkeys(found))
    if not distinct:
        return NameWords((), 0, 0.0)
    kinds = [_TRADE[word] for word in distinct]
    # A kind counts once (`customer-care-services` is one service word), sign-in words twice and more
    # when there are several of them (`secure-account-verify`).
    points = sum(2 + (kinds.count(kind) > 1) if kind == _STRONG else 1 for kind in set(kinds))
    if len(set(kinds)) >= 2:
        points += 1  # two kinds of lure: an account word with a payment or support word
    if set(kinds) == {"shop"}:
        points -= 1  # what a shop is named by is no lure alone (`riverside-outlet-sale`)
    if len(distinct) >= 2 and known >= letters:
        points += 1  # nothing but words of the trade and padding
    if glued_digits:
        points += 1  # `secure24`, `pay365` (not `auth0`, `web3`: one digit is part of many names)
    return NameWords(distinct, points, _SCORES[min(points, len(_SCORES) - 1)])


def unreadable(run: str) -> int:
    """How many letter triples of `run` (lower-case letters, its edges as `^` and `$`) no word of the
    languages the reader knows holds: 0 for words and names made of words (`oakwooddental`), a few for
    acronyms (`mqtt`), most of them for letters drawn at random (`xqjvwkd`)."""
    edged = f"^{run}$"
    return len(run) - sum(map(_TRIPLES.__contains__, [edged[i:i + 3] for i in range(len(run))]))


def crypto_lure(labels: str) -> str:
    """`object+action` when the words of `labels` (a host's labels left of its public suffix, dots between)
    join a thing kept in a crypto wallet with what a scam asks its holder to do to it (`wallet-sync`,
    `walletrestore`, `claim.eth-drop`): "" otherwise. Each run of letters is read as words (`segment`); a word
    counts as in `read_label` (`eth` only in a run made wholly of known words: not the `eth` of `method`)."""
    if _ANY_HELD.search(labels) is None:
        return ""
    found: list[str] = []
    for run in _PIECES.findall(labels.replace(".", "-")):
        if run.isdigit():
            continue
        words = segment(run)
        found.extend(word for at, word in enumerate(words)
                     if (word in _HELD or word in CRYPTO_ACTIONS) and _counted(words, at))
    held = next((word for word in found if word in _HELD), "")
    asked = next((word for word in found if word in CRYPTO_ACTIONS and word != held), "")
    return f"{held}+{asked}" if held and asked else ""
