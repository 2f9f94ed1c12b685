"""Adapter from the titration engine's advice to a simulator :class:`Policy`.

The engine (``norepi_gui.core.titration``, written separately) exposes
``advise(state) -> Advice(action, dose_mcg_per_kg_per_min, next_check_in_min, escalations)``.
:class:`AdvisorPolicy` needs only two functions: ``advise`` itself and ``to_state``,
which builds the engine's state from an :class:`Observation`. It follows the advice
after a short reaction delay and starts advised escalations at their usual first doses.

**Wiring place**: :func:`advisor_policy_factory` below. Until the engine exists it raises
:class:`AdvisorUnavailableError`; the CLI turns that into exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from norepi_gui.sim.actions import ESCALATIONS
from norepi_gui.sim.policy import Decision, Observation, PolicyFactory

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


class AdvisorUnavailableError(RuntimeError):
    """The titration engine is not wired into the simulator yet."""


class AdviceLike(Protocol):
    """The fields of the engine's Advice the adapter reads."""

    @property
    def dose_mcg_per_kg_per_min(self) -> float | None: ...

    @property
    def next_check_in_min(self) -> float: ...

    @property
    def escalations(self) -> Sequence[object]: ...


def _code_tokens(item: object) -> list[str]:
    raw = getattr(item, "code", None) or getattr(item, "kind", None) or getattr(item, "name", None) or item
    return str(getattr(raw, "name", raw)).upper().replace("-", "_").split("_")


def escalation_kind(item: object) -> str | None:
    """Map an engine escalation (str, enum, or object with ``code``/``kind``/``name``) to an ESCALATIONS kind.

    A de-escalation (``STOP_VASOPRESSIN``, ``STOP_EPINEPHRINE``) is not an escalation: None.
    """
    tokens = _code_tokens(item)
    if "STOP" in tokens:
        return None
    for kind in ESCALATIONS:
        if kind.removeprefix("ADD_") in tokens:  # ADD_VASOPRESSIN, CONSIDER_DOBUTAMINE, "epinephrine"
            return kind
    return None


def stop_kind(item: object) -> str | None:
    """The drug an engine ``STOP_*`` advice takes off, as its ESCALATIONS kind (``ADD_VASOPRESSIN``), else None."""
    tokens = _code_tokens(item)
    if "STOP" not in tokens:
        return None
    return next((kind for kind in ESCALATIONS if kind.removeprefix("ADD_") in tokens), None)


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
            kinds = tuple(k for k in (escalation_kind(e) for e in advice.escalations) if k is not None)
            current = {
                "ADD_VASOPRESSIN": obs.vasopressin_u_per_min,
                "ADD_EPINEPHRINE": obs.epinephrine_mcg_per_kg_per_min,
                "ADD_DOBUTAMINE": obs.dobutamine_mcg_per_kg_per_min,
                "ADD_HYDROCORTISONE": obs.hydrocortisone_mg_per_day,
            }
            for kind in kinds:
                if current[kind] <= 0.0 and kind in self.escalation_doses:
                    doses[kind] = self.escalation_doses[kind]
            for kind in (k for k in (stop_kind(e) for e in advice.escalations) if k is not None):
                if current[kind] > 0.0:
                    doses[kind] = 0.0
        return Decision(
            next_check_in_min=advice.next_check_in_min,
            ne_mcg_per_kg_per_min=advice.dose_mcg_per_kg_per_min,
            vasopressin_u_per_min=doses.get("ADD_VASOPRESSIN"),
            epinephrine_mcg_per_kg_per_min=doses.get("ADD_EPINEPHRINE"),
            dobutamine_mcg_per_kg_per_min=doses.get("ADD_DOBUTAMINE"),
            hydrocortisone_mg_per_day=doses.get("ADD_HYDROCORTISONE"),
            change_bag=obs.bag_remaining_ml <= 0.0,
            escalations_advised=kinds,
            reaction_delay_min=self.reaction_delay_min,
        )


def advisor_policy_factory() -> PolicyFactory:
    """WIRING PLACE for the titration engine: :mod:`norepi_gui.sim.titration_advisor`.

    Raises :class:`AdvisorUnavailableError` when the engine or its protocol cannot be loaded.
    """
    try:
        from norepi_gui.sim.titration_advisor import engine_advisor_factory

        return engine_advisor_factory()
    except (ImportError, ValueError, OSError) as exc:  # missing engine, bad protocol file
        raise AdvisorUnavailableError(
            f"the advisor policy needs the titration engine (norepi_gui.core.titration): {exc}; "
            "use --policy fixed or none"
        ) from exc
