"""The verdict contract, checked where a verdict is made: on the event loop, the filter thread or in a
worker process (filters._isolated), whichever ran the filter."""

from __future__ import annotations

from typing import Any

from filters._api import Action, Finding, Hints, Verdict

__all__ = ["verdict_problem"]


def verdict_problem(verdict: Any, text: str) -> str:
    """Why `verdict` breaks the contract for a filter that saw `text` ("" if it does not).

    The answer names the rule only, never content, so it is safe to log and audit.
    """
    if not isinstance(verdict, Verdict):
        return f"returned {type(verdict).__name__}, not a Verdict"
    action = verdict.action
    if action is Action.MODIFY:
        if not isinstance(verdict.text, str):
            return "modify without text"
    elif action is Action.PASS or action is Action.BLOCK:
        if verdict.text is not None:
            return f"{action.value} with text (only modify carries text)"
    else:
        return "action is not an Action"
    if not isinstance(verdict.reason, str):
        return "reason is not a string"
    if not isinstance(verdict.hints, Hints):
        return "hints is not a Hints"
    if not isinstance(verdict.findings, tuple):
        return "findings is not a tuple"
    size = len(text)
    for finding in verdict.findings:
        if not isinstance(finding, Finding):
            return "finding is not a Finding"
        start, end = finding.start, finding.end
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= size):
            return "finding out of bounds"
    return ""
