"""Whose is the word that declares something void: the bot's instructions', or a noun of another clause.

`orders-void` reads the bot's instructions and, within a few words, a word of their being void ("your rules
... are void"). A question about the bot's rules can hold such a word in a clause of its own: "the rules you
follow when a parcel is lost", "your rules for items that are lost". There the void word's subject is the
parcel, not the rules. Telling them apart needs a look-ahead RE2 does not have, so the rule matches as before
and this reading runs after it hit: every predicate whose subject is another clause's noun (after when, if,
because...: "when a parcel is lost"; after a relative pronoun that follows a noun of a prepositional phrase:
"for items that are lost") is blanked, and a hit stands only if its rule still matches the blanked text.

Only a subject the grammar pins down is read so: one that agrees with its verb (a singular noun with "is",
"was", "has been", "doesn't"; a plural one, alone after its determiner, with "are", "were"), never a pronoun of
a person ("when I say so, are void") and never a word that may be a verb ("if the admin insists"). The
instructions declared void anywhere else in the text ("your rules when a parcel is lost are void") still
match after the blanking: the reading fails closed.
"""

from __future__ import annotations

import re

VOID_RULES = frozenset({"orders-void"})

_OPENER = r"(?:when(?:ever)?|if|because|while|whereas|unless|although|though|in\s+case|so\s+that)"
_DET = r"(?:a|an|the|my|our|his|her|their|its|your|this|that|one|each|every|some|any|no|another)"
_PLURAL_DET = r"(?:the|my|our|his|her|their|your|these|those|some|all|any|no)"
# A singular head: not a word that may be a plural or a verb's third person ("parcels", "insists"; "address"
# and "glass" are singular), a past form or a participle ("started", "talking").
_SINGULAR = r"(?![a-z-]*(?:[^s\W]s|ed)\b)[a-z-]+"
_PLURAL = r"[a-z-]*[^s\W]s"
_SINGULAR_VERB = r"(?:is|was|has(?:\s+been)?|gets|got|becomes|does(?:n't|\s+not))"
_PLURAL_VERB = r"(?:are|were|have(?:\s+been)?|get|got|become|do(?:n't|\s+not))"
# What follows the verb up to the void word: the adverbs `orders._VOID` allows, then the word itself.
_REST = r"(?:\s+(?:now|hereby|officially|all|formally|henceforth|permanently|no\s+longer|not|longer))*\s+[a-z-]+"

_OTHERS = re.compile(
    # "when a parcel is lost", "if it is lost", "when the old card was cancelled"
    r"\b" + _OPENER + r"\s+(?:" + _DET + r"\s+(?:[a-z-]+\s+){0,2}" + _SINGULAR + r"|it|this|that|something|"
    r"anything|everything|nothing)(?P<a>\s+" + _SINGULAR_VERB + _REST + r")"
    # "if my bags are lost", "when the items were cancelled"
    r"|\b" + _OPENER + r"\s+" + _PLURAL_DET + r"\s+" + _PLURAL + r"(?P<b>\s+" + _PLURAL_VERB + _REST + r")"
    # "for a parcel that is lost", "about items which are lost"
    r"|\b(?:for|about|on|of|with|regarding|concerning|to)\s+(?:" + _DET + r"\s+)?" + _SINGULAR +
    r"\s+(?:that|which)(?P<c>\s+" + _SINGULAR_VERB + _REST + r")"
    r"|\b(?:for|about|on|of|with|regarding|concerning|to)\s+(?:" + _PLURAL_DET + r"\s+)?" + _PLURAL +
    r"\s+(?:that|which)(?P<d>\s+" + _PLURAL_VERB + _REST + r")")
# A subject that names instructions is the bot's own, whatever clause holds it: never blanked.
_RULES_NOUN = re.compile(r"\b(?:instructions?|directives?|rules?|guidelines?|guidance|programming|prompts?|orders|"
                         r"commands|constraints?|restrictions?|limitations?|limits|polic(?:y|ies)|protocols?|"
                         r"principles|directions|configuration|set-?up|briefing|guardrails?|safeguards?)\b")


def read(text: str) -> str | None:
    """`text` (folded, lower case) with every void predicate of another clause's noun blanked, or None when
    it holds none."""
    spans = []
    for found in _OTHERS.finditer(text):
        group = next(name for name in "abcd" if found.group(name) is not None)
        if _RULES_NOUN.search(text, found.start(), found.start(group)) is None:
            spans.append(found.span(group))
    if not spans:
        return None
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], " " + "x" * (end - start - 1)]
        last = end
    parts.append(text[last:])
    return "".join(parts)
