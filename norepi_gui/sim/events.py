"""Events that a scenario schedules or an instructor injects at a given time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

EventKind = Literal["map_drop", "bleeding", "extravasation", "damped_line", "flush", "bag_empty"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)

# Which optional fields each kind reads (for scenario validation and docs).
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "map_drop": ("mmhg", "recovery_tau_min"),
    "bleeding": ("ml_per_min", "duration_min"),
    "extravasation": ("fraction",),
    "damped_line": ("duration_min",),
    "flush": ("duration_min",),
    "bag_empty": (),
}

# Model assumptions (docs/simulator.md): an infiltrated peripheral line delivers 30 %
# of the drug; a fast flush shows a square wave near the flush bag pressure for 10 s.
DEFAULT_EXTRAVASATION_FRACTION = 0.3
FLUSH_READING_MMHG = 250.0
DEFAULT_FLUSH_MIN = 10.0 / 60.0

# Routine line care on the ward (``Setting.routine_line_care``, on for the default population), model assumptions
# [U]: each patient has a blood sample taken once an hour, at a random time within the hour, ending with a fast flush
# (the 10 s flush artefact); the trace damps (a bubble or a clot) about once in 12 h per patient and stays damped for
# 20 min unless flushed.
DAMPING_EVERY_MIN = 12.0 * 60.0
DAMPING_MIN = 20.0


@dataclass(frozen=True)
class Event:
    """One event. ``recovery_tau_min`` and ``duration_min`` default to "until acted on"."""

    kind: EventKind
    at_min: float
    mmhg: float = 0.0
    recovery_tau_min: float = math.inf
    ml_per_min: float = 0.0
    duration_min: float = math.inf
    fraction: float = DEFAULT_EXTRAVASATION_FRACTION

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"event kind {self.kind!r}: accepted {', '.join(EVENT_KINDS)}")
        if not self.at_min >= 0.0:
            raise ValueError("event at_min must be >= 0")
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError("event fraction must be within 0-1")
