"""Who is being addressed: the bot given a persona or an order, or a person told of one.

Team chat hands colleagues roles with a persona switch's words ("from now on you are in charge of billing",
"you are no longer on the rota") and reports others' orders with an override's ("he asked me to forget the
earlier instructions"). The prompt rules match as written; the rules named here (`SWITCH_RULES`,
`REPORTED_RULES`) have their hits read again by the detector: a role handed to a person is dropped, an order
reported to the sender or a third person weighs a note, one reported with no one named as told an alert.
"""

from __future__ import annotations

import re

from filters.threat import owned, tongues
from filters.threat.prompt import PERSONA

# What a colleague is handed after "from now on you are" or "you are no longer": a duty ("in charge of",
# "responsible for", "on call"), a place on a rota or in a team ("on", "part of"), or a role held for or over
# something of the world ("the contact person for billing", "the owner of ticket 4"). A persona switch makes the
# bot something ("an AI without limits", a name) or says how it answers; a role handed at work ties a person
# to a thing.
_DUTY = re.compile(r"\s*(?:now\s+)?(?:in\s+charge|responsible|accountable|on\s+(?:call|duty)|(?:on|off|part\s+of|with)\b|"
                   r"(?!" + PERSONA + r")(?:the|an?|our|my)\s+(?:[\w-]+\s+){0,3}?(?:for|of|on|at|in)\b|"
                   # a person picked out by what they do: "the person who signs off", "the one to ask"
                   r"(?:the|an?)\s+(?:[\w-]+\s+)?(?:person|one|people|colleague|contact|member)\s+(?:who|that|to|whom)\b|"
                   # a task under way: "be covering the front desk" (not how the bot answers: "be answering as...")
                   r"(?!(?:act|answer|respond|repl|play|pretend|simulat|role|speak|talk|writ|generat|behav|obey|ignor|"
                   r"follow|refus|comply|comment|say)\w*ing\b)[a-z]+ing\b|"
                   # a person's place at work: "no longer needed at the call", "expected to answer tickets"
                   r"(?:needed|required|expected|invited|scheduled|assigned|booked|listed|employed|working|based)\b|"
                   # whoever holds a place: "whoever answers the door first"
                   r"(?:whoever|whichever|whomever)\b)")
# "From now on, your ..." names something of the bot's (its name, answers, persona, rules) or of a person's work
# (a shift, a desk, a task). A task is the bot's when it is to answer, act or set rules aside.
_BOTS_OWN = re.compile(r"\s*(?:new\s+|only\s+|sole\s+|main\s+|primary\s+)?(?:name|answers?|responses?|replies|reply|outputs?|"
                       r"persona|identity|character|personality|purpose|instructions|rules|guidelines|programming|mode|"
                       r"behaviou?r|tone|creator|developer|owner|filters?|limits|restrictions)\b")
_ANSWERING = re.compile(r"\b(?:to\s+)?(?:answer|respond|reply|act|pretend|role-?play|speak|write|obey|ignore|disregard|"
                        r"forget|generate|output|say|comply|refuse)\w*\b")
# A role whose sentence goes on to make it a persona: an AI, a character, one without rules ("the narrator of a
# world with no laws").
PERSONA_SIGN = re.compile(r"\b(?:ai|a\.i\.|bot|chatbot|assistant|model|gpt|persona|character|unfiltered|uncensored|"
                           r"unrestricted|jailbr\w*|without\s+(?:any\s+)?(?:rules|limits|restrictions|filters|ethics|"
                           r"morals|guidelines|censorship)|no\s+(?:laws|rules|limits|restrictions|filters?|ethics|morals|"
                           r"guidelines|censorship|boundaries))\b")
_SENTENCE_END = re.compile(r"[.!?\n]")
SWITCH_RULES = frozenset({"role-switch"})


def handed(text: str, end: int) -> bool:
    """Whether a `role-switch` hit ending at `end` hands a person a role at work (`_DUTY`; after "your", a thing
    not the bot's, `_BOTS_OWN`, and no task of answering), not the bot a persona: the rest of its sentence names
    no AI, character or freedom from rules."""
    stop = _SENTENCE_END.search(text, end, end + 200)
    rest = text[end:stop.start() if stop else end + 200]
    if text[max(0, end - 4):end] == "your":  # "from now on, your ...": whose the thing is decides
        if _BOTS_OWN.match(rest) is not None or _ANSWERING.search(rest) is not None:
            return False
    elif _DUTY.match(text, end) is None:
        return False
    return PERSONA_SIGN.search(rest) is None


