"""Build `threat_cases.jsonl` from the threat filter's own case files (see README.md here).

    .venv/bin/python tests/data/build_threat_cases.py

Each case of `tests/filters/threat/cases/*.yaml` becomes one JSON line
`{"text", "label": "attack" | "benign", "category"}`, the format of the shared
development corpus, so tests and benchmarks read either the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE.parent / "filters" / "threat" / "cases"
CATEGORY = {"xss": "xss", "sqli": "sqli", "traversal": "traversal", "cmdi": "cmdi", "code": "code_injection",
            "nosqli": "nosqli", "ldapi": "ldapi", "xxe": "xxe", "ssrf": "ssrf"}


def rows() -> list[dict[str, str]]:
    built: list[dict[str, str]] = []
    seen: set[str] = set()
    for name in ("injection", "prompt", "links", "benign"):
        for case in yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8")):
            text, expect = case["text"], case["expect"]
            if text in seen:
                continue
            seen.add(text)
            if name == "benign" or expect == "pass":
                built.append({"text": text, "label": "benign", "category": "benign_chat"})
            elif name == "prompt":
                built.append({"text": text, "label": "attack", "category": "prompt_injection"})
            elif name == "links":
                built.append({"text": text, "label": "attack", "category": "phishing_link"})
            else:
                labels = case.get("labels") or ["xss"]
                built.append({"text": text, "label": "attack", "category": CATEGORY.get(labels[0], labels[0])})
    return built


def main() -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows()]
    (HERE / "threat_cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} lines")


if __name__ == "__main__":
    main()
