"""The flowsheet rows of a session (``norepi_gui.core.flowsheet``) read from its state: O(n) when asked.

Every entry as it stands (corrections folded in), in clinical order, with the dose and rate running, the
co-infusions, what changed and why, the reasons advice was not applied, corrections, deletions and the initials of
the nurse on duty who recorded it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from norepi_gui.bedside.records import (
    ANSWER_NOT_APPLIED,
    AnswerRecord,
    BagRecord,
    CoInfusionRecord,
    DoseRecord,
    HandoverRecord,
    OrderRecord,
    PatientRecord,
    ReadingRecord,
    as_str,
)
from norepi_gui.core.events import Event, EventKind
from norepi_gui.core.flowsheet import (
    BAG,
    CHECK,
    CO_INFUSION,
    DELETION,
    DOSE,
    HANDOVER,
    ORDER,
    READING,
    FlowsheetRow,
)

if TYPE_CHECKING:
    from norepi_gui.bedside.state import AmendmentRow, DoseRow, SessionState
    from norepi_gui.core.quality import Band

_SOURCES = {"manual": "set by the nurse", "new bag": "new bag, dose kept", "weight change": "weight changed, dose kept",
            "stopped": "stopped by the nurse", "charted": "charted"}
_KIND_NAMES = {EventKind.READING: "reading", EventKind.NE_DOSE: "dose change", EventKind.CO_INFUSION: "co-infusion"}


def _dose(value: float) -> str:
    from norepi_gui.core.titration.model import fmt_dose

    return fmt_dose(value)


def _clock(when: datetime, tz: tzinfo | None) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def co_text(running: dict[str, float], units: dict[str, str]) -> str:
    return "; ".join(f"{drug} {dose:g} {units.get(drug, '')}".rstrip() for drug, dose in sorted(running.items()))


def advice_reason(rationale: str) -> str:
    """Why an advice was given, in a few words: the engine's observation ("MAP 58 < target 65"), and what the order
    changed, if anything."""
    engine = rationale.split("The engine alone: ", 1)[-1]
    why = engine.split(": ", 1)[0]
    if rationale.startswith("Within the order"):
        notes = rationale.split(" (", 1)[1].split("). The engine alone", 1)[0] if " (" in rationale else ""
        return f"{why}; within the order: {notes}" if notes else why
    return why


def advice_what(payload: dict[str, object]) -> str:
    """The advice an answer refers to, from its ADVICE record: "increase to 0.15 mcg/kg/min"."""
    action = payload.get("action")
    dose = payload.get("dose_mcg_per_kg_per_min")
    if not isinstance(action, str):
        return "advice"
    words = {"start": "start at", "increase": "increase to", "decrease": "decrease to", "hold": "hold at",
             "taper_off": "stop", "none": "no norepinephrine"}
    text = words.get(action, action)
    if action in ("start", "increase", "decrease", "hold") and isinstance(dose, int | float):
        text += f" {_dose(float(dose))} mcg/kg/min"
    return text


def flowsheet_rows(state: SessionState, band: Band | None, tz: tzinfo | None = None, *,
                   since: datetime | None = None, until: datetime | None = None) -> list[FlowsheetRow]:
    """The rows from ``since`` to ``until`` (both optional), oldest first."""
    from norepi_gui.bedside.inputs import per_kg
    from norepi_gui.bedside.records import CO_INFUSION_UNITS

    advice_by_id = {e.id: e for e in state.advice_events}
    corrections: dict[int, list[AmendmentRow]] = {}
    for amendment in state.amendments:
        if not amendment.deleted:
            corrections.setdefault(amendment.target_id, []).append(amendment)
    weight = state.patient.weight_kg
    rows: list[tuple[datetime, int, FlowsheetRow]] = []
    previous_weight: float | None = None
    previous_bed = ""

    def running(event: Event) -> dict[str, Any]:
        dose = state.dose_at(event.at, event.seq)  # running then (a dose row: itself)
        co = co_text(state.co_at(event.at), CO_INFUSION_UNITS)
        if dose is None:
            return {"co_infusions": co}
        return {"ne_mcg_per_kg_per_min": per_kg(dose, weight) if dose.running else 0.0,
                "ne_mcg_per_min": dose.dose_mcg_per_min if dose.running else 0.0,
                "rate_ml_per_h": dose.pump_rate_ml_per_h, "co_infusions": co}

    def corrected(event: Event, reason: str) -> str:
        said = [f"corrected {_clock(a.recorded_at, tz)}" + (f" by {a.nurse}" if a.nurse else "")
                for a in corrections.get(event.id, [])]
        return "; ".join(x for x in (reason, *said) if x)

    for event in state.effective_events():
        p = event.payload
        initials = state.author(event.id) or ""
        row: FlowsheetRow | None = None
        kind = event.kind
        if kind is EventKind.READING:
            reading = ReadingRecord.from_payload(p)
            if reading is None:
                continue
            in_band = None if band is None else band.low <= reading.map_mmhg <= band.high
            row = FlowsheetRow(
                at=event.at, kind=READING, event="Reading", reason=corrected(event, ""), initials=initials,
                map_mmhg=reading.map_mmhg, map_computed=reading.map_from_pressures, sbp_mmhg=reading.sbp_mmhg,
                dbp_mmhg=reading.dbp_mmhg, hr_per_min=reading.hr_per_min,
                lactate_mmol_per_l=reading.lactate_mmol_per_l, urine_ml_per_kg_per_h=reading.urine_ml_per_kg_per_h,
                crt_s=reading.crt_s, altered_mental_status=reading.altered_mental_status, in_band=in_band,
                **running(event),
            )
        elif kind is EventKind.NE_DOSE:
            dose = DoseRecord.from_payload(p)
            if dose is None:
                continue
            before = state.dose_at(event.at, event.seq - 1)  # the row before this one
            row = FlowsheetRow(at=event.at, kind=DOSE, event=_dose_event(dose, before, weight),
                               reason=corrected(event, _dose_reason(dose, advice_by_id)), initials=initials,
                               **running(event))
        elif kind is EventKind.CO_INFUSION:
            co = CoInfusionRecord.from_payload(p)
            if co is None:
                continue
            what = f"{co.drug.capitalize()} stopped" if co.action == "stop" else \
                f"{co.drug.capitalize()} {co.action} {co.dose:g} {co.unit}"
            row = FlowsheetRow(at=event.at, kind=CO_INFUSION, event=what, reason=corrected(event, ""),
                               initials=initials, **running(event))
        elif kind is EventKind.INFUSION:
            bag = BagRecord.from_payload(p)
            if bag is None:
                continue
            described = bag.description or f"{bag.concentration_mcg_per_ml:g} mcg/mL base"
            row = FlowsheetRow(at=event.at, kind=BAG, event=f"Bag: {described}", reason=_salt_note(bag),
                               initials=initials, **running(event))
        elif kind is EventKind.PROMPT_ANSWERED:
            answer = AnswerRecord.from_payload(p)
            if answer is None or answer.answer != ANSWER_NOT_APPLIED:
                continue
            shown = advice_by_id.get(answer.advice_event_id) if answer.advice_event_id is not None else None
            what = advice_what(dict(shown.payload)) if shown is not None else "advice"
            row = FlowsheetRow(at=event.at, kind=CHECK, event=f"Advice not applied ({what})",
                               reason=answer.reason, initials=initials, **running(event))
        elif kind is EventKind.HANDOVER:
            handover = HandoverRecord.from_payload(p)
            if handover is None:
                continue
            what = f"Handover {handover.outgoing} to {handover.incoming}" if handover.outgoing else \
                f"{handover.incoming} signed on"
            if handover.bed and handover.bed != previous_bed:
                what += f", bed {handover.bed}"
            previous_bed = handover.bed
            row = FlowsheetRow(at=event.at, kind=HANDOVER, event=what, reason=handover.note,
                               initials=handover.incoming, **running(event))
        elif kind is EventKind.ORDER:
            order = OrderRecord.from_payload(p)
            if order is None:
                continue
            o = order.order
            what = (f"Titration order: start {o.start_dose:g}, step {o.step:g} {o.dose_unit} every "
                    f"{o.change_every_min:g} min, max {o.max_dose:g}, goal MAP {o.goal_map_low:g}-{o.goal_map_high:g}")
            row = FlowsheetRow(at=event.at, kind=ORDER, event=what,
                               reason=f"prescriber {o.prescriber}" if o.prescriber else "", initials=initials)
        elif kind is EventKind.PATIENT:
            patient = PatientRecord.from_payload(p)
            if patient.weight_kg is not None and previous_weight is not None \
                    and abs(patient.weight_kg - previous_weight) > 1e-9:
                row = FlowsheetRow(at=event.at, kind=DOSE, event=f"Weight {previous_weight:g} -> "
                                   f"{patient.weight_kg:g} kg", initials=initials)
            previous_weight = patient.weight_kg if patient.weight_kg is not None else previous_weight
        if row is not None:
            rows.append((event.at, event.seq, row))
    for amendment in state.amendments:
        if amendment.deleted:
            target = amendment.target_kind
            what = f"Entry deleted: {_KIND_NAMES.get(target, target.value.lower().replace('_', ' '))}"
            rows.append((amendment.recorded_at, 1 << 62, FlowsheetRow(
                at=amendment.recorded_at, kind=DELETION, event=what, initials=amendment.nurse or "")))
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for at, _seq, row in rows
            if (since is None or at >= since) and (until is None or at <= until)]


def _dose_event(dose: DoseRecord, before: DoseRow | None, weight: float | None) -> str:
    per_kg = dose.dose_mcg_per_kg_per_min
    if per_kg is None and weight:
        per_kg = dose.dose_mcg_per_min / weight
    if not dose.running:
        return "Norepinephrine stopped"
    now = f"{_dose(per_kg)} mcg/kg/min" if per_kg is not None else f"{_dose(dose.dose_mcg_per_min)} mcg/min"
    if before is None or not before.running:
        return f"Norepinephrine started {now}"
    old = before.dose_mcg_per_kg_per_min
    if old is None and weight:
        old = before.dose_mcg_per_min / weight
    if old is not None and per_kg is not None and abs(old - per_kg) < 1e-9:
        return f"Rate {before.pump_rate_ml_per_h:g} -> {dose.pump_rate_ml_per_h:g} mL/h, dose kept {now}"
    was = f"{_dose(old)}" if old is not None else f"{_dose(before.dose_mcg_per_min)} mcg/min"
    return f"Norepinephrine {was} -> {now}"


def _dose_reason(dose: DoseRecord, advice_by_id: dict[int, Event]) -> str:
    if dose.source == "advice":
        shown = advice_by_id.get(dose.advice_event_id) if dose.advice_event_id is not None else None
        rationale = as_str(shown.payload.get("rationale")) if shown is not None else None
        reason = "advice applied" + (f": {advice_reason(rationale)}" if rationale else "")
    else:
        reason = _SOURCES.get(dose.source, dose.source)
    if dose.confirmed_alerts:
        reason += "; confirmed " + ", ".join(a.replace("_", " ").lower() for a in dose.confirmed_alerts)
    return reason


def _salt_note(bag: BagRecord) -> str:
    if bag.salt != "base":
        return f"vial labelled as {bag.salt}, doses as base"
    return f"{bag.bag_volume_ml:g} mL read on the bag" if bag.bag_volume_ml is not None else ""
