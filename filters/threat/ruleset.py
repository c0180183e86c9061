"""Rules and the one-pass matcher that runs all of them at once.

A rule is a linear-time RE2 pattern with a category and a weight: how sure one hit
makes us on its own. A message is scanned once per view for all the rules at once;
only the rules that hit are run again to find their spans. The same scan can answer
*gates*: patterns that only say whether a costlier step (a decoder, a tokenizer, the
link judge) has anything to look at, so a plain chat message costs one scan instead of
one regex call per step.

Which rules and gates match is decided by Hyperscan (`multimatch`) where it is installed: it
compiles its automata ahead of time, so fresh text (a long paste, random bytes) costs it a few
microseconds per KB where RE2's sets, building states as they read, cost about a millisecond. It
is given each pattern in a spelling that matches wherever RE2's does (`multimatch.translate`), so
it names candidates and never misses one; RE2 stays the reference: a rule it names is confirmed by
the rule's own pattern (which finds the span anyway), a gate spelt wider is asked of RE2 where it
is wider. What Hyperscan cannot be trusted with or compiles too slowly (`multimatch.costly`: two
prompt rules of many phrasings) is left to RE2: a rule whose atoms `needs` can tell (reading `\\pL`
as any character, see `multimatch.any_for_properties`) is screened by them in the Hyperscan scan and
confirmed by its own pattern; the rest stay in the RE2 sets described below, as does everything on a
platform without Hyperscan; `engine=False` builds those alone (the reference the tests compare with).
A chat message costs one Hyperscan scan and no RE2 set (both slow rules are screened); on 64 KB of fresh
random printable text `match` costs about 30 µs per KB instead of about 1,000.

What follows is how the RE2 sets are laid out, for the rules they run.

"One set" is a few sets in fact: `GROUP` rules each, the gates apart. RE2 runs a set as one
lazily built automaton whose states combine the states of every pattern; on text it has not
seen before (a long paste, random bytes) it builds new states at almost every byte, and
building one costs in proportion to the patterns it combines. One set of all 155 rules cost
4-7 ms of CPU per KB of fresh random text; sets of 24 cost about 1 ms per KB together, and a
message whose states are built already pays a few microseconds more for the extra scans.

A rule that counts over hundreds of characters (`[^>]{0,500}` between a tag and its handler)
makes the automaton track every place the count could have started: alone it has as many
states as a set of 24 others, and it multiplies theirs (its set cost 290 µs per KB of random
printable text with it, 30 without). The sets therefore run such a rule with the count left
open (`[^>]*`), which matches wherever the rule does and more, and a hit is confirmed by the
rule's own pattern, which runs only on the texts the looser one matched.

A pre-screen decides which sets a chat message needs at all. For each rule, `needs.atoms` reads from
its pattern a few strings one of which every match must hold (`<scrip`, `${`, `select`, `;`). Rules
whose atoms ordinary chat holds (`;`, `,`, `and`, `from`, `like`: 46 of them) would be named by nearly every
message and fill two sets that run on every text, beside the few rules the analysis cannot read and
the gates; the rest keep their order in five sets, and one more RE2 set holds each of those sets'
atoms as literals: a set runs only when one of its atoms occurs. The 300-byte chat message of the
benchmarks runs 6 sets instead of 9 (`RuleSet.match` about 15 -> 11 µs in-process, and three fewer
automata whose states must stay in the cache); an attack runs the sets its atoms name. A text over
`SCREEN_BYTES` runs every set: a paste or random bytes name nearly every set anyway, and the screen's
automaton, like any, builds states on text it has not seen (about 60 µs per KB of fresh random
printable text once warm, 200+ cold).

Skipping a set cannot hide a hit: the atoms are necessary conditions (see `needs`), and RE2 answers
"none" only for a set whose automaton it could not build at all (it refuses to build one without room
for 20 states, and a search needs two), which the build checks by asking the screen about a text that
holds every atom. tests/filters/threat/test_ruleset.py compares the screened sets with every set on the
corpora and on generated hostile text, and test_needs.py checks each rule's atoms on texts drawn from
the rule's own pattern.

RE2's own prefilter (`re2.Filter`, FilteredRE2) was measured first and left: it takes atoms of three
characters or more only, so 51 of the 155 rules (those keyed on `<`, `'`, `%`, `$`, `..`) come back as
candidates for every text, and one call costs 2 µs on an empty text (its candidate tree is walked and
every unfiltered index returned) and 4-5 µs on the chat message, about what the sets it spares cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import re2

from filters._patterns import Pattern, text_pattern
from filters.threat import multimatch, needs

_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED
GROUP = 24  # rules per RE2 set (see above)
GATE_GROUP = 5  # gates per RE2 set: the ten in one set cost 83 µs per KB of fresh random text, in two 26
WIDE = 256  # a counted repetition with an upper bound from here is left open in the sets (see above)
_COUNTED = re.compile(r"(?<!\\)\{(\d+),(\d+)\}")
BIG_PROGRAM = 8192  # instructions from which a rule's own automaton gets twice the room (see `_compiled`)
SCREEN_BYTES = 1024  # longer texts run every set (see `match`)
SET_MEMORY = 8 << 20  # bytes of automaton cache per set (8 sets: the 64 MB one set had); filled as states are needed


@dataclass(frozen=True, slots=True)
class Rule:
    """One signal. `strong` rules are not weakened when the message looks like pasted code."""

    name: str
    category: str
    weight: float
    pattern: str
    strong: bool = False


def holds(rule: Rule, text: str) -> bool:
    """Whether `rule` matches `text`: a hit read again on a second reading of its text (a device's setting
    renamed, the page's own handlers blanked) stands only if this holds."""
    return _text_pattern(rule.pattern).search(text) is not None


@cache
def _text_pattern(pattern: str) -> Pattern:
    return text_pattern(pattern)


@dataclass(frozen=True, slots=True)
class Hit:
    rule: Rule
    start: int
    end: int


@dataclass(slots=True)
class RuleSet:
    """Compiled rules; build once, share between messages (matching keeps no state)."""

    rules: tuple[Rule, ...]
    gates: tuple[str, ...] = ()  # patterns answered by the same scan (see `match`)
    prescreen: bool = True  # False: every rule runs on every text (the reference the tests compare with)
    engine: bool = True  # False: RE2 sets alone, as without Hyperscan (the reference the tests compare with)
    # (global index of each of its patterns, RE2 set): the sets run on every text (rules that cannot be
    # screened, then the gates), and the screened rules' sets, run when the screen names them
    _always: tuple[tuple[tuple[int, ...], Any], ...] = field(init=False, repr=False)
    _screened: tuple[tuple[tuple[int, ...], Any], ...] = field(init=False, repr=False)
    _screen: Any = field(init=False, repr=False)  # RE2 set of each screened set's atoms, or None
    _each: tuple[Any, ...] = field(init=False, repr=False)  # the wrapper's RE2 objects (bytes patterns)
    _engine: multimatch.Engine | None = field(init=False, repr=False)  # Hyperscan: candidates by global index
    # gates Hyperscan answers with a wider spelling: global index -> (exact on ASCII text, RE2 object)
    _confirm: dict[int, tuple[bool, Any]] = field(init=False, repr=False)
    _screens: dict[int, int] = field(init=False, repr=False)  # engine index of a rule's atoms -> rule index

    def __post_init__(self) -> None:
        options = re2.Options()
        options.max_mem = SET_MEMORY
        compiled = []
        for rule in self.rules:
            if not 0.0 < rule.weight <= 1.0:
                raise ValueError(f"rule {rule.name}: weight must be in (0, 1]")
            # Compiled over UTF-8 bytes: the text is encoded once per scan, not once per rule that hit.
            # Read through the wrapper's RE2 object: spans come back as a list, with no match object.
            compiled.append(_compiled(rule.pattern, options))
        self._each = tuple(compiled)
        patterns = [screen(rule.pattern) for rule in self.rules] + list(self.gates)
        found = [needs.atoms(rule.pattern) if self.prescreen else None for rule in self.rules]
        self._engine, self._confirm, self._screens = None, {}, {}
        taken = self._hyperscan(options) if self.engine and multimatch.AVAILABLE else frozenset()
        unscreened = [index for index, atoms in enumerate(found) if atoms is None and index not in taken]
        # Rules whose atoms ordinary chat holds (`;`, `,`, `and`, `from`) would be named by nearly every
        # message: they share sets of their own that run on every text, unscreened. The rest keep their
        # order (a set of neighbours, one kind of attack, builds fewer states on fresh text than a mix).
        common = [index for index, atoms in enumerate(found)
                  if atoms is not None and needs.cost(atoms) >= 1.0 and index not in taken]
        rare = [index for index, atoms in enumerate(found)
                if atoms is not None and needs.cost(atoms) < 1.0 and index not in taken]
        count = len(self.rules)
        gates = [index for index in range(count, len(patterns)) if index not in taken]
        always = [tuple(unscreened[lo:lo + GROUP]) for lo in range(0, len(unscreened), GROUP)]
        always += [tuple(common[lo:lo + GROUP]) for lo in range(0, len(common), GROUP)]
        always += [tuple(gates[lo:lo + GATE_GROUP]) for lo in range(0, len(gates), GATE_GROUP)]
        groups = [tuple(rare[lo:lo + GROUP]) for lo in range(0, len(rare), GROUP)]
        self._always = tuple((members, _set([patterns[index] for index in members], options)) for members in always)
        self._screened = tuple((members, _set([patterns[index] for index in members], options)) for members in groups)
        self._screen = None
        if groups:
            atoms = [sorted({atom for index in members for atom in found[index] or ()}) for members in groups]
            self._screen = _set([_any_of(group) for group in atoms], options)
            # RE2 answers "nothing" for a set whose automaton could not be built: that must not read as
            # "no rule can match" (fail open), so a text holding every atom must name every set.
            probe = "\n".join(atom for group in atoms for atom in group).encode()
            if sorted(self._screen.Match(probe)) != list(range(len(groups))):
                raise RuntimeError("threat rule screen: RE2 could not build its automaton")

    def _hyperscan(self, options: re2.Options) -> frozenset[int]:
        """Give Hyperscan every rule and gate it reads as RE2 does or wider (see `multimatch`); the global
        indexes it answers. A rule it answers is confirmed by its own pattern (run anyway for the span);
        a gate spelt wider by running the gate where the spelling is wider. A rule left to RE2 whose
        atoms `needs` can tell is screened by them in the same scan: when one occurs the rule is a
        candidate, confirmed by its own pattern like the others, and no RE2 set runs it."""
        chosen: list[tuple[int, str]] = []
        confirm: dict[int, tuple[bool, Any]] = {}
        count = len(self.rules)
        patterns = [rule.pattern for rule in self.rules] + list(self.gates)
        left = []
        for index, pattern in enumerate(patterns):
            spelling = multimatch.translate(pattern, loose=index < count)
            if spelling is None or multimatch.costly(pattern):
                left.append(index)
                continue
            chosen.append((index, spelling.text))
            if index >= count and not spelling.exact:
                confirm[index] = (spelling.ascii_exact, _compiled(pattern, options))
        screens: dict[int, int] = {}  # engine index of a left rule's atoms -> the rule's index
        for index in left:
            readable = multimatch.any_for_properties(patterns[index]) if index < count and self.prescreen else None
            atoms = needs.atoms(readable) if readable is not None else None
            if atoms:
                at = len(patterns) + len(screens)  # past every rule and gate: an index of the engine's own
                screens[at] = index
                chosen.append((at, multimatch.literals(atoms)))
        engine = multimatch.Engine(chosen) if chosen else None
        if engine is None or not engine.indexes:
            return frozenset()
        self._engine = engine
        self._confirm = {index: confirmed for index, confirmed in confirm.items() if index in engine.indexes}
        self._screens = {index: rule for index, rule in screens.items() if index in engine.indexes}
        return (frozenset(engine.indexes) - set(screens)) | set(self._screens.values())

    def scan(self, text: str) -> list[Hit]:
        """Rules that match `text`, each with the span of its first match."""
        return self.match(text)[0]

    def match(self, text: str) -> tuple[list[Hit], frozenset[int]]:
        """Rules that match `text` (each with the span of its first match) and the indexes of the
        gates that match, from one scan."""
        data = text.encode()
        indexes = self._engine.match(data) if self._engine is not None else []
        if indexes and (self._confirm or self._screens):
            confirm, screens = self._confirm, self._screens
            indexes = [screens.get(index, index) for index in indexes
                       if index not in confirm or self._confirmed(index, data, text)]
        if self._always:
            indexes += [members[index] for members, group in self._always for index in group.Match(data)]
        if self._screen is not None:
            # A long text (a paste, random bytes) would name nearly every set anyway, and the screen's own
            # automaton builds states of every atom on text it has not seen: run every set.
            named = self._screen.Match(data) if len(data) <= SCREEN_BYTES else range(len(self._screened))
            for which in named:
                members, group = self._screened[which]
                indexes += [members[index] for index in group.Match(data)]
        if not indexes:
            return [], _NO_GATES
        count = len(self.rules)
        if min(indexes) >= count:  # screens alone (most chat): no rule to confirm
            return [], frozenset([index - count for index in indexes])
        hits = []
        gates = frozenset([index - count for index in indexes if index >= count])
        ascii_only = len(data) == len(text)  # byte offsets are character offsets
        for index in sorted(indexes):
            if index >= count:
                break
            start, end = self._each[index].Match(_UNANCHORED, data, 0, len(data))[0]
            if start >= 0:  # false only where the set ran a looser pattern (see `screen`)
                if not ascii_only:  # RE2 matches whole UTF-8 characters, so both ends decode
                    start, end = len(data[:start].decode()), len(data[:end].decode())
                hits.append(Hit(self.rules[index], start, end))
        return hits, gates

    def _confirmed(self, index: int, data: bytes, text: str) -> bool:
        """Whether a gate Hyperscan answered with a wider spelling matches by RE2 too."""
        ascii_exact, regexp = self._confirm[index]
        return (ascii_exact and len(data) == len(text)) or _found(regexp, data)


_NO_GATES: frozenset[int] = frozenset()


def _found(regexp: Any, data: bytes) -> bool:
    return bool(regexp.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0)


def _set(patterns: list[str], options: re2.Options) -> Any:
    """RE2's own set of `patterns` (no wrapper call per scan). A set of rules spelt in many languages
    (`tongues`: tens of thousands of instructions each) does not fit the room of a set of ordinary ones:
    it is given four, then sixteen times as much."""
    for scale in (1, 4, 16):
        chosen = options
        if scale > 1:
            chosen = re2.Options()
            chosen.max_mem = scale * options.max_mem
        group = re2.Set.SearchSet(chosen)
        for pattern in patterns:
            group.Add(pattern)
        try:
            group.Compile()
        except re2.error:
            continue
        return getattr(group, "_set")  # noqa: B009
    raise RuntimeError("threat rules: RE2 could not compile a set")


def _any_of(atoms: list[str]) -> str:
    """A pattern matching any of `atoms`, as spelt (a rule that folds case is not screened: `needs`)."""
    return "|".join(re2.escape(atom) for atom in atoms)


def _compiled(pattern: str, options: re2.Options) -> Any:
    """The wrapper's RE2 object for `pattern` over bytes, with room for its automaton.

    A rule spelt in many scripts (`\\pL` and `.` over UTF-8) compiles to 20,000+ instructions, and
    an automaton state of it takes some 35 KB: in `SET_MEMORY` the automaton that finds a hit's span
    holds a few dozen states, gives up at once and leaves RE2's slowest matcher (about 200 µs per KB
    of plain text; 3 with the room given here)."""
    regexp = getattr(re2.compile(pattern.encode(), options), "_regexp")  # noqa: B009
    if regexp.ProgramSize() < BIG_PROGRAM:
        return regexp
    roomy = re2.Options()
    roomy.max_mem = 2 * options.max_mem
    return getattr(re2.compile(pattern.encode(), roomy), "_regexp")  # noqa: B009


def screen(pattern: str) -> str:
    """What the sets run for `pattern`: the same, with each count up to `WIDE` or more left open.
    `x{m,}` matches wherever `x{m,n}` does, so the looser pattern never misses a hit."""
    return _COUNTED.sub(lambda count: count.group(0) if int(count.group(2)) < WIDE else f"{{{count.group(1)},}}",
                        pattern)


def select(rules: Iterable[Rule], categories: Iterable[str], gates: tuple[str, ...] = ()) -> RuleSet:
    wanted = frozenset(categories)
    return RuleSet(tuple(rule for rule in rules if rule.category in wanted), gates)
