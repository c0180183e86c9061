"""Findings as text for people, JSON for scripts, SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from gateway.tools.audit.findings import RULES, SEVERITIES, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# SARIF has three levels; our five map onto them (info is a note, not a warning).
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
# GitHub code scanning reads `security-severity` (0-10) to rank security results.
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def as_text(findings: Sequence[Finding], source: str) -> str:
    if not findings:
        return f"{source}: no findings\n"
    lines: list[str] = []
    for f in findings:
        where = f"{source}:{f.line}" if f.line else source
        lines += [f"{f.severity.upper():8} {f.id}  {f.path}  ({where})",
                  f"         {f.rule.title}: {f.detail}.",
                  f"         why: {f.rule.why}",
                  f"         fix: {f.rule.fix}", ""]
    counts = ", ".join(f"{n} {s}" for s in SEVERITIES if (n := sum(f.severity == s for f in findings)))
    lines.append(f"{len(findings)} findings ({counts})")
    return "\n".join(lines) + "\n"


def as_dict(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "severity": f.severity, "path": f.path, "line": f.line, "title": f.rule.title,
            "detail": f.detail, "why": f.rule.why, "fix": f.rule.fix}


def as_json(findings: Sequence[Finding], source: str) -> str:
    body = {"config": source, "findings": [as_dict(f) for f in findings],
            "summary": {s: sum(f.severity == s for f in findings) for s in SEVERITIES}}
    return orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n"


def as_sarif(findings: Sequence[Finding], source: str, version: str) -> str:
    rules = [{"id": r.id, "name": r.id.title().replace("-", ""), "shortDescription": {"text": r.title},
              "fullDescription": {"text": r.why}, "help": {"text": r.fix},
              "defaultConfiguration": {"level": _LEVEL[r.severity]},
              "properties": {"security-severity": _SCORE[r.severity], "tags": ["security", "configuration"]}}
             for r in RULES.values()]
    index = {rule_id: i for i, rule_id in enumerate(RULES)}
    results = []
    for f in findings:
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": source}},
                                    "logicalLocations": [{"fullyQualifiedName": f.path, "kind": "member"}]}
        if f.line:
            location["physicalLocation"]["region"] = {"startLine": f.line}
        results.append({"ruleId": f.id, "ruleIndex": index[f.id], "level": _LEVEL[f.severity],
                        "message": {"text": f"{f.rule.title}: {f.detail}. Fix: {f.rule.fix}"},
                        "locations": [location], "properties": {"severity": f.severity}})
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "chatguard audit-config", "version": version,
                                         "informationUri": "https://github.com/chatguard/chatguard",
                                         "rules": rules}},
                     "results": results}]}
    return orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n"
