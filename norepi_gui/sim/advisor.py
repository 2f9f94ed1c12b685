"""From the titration engine's advice to a simulator :class:`Policy`: what a nurse following it would do.

:class:`AdvisorPolicy` takes two functions: ``advise`` (the engine, :func:`norepi_gui.core.titration.advise`, wired
in :mod:`norepi_gui.sim.titration_advisor`) and ``to_state``, which builds its inputs from an :class:`Observation`. It
follows the advice after a short reaction delay, starts advised escalations at their usual first doses and takes
off the co-infusions the advice says to stop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from norepi_gui.sim.actions import ESCALATIONS
from norepi_gui.sim.policy import Decision, Observation

S = TypeVar("S")

# First doses when an escalation is started: vasopressin 0.03 U/min [seed 000, 001];
# epinephrine at the bottom of 0.05-2 mcg/kg/min [seed 000]; dobutamine at the bottom of
# 2.5-20 mcg/kg/min [seed 000]; hydrocortisone 200 mg/day (SSC 2021, protocol
# escalation.hydrocortisone_mg_per_day [U]). The protocol file will own these.
DEFAULT_ESCALATION_DOSES: Mapping[str, float] = {
    "ADD_VASOPRESSIN": 0.03,
    "ADD_EPINEPHRINE": 0.05,
    "ADD_DOBUTAMINE": 2.5,
    "ADD_HYDROCORTISONE": 200.0,
}
DEFAULT_REACTION_DELAY_MIN = 1.0  # model assumption: a nurse answers a prompt within a minute


class EscalationLike(Protocol):
    """What the adapter reads of the engine's :class:`~norepi_gui.core.titration.Escalation`."""

    @property
    def code(self) -> str: ...


class AdviceLike(Protocol):
    """The fields of the engine's Advice the adapter reads."""

    @property
    def dose_mcg_per_kg_per_min(self) -> float | None: ...

    @property
    def next_check_in_min(self) -> float: ...

    @property
    def escalations(self) -> Sequence[EscalationLike]: ...


def _drug(code: str) -> str | None:
    """The ESCALATIONS kind whose drug an engine code names: CONSIDER_DOBUTAMINE -> ADD_DOBUTAMINE."""
    tokens = code.upper().split("_")
    return next((kind for kind in ESCALATIONS if kind.removeprefix("ADD_") in tokens), None)


def escalation_kind(code: str) -> str | None:
    """The ESCALATIONS kind an engine escalation code starts (ADD_VASOPRESSIN, CONSIDER_DOBUTAMINE, ...); a
    de-escalation (STOP_VASOPRESSIN) or anything else (CHECK_VOLUME_STATUS): None."""
    return None if code.upper().startswith("STOP_") else _drug(code)


def stop_kind(code: str) -> str | None:
    """The drug an engine STOP_* code takes off, as its ESCALATIONS kind (STOP_VASOPRESSIN -> ADD_VASOPRESSIN)."""
    return _drug(code) if code.upper().startswith("STOP_") else None


@dataclass
class AdvisorPolicy(Generic[S]):
    """Follow ``advise(to_state(obs))`` after ``reaction_delay_min``."""

    advise: Callable[[S], AdviceLike]
    to_state: Callable[[Observation], S]
    reaction_delay_min: float = DEFAULT_REACTION_DELAY_MIN
    escalation_doses: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ESCALATION_DOSES))

    def decide(self, obs: Observation) -> Decision:
        advice = self.advise(self.to_state(obs))
        kinds: tuple[str, ...] = ()
        doses: dict[str, float] = {}
        if advice.escalations:  # most advice has none: skip the bookkeeping
            kinds = tuple(k for k in (escalation_kind(e.code) for e in advice.escalations) if k is not None)
            current = {
                "ADD_VASOPRESSIN": obs.vasopressin_u_per_min,
                "ADD_EPINEPHRINE": obs.epinephrine_mcg_per_kg_per_min,
                "ADD_DOBUTAMINE": obs.dobutamine_mcg_per_kg_per_min,
                "ADD_HYDROCORTISONE": obs.hydrocortisone_mg_per_day,
            }
            for kind in kinds:
                if current[kind] <= 0.0 and kind in self.escalation_doses:
                    doses[kind] = self.escalation_doses[kind]
            for kind in (k for k in (stop_kind(e.code) for e in advice.escalations) if k is not None):
                if current[kind] > 0.0:
                    doses[kind] = 0.0
        new_dose = advice.dose_mcg_per_kg_per_min
        changes = new_dose is not None and abs(new_dose - obs.ne_mcg_per_kg_per_min) > 1e-12
        return Decision(
            # After a dose change the window times the next check from the change (rule TIT-AWAIT-READING): the nurse
            # sets the pump after the reaction delay, and the check falls due that long after it.
            next_check_in_min=advice.next_check_in_min + (self.reaction_delay_min if changes else 0.0),
            ne_mcg_per_kg_per_min=advice.dose_mcg_per_kg_per_min,
            vasopressin_u_per_min=doses.get("ADD_VASOPRESSIN"),
            epinephrine_mcg_per_kg_per_min=doses.get("ADD_EPINEPHRINE"),
            dobutamine_mcg_per_kg_per_min=doses.get("ADD_DOBUTAMINE"),
            hydrocortisone_mg_per_day=doses.get("ADD_HYDROCORTISONE"),
            change_bag=obs.bag_remaining_ml <= 0.0,
            escalations_advised=kinds,
            reaction_delay_min=self.reaction_delay_min,
        )
