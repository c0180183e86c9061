"""Hypothesis settings for the fuzz suite: a short run in `make test`, a long one in `make fuzz`.

`HYPOTHESIS_PROFILE=fuzz` (what `make fuzz` sets) gives each target twenty-five times as many
inputs. The deadline is the hang guard: an input whose parse takes longer fails the test, in both
profiles. It is far above any real parse (microseconds; a config takes under a tenth of a second)
so a busy machine does not trip it, and far below what a super-linear blow-up costs.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": timedelta(seconds=5),
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,  # a failure prints the @reproduce_failure blob to paste into the test
}
settings.register_profile("fuzz-short", max_examples=60, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("fuzz", max_examples=1500, **_COMMON)  # type: ignore[arg-type]

PROFILE = "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "fuzz-short"
FUZZ = settings.get_profile(PROFILE)
