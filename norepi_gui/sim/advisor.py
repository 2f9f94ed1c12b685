"""From the titration engine's advice to a simulator :class:`Policy`: what a nurse following it would do.

:class:`AdvisorPolicy` takes two functions: ``advise`` (the engine, :func:`norepi_gui.core.titration.advise`, wired
in :mod:`norepi_gui.sim.titration_advisor`) and ``to_state``, which builds its inputs from an :class:`Observation`. It
follows the advice after a short reaction delay, starts advised escalations at the dose the advice names and takes
off the co-infusions the advice says to stop.

The first dose of an escalation is the engine's (``Escalation.dose``), so it is the protocol's: for an adult
vasopressin escalation.vasopressin_dose_u_per_min (0.03 U/min [seed 000, 001]), epinephrine and dobutamine at the
bottom of their ranges [seed 000], hydrocortisone escalation.hydrocortisone_mg_per_day (200 mg/day, SSC 2021 [U]); for
a child the per-kg doses of populations.pediatric (vasopressin_u_per_kg_per_min, hydrocortisone_mg_per_kg_per_day).
An escalation without a dose ("dose per the prescriber's order": a child's epinephrine and dobutamine, and any
drug the protocol has no paediatric dose for) is advised but not started: no adult flat dose ever reaches a child.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from norepi_gui.sim.actions import ESCALATIONS
from norepi_gui.sim.policy import Decision, Observation

S = TypeVar("S")

DEFAULT_REACTION_DELAY_MIN = 1.0  # model assumption: a nurse answers a prompt within a minute


class EscalationLike(Protocol):
    """What the adapter reads of the engine's :class:`~norepi_gui.core.titration.Escalation`."""

    @property
    def code(self) -> str: ...

    @property
    def dose(self) -> float | None: ...


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

    def decide(self, obs: Observation) -> Decision:
        advice = self.advise(self.to_state(obs))
        kinds: tuple[str, ...] = ()
        doses: dict[str, float] = {}
        if advice.escalations:  # most advice has none: skip the bookkeeping
            started = [(escalation_kind(e.code), e.dose) for e in advice.escalations]
            kinds = tuple(k for k, _dose in started if k is not None)
            current = {
                "ADD_VASOPRESSIN": obs.vasopressin_u_per_min,
                "ADD_EPINEPHRINE": obs.epinephrine_mcg_per_kg_per_min,
                "ADD_DOBUTAMINE": obs.dobutamine_mcg_per_kg_per_min,
                "ADD_HYDROCORTISONE": obs.hydrocortisone_mg_per_day,
            }
            for kind, dose in started:
                if kind is not None and current[kind] <= 0.0 and dose is not None and dose > 0.0:
                    doses[kind] = dose  # the protocol's first dose, as the advice names it
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