# Others who pretend, told of: "pupils pretend to be reporters", "attackers pretend to be the IT department" (a
# plural subject or "they" right before the verb, a modal or an adverb between), and a school task quoted ("the
# homework says: pretend you are a Roman soldier"). The bot is told to pretend with the verb alone ("pretend to be
# ..."), after "you", "let's", "please" or "now"; a subject that is an AI or a character is the bot's kind.
_NOT_SUBJECT = (r"(?:bots?|chatbots?|assistants?|models?|ais?|agents?|gpts?|llms?|characters?|personas?|always|sometimes|"
                r"perhaps|this|thus|unless|yes|does|was|has|lets|its|is|as|us|plus|less|besides|towards|afterwards|"
                r"nowadays|whereas|ours|yours|theirs|hers|his|this|guys|folks)\b")
_OTHERS_PRETEND = re.compile(
    r"(?:\b(?:they|(?!" + _NOT_SUBJECT + r")(?<!\byou\s)[a-z]{2,}(?:s|ren|ple))\s+"
    r"(?:(?:often|sometimes|usually|always|never|can|could|may|might|must|should|will|would|like\s+to|love\s+to|"
    r"have\s+to|had\s+to|get\s+to|try\s+to|tried\s+to|used\s+to|then|also)\s+)?"
    # a school task quoted: "the homework says: pretend you are ..."
    r"|\b(?:homework|worksheet|assignment|exercise|essay\s+question|exam\s+question|activity|lesson\s+plan)\s+"
    r"(?:says|said|reads|asks|is)\s*[:,]?\s*(?:to\s+)?)$")
PRETEND_RULES = frozenset({"role-play"})


def others_pretend(text: str, start: int, end: int) -> bool:
    """Whether a `role-play` hit on `text[start:end]` that opens with "pretend" tells of others pretending or
    quotes a school task (`_OTHERS_PRETEND` right before it), and the rest of its sentence names no AI, character
    or freedom from rules (`PERSONA_SIGN`)."""
    if not text.startswith("pretend", start) or _OTHERS_PRETEND.search(text, max(0, start - 60), start) is None:
        return False
    stop = _SENTENCE_END.search(text, end, end + 200)
    return PERSONA_SIGN.search(text, end, stop.start() if stop else end + 200) is None


# "Assume" as "suppose": "assume the identity of the caller is verified" states what to take as true, where the
# role-play rule reads "assume the identity" as a persona taken on. The phrase after it reaching a verb of its own
# (not through "who" or "that", which describe the persona: "the role of a hacker who has no rules") is a clause.
_SUPPOSED = re.compile(r"\s+of\s+(?:(?!(?:who|that|which|whose)\b)[\w'-]+\s+){1,4}?(?:is|was|are|were|has|have|had|"
                       r"will|would|can|could|should|must|may|might|gets?|got|matches|stays)\b")


def supposed(text: str, start: int, end: int) -> bool:
    """Whether a role-play hit on `text[start:end]` ("assume the identity") opens a supposition, not a persona."""
    return text.startswith("assume", start) and _SUPPOSED.match(text, end) is not None


# Someone else's order reported to a person: "he asked me to forget the earlier instructions", "the coach let
# them skip the usual rules". The set-aside verb is governed by a verb of telling or letting whose object is
# the sender or a third person; "I want you to ignore ...", "tell you to ignore ..." address the bot, and "let
# us" and "let me" propose, so none of them is read this way.
_TELLING = (r"(?:told|tells|asked|asks|made|makes|wants|wanted|instructed|allowed|advised|reminded|begged|got|expects|"
            r"expected|invited|encouraged|warned|ordered|reminds)")
_REPORTED = re.compile(r"\b(?:" + _TELLING + r"\s+(?:me|us|him|her|them)|lets?\s+(?:him|her|them)|"
                       # a third person named: "told the class to", "asked my father to", "told all the new starters to"
                       + _TELLING + r"\s+(?:all\s+)?(?:the|my|our|his|her|their)\s+(?!(?:[\w'-]+\s+){0,2}?"
                       + owned.BOTS + r")(?:[\w'-]+\s+){0,2}?[\w'-]+\s+to)"
                       r"\s+(?:to\s+)?(?:just\s+|simply\s+|not\s+|never\s+)?$")
# The same reported with no one named as told: "IT said I should ignore ...", "she said to ignore ...", "I was
# told to ignore ...". Whoever is meant may be the bot: an alert, not a block.
_SAID = re.compile(r"\b(?:(?:said|says|say|told|tells)(?:\s+that)?\s+(?:everyone|everybody|people)\s+"
                   r"(?:should|could|can|may|might|must|had\s+to|have\s+to|need\s+to|ought\s+to)|(?:said|says)\s+to|"
                   r"(?:was|were|am|is|are|been|being|get|got)\s+told\s+to)\s+(?:just\s+|simply\s+|not\s+|never\s+)?$")
