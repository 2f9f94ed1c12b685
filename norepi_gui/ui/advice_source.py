"""Adapter between the window's record and the titration engine (``norepi_gui.core.titration``).

It only translates: the recorded session (:class:`SessionState`) becomes the engine's inputs, and the engine's
:class:`Advice` comes back unchanged. Every decision, target, limit and interval is the engine's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from norepi_gui.core.bag import volume_left_ml
from norepi_gui.core.dosing import Concentration, DoseRate, Salt
from norepi_gui.core.errors import InputError
from norepi_gui.core.infusion import InfusionRequest, InfusionSummary, summarise_infusion
from norepi_gui.core.protocol import LineType, Population
from norepi_gui.core.titration import (
    Advice,
    CoInfusions,
    InfusionState,
    OverdueState,
    PatientInfo,
    Reading,
    advise,
    overdue_state,
)
from norepi_gui.core.titration.lines import extravasation_text
from norepi_gui.core.units import Q
from norepi_gui.ui.session_state import as_float, parse_time

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.core.protocol import Protocol
    from norepi_gui.ui.session_state import CoInfusionRow, DoseRow, ReadingRow, SessionState

__all__ = ["advice_for", "bag_left_ml", "dose_summary", "overdue", "patient_info", "reading_payload", "safety_note"]


def _population(state: SessionState) -> Population:
    value = state.patient.get("population")
    return Population(value) if isinstance(value, str) else Population.ADULT


def _line(state: SessionState) -> LineType:
    value = state.patient.get("line")
    return LineType(value) if isinstance(value, str) else LineType.CENTRAL


def patient_info(state: SessionState, now: datetime) -> PatientInfo:
    """The engine's patient from the recorded PATIENT snapshot; InputError names what is missing."""
    p = state.patient
    weight = as_float(p.get("weight_kg"))
    if weight is None:
        raise InputError("weight", "no weight recorded", "enter the patient's weight (kg or lb)")
    inserted = parse_time(p.get("line_inserted_at"))
    line_hours = 0.0 if inserted is None else max(0.0, (now - inserted).total_seconds() / 3600.0)
    arterial = p.get("arterial_line")
    return PatientInfo(
        weight_kg=weight,
        population=_population(state),
        age_years=as_float(p.get("age_years")),
        chronic_hypertension=p.get("chronic_hypertension") is True,
        baseline_sbp_mmhg=as_float(p.get("baseline_sbp_mmhg")),
        ards=p.get("ards") is True,
        intra_abdominal_hypertension=p.get("intra_abdominal_hypertension") is True,
        cardiac_dysfunction=p.get("cardiac_dysfunction") is True,
        line=_line(state),
        line_hours=line_hours,
        fluids_ml_per_kg=as_float(p.get("fluids_ml_per_kg")),
        arterial_line=arterial if isinstance(arterial, bool) else None,
        target_map_mmhg=as_float(p.get("target_map_mmhg")),
    )


def concentration(state: SessionState, protocol: Protocol) -> Concentration:
    """The running bag's base concentration: the recorded set-up, else the last dose's, else the protocol default."""
    value = as_float(state.infusion.get("concentration_mcg_per_ml"))
    if value is None and state.current_dose is not None:
        value = state.current_dose.concentration_mcg_per_ml
    if value is None:
        value = protocol.concentrations.default_mcg_per_ml
    return Concentration(base=Q(value, "mcg/mL"), salt=Salt.BASE)


def _per_kg(dose: DoseRow | None, weight_kg: float) -> float:
    if dose is None or dose.pump_rate_ml_per_h <= 0:
        return 0.0
    if dose.dose_mcg_per_kg_per_min is not None:
        return dose.dose_mcg_per_kg_per_min
    per_kg = DoseRate.flat(dose.dose_mcg_per_min).mcg_per_kg_per_min(Q(weight_kg, "kg"))
    return 0.0 if per_kg is None else per_kg


def _co_at(log: tuple[CoInfusionRow, ...], when: datetime) -> dict[str, float]:
    running: dict[str, float] = {}
    for row in log:
        if row.at > when:
            break
        if row.action == "stop":
            running.pop(row.drug, None)
        else:
            running[row.drug] = row.dose
    return running


def _co_infusions(running: dict[str, float]) -> CoInfusions:
    return CoInfusions(
        vasopressin_u_per_min=running.get("vasopressin", 0.0),
        epinephrine_mcg_per_kg_per_min=running.get("epinephrine", 0.0),
        dobutamine_mcg_per_kg_per_min=running.get("dobutamine", 0.0),
        hydrocortisone_started="hydrocortisone" in running,
    )


