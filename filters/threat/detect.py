"""One pass over a message: every view through the rules, every link judged.

Returns data (`Analysis`), never a decision: the filter decides what the scores mean
for its route. Kept apart from the filter so benchmarks and tests can look at raw
scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from filters._api import Finding
from filters._patterns import encodable
from filters.threat import (
    addressed,
    codetalk,
    globbing,
    handlers,
    injection,
    internal,
    links,
    mongocode,
    normalise,
    owned,
    paths,
    prompt,
    revealed,
    settings,
    shell,
    sql,
    templates,
    tongues,
    voided,
)
from filters.threat.feeds import DomainList
from filters.threat.normalise import Signs, View, base64_payloads, base_view, hidden_text, other_views
from filters.threat.ruleset import Hit, holds, select
from filters.threat.scoring import CODE_DAMPING, combine

Category = Literal["xss", "sqli", "traversal", "cmdi", "code", "nosqli", "ldapi", "xxe", "ssrf", "prompt", "link"]
CATEGORIES: tuple[Category, ...] = get_args(Category)

# A line that opens a declaration in a programming language, spelt the way code spells it: "let x =",
# "from os import", "def f(" (a sentence that starts with "Let's" or "From now on" is not code); a
# query likewise ("select ... from", "update t set", not "Update me on my order").
_DECLARATION = (r"(?:const|let|var)\s+[a-z_$][\w$]*\s*[=:;,]|function\s*[\w$]*\s*\(|class\s+\w+\s*[:({<]|"
                r"def\s+\w+\s*\(|import\s+(?:[\w.]+\s*(?:$|;|,|\n|as\b)|[{*])|from\s+[\w.]+\s+import\b|public\s+(?:static|class|void|final)\b")
# Signs that the sender pasted a query or a program to talk about it.
PASTED_CODE = (
    r"^\s*(?:select\s[^\n]*\bfrom\b|with\s+\w+\s+as\s*\(|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|"
    r"create\s+(?:table|index|view)\s|alter\s+table\s)"
    r"|```|^\s*(?:" + _DECLARATION + r"|#include\b|console\.log\b)"
    r"|\n\s*(?:" + _DECLARATION + r"|(?:return|if|for)\b|console\.log\b)"
    r"|;\s*\n|\{\s*\n|^\s*[$#]\s+[a-z]"
)
HIDDEN_SCORE = 0.8  # instructions written in invisible tag characters
MAX_NESTED = 16  # base64 payloads analysed one by one per message; the rest are read in bundles
BUNDLE_CHARS = 4096  # decoded characters of further base64 payloads analysed together
FLOOD_SCORE = 1.0  # more links than are judged: the rest are unread, so fail closed (block)
MARKUP = r"</?[a-z][a-z0-9:-]{0,30}(?:[\s/>]|$)|<!|<\?"  # what an HTML renderer would treat as a tag
# Whatever the link finder can take holds "://", "www.", "data:" or a dot between a name and letters.
LINK_HINT = r"://|\bwww\.|\bdata:|[\pL\pN-]\.\pL{2}"
# Screens answered by the base view's rule scan, in this order: a plain chat message costs that one
# scan, and each costlier step (a decoded or spaced-out view, the shell reader, base64, the link judge)
# runs only when its screen says it has something to read.
GATES = (PASTED_CODE, normalise.LEET_HINT, normalise.SPACED, normalise.ENGLISH, normalise.MIXED_SCRIPT,
         normalise.BASE64_HINT, shell.COMMAND_HINT, shell.EXEC_CALL, MARKUP, LINK_HINT, sql.OPENING,
         shell.QUOTED_HINT, normalise.ROT13_ENGLISH, normalise.SPLIT, globbing.HINT, templates.HINT,
         paths.HINT)
(_PASTED, _LEET, _SPACED, _ENGLISH, _MIXED, _BASE64, _SEPARATOR, _CALL, _MARKUP, _LINK, _SQL,
 _QUOTED, _ROT13, _SPLIT, _GLOB, _TEMPLATE, _PATH) = range(len(GATES))
# Screens that, found in ASCII text, start a reading or a step beyond the base view's scan (`Detector._quiet`).
_BUSY = frozenset({_LEET, _SPACED, _BASE64, _SEPARATOR, _CALL, _LINK, _QUOTED, _ROT13, _SPLIT, _GLOB, _TEMPLATE, _PATH})


def _bundled(payloads: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The first `MAX_NESTED` payloads as they are, the rest joined by line breaks into bundles of about
    `BUNDLE_CHARS` decoded characters, each spanning its payloads' runs: every payload is read (a
    harmful one behind sixteen harmless ones is not skipped), at one analysis per bundle."""
    if len(payloads) <= MAX_NESTED:
        return payloads
    bundles = payloads[:MAX_NESTED]
    start, end, size = -1, -1, 0
    texts: list[str] = []
    for run_start, run_end, decoded in payloads[MAX_NESTED:]:
        if start < 0:
            start = run_start
        end = run_end
        texts.append(decoded)
        size += len(decoded) + 1
        if size >= BUNDLE_CHARS:
            bundles.append((start, end, "\n".join(texts)))
            start, texts, size = -1, [], 0
    if texts:
        bundles.append((start, end, "\n".join(texts)))
    return bundles


