"""Presidio's pattern recognizers on the same corpus; run with benchmarks/.venv-presidio's python.

Prints one JSON line: {"seconds": ..., "spans": [[[start, end], ...], ...]}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)


def main() -> None:
    count, seed, part = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    lines = generate(count, seed, part)
    recognizers = [CreditCardRecognizer(), EmailRecognizer(), IbanRecognizer(), IpRecognizer(),
                   PhoneRecognizer(), UsSsnRecognizer()]
    entities = [e for r in recognizers for e in r.supported_entities]
    spans = []
    began = time.process_time()
    for line in lines:
        found = []
        for recognizer in recognizers:
            for result in recognizer.analyze(line.text, entities, None) or []:
                if result.score >= 0.4:
                    found.append([result.start, result.end])
        spans.append(found)
    seconds = time.process_time() - began
    print(json.dumps({"seconds": seconds, "spans": spans}))


if __name__ == "__main__":
    main()
