"""Behaviour detection: who sends how much, how repetitively, from where, against their own habits."""

from filters.behaviour.filter import BehaviourFilter, StoreMissing
from filters.behaviour.options import (
    AnomalyOptions,
    BehaviourOptions,
    FloodOptions,
    NetworkOptions,
    SpamOptions,
)

__all__ = ["AnomalyOptions", "BehaviourFilter", "BehaviourOptions", "FloodOptions", "NetworkOptions",
           "SpamOptions", "StoreMissing"]