@dataclass(frozen=True, slots=True)
class Analysis:
    scores: dict[str, float]
    findings: tuple[Finding, ...]
    markup: bool  # the text contains something an HTML renderer would treat as a tag
    pasted_code: bool
    hidden: str = ""  # what tag characters in the text spell (`normalise.hidden_text`), read once per message

    def __init__(self, scores: dict[str, float], findings: tuple[Finding, ...], markup: bool,
                 pasted_code: bool, hidden: str = "") -> None:
        """Set through the slots' own setters, as `filters.Message` is (one analysis per message, most of
        them quiet): the generated `__init__` of a frozen dataclass goes through `object.__setattr__`."""
        _SET_SCORES(self, scores)
        _SET_FINDINGS(self, findings)
        _SET_MARKUP(self, markup)
        _SET_PASTED_CODE(self, pasted_code)
        _SET_HIDDEN(self, hidden)


_SET_SCORES, _SET_FINDINGS, _SET_MARKUP, _SET_PASTED_CODE, _SET_HIDDEN = (
    getattr(Analysis, name).__set__ for name in ("scores", "findings", "markup", "pasted_code", "hidden"))


class Detector:
    """Compiled rules and link lists for a set of enabled categories; share it freely."""

    def __init__(self, categories: Iterable[str] = CATEGORIES, allow: DomainList | None = None,
                 deny: DomainList | None = None) -> None:
        self.categories = frozenset(categories)
        self._rules = select(injection.ALL + prompt.PROMPT, self.categories, GATES)
        self._prompt = select(prompt.PROMPT, self.categories)
        self._squeezed = select(prompt.SQUEEZED, self.categories)
        self._links = "link" in self.categories
        self._allow = allow or DomainList()
        self.deny = deny or DomainList()  # replaced whole when a feed file changes (`ThreatFilter.refresh`)

    def analyse(self, text: str, *, nested: bool = True) -> Analysis:
        """Scores per category (only those with hits) and the findings behind them."""
        if not text.isascii():
            return self._analysed(text, nested)
        lowered = text.lower()  # ASCII text's base view (`base_view`): its own folded form but for case
        scanned = self._rules.match(lowered)
        quiet = self._quiet(text, lowered, *scanned)
        return quiet if quiet is not None else self._analysed(text, nested, scanned)

    def _quiet(self, text: str, lowered: str, hits: list[Hit], gates: frozenset[int]) -> Analysis | None:
        """The analysis of ASCII `text` (`lowered`: its base view) whose scan found `hits` and `gates`, when
        that scan leaves nothing else to read (most chat); None when the full analysis has work to do.

        ASCII text holds no tag characters and no look-alike letters; without `%`, `&` and backslashes
        nothing decodes, and with `_ENGLISH` or fewer than two spaces no rot13 reading is made: the base
        view is the only reading. Without the screens in `_BUSY` neither the shell reader, base64 nor
        the link judge runs, so with no hit the SQL fragment reader is all that is left, and it reads
        only where its screen (`sql.OPENING`) passed. The screens of markup and pasted code only say
        what the analysis reports."""
        if hits or not gates.isdisjoint(_BUSY) or "%" in text or "&" in text or "\\" in text:
            return None
        if _ENGLISH not in gates and lowered.count(" ") >= 2:
            return None
        if _SQL in gates and "sqli" in self.categories and sql.fragment(lowered) is not None:
            return None
        return Analysis({}, (), _MARKUP in gates, _PASTED in gates)

    def _analysed(self, text: str, nested: bool, scanned: tuple[list[Hit], frozenset[int]] | None = None) -> Analysis:
        """`analyse` by every reading and step (`scanned`: the base view's scan, when made already)."""
        best: dict[str, tuple[float, Finding]] = {}
        text = encodable(text)  # lone surrogates as U+FFFD: same length, so spans still fit the caller's text
        base = base_view(text)  # the normaliser runs once per message, for every category
        hits, gates = scanned or self._rules.match(base.text)  # the rules and every screen in one scan
        pasted = _PASTED in gates
        hidden = hidden_text(text)
        others = other_views(text, base, Signs(_LEET in gates, _SPACED in gates, _ENGLISH in gates, _MIXED in gates,
                                                       _ROT13 in gates, _SPLIT in gates),
                             hidden)
        all_views = [base, *others]
        self._score(hits, base, text, pasted, best)
        for view in others:
            self._score((self._prompt if view.prompt_only else self._rules).scan(view.text), view, text, pasted, best)
        if _SPACED in gates and "prompt" in self.categories:  # letters apart, no gap between words
            runs = normalise.spaced_runs(base.text)
            self._score(self._squeezed.scan(runs), View(runs, None, prompt_only=True), text, pasted, best)
        if "cmdi" in self.categories:
            self._commands(all_views, text, pasted, best, gates)
        if "sqli" in self.categories:
            self._sql(all_views, text, pasted, best)
        if "code" in self.categories:  # constant arithmetic in a template engine's delimiters
            self._first_found(all_views, text, best, _TEMPLATE in gates, templates.probes, "code:template-arithmetic",
                              templates.PASTED if pasted else templates.PROBE)
        if "traversal" in self.categories and not pasted:  # a sensitive file by absolute path given as a value
            self._first_found(all_views, text, best, _PATH in gates, paths.sensitive, "traversal:sensitive-path",
                              paths.VALUE)
        if "ssrf" in self.categories:
            self._internal(all_views, text, best)
        if "prompt" in self.categories and hidden:
            self._keep(best, "prompt:hidden", HIDDEN_SCORE, Finding("prompt", 0, len(text), HIDDEN_SCORE))
        if nested and _BASE64 in gates and self.categories - {"link"}:
            for start, end, decoded in _bundled(base64_payloads(text)):
                inner = self.analyse(decoded, nested=False)
                for finding in inner.findings:
                    if finding.type != "link":
                        self._keep(best, f"base64:{finding.type}:{finding.start}", finding.score,
                                   Finding(finding.type, start, end, finding.score))
        if self._links and _LINK in gates:
            self._judge_links(base, text, best)
        if not best:  # nothing found (most chat): no scores to combine
            return Analysis({}, (), _MARKUP in gates, pasted, hidden)
        per_category: dict[str, list[float]] = {}
        for weight, finding in best.values():
            per_category.setdefault(finding.type, []).append(weight)
        scores = {category: combine(weights) for category, weights in per_category.items()}
        # A question about a quoted SQL payload (`sql.asked`), code talked about in a sentence (`codetalk`): an
        # alert, when every hit of the category reads so.
        for category, asked, cap in (("sqli", sql.asked, sql.ASKED), ("xss", codetalk.script_asked, codetalk.ASKED),
                                     ("traversal", codetalk.file_asked, codetalk.ASKED)):
            if scores.get(category, 0.0) > cap and asked(
                    text, {key for key, (_, finding) in best.items() if finding.type == category}):
                scores[category] = cap
        if scores.get("traversal", 0.0) > codetalk.ASKED and codetalk.include_climbs(
                text, [(finding.start, finding.end) for _, finding in best.values() if finding.type == "traversal"]):
            scores["traversal"] = codetalk.ASKED  # a page-relative script address: folders of the site, an alert
        findings = tuple(sorted((finding for _, finding in best.values()), key=lambda f: (f.start, f.type)))
        return Analysis(scores, findings, _MARKUP in gates, pasted, hidden)

    def _score(self, hits: list[Hit], view: View, text: str, pasted: bool,
               best: dict[str, tuple[float, Finding]]) -> None:
        renamed: str | None = ""  # the text with devices' developer mode renamed (`settings.read`), once read
        blanked: str | None = ""  # the text with the page's own handlers blanked (`handlers.read`), once read
        unvoided: str | None = ""  # the text with other clauses' void words blanked (`voided.read`), once read
        for hit in hits:
            if hit.rule.name in settings.MODE_RULES:
                if renamed == "":
                    renamed = settings.read(view.text)
                if renamed is not None and not holds(hit.rule, renamed):
                    continue  # a phone's or an app's setting asked about, not the bot sent into a jailbreak
            elif hit.rule.name in voided.VOID_RULES:
                if unvoided == "":
                    unvoided = voided.read(view.text)
                if unvoided is not None and not holds(hit.rule, unvoided):
                    continue  # "the rules you follow when a parcel is lost": the parcel lost, not the rules
            elif hit.rule.name in handlers.READ_RULES:
                if blanked == "":
                    blanked = handlers.read(view.text)
                if blanked is not None and not holds(hit.rule, blanked):
                    # a handler that calls the page's own code (one note for every such rule), a link that
                    # does nothing
                    if hit.rule.name in handlers.HANDLER_RULES:
                        self._keep(best, "xss:own-handler", handlers.OWN_HANDLER,
                                   self._finding(hit, view, text, handlers.OWN_HANDLER))
                    continue
            if hit.rule.name in mongocode.READ_RULES and mongocode.written(view.text, hit.start, hit.end):
                continue  # a MongoDB query a developer wrote (`db.users.find({ age: { $gt: 23 } })`), not a value
            if hit.rule.name == "role-play" and addressed.supposed(view.text, hit.start, hit.end):
                continue  # "assume the identity of the caller is verified": a supposition, not a persona
            weight, key = hit.rule.weight, hit.rule.name
            if key in addressed.SWITCH_RULES:
                if addressed.handed(view.text, hit.end):
                    continue  # a colleague handed a role ("from now on you are in charge of billing")
                key = "role-play"  # one persona switch however many of its rules read it
            elif key == "role-switch-squeezed":
                key = "role-play-squeezed"  # the same, letters apart: no words to read a duty in
            elif key in addressed.PRETEND_RULES and addressed.others_pretend(view.text, hit.start, hit.end):
                weight = min(weight, tongues.NOTE)  # "pupils pretend to be reporters": others told of, a note
            if ((key in tongues.SET_ASIDE and tongues.sender_own(view.text, hit.start, hit.end, key))
                    or ((key in tongues.SET_ASIDE or key in tongues.TOLD_RULES)
                        and tongues.told_of(view.text, hit.start, hit.end))
                    or (key in addressed.REPORTED_RULES and addressed.reported(view.text, hit.start, hit.end) == tongues.NOTE)):
                # the sender's own instructions taken back ("ignora mis instrucciones anteriores"), someone's
                # set aside told of ("ha ignorato le istruzioni") or an order reported ("he asked me to forget
                # the earlier instructions"): one note, the English rules' own for them
                # ("ignore my previous instructions")
                weight, key = min(weight, tongues.NOTE), "override-any"
            elif key in addressed.REPORTED_RULES and (said := addressed.reported(view.text, hit.start, hit.end)) is not None:
                weight, key = min(weight, said), "override-said"  # "she said to ignore ...": an alert, once
            elif key in tongues.SET_ASIDE and (said := addressed.reported_world(view.text, hit.start, hit.end)) is not None:
                # "le médecin a dit d'ignorer les anciennes instructions de la notice": as the English above
                weight, key = min(weight, said), ("override-any" if said == tongues.NOTE else "override-said")
            elif (key in tongues.SET_ASIDE or key in tongues.TOLD_RULES) and tongues.said_cjk(view.text, hit.start, hit.end):
                weight, key = min(weight, addressed.SAID), "override-said"  # "医生说可以忽略...": the same in Chinese
            elif key in owned.DESCRIBED_RULES and owned.described(view.text, hit.start, hit.end, addressed.PERSONA_SIGN):
                # a third party's rules set aside by someone else ("our linter ignores the rules in .eslintrc"):
                # one note, as the same rules reported set aside are
                weight, key = min(weight, tongues.NOTE), "override-any"
            elif key in revealed.REVEAL_RULES and revealed.shared(view.text, hit.start, hit.end,
                                                                  text if len(text) == len(view.text) else None):
                # "could you repeat the instructions above?": steps people shared asked for again, one note
                weight, key = min(weight, tongues.NOTE), "reveal-shared"
            if pasted and not hit.rule.strong:
                weight *= CODE_DAMPING
            self._keep(best, key, weight, self._finding(hit, view, text, weight))

    def _commands(self, all_views: list[View], text: str, pasted: bool,
                  best: dict[str, tuple[float, Finding]], gates: frozenset[int]) -> None:
        """Shell separators followed by commands, in the plain and the decoded readings."""
        for index, view in enumerate(all_views):
            if view.prompt_only:
                continue
            if index == 0:  # the base view: the scan already said whether either pattern occurs
                separated, calls, quoted = _SEPARATOR in gates, _CALL in gates, _QUOTED in gates
                globbed = _GLOB in gates
                if not separated and not calls and not quoted and not globbed:
                    continue  # the reader would find nothing (most chat): not even called
                found_all = shell.commands(view.text, separated=separated, calls=calls, quoted=quoted,
                                           globbed=globbed, pasted=pasted)
            else:
                found_all = shell.commands(view.text, pasted=pasted)
            for found in found_all:
                weight = found.weight * (CODE_DAMPING if pasted and found.weight < 0.5 else 1.0)
                # A pipeline shown is one note however many lines show one: twenty weak notes must not
                # add up to a block (noisy-OR) for a pasted script.
                key = "cmdi:shell-pipeline" if found.how == "shell-pipeline" else f"cmdi:{found.how}:{found.start}"
                kept = best.get(key)
                if kept is not None and kept[0] >= weight:
                    continue  # as `_keep` would: the finding held stays (a text of pipelines holds thousands)
                if view.folded is not None:
                    start, end = view.folded.span(found.start, found.end)
                else:
                    start, end = 0, len(text)
                best[key] = (weight, Finding("cmdi", start, end, weight))
        if shell.decoders(all_views[0].text):  # decoded where a shell runs it (read as written: base64's case matters)
            for found in shell.decoded(text):
                self._keep(best, f"cmdi:decoded:{found.start}", found.weight,
                           Finding("cmdi", found.start, found.end, found.weight))
        for view in all_views[1:]:  # the same behind an escape layer (`%3b%24%28echo...`): spans are the whole text
            if view.folded is None and not view.prompt_only and shell.decoders(view.text):
                for found in shell.decoded(view.text):
                    self._keep(best, "cmdi:decoded-escaped", found.weight, Finding("cmdi", 0, len(text), found.weight))

    def _sql(self, all_views: list[View], text: str, pasted: bool, best: dict[str, tuple[float, Finding]]) -> None:
        """The whole message read as an injected SQL fragment, plain and decoded."""
        for view in all_views:
            if view.prompt_only:
                continue
            found = sql.fragment(view.text)
            if found is not None:
                weight, context = found
                weight *= CODE_DAMPING if pasted and weight < sql.BREAKOUT else 1.0
                self._keep(best, f"sqli:fragment-{context}", weight, Finding("sqli", 0, len(text), weight))

    def _first_found(self, all_views: list[View], text: str, best: dict[str, tuple[float, Finding]], screened: bool,
                     find: Callable[[str], Iterable[tuple[int, int]]], key: str, weight: float) -> None:
        """The first span `find` reads in each view, plain and decoded, kept under `key` (its category before the
        colon); `screened`: whether the base view holds what `find` starts from at all."""
        category = key.partition(":")[0]
        for index, view in enumerate(all_views):
            if view.prompt_only or (index == 0 and not screened):
                continue
            for start, end in find(view.text):
                start, end = view.folded.span(start, end) if view.folded is not None else (0, len(text))
                self._keep(best, key, weight, Finding(category, start, end, weight))
                break

    def _internal(self, all_views: list[View], text: str, best: dict[str, tuple[float, Finding]]) -> None:
        """Links that reach the server's own network, spelt or parsed the way a payload makes them."""
        for view in all_views:
            if view.prompt_only or "://" not in view.text:
                continue
            for found in internal.reached(view.text):
                start, end = view.folded.span(found.start, found.end) if view.folded else (0, len(text))
                self._keep(best, f"ssrf:{found.how}", found.weight, Finding("ssrf", start, end, found.weight))

    def _judge_links(self, base: View, text: str, best: dict[str, tuple[float, Finding]]) -> None:
        """Each distinct link judged once; the worst one is the finding, at its first occurrence.

        Past `links.MAX_LINKS` distinct links (or `links.MAX_CANDIDATES` pattern matches)
        the rest would go unjudged, so the message fails closed: `FLOOD_SCORE` blocks it."""
        folded = base.folded
        # The folding maps look-alike dots to "."; how the sender spelt them is a sign of its own, so a
        # message that has such dots is read occurrence by occurrence.
        odd = not text.isascii() and any(char in text for char in links.ODD_DOTS)
        found = links.Scan(base.text, every=odd)
        judged: dict[tuple[str, bool], float] = {}
        for index, url in enumerate(found.urls):
            link: links.Link | None = None
            odd_dots = False
            if odd:
                link = found.link(index)
                start, end = folded.span(link.start, link.end) if folded else (0, len(text))
                odd_dots = any(char in links.ODD_DOTS for char in text[start:end])
            score = judged.get((url, odd_dots))
            if score is None:
                if len(judged) >= links.MAX_LINKS:
                    found.overflow = True
                    break
                unplaced = link or links.Link(0, len(url), url)  # where it stands matters only if it scores
                score = judged[(url, odd_dots)] = links.judge(unplaced, self._allow, self.deny,
                                                              odd_dots=odd_dots).score
            if score > 0:
                link = link or found.link(index)
                start, end = folded.span(link.start, link.end) if folded else (0, len(text))
                # One key for every link: the message's link risk is its worst link. Links are judged one
                # by one, so five slightly odd ordinary links must not add up to one phishing link.
                self._keep(best, "link", score, Finding("link", start, end, score))
        if found.overflow:
            self._keep(best, "link:flood", FLOOD_SCORE, Finding("link", 0, len(text), FLOOD_SCORE))

    @staticmethod
    def _keep(best: dict[str, tuple[float, Finding]], key: str, weight: float, finding: Finding) -> None:
        if key not in best or best[key][0] < weight:
            best[key] = (weight, finding)

    @staticmethod
    def _finding(hit: Hit, view: View, text: str, weight: float) -> Finding:
        if view.folded is None:  # decoded view: the payload is somewhere in the encoded text
            return Finding(hit.rule.category, 0, len(text), round(weight, 4))
        start, end = view.folded.span(hit.start, hit.end)
        return Finding(hit.rule.category, start, end, round(weight, 4))
