"""Content threat detection: injections, prompt injection and malicious links.

`ThreatFilter` is the entry point (`use: threat` in config); `Detector` gives raw
per-category scores to tools such as the benchmark.
"""

from filters.threat.detect import CATEGORIES, Analysis, Detector
from filters.threat.filter import ThreatFilter, ThreatOptions

__all__ = ["CATEGORIES", "Analysis", "Detector", "ThreatFilter", "ThreatOptions"]