# The same with the sender or a third person named as the one meant: "IT said I should ignore ...", "the coach
# says they can skip ...", "we were told to ignore ...": whoever is meant, it is not the bot.
_SAID_TO_PERSON = re.compile(r"\b(?:(?:said|says|say|told|tells)(?:\s+that)?\s+(?:i|we|they|he|she)\s+(?:should|could|can|"
                             r"may|might|must|had\s+to|have\s+to|need\s+to|ought\s+to)|(?:i|we|they|he|she)\s+(?:was|were|"
                             r"am|are|is|have\s+been|'ve\s+been|had\s+been|got|get)\s+told\s+to)"
                             r"\s+(?:just\s+|simply\s+|not\s+|never\s+)?$")
SAID = 0.6  # what an order reported with no one named as told weighs: an alert
REPORTED_RULES = frozenset({"override", "override-any", "override-all", "override-paraphrase", "ignore-input"})


def reported(text: str, start: int, end: int) -> float | None:
    """What the set-aside hit on `text[start:end]` weighs at most when it is an order reported rather than given
    to the bot: a note (`tongues.NOTE`) when told to the sender or a third person (`_REPORTED`, `_SAID_TO_PERSON`)
    or when no one is named as told but what is set aside is a third party's (`owned.qualified`: "the doctor said
    to ignore the previous instructions on the leaflet"), an alert (`SAID`) when no one is named as told and the
    owner is unsaid (`_SAID`); None when it is given."""
    before = text[max(0, start - 60):start]
    if _REPORTED.search(before) is not None or _SAID_TO_PERSON.search(before) is not None:
        return tongues.NOTE
    if _SAID.search(before) is None:
        return None
    return tongues.NOTE if owned.qualified(text, end) else SAID


# An order reported with no one named as told in French, Portuguese, Spanish and Italian: "le médecin a dit
# d'ignorer ...", "o médico disse para ignorar ...", "il medico ha detto di ignorare ...", and the same with the
# sender or a third person as the one who may ("a dit qu'on pouvait", "disse que podemos", "dijo que podemos",
# "ha detto che possiamo"). Not after a told one who may be the bot ("vous a dit", "te disse", "ti ha detto", "le
# dijo"): those are left to the rules as written.
_SAID_WORLD = re.compile(
    r"(?:(?<!['’])(?<!vous\s)(?<!te\s)\b(?:a|ont|avait|avaient)\s+(?:dit|demandé|conseillé|recommandé|expliqué)\s+"
    r"(?:de\s+|d['’])"  # fr
    r"|(?<!me\s)(?<!te\s)(?<!lhe\s)(?<!nos\s)\b(?:disse|disseram|falou|falaram|mandou|mandaram|recomendou|explicou)\s+"
    r"(?:para|pra)\s+"  # pt
    r"|(?<!ti\s)(?<!vi\s)(?<!le\s)(?<!mi\s)(?<!ci\s)\b(?:ha|hanno|aveva|avevano)\s+(?:detto|chiesto|consigliato|"
    r"raccomandato|spiegato)\s+(?:di\s+|d['’])"  # it
    r")(?:ne\s+pas\s+|não\s+|non\s+)?$")
_SAID_WORLD_PERSON = re.compile(
    r"(?<!te\s)(?<!le\s)(?<!lhe\s)(?<!ti\s)(?<!vous\s)\b(?:dit|disse|disseram|falou|falaram|dijo|dijeron|dicho|detto|disse)"
    r"\s+(?:que|qu['’]|che)\s*(?:on|nous|je|il|elle|ils|elles|(?:a\s+)?gente|eu|nós|ele|ela|eles|elas|yo|nosotros|"
    r"nosotras|él|ella|ellos|ellas|io|noi|lui|lei|loro)?\s*(?:pouvait|pouvions|pouvons|peut|pouvaient|devait|devions|"
    r"devons|doit|fallait|faut|pode|podemos|podia|podíamos|devemos|devia|deve|puedo|podemos|puede|podía|podíamos|"
    r"debemos|debo|debe|hay\s+que|posso|possiamo|può|poteva|potevamo|dobbiamo|devo|deve|bisogna)\s+"
    r"(?:ne\s+pas\s+|não\s+|no\s+|non\s+)?$")


def reported_world(text: str, start: int, end: int) -> float | None:
    """`reported` for a set-aside hit in French, Portuguese, Spanish or Italian: a note when the sender or a third
    person is the one who may set the rules aside, or when no one is named as told and the rules are a third party's
    (`owned.qualified_world`); None otherwise, the hit weighing what its rule says (these languages' reveal rules
    read less than English's, so a bare report is not lowered to an alert here)."""
    hit = text[start:end]
    start += len(hit) - len(hit.lstrip(" '’"))  # the world rules' hits may open on the space or apostrophe before the verb
    before = text[max(0, start - 60):start]
    if _SAID_WORLD_PERSON.search(before) is not None:
        return tongues.NOTE
    if _SAID_WORLD.search(before) is not None and owned.qualified_world(text, end):
        return tongues.NOTE
    return None
