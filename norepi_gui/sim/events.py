"""Events that a scenario schedules or an instructor injects, their sizes, and what resolves them.

Every size below is a teaching setting, not a measured value: each names its source or is marked [U] (a model
assumption, listed in docs/simulator.md, "Teaching events"). An event may be scheduled at a time (``at_min``), or
armed with a :class:`Trigger` (fire when the true MAP has been below or above a level for some minutes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

EventKind = Literal[
    "map_drop",
    "bleeding",
    "extravasation",
    "damped_line",
    "flush",
    "bag_empty",
    "sedation_bolus",
    "pump_stop",
    "line_disconnection",
    "flush_bolus",
    "pump_tenfold",
    "changeover_gap",
    "sepsis_worsening",
    "atrial_fibrillation",
    "anaphylaxis",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)

# Which size fields each kind reads (for scenario validation, the instructor's size box and the docs).
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "map_drop": ("mmhg", "recovery_tau_min", "ramp_min"),
    "bleeding": ("ml_per_min", "duration_min"),
    "extravasation": ("fraction",),
    "damped_line": ("duration_min",),
    "flush": ("duration_min",),
    "bag_empty": (),
    "sedation_bolus": ("mmhg", "ramp_min", "recovery_tau_min"),
    "pump_stop": ("duration_min",),
    "line_disconnection": ("duration_min",),
    "flush_bolus": ("volume_ml",),
    "pump_tenfold": ("factor", "duration_min"),
    "changeover_gap": ("duration_min",),
    "sepsis_worsening": ("mmhg", "ramp_min", "recovery_tau_min"),
    "atrial_fibrillation": ("hr_bpm", "mmhg", "noise_mmhg", "duration_min"),
    "anaphylaxis": ("mmhg", "ramp_min", "recovery_tau_min"),
}

#: The field the instructor's size box sets for each kind (None: the event has no size).
SIZE_FIELD: dict[str, str | None] = {
    "map_drop": "mmhg",
    "bleeding": "ml_per_min",
    "extravasation": "fraction",
    "damped_line": None,
    "flush": None,
    "bag_empty": None,
    "sedation_bolus": "mmhg",
    "pump_stop": None,
    "line_disconnection": None,
    "flush_bolus": "volume_ml",
    "pump_tenfold": "factor",
    "changeover_gap": "duration_min",
    "sepsis_worsening": "mmhg",
    "atrial_fibrillation": "hr_bpm",
    "anaphylaxis": "mmhg",
}

#: Accepted range and unit of each size field (scenario files and the instructor's size box).
FIELD_RANGES: dict[str, tuple[float, float, str]] = {
    "mmhg": (-60.0, 80.0, "mmHg"),
    "recovery_tau_min": (0.1, 10000.0, "min"),
    "ramp_min": (0.0, 1440.0, "min"),
    "ml_per_min": (0.0, 500.0, "mL/min"),
    "duration_min": (0.01, 10000.0, "min"),
    "fraction": (0.0, 1.0, ""),
    "volume_ml": (0.1, 20.0, "mL"),
    "factor": (0.0, 100.0, "x"),
    "hr_bpm": (0.0, 100.0, "bpm"),
    "noise_mmhg": (0.0, 40.0, "mmHg"),
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

#: A resolved pressure event (a drop, sedation, worsening sepsis, anaphylaxis) fades with this time constant [U].
RESOLVE_TAU_MIN = 10.0
#: Atrial fibrillation: the arterial line's beat-to-beat spread is this share of the cuff's extra spread [U].
AF_ARTERIAL_SHARE = 0.3

# Each kind's sizes when a scenario or the instructor does not give them (docs/simulator.md, "Teaching events").
KIND_DEFAULTS: dict[str, dict[str, float]] = {
    "map_drop": {"mmhg": 20.0, "recovery_tau_min": math.inf, "ramp_min": 0.0},
    "bleeding": {"ml_per_min": 20.0, "duration_min": 30.0},
    "extravasation": {"fraction": DEFAULT_EXTRAVASATION_FRACTION},
    "damped_line": {"duration_min": math.inf},
    "flush": {"duration_min": DEFAULT_FLUSH_MIN},
    "bag_empty": {},
    # A sedative bolus (propofol, midazolam) lowers MAP within minutes and wears off over about 15 min [U].
    "sedation_bolus": {"mmhg": 15.0, "ramp_min": 2.0, "recovery_tau_min": 15.0},
    # No delivery until the pump is restarted or the line reconnected [U: until acted on].
    "pump_stop": {"duration_min": math.inf},
    "line_disconnection": {"duration_min": math.inf},
    # The drug in the line's dead space pushed in at once by a flush of the norepinephrine line: 2 mL [U] at the
    # bag's concentration (16 mcg/mL: 32 mcg, about 4.6 min of 0.1 mcg/kg/min at 70 kg, given in seconds).
    "flush_bolus": {"volume_ml": 2.0},
    # 0.8 typed for 0.08 mcg/kg/min [V, MSOS forum; clinical-reference "Titration orders"]: ten times the order,
    # until the pump is checked against the order.
    "pump_tenfold": {"factor": 10.0, "duration_min": math.inf},
    # A bag or syringe changed without overlap: delivery stops for 3 min [U].
    "changeover_gap": {"duration_min": 3.0},
    # Sepsis worsens: the untreated MAP falls 10 mmHg over an hour and stays down [U].
    "sepsis_worsening": {"mmhg": 10.0, "ramp_min": 60.0, "recovery_tau_min": math.inf},
    # New atrial fibrillation: heart rate +40/min, MAP -5 mmHg (atrial contribution lost), cuff readings scattered
    # by an extra 10 mmHg SD [U; SEPSISPAM: more atrial fibrillation at the higher target, V].
    "atrial_fibrillation": {"hr_bpm": 40.0, "mmhg": 5.0, "noise_mmhg": 10.0, "duration_min": math.inf},
    # Anaphylaxis (e.g. to an antibiotic): MAP falls 30 mmHg within 3 min and recovers over about an hour [U].
    "anaphylaxis": {"mmhg": 30.0, "ramp_min": 3.0, "recovery_tau_min": 60.0},
}

#: What the trainee does that ends each kind (bedside action kinds of ``norepi_gui.sim.actions``).
RESOLVED_BY: dict[str, str] = {
    "damped_line": "FLUSH_LINE",
    "extravasation": "RESITE_LINE",
    "pump_stop": "RESTART_PUMP",
    "line_disconnection": "RECONNECT_LINE",
    "pump_tenfold": "CHECK_PUMP",
    "bag_empty": "CHANGE_BAG",
}

#: Words for each kind (the instructor's list, the debrief, the trainee's cue line where the event shows).
EVENT_LABELS: dict[str, str] = {
    "map_drop": "Sudden MAP drop",
    "bleeding": "Bleeding",
    "extravasation": "Extravasation at the infusion site",
    "damped_line": "Damped arterial trace",
    "flush": "Arterial line flush artefact",
    "bag_empty": "Bag runs empty",
    "sedation_bolus": "Sedation bolus",
    "pump_stop": "Pump stops",
    "line_disconnection": "Norepinephrine line disconnected",
    "flush_bolus": "Accidental flush of the norepinephrine line",
    "pump_tenfold": "Tenfold pump programming error",
    "changeover_gap": "Bag or syringe changeover gap",
    "sepsis_worsening": "Sepsis worsening",
    "atrial_fibrillation": "Atrial fibrillation (cuff unreliable)",
    "anaphylaxis": "Anaphylaxis",
}

#: Kinds that keep acting until resolved or timed out (the instructor's "Resolve" applies to these).
RESOLVABLE: frozenset[str] = frozenset({
    "map_drop", "bleeding", "extravasation", "damped_line", "sedation_bolus", "pump_stop", "line_disconnection",
    "pump_tenfold", "changeover_gap", "sepsis_worsening", "atrial_fibrillation", "anaphylaxis",
})


@dataclass(frozen=True)
class Trigger:
    """Fire when the true MAP has stayed below ``map_below`` (or above ``map_above``) for ``for_min`` minutes,
    not before ``after_min``; once per patient."""

    map_below: float | None = None
    map_above: float | None = None
    for_min: float = 0.0
    after_min: float = 0.0

    def __post_init__(self) -> None:
        if (self.map_below is None) == (self.map_above is None):
            raise ValueError("trigger: give exactly one of map_below and map_above")
        if not (self.for_min >= 0.0 and self.after_min >= 0.0):
            raise ValueError("trigger: for_min and after_min must be >= 0")

    def describe(self) -> str:
        level = f"below {self.map_below:g}" if self.map_below is not None else f"above {self.map_above:g}"
        after = f", not before {self.after_min:g} min" if self.after_min > 0 else ""
        return f"when MAP {level} mmHg for {self.for_min:g} min{after}"


@dataclass(frozen=True)
class Event:
    """One event. ``recovery_tau_min`` and ``duration_min`` default to "until acted on".

    ``id`` names it for key actions that follow it (``after_event``); ``when`` arms it on a condition instead of a
    time. Use :func:`make_event` for a kind's own default sizes.
    """

    kind: EventKind
    at_min: float
    mmhg: float = 0.0
    recovery_tau_min: float = math.inf
    ml_per_min: float = 0.0
    duration_min: float = math.inf
    fraction: float = DEFAULT_EXTRAVASATION_FRACTION
    ramp_min: float = 0.0
    volume_ml: float = 0.0
    factor: float = 1.0
    hr_bpm: float = 0.0
    noise_mmhg: float = 0.0
    id: str = ""
    when: Trigger | None = field(default=None)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"event kind {self.kind!r}: accepted {', '.join(EVENT_KINDS)}")
        if not self.at_min >= 0.0:
            raise ValueError("event at_min must be >= 0")
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError("event fraction must be within 0-1")
        if not self.ramp_min >= 0.0:
            raise ValueError("event ramp_min must be >= 0")

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.kind]

    @property
    def name(self) -> str:
        """What key actions call it: its ``id``, else its kind."""
        return self.id or self.kind


def make_event(kind: str, at_min: float = 0.0, **sizes: float) -> Event:
    """An event of ``kind`` with the kind's default sizes, overridden by ``sizes`` (fields of EVENT_FIELDS)."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"event kind {kind!r}: accepted {', '.join(EVENT_KINDS)}")
    unknown = sorted(set(sizes) - set(EVENT_FIELDS[kind]))
    if unknown:
        raise ValueError(f"event {kind}: {unknown[0]} is not one of its sizes ({', '.join(EVENT_FIELDS[kind])})")
    values = {**KIND_DEFAULTS[kind], **sizes}
    return Event(
        kind,  # type: ignore[arg-type]  # kind checked against EVENT_KINDS
        at_min,
        mmhg=values.get("mmhg", 0.0),
        recovery_tau_min=values.get("recovery_tau_min", math.inf),
        ml_per_min=values.get("ml_per_min", 0.0),
        duration_min=values.get("duration_min", math.inf),
        fraction=values.get("fraction", DEFAULT_EXTRAVASATION_FRACTION),
        ramp_min=values.get("ramp_min", 0.0),
        volume_ml=values.get("volume_ml", 0.0),
        factor=values.get("factor", 1.0),
        hr_bpm=values.get("hr_bpm", 0.0),
        noise_mmhg=values.get("noise_mmhg", 0.0),
    )


