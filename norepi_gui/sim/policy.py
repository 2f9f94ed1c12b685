"""Policies: who titrates the virtual patient in a headless run.

A policy sees what a nurse sees at a check (:class:`Observation`) and answers with a
:class:`Decision`: new doses (None = unchanged), other actions and the next check time.
The runner asks each patient's own policy object at its check times, so a policy may keep
state. Two policies live here: ``none`` and ``fixed``; the titration engine's advisor is
adapted in :mod:`norepi_gui.sim.advisor`; the ``reference`` PI controller is :mod:`norepi_gui.sim.reference`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from norepi_gui.sim.actions import ACTION_KINDS


@dataclass(frozen=True)
class PatientContext:
    """What the team knows about the patient (history, lines); fixed for a run."""

    population: str = "adult"
    age_years: float | None = None
    chronic_hypertension: bool = False
    baseline_sbp_mmhg: float | None = None
    cardiac_dysfunction: bool = False
    ards: bool = False
    intra_abdominal_hypertension: bool = False
    arterial_line: bool = True
    explicit_target_map_mmhg: float | None = None  # an individual target written in the order


@dataclass(frozen=True)
class Observation:
    """What the bedside nurse sees at a check. Times in minutes from the start of the run."""

    patient: int
    time_min: float
    map_mmhg: float
    sbp_mmhg: float
    dbp_mmhg: float
    hr_bpm: float
    measured_at_min: float
    lactate_mmol_per_l: float
    lactate_at_min: float
    urine_ml_per_kg_per_h: float
    ne_mcg_per_kg_per_min: float
    vasopressin_u_per_min: float
    epinephrine_mcg_per_kg_per_min: float
    dobutamine_mcg_per_kg_per_min: float
    minutes_since_ne_change: float
    target_map_mmhg: float
    weight_kg: float
    line: str
    line_hours: float
    concentration_mcg_per_ml: float
    bag_remaining_ml: float
    pump_running: bool
    site_alert: bool
    context: PatientContext = field(default_factory=PatientContext)
    band_width_mmhg: float = 10.0  # the target band is [target_map_mmhg, target_map_mmhg + band_width_mmhg]
    hydrocortisone_mg_per_day: float = 0.0


@dataclass(frozen=True)
class Decision:
    """A policy's answer. Doses: None keeps the current one.

    ``reaction_delay_min`` delays the whole decision (a nurse walking to the pump);
    ``escalations_advised`` lists escalation kinds the policy considers due (for the
    debrief's "delay after due"), whether or not it also starts them.
    """

    next_check_in_min: float
    ne_mcg_per_kg_per_min: float | None = None
    vasopressin_u_per_min: float | None = None
    epinephrine_mcg_per_kg_per_min: float | None = None
    dobutamine_mcg_per_kg_per_min: float | None = None
    hydrocortisone_mg_per_day: float | None = None
    target_map_mmhg: float | None = None
    fluid_bolus_ml: float = 0.0
    change_bag: bool = False
    resite_line: bool = False
    flush_line: bool = False
    other_actions: tuple[str, ...] = ()
    escalations_advised: tuple[str, ...] = ()
    reaction_delay_min: float = 0.0

    def __post_init__(self) -> None:
        if not self.next_check_in_min > 0.0:
            raise ValueError(f"Decision.next_check_in_min must be > 0 (math.inf = never), got {self.next_check_in_min}")
        for name in (
            "ne_mcg_per_kg_per_min",
            "vasopressin_u_per_min",
            "epinephrine_mcg_per_kg_per_min",
            "dobutamine_mcg_per_kg_per_min",
            "hydrocortisone_mg_per_day",
            "target_map_mmhg",
        ):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v >= 0.0):
                raise ValueError(f"Decision.{name} must be a finite number >= 0 or None, got {v}")
        if not (math.isfinite(self.fluid_bolus_ml) and self.fluid_bolus_ml >= 0.0):
            raise ValueError(f"Decision.fluid_bolus_ml must be >= 0, got {self.fluid_bolus_ml}")
        if not (math.isfinite(self.reaction_delay_min) and self.reaction_delay_min >= 0.0):
            raise ValueError(f"Decision.reaction_delay_min must be >= 0, got {self.reaction_delay_min}")
        for kind in (*self.other_actions, *self.escalations_advised):
            if kind not in ACTION_KINDS:
                raise ValueError(f"Decision action {kind!r}: accepted {', '.join(ACTION_KINDS)}")


class Policy(Protocol):
    """Anything that turns an observation into a decision."""

    def decide(self, obs: Observation) -> Decision: ...


PolicyFactory = Callable[[], Policy]
"""Called once per patient: each patient gets its own policy object."""


class NonePolicy:
    """Never titrates: the norepinephrine dose stays at the scenario's start dose."""

    def decide(self, obs: Observation) -> Decision:
        return Decision(next_check_in_min=math.inf)


@dataclass
class FixedStepPolicy:
    """Textbook fixed titration: +step when MAP < target, -step when MAP > target + band.

    Fixed interval, no escalation. A nurse at the bedside also replaces an empty bag.
    Defaults: step 0.05 mcg/kg/min (MSF guide [S], clinical-reference "Starting and
    maintaining"), every 15 min (seeds 000/004: 5-15 min), band 10 mmHg above target,
    cap 1 mcg/kg/min (MSF guide [S]).
    """

    step: float = 0.05
    interval_min: float = 15.0
    band_mmhg: float = 10.0
    max_dose: float = 1.0

    def decide(self, obs: Observation) -> Decision:
        change_bag = obs.bag_remaining_ml <= 0.0
        if obs.minutes_since_ne_change < self.interval_min - 1e-6:
            wait = self.interval_min - obs.minutes_since_ne_change
            return Decision(next_check_in_min=wait, change_bag=change_bag)
        dose = obs.ne_mcg_per_kg_per_min
        new: float | None = None
        if obs.map_mmhg < obs.target_map_mmhg:
            new = round(min(dose + self.step, self.max_dose), 6)
        elif obs.map_mmhg > obs.target_map_mmhg + self.band_mmhg:
            new = round(max(dose - self.step, 0.0), 6)
        if new is not None and abs(new - dose) < 1e-12:
            new = None
        return Decision(next_check_in_min=self.interval_min, ne_mcg_per_kg_per_min=new, change_bag=change_bag)
