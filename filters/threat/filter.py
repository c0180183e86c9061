"""The `threat` filter: content risk score, labels and a response fitted to the sink."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from filters._api import PASS, Action, Filter, Finding, Hints, Message, Refreshed, Verdict, block, modify
from filters._context import FilterContext
from filters.options import Duration, OptionsError
from filters.threat.detect import CATEGORIES, Analysis, Category, Detector
from filters.threat.feeds import DomainList, Feeds
from filters.threat.normalise import strip_hidden
from filters.threat.scoring import weigh

Sink = Literal["html", "bot", "plain"]
RELOAD_BOUNDS = (1.0, 86400.0)  # seconds: feeds are checked at most every second, at least daily


@dataclass(frozen=True)
class ThreatOptions:
    """Options of the `threat` filter (see config/chatguard.example.yaml)."""

    block_score: float = 0.8  # risk at or above which the message is blocked
    alert_score: float = 0.5  # risk at or above which an alert is suggested
    label_score: float = 0.3  # a category at or above this is named in the labels
    sink: Sink = "plain"  # what reads the message behind this route: a browser, an AI bot, plain text
    categories: tuple[Category, ...] = CATEGORIES  # detectors to run
    allow_domains: tuple[str, ...] = ()  # links to these domains (and subdomains) are never judged
    deny_domains: tuple[str, ...] = ()  # links to these domains always score 1
    blocklists: tuple[str, ...] = ()  # feed files, one URL or domain per line, read at startup
    reload_interval: Duration = Duration(60)  # how often feed files are checked for changes; 0: never

    def validate(self, path: str) -> None:
        self._validate_scores(path)
        interval = float(self.reload_interval)
        if interval and not RELOAD_BOUNDS[0] <= interval <= RELOAD_BOUNDS[1]:
            raise OptionsError(f"{path}.reload_interval" if path else "reload_interval",
                               f"expected 0 (off) or from 1s to 1d, got {interval:g}s")

    def _validate_scores(self, path: str) -> None:
        for name in ("block_score", "alert_score", "label_score"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                prefix = f"{path}.{name}" if path else name
                raise OptionsError(prefix, f"expected a number in (0, 1], got {value!r}")
        if not self.label_score <= self.alert_score <= self.block_score:
            raise OptionsError(path, "expected label_score <= alert_score <= block_score")
        if not self.categories:
            raise OptionsError(f"{path}.categories" if path else "categories", "enable at least one category")


class ThreatFilter(Filter[ThreatOptions]):
    """Scores each message for injection payloads, prompt injection and phishing links."""

    name = "threat"
    Options = ThreatOptions
    description = "content threat detection: injections, prompt injection, malicious links"

    def __init__(self, options: ThreatOptions | None = None, context: FilterContext | None = None) -> None:
        super().__init__(options, context)
        opts = self.options
        opts.validate("")
        self._denied = DomainList.build(opts.deny_domains)
        self._feeds = Feeds(opts.blocklists)
        self.detector = Detector(opts.categories, DomainList.build(opts.allow_domains),
                                 self._denied | self._feeds.current)
        self._escapes = opts.sink == "html"  # markup is escaped for a browser (see `_decide`)

    def risk(self, analysis: Analysis) -> dict[str, float]:
        """Category scores as they count for this filter's sink."""
        sink = self.options.sink
        return {category: weigh(category, score, sink) for category, score in analysis.scores.items()}

    @property
    def offloadable(self) -> bool:
        return True  # pure computation over the text

    @property
    def refresh_every(self) -> float:
        return float(self.options.reload_interval) if self.options.blocklists else 0.0

    def refresh(self) -> Refreshed:
        """Feed files that changed, re-read; the detector's deny list swapped whole when one was taken."""
        report = self._feeds.refresh()
        if report.loaded:
            self.detector.deny = self._denied | self._feeds.current
        return report

    async def inspect(self, message: Message) -> Verdict:
        return self.decide(message.text)

    def inspect_now(self, message: Message) -> Verdict:
        return self.decide(message.text)  # it never awaits: the chain calls this instead of `inspect`

    def decide(self, text: str) -> Verdict:
        """The verdict for `text`; synchronous so benchmarks measure the work, not the loop.

        Text hidden in Unicode tag characters is scored as prompt injection and never
        forwarded: a message that is not blocked goes on without it."""
        analysis = self.detector.analyse(text)  # lone surrogates read as U+FFFD there (same length, same spans)
        if not analysis.scores and not analysis.hidden and not (analysis.markup and self._escapes):
            return PASS  # most chat: what `_decide` answers, without the call
        verdict = self._decide(text, analysis)
        if verdict.action is Action.BLOCK or not analysis.hidden:
            return verdict
        source = verdict.text if verdict.action is Action.MODIFY and verdict.text is not None else text
        reason = verdict.reason or "threat: hidden tag characters removed"
        return self._named(modify(strip_hidden(source), reason, verdict.findings, verdict.hints))

    def _decide(self, text: str, analysis: Analysis) -> Verdict:
        opts = self.options
        escape = opts.sink == "html" and analysis.markup
        if not analysis.scores and not escape:
            return PASS
        risk = self.risk(analysis)
        labels = tuple(sorted(c for c, s in risk.items() if s >= opts.label_score))
        findings = self._weighted(analysis.findings, opts.sink)
        if escape:  # a browser renders it: markup risk is defused by escaping, so it never blocks
            rest = max((s for c, s in risk.items() if c != "xss"), default=0.0)
            score = max(rest, risk.get("xss", 0.0))
            hints = Hints(alert=score >= opts.alert_score, labels=labels or ("markup",))
            if rest >= opts.block_score:
                return self._named(block(self._reason(risk, "blocked"), findings, hints))
            return self._named(modify(html.escape(text, quote=True), self._reason(risk, "escaped"),
                                      findings, hints))
        score = max(risk.values(), default=0.0)
        hints = Hints(alert=score >= opts.alert_score, labels=labels)
        if score >= opts.block_score:
            return self._named(block(self._reason(risk, "blocked"), findings, hints))
        if hints:
            return self._named(Verdict(findings=findings, hints=hints, reason=self._reason(risk, "flagged")))
        return PASS

    @staticmethod
    def _weighted(findings: tuple[Finding, ...], sink: str) -> tuple[Finding, ...]:
        """The findings with their scores as they count for `sink`, each (type, score) weighed once
        (a message of thousands of findings holds a few kinds)."""
        weights: dict[tuple[str, float], float] = {}
        out = []
        for finding in findings:
            key = (finding.type, finding.score)
            weight = weights.get(key)
            if weight is None:
                weight = weights[key] = weigh(finding.type, finding.score, sink)
            out.append(Finding(finding.type, finding.start, finding.end, weight))
        return tuple(out)

    @staticmethod
    def _reason(risk: dict[str, float], what: str) -> str:
        worst = sorted(risk.items(), key=lambda item: -item[1])[:3]
        return f"threat {what}: " + ", ".join(f"{c}={s:.2f}" for c, s in worst)

    def _named(self, verdict: Verdict) -> Verdict:
        return Verdict(verdict.action, verdict.text, verdict.reason, verdict.findings, verdict.hints, self.name)