def with_size(event: Event, size: float) -> Event:
    """The event with its main size (SIZE_FIELD) set to ``size``."""
    name = SIZE_FIELD[event.kind]
    if name is None:
        return event
    values = {field_name: getattr(event, field_name) for field_name in EVENT_FIELDS[event.kind]}
    values[name] = float(size)
    return replace(make_event(event.kind, event.at_min, **values), id=event.id, when=event.when)


#: The trainee's actions that answer each kind (the debrief's response time per event); an empty set: no answer is
#: expected (an artefact, or a surge best left alone).
ANSWERED_BY: dict[str, frozenset[str]] = {
    "map_drop": frozenset({"INCREASE_NE", "FLUID_BOLUS", "CALL_PHYSICIAN", "ADD_VASOPRESSIN"}),
    "bleeding": frozenset({"FLUID_BOLUS", "CALL_PHYSICIAN", "INCREASE_NE"}),
    "extravasation": frozenset({"RESITE_LINE", "GIVE_PHENTOLAMINE", "REQUEST_CENTRAL_ACCESS"}),
    "damped_line": frozenset({"FLUSH_LINE"}),
    "flush": frozenset(),
    "bag_empty": frozenset({"CHANGE_BAG"}),
    "sedation_bolus": frozenset({"INCREASE_NE", "CALL_PHYSICIAN", "FLUID_BOLUS"}),
    "pump_stop": frozenset({"RESTART_PUMP"}),
    "line_disconnection": frozenset({"RECONNECT_LINE"}),
    "flush_bolus": frozenset(),
    "pump_tenfold": frozenset({"CHECK_PUMP"}),
    "changeover_gap": frozenset({"RESTART_PUMP", "CHANGE_BAG"}),
    "sepsis_worsening": frozenset({"INCREASE_NE", "CALL_PHYSICIAN", "ADD_VASOPRESSIN"}),
    "atrial_fibrillation": frozenset({"REPEAT_CUFF", "REQUEST_ARTERIAL_LINE", "CALL_PHYSICIAN"}),
    "anaphylaxis": frozenset({"ADD_EPINEPHRINE", "CALL_PHYSICIAN", "FLUID_BOLUS"}),
}


def scenario_tag(index: int) -> str:
    """The tag of a scenario's ``index``-th event on the engine's schedule."""
    return f"scenario-{index}"
