"""The ``advisor`` policy: the titration engine (``norepi_gui.core.titration.advise``) at the bedside.

Each virtual patient gets its own :class:`EngineAdvisor`, which keeps the readings a nurse
would have charted at each check (a :class:`ChartedHistory`, appended to once per check so
each advice costs the same however long the run) and asks the engine for advice on the
latest one: ``advise_dose``, the action, dose, next check and escalations of ``advise`` without the rationale,
alerts and reminders a headless run never shows (the same code decides them). The
engine's protocol is loaded once (``load_protocol()``, the shipped default unless a path
is given). Simulation minutes are placed on a fixed UTC origin so runs stay deterministic.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from norepi_gui.core.dosing import Concentration, parse_concentration
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import LineType, Population, Protocol, load_protocol
from norepi_gui.core.titration import (
    CoInfusions,
    DoseAdvice,
    Escalation,
    InfusionState,
    PatientInfo,
    Reading,
    advise_dose,
)
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.readings import check_reading
from norepi_gui.sim.advisor import DEFAULT_REACTION_DELAY_MIN, AdvisorPolicy
from norepi_gui.sim.policy import Observation, PatientContext, Policy

ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
_LINES = {"central": LineType.CENTRAL, "peripheral": LineType.PERIPHERAL, "io": LineType.INTRAOSSEOUS}

State = tuple[ChartedHistory, Observation, bool]  # (chart, observation, the observation was charted)


@dataclass(frozen=True)
class RepeatReading:
    """What a nurse does with a value the engine refuses to chart (a flush square wave read as 250 mmHg): no dose
    change, look again after readings.repeat_after_minutes."""

    next_check_in_min: float
    dose_mcg_per_kg_per_min: float | None = None
    escalations: tuple[Escalation, ...] = ()


class EngineAdvisor:
    """Builds the engine's inputs from observations and keeps the charted history of one patient."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.history = ChartedHistory()
        self._co: tuple[bytes, CoInfusions] | None = None
        self._patient: tuple[tuple[float, str, PatientContext], PatientInfo] | None = None

    def to_state(self, obs: Observation) -> State:
        """The observation charted as the window would chart it; a value the window refuses at entry (outside the
        plausible range, or any field outside what a reading accepts, as a flush square wave gives) is not charted:
        the nurse looks again (:class:`RepeatReading`), and the run goes on."""
        try:
            reading = Reading(
                at=ORIGIN + timedelta(minutes=obs.time_min),
                map_mmhg=obs.map_mmhg,
                sbp_mmhg=obs.sbp_mmhg,
                dbp_mmhg=obs.dbp_mmhg,
                hr_per_min=obs.hr_bpm,
                ne_dose_mcg_per_kg_per_min=obs.ne_mcg_per_kg_per_min,
                vasopressin_u_per_min=obs.vasopressin_u_per_min,
                epinephrine_mcg_per_kg_per_min=obs.epinephrine_mcg_per_kg_per_min,
                dobutamine_mcg_per_kg_per_min=obs.dobutamine_mcg_per_kg_per_min,
                lactate_mmol_per_l=obs.lactate_mmol_per_l,
                urine_ml_per_kg_per_h=obs.urine_ml_per_kg_per_h,
            )
            check_reading(reading, self.protocol)
        except InputError:
            return self.history, obs, False
        self.history.append(reading)
        return self.history, obs, True

    def patient(self, obs: Observation) -> PatientInfo:
        """The patient as the engine reads it. Built and checked once: weight, line and history stay the same through
        a run, and from check to check only the hours the line has been in place move on."""
        key = (obs.weight_kg, obs.line, obs.context)
        if self._patient is not None and self._patient[0] == key:
            known = self._patient[1]
            if known.line_hours != obs.line_hours:
                known = known.with_line_hours(obs.line_hours)
                self._patient = (key, known)
            return known
        ctx = obs.context
        patient = PatientInfo(
            weight_kg=obs.weight_kg,
            population=_population(ctx.population),
            age_years=ctx.age_years,
            chronic_hypertension=ctx.chronic_hypertension,
            baseline_sbp_mmhg=ctx.baseline_sbp_mmhg,
            ards=ctx.ards,
            intra_abdominal_hypertension=ctx.intra_abdominal_hypertension,
            cardiac_dysfunction=ctx.cardiac_dysfunction,
            line=_LINES[obs.line],
            line_hours=obs.line_hours,
            arterial_line=ctx.arterial_line,
            target_map_mmhg=ctx.explicit_target_map_mmhg,
        )
        self._patient = (key, patient)
        return patient

    def concentration(self, mcg_per_ml: float) -> Concentration:
        return _concentration(mcg_per_ml)

    def co_infusions(self, obs: Observation) -> CoInfusions:
        """The other drugs running; the same (immutable) object while their doses stay the same, bit for bit."""
        doses = (obs.vasopressin_u_per_min, obs.epinephrine_mcg_per_kg_per_min, obs.dobutamine_mcg_per_kg_per_min,
                 obs.hydrocortisone_mg_per_day)
        key = struct.pack("<4d", *doses)  # bits, not ==: -0.0 and 0.0 stay apart
        if self._co is None or self._co[0] != key:
            self._co = (key, CoInfusions(vasopressin_u_per_min=doses[0], epinephrine_mcg_per_kg_per_min=doses[1],
                                         dobutamine_mcg_per_kg_per_min=doses[2], hydrocortisone_started=doses[3] > 0.0))
        return self._co[1]

    def advise(self, state: State) -> DoseAdvice | RepeatReading:
        chart, obs, charted = state
        if not charted:
            return RepeatReading(self.protocol.readings.repeat_after_minutes)
        patient = self.patient(obs)
        since = obs.minutes_since_ne_change
        infusion = InfusionState(
            concentration=self.concentration(obs.concentration_mcg_per_ml),
            dose_mcg_per_kg_per_min=obs.ne_mcg_per_kg_per_min,
            bag_volume_left_ml=obs.bag_remaining_ml,
            # when the pump was set to the running dose, as the window records it (None: before the run began)
            dose_since=chart.readings[-1].at - timedelta(minutes=since) if math.isfinite(since) else None,
            # a run starts its infusion at minute 0 (the scenario's start dose): a start, not a dose of unknown age
            dose_before=0.0 if math.isfinite(since) and since >= obs.time_min - 1e-9 else None,
        )
        return advise_dose(chart, patient, infusion, self.protocol, now=chart.readings[-1].at,
                           co_infusions=self.co_infusions(obs))


@lru_cache(maxsize=8)
def _population(name: str) -> Population:
    return Population(name)


@lru_cache(maxsize=64)
def _concentration(mcg_per_ml: float) -> Concentration:
    """One (immutable) concentration per strength, shared by every patient of a run."""
    return parse_concentration(f"{mcg_per_ml:g} mcg/mL")


class AdvisorUnavailableError(RuntimeError):
    """The advisor policy cannot run: its protocol file does not load."""


def engine_advisor_factory(
    protocol_path: Path | None = None, reaction_delay_min: float = DEFAULT_REACTION_DELAY_MIN
) -> Callable[[], Policy]:
    """A policy factory: one :class:`AdvisorPolicy` over the engine per patient. Raises
    :class:`AdvisorUnavailableError` naming the problem when the protocol cannot be loaded."""
    try:
        protocol = load_protocol(protocol_path)
    except (ValueError, OSError) as exc:
        raise AdvisorUnavailableError(f"the advisor policy cannot load its protocol: {exc}; use --policy fixed, "
                                      "reference or none") from exc

    def make() -> Policy:
        adviser = EngineAdvisor(protocol)
        return AdvisorPolicy(advise=adviser.advise, to_state=adviser.to_state, reaction_delay_min=reaction_delay_min)

    return make
