"""Charted readings (``norepi-gui advise``'s CSV) turned into a bedside record, and the advice derived from it.

The script interface and the window must answer the same question the same way, so the CLI does not call the engine
itself: it writes what the file says into an in-memory session, as a nurse would have recorded it (the patient, the
bag, each dose change and co-infusion change at the reading that first shows it, each reading), and asks that
session for its advice, through the same input builder the window uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from norepi_gui.bedside.memory import MemoryStore
from norepi_gui.bedside.records import BagRecord, CoInfusionRecord, DoseRecord, PatientRecord, ReadingRecord
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import EventKind, Payload

if TYPE_CHECKING:
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.core.titration import Advice, CoInfusions, InfusionState, PatientInfo, Reading

_CO_COLUMNS = (
    ("vasopressin", "U/min", "vasopressin_u_per_min"),
    ("epinephrine", "mcg/kg/min", "epinephrine_mcg_per_kg_per_min"),
    ("dobutamine", "mcg/kg/min", "dobutamine_mcg_per_kg_per_min"),
)


def patient_record(patient: PatientInfo, now: datetime) -> PatientRecord:
    return PatientRecord(
        weight_kg=patient.weight_kg,
        weight_entered=f"{patient.weight_kg:g} kg",
        population=patient.population.value,
        age_years=patient.age_years,
        chronic_hypertension=patient.chronic_hypertension,
        baseline_sbp_mmhg=patient.baseline_sbp_mmhg,
        ards=patient.ards,
        intra_abdominal_hypertension=patient.intra_abdominal_hypertension,
        cardiac_dysfunction=patient.cardiac_dysfunction,
        line=patient.line.value,
        line_inserted_at=now - timedelta(hours=patient.line_hours) if patient.line_hours > 0 else None,
        arterial_line=patient.arterial_line,
        fluids_ml_per_kg=patient.fluids_ml_per_kg,
        target_map_mmhg=patient.target_map_mmhg,
    )


def _dose_record(dose: float, weight_kg: float, concentration_mcg_per_ml: float) -> DoseRecord:
    """A charted dose (0: stopped). The rate is only for the record's completeness: the engine reads the dose."""
    rate = max(dose, 0.0) * weight_kg * 60.0 / concentration_mcg_per_ml  # mL/h = dose x kg x 60 / conc [seed 002]
    return DoseRecord(dose_mcg_per_kg_per_min=dose, dose_mcg_per_min=dose * weight_kg, rate_ml_per_h=rate,
                      pump_rate_ml_per_h=rate, concentration_mcg_per_ml=concentration_mcg_per_ml, basis="per_kg",
                      source="charted")


def _entries(readings: Sequence[Reading], patient: PatientInfo, infusion: InfusionState, now: datetime,
             co_infusions: CoInfusions | None) -> list[tuple[EventKind, Payload, datetime]]:
    ordered = sorted(readings, key=lambda r: r.at)
    start = ordered[0].at
    conc = infusion.concentration.mcg_per_ml
    entries: list[tuple[EventKind, Payload, datetime]] = [
        (EventKind.PATIENT, patient_record(patient, now).to_payload(), start)]
    known = [r.ne_dose_mcg_per_kg_per_min for r in ordered if r.ne_dose_mcg_per_kg_per_min is not None]
    running = known[0] if known else infusion.dose_mcg_per_kg_per_min  # the first dose stands for those before
    if running > 0:
        entries.append((EventKind.NE_DOSE, _dose_record(running, patient.weight_kg, conc).to_payload(), start))
    co_running = {drug: 0.0 for drug, _unit, _attr in _CO_COLUMNS}
    for i, reading in enumerate(ordered):
        dose = reading.ne_dose_mcg_per_kg_per_min
        if dose is not None and abs(dose - running) > 1e-12:
            entries.append((EventKind.NE_DOSE, _dose_record(dose, patient.weight_kg, conc).to_payload(), reading.at))
            running = dose
        for drug, unit, attr in _CO_COLUMNS:
            value = getattr(co_infusions if co_infusions is not None and i == len(ordered) - 1 else reading, attr)
            value = value or 0.0
            if abs(value - co_running[drug]) > 1e-12:
                action = "stop" if value <= 0 else ("change" if co_running[drug] > 0 else "start")
                entries.append((EventKind.CO_INFUSION, CoInfusionRecord(drug, action, value, unit).to_payload(),
                                reading.at))
                co_running[drug] = value
        entries.append((EventKind.READING, ReadingRecord.from_reading(reading).to_payload(), reading.at))
    current = infusion.dose_mcg_per_kg_per_min
    if abs(current - running) > 1e-12:  # the dose running now differs from the last row's
        entries.append((EventKind.NE_DOSE, _dose_record(current, patient.weight_kg, conc).to_payload(),
                        ordered[-1].at))
    bag = BagRecord(concentration_mcg_per_ml=conc, description=infusion.concentration.describe(),
                    bag_volume_ml=infusion.bag_volume_left_ml)
    entries.append((EventKind.INFUSION, bag.to_payload(), max(now, ordered[-1].at)))
    return entries


def session_from_readings(readings: Sequence[Reading], patient: PatientInfo, infusion: InfusionState,
                          protocol: Protocol, *, now: datetime,
                          co_infusions: CoInfusions | None = None) -> BedsideSession:
    """An in-memory bedside session holding what ``readings`` say was charted, its clock at ``now``."""
    if not readings:
        raise InputError("readings", "no readings", "at least one reading with a MAP or SBP/DBP")
    clock = ManualClock(now)
    session = BedsideSession(lambda: MemoryStore(clock), clock, protocol)
    session.new_session("advise")
    session.replay(_entries(readings, patient, infusion, now, co_infusions))
    return session


def advice_for_readings(readings: Sequence[Reading], patient: PatientInfo, infusion: InfusionState,
                        protocol: Protocol, *, now: datetime, co_infusions: CoInfusions | None = None) -> Advice:
    """The advice the bedside layer derives for these readings at ``now``; InputError names what is wrong."""
    session = session_from_readings(readings, patient, infusion, protocol, now=now, co_infusions=co_infusions)
    return session.derive_advice()
