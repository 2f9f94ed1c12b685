"""The handover report's inputs read from a bedside session: its record, the advice derived from it now, the order,
the nurses, the quality figures and the flowsheet (Qt-free; ``norepi_gui.core.handover`` writes the report).

The report reads every entry of its window once: O(n) when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from norepi_gui.bedside.inputs import Unavailable, bag_left_ml, last_change_at, line_of, per_kg
from norepi_gui.bedside.records import ANSWER_NOT_APPLIED, AnswerRecord
from norepi_gui.core.alerts import Alert
from norepi_gui.core.handover import (
    DEFAULT_WINDOW_HOURS,
    AdviceDetails,
    ChartInput,
    EscalationLine,
    HandoverData,
    InfusionDetails,
    NurseDetails,
    PatientDetails,
    build_handover,
)

if TYPE_CHECKING:
    from norepi_gui.bedside.records import PatientRecord
    from norepi_gui.bedside.session import BedsideSession
    from norepi_gui.bedside.state import SessionState
    from norepi_gui.core.titration import Advice

# What starting each suggested escalation looks like in the record (the co-infusion the nurse charts).
_STARTS = {"ADD_VASOPRESSIN": "vasopressin", "ADD_EPINEPHRINE": "epinephrine", "CONSIDER_DOBUTAMINE": "dobutamine",
           "CONSIDER_HYDROCORTISONE": "hydrocortisone"}
_STOPS = {"STOP_VASOPRESSIN": "vasopressin", "STOP_EPINEPHRINE": "epinephrine", "STOP_DOBUTAMINE": "dobutamine"}


def patient_flags(patient: PatientRecord) -> tuple[str, ...]:
    flags: list[str] = []
    if patient.age_years is not None:
        flags.append(f"age {patient.age_years:g}")
    if patient.chronic_hypertension:
        sbp = patient.baseline_sbp_mmhg
        flags.append("chronic hypertension" + (f" (baseline SBP {sbp:g} mmHg)" if sbp is not None else ""))
    for flag, text in ((patient.ards, "ARDS"), (patient.intra_abdominal_hypertension, "intra-abdominal hypertension"),
                       (patient.cardiac_dysfunction, "cardiac dysfunction")):
        if flag:
            flags.append(text)
    if patient.arterial_line is not None:
        flags.append("arterial line" if patient.arterial_line else "no arterial line")
    if patient.fluids_ml_per_kg is not None:
        flags.append(f"fluids {patient.fluids_ml_per_kg:.0f} mL/kg")
    if patient.target_map_mmhg is not None:
        flags.append(f"individual target MAP {patient.target_map_mmhg:g} mmHg")
    return tuple(flags)


def _clock(when: datetime, tz: tzinfo | None) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def escalations_considered(state: SessionState, advice: Advice | Unavailable, since: datetime, tz: tzinfo | None
                           ) -> list[EscalationLine]:
    """Every escalation the advice suggested in the window (from the ADVICE records: what was shown), when first,
    and what the record shows was done about it."""
    first: dict[str, tuple[datetime, str]] = {}
    for event in state.advice_events:
        if event.at < since:
            continue
        listed = event.payload.get("escalations")
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                code = str(item["code"])
                reason = str(item.get("reason") or "")
                first[code] = (first[code][0], reason) if code in first else (event.at, reason)
    now_codes = set() if isinstance(advice, Unavailable) else set(advice.escalation_codes())
    lines = []
    for code, (when, reason) in first.items():
        drug = _STARTS.get(code) or _STOPS.get(code)
        action = "stop" if code in _STOPS else None
        done = next((row for row in state.co_infusion_log if drug is not None and row.drug == drug and row.at >= when
                     and ((row.action == "stop") if action == "stop" else row.action != "stop")), None)
        if done is not None:
            outcome = f"{drug} {'stopped' if action == 'stop' else 'started'} {_clock(done.at, tz)}"
        elif code in now_codes:
            outcome = "still suggested now"
        else:
            outcome = "no longer suggested"
        lines.append(EscalationLine(code.replace("_", " ").capitalize(), reason, when, outcome))
    return lines


def _local_overdue(alert: Alert, due: datetime | None, now: datetime, tz: tzinfo | None) -> Alert:
    """The overdue-check alert with its due time in local time (the engine writes the due time as UTC)."""
    if alert.code != "CHECK_OVERDUE" or due is None:
        return alert
    late = (now - due).total_seconds() / 60.0
    return Alert(alert.code, alert.priority,
                 f"Check overdue by {late:.0f} min (due {_clock(due, tz)}): take a reading now.")


def handover_report(session: BedsideSession, *, advice_text: Callable[[Advice], str], tz: tzinfo | None = None,
                    window_hours: float = DEFAULT_WINDOW_HOURS) -> HandoverData:
    """The report's content from the session's record and its advice now. ``advice_text`` writes the advice's
    headline as the window shows it."""
    state = session.state
    protocol = session.protocol
    now = session.now()
    since = now - timedelta(hours=window_hours)
    p = state.patient
    line = line_of(state)
    patient = PatientDetails(
        weight_kg=p.weight_kg, population=p.population, flags=patient_flags(p), line=p.line,
        line_inserted_at=p.line_inserted_at, line_max_hours=protocol.line(line).max_hours or None,
        label=session.info.label if session.info is not None else "", bed=state.bed,
    )
    current = state.dose_at(now)
    running = current is not None and current.running
    bag = state.bag
    conc = bag.concentration_mcg_per_ml if bag is not None else (current.concentration_mcg_per_ml if current else None)
    co = tuple(f"{row.drug} {row.dose:g} {row.unit} since {_clock(row.at, tz)}"
               for row in state.active_co_infusions.values())
    weight = p.weight_kg
    infusion = InfusionDetails(
        concentration=(bag.description if bag is not None and bag.description else
                       f"{conc:g} mcg/mL base" if conc is not None else "not recorded"),
        salt=bag.salt if bag is not None else "base",
        dose_mcg_per_min=current.dose_mcg_per_min if running and current is not None else 0.0,
        pump_rate_ml_per_h=current.pump_rate_ml_per_h if running and current is not None else 0.0,
        dose_mcg_per_kg_per_min=per_kg(current, weight) if running and weight else None,
        co_infusions=co, bag_left_ml=bag_left_ml(state, now),
        running_since=last_change_at(state) if running else None,
    )
    advice = session.advice
    if isinstance(advice, Unavailable):
        details = AdviceDetails(text=advice.reason)
        alerts = []
    else:
        details = AdviceDetails(text=advice_text(advice), rationale=advice.rationale, rule_ids=advice.rules,
                                next_check_at=session.prompt.due_at)
        alerts = [_local_overdue(a, session.prompt.due_at, now, tz) for a in advice.alerts]
    quality = session.quality()
    nurse = NurseDetails(
        on_duty=state.nurse, since=state.shift_start if state.nurse else None,
        handovers=tuple((row.at, f"{row.record.outgoing} to {row.record.incoming}") for row in state.handovers
                        if row.record.outgoing and row.at >= since),
    )
    markers: list[tuple[datetime, str, str]] = []
    previous = None
    for row in state.doses:
        key = (row.running, per_kg(row, weight))
        if key != previous:
            markers.append((row.at, "titration", "NE stopped" if not row.running else f"NE {key[1]:.3g}"))
        previous = key
    markers += [(row.at, "co_infusion", f"{row.drug} {row.action}") for row in state.co_infusion_log]
    markers += [(row.at, "handover", f"{row.record.incoming}") for row in state.handovers]
    for event in state.answers:
        answer = AnswerRecord.from_payload(event.payload)
        if answer is not None and answer.answer == ANSWER_NOT_APPLIED:
            markers.append((event.at, "not_applied", "advice not applied"))
    band = quality.band if quality is not None else None
    chart = ChartInput(
        readings=tuple((row.at, row.map_mmhg) for row in state.readings),
        doses=tuple((row.at, per_kg(row, weight)) for row in state.doses),
        markers=tuple(sorted(markers)),
        band=(band.low, band.high) if band is not None else None,
        floor=band.floor if band is not None else None,
        since=state.shift_start,
    )
    return build_handover(
        patient=patient, infusion=infusion, advice=details,
        escalations=escalations_considered(state, advice, since, tz), alerts=alerts,
        flowsheet=session.flowsheet(tz, since=since), protocol_name=protocol.meta.name,
        protocol_version=protocol.meta.version, clock=session.clock, order=state.order, quality=quality,
        nurse=nurse, chart=chart, tz=tz, window_hours=window_hours,
    )