def engine_reading(row: ReadingRow, state: SessionState, weight_kg: float) -> Reading:
    p = row.payload
    co = _co_at(state.co_infusion_log, row.at)
    mental = p.get("altered_mental_status")
    return Reading(
        at=row.at,
        map_mmhg=as_float(p.get("map_entered")) if "map_entered" in p else row.map_mmhg,
        sbp_mmhg=row.sbp_mmhg,
        dbp_mmhg=row.dbp_mmhg,
        hr_per_min=row.hr_per_min,
        ne_dose_mcg_per_kg_per_min=_per_kg(state.dose_at(row.at), weight_kg),
        vasopressin_u_per_min=co.get("vasopressin"),
        epinephrine_mcg_per_kg_per_min=co.get("epinephrine"),
        dobutamine_mcg_per_kg_per_min=co.get("dobutamine"),
        lactate_mmol_per_l=as_float(p.get("lactate_mmol_per_l")),
        urine_ml_per_kg_per_h=as_float(p.get("urine_ml_per_kg_per_h")),
        crt_s=as_float(p.get("crt_s")),
        altered_mental_status=mental if isinstance(mental, bool) else None,
    )


def reading_payload(reading: Reading) -> dict[str, object]:
    """What a READING event stores: the values as entered plus the MAP the engine derives (shown and plotted)."""
    return {
        "map_mmhg": reading.map,
        "map_entered": reading.map_mmhg,
        "map_from": "sbp_dbp" if reading.map_is_computed else "entered",
        "sbp_mmhg": reading.sbp_mmhg,
        "dbp_mmhg": reading.dbp_mmhg,
        "hr_per_min": reading.hr_per_min,
        "lactate_mmol_per_l": reading.lactate_mmol_per_l,
        "urine_ml_per_kg_per_h": reading.urine_ml_per_kg_per_h,
        "crt_s": reading.crt_s,
        "altered_mental_status": reading.altered_mental_status,
        "perfusion": {
            key: value for key, value in (
                ("lactate", reading.lactate_mmol_per_l), ("urine mL/kg/h", reading.urine_ml_per_kg_per_h),
                ("CRT s", reading.crt_s), ("altered mental status", reading.altered_mental_status),
            ) if value is not None
        },
    }


def advice_for(state: SessionState, protocol: Protocol, now: datetime) -> Advice:
    """The engine's advice for the recorded session at ``now``. Raises InputError naming what is missing."""
    if not state.readings:
        raise InputError("readings", "no reading recorded yet", "a MAP or SBP/DBP reading")
    patient = patient_info(state, now)
    readings = [engine_reading(r, state, patient.weight_kg) for r in state.readings]
    bag_left = bag_left_ml(state, now)
    infusion = InfusionState(
        concentration=concentration(state, protocol),
        dose_mcg_per_kg_per_min=_per_kg(state.dose_at(now), patient.weight_kg),
        bag_volume_left_ml=bag_left,
    )
    co = _co_infusions({drug: row.dose for drug, row in state.active_co_infusions.items()})
    return advise(readings, patient, infusion, protocol, now=now, co_infusions=co)


def bag_left_ml(state: SessionState, now: datetime) -> float | None:
    """The running bag's volume left at ``now``: the recorded volume less the pump's delivery since (core)."""
    recorded = as_float(state.infusion.get("bag_volume_ml"))
    if recorded is None or state.infusion_at is None:
        return recorded
    rates = sorted((row.at, row.pump_rate_ml_per_h) for row in state.doses)
    return volume_left_ml(recorded, state.infusion_at, rates, now)


def dose_summary(state: SessionState, protocol: Protocol, dose_mcg_per_kg_per_min: float) -> InfusionSummary:
    """The infusion panel's figures for a per-kg dose on the recorded patient and bag (e.g. the advised dose)."""
    weight = as_float(state.patient.get("weight_kg"))
    if weight is None:
        raise InputError("weight", "no weight recorded", "enter the patient's weight (kg or lb)")
    bag_left = as_float(state.infusion.get("bag_volume_ml"))
    drop = as_float(state.infusion.get("drop_factor"))
    current = state.current_dose
    request = InfusionRequest(
        concentration=concentration(state, protocol),
        weight=Q(weight, "kg"),
        population=_population(state),
        dose=DoseRate.per_kg(dose_mcg_per_kg_per_min),
        line=_line(state),
        drop_factor_gtt_per_ml=drop,
        bag_volume_left=None if bag_left is None else Q(bag_left, "mL"),
        current_dose_mcg_per_min=current.dose_mcg_per_min if current is not None and
        current.pump_rate_ml_per_h > 0 else None,
    )
    return summarise_infusion(request, protocol)


def overdue(due: datetime, now: datetime, protocol: Protocol) -> OverdueState:
    return overdue_state(due, now, protocol.intervals)


def safety_note(state: SessionState) -> str | None:
    """The engine's extravasation pathway for a peripheral or IO line (``None`` on a central line)."""
    line = _line(state)
    if line is LineType.CENTRAL:
        return None
    weight = as_float(state.patient.get("weight_kg"))
    if weight is None:
        return None
    try:
        info = PatientInfo(weight_kg=weight, population=_population(state), line=line)
    except InputError:
        return None
    return extravasation_text(info)
