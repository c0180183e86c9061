"""Whose instructions or rules a hit names: a third party's, or possibly the bot's.

People talk about instructions and rules that belong to someone or something in the world: "the previous
instructions on the leaflet", "the rules in .eslintrc", "the rules for the boss fight", "the instructions you got
from payroll". An injection means the bot's own: "your instructions", "the rules of this chat", "the instructions
you received from your developers", or leaves the owner unsaid. The detector reads this only where the words
around already say the set-aside is reported or described rather than ordered (`addressed.reported`, the
`no-limits` rule) and where instructions are asked for (`revealed.shared`); an order given outright ("ignore the
previous instructions on the leaflet") is judged as written.
"""

from __future__ import annotations

import re

# Words that put the bot, its setup or its makers into a phrase: such a phrase owns nothing of the world's. A
# reader or recipient of a text may be the bot reading it.
BOTS = (r"\b(?:you|your|yours|yourself|u|ur|system|prompts?|ai|a\.i\.|assistant|bot|chatbot|model|gpt|chatgpt|openai|"
        r"anthropic|developers?|devs?|creators?|makers?|operators?|admin\w*|owners?|programm\w*|train\w*|conversation|"
        r"chat|context|messages?|text|above|below|earlier|before|setup|configuration|guidelines|polic(?:y|ies)|safety|"
        r"this|these|here|us|it|readers?|recipients?)\b")
_BOTS = BOTS_PATTERN = re.compile(BOTS)
# A preposition and a third party's noun phrase after the noun: "on the leaflet", "for the boss fight", "in
# .eslintrc", "of my landlord". A determiner opens it, or it is a file's or an address's name.
_QUALIFIER = re.compile(r"[\w-]*\s+(?:on|in|inside|of|for|from|at|about|by|under|with|that\s+came\s+with)\s+"
                        r"(?:(?:the|a|an|my|our|his|her|their|its)\s+(?:[\w'-]+\s+){0,2}[\w'-]+|[\w-]*[./][\w./-]*\w)")
# Where the clause after the noun ends: what lies past it speaks of something else.
_CLAUSE_END = re.compile(r"[.!?;:\n]|,\s|\s(?:and|but|then|so)\s")
# A third party named as the one instructions came from or were given by, after "you got", "you received":
# "from payroll", "from the landlord", "by HR". Bare words are read as names, pronouns and the bot's makers not.
_DETERMINER = r"(?:the|a|an|my|our|his|her|their)\b"
FROM_THIRD = (r"\s+(?:from|by)\s+(?:" + _DETERMINER + r"\s+)?(?!" + _DETERMINER + "|" + BOTS + r"|me\b|them\b|that\b|"
              r"whoever\b|someone\b|anyone\b|somebody\b|anybody\b|google\b|microsoft\b|meta\b|company\b|platform\b|"
              r"providers?\b|vendors?\b|deployers?\b|hosts?\b)[a-z][\w'-]*"
              # and no clause after it that makes the giver the bot's maker: "the company that made you"
              r"(?!(?:\s+[\w'-]+){0,4}?\s+(?:you|your|yourself)\b)")


def qualified(text: str, end: int) -> bool:
    """Whether the noun ending at `end` (the rest of its word is skipped) is tied to a third party by what follows
    it (`_QUALIFIER`), and the rest of its clause names nothing of the bot's (`BOTS`)."""
    found = _QUALIFIER.match(text, end)
    if found is None:
        return False
    stop = _CLAUSE_END.search(text, found.end())
    clause = text[end:stop.start() if stop else len(text)]
    return _BOTS.search(clause) is None


# The bot as the one setting rules aside: "you ignore the rules ...", "you'll disregard ...".
_YOU_BEFORE = re.compile(r"\b(?:you|u)(?:'ll|\s+will|\s+now|\s+must|\s+should|\s+can|\s+always|\s+simply|\s+just)*\s+$")
_SENTENCE = re.compile(r"[.!?\n]")
DESCRIBED_RULES = frozenset({"no-limits"})


def described(text: str, start: int, end: int, persona: re.Pattern[str]) -> bool:
    """Whether a `no-limits` hit on `text[start:end]` ("ignores the rules") describes a third party's rules set aside
    by someone other than the bot ("our linter ignores the rules in .eslintrc", "told us to ignore the rules for the
    boss fight"): the rules are `qualified`, "you" is not the one setting them aside, and the sentence holds no sign
    of a persona (`persona`: an AI, a character, no rules)."""
    if not qualified(text, end) or _YOU_BEFORE.search(text, max(0, start - 30), start) is not None:
        return False
    opened = max((m.end() for m in _SENTENCE.finditer(text, max(0, start - 200), start)), default=max(0, start - 200))
    closed = _SENTENCE.search(text, end)
    return persona.search(text, opened, closed.start() if closed else len(text)) is None


# The same in French, Portuguese, Spanish and Italian: the bot and its setup in their words, and a preposition
# (with its article, joined or not) and a noun after the instructions' noun and at most two adjectives: "de la
# notice", "antigas da bula", "del foglietto", "sur la porte".
_BOTS_WORLD = re.compile(
    r"\b(?:syst[eè]me|sistema|prompt|ia|i\.a\.|ai|assistant|assistente|asistente|mod[eè]le|modelo|modello|chatbot|bot|"
    r"d[eé]veloppeurs?|desenvolvedor\w*|sviluppator\w*|desarrollador\w*|conversa\w*|chat|toi|te|tu|ti|vous|votre|vos|"
    r"ton|ta|tes|você|vocês|voce|seu|sua|seus|suas|teu|tua|tuo|tuoi|tue|su|sus|usted|ustedes|vuestr\w*|ci-dessus|"
    r"acima|sopra|arriba|ce|cette|ces|este|esta|estes|estas|esse|essa|questo|questa|questi|queste)\b")
_QUALIFIER_WORLD = re.compile(
    r"[\w-]*(?:\s+[^\W\d_][\w-]*){0,2}?\s+(?:de\s+la|de\s+l['’]|de|du|des|d['’]|da|do|das|dos|del|della|dello|delle|dei|degli|dal|dalla|sur|sul|"
    r"sulla|no|na|nos|nas|nel|nella|dans|en)\s*(?:(?:la|le|les|l['’]|el|los|las|o|a|os|as|il|lo|gli|i|mon|ma|mes|"
    r"notre|nos|leur|leurs|mi|mis|nuestro|nuestra|meu|minha|nosso|nossa|mio|mia|nostro|nostra)\s*)?[^\W\d_][\w'-]*")


def qualified_world(text: str, end: int) -> bool:
    """`qualified` for French, Portuguese, Spanish and Italian: the noun the hit ends in (the rest of its word is
    skipped) is followed by a preposition and a third party's noun, and its clause names nothing of the bot's."""
    found = _QUALIFIER_WORLD.match(text, end)
    if found is None:
        return False
    stop = _CLAUSE_END.search(text, found.end())
    clause = text[end:stop.start() if stop else len(text)]
    return _BOTS_WORLD.search(clause) is None and _BOTS.search(clause) is None
