"""File > Export PDF handover / Print: the recorded session handed to the core's report builder and to the layout.

The content (which readings, in what order, how written) is decided by ``norepi_gui.core.handover.build_handover``;
the layout by ``norepi_gui.ui.report``. This module only gathers the inputs from the window's recorded state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.handover import (
    DEFAULT_WINDOW_HOURS,
    AdviceDetails,
    EscalationLine,
    HandoverData,
    HandoverReading,
    InfusionDetails,
    PatientDetails,
    build_handover,
)
from norepi_gui.ui.formatting import fmt_clock
from norepi_gui.ui.session_state import as_float, parse_time
from norepi_gui.ui.titration_panel import advice_headline

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from PySide6.QtGui import QImage

    from norepi_gui.core.events import JsonValue
    from norepi_gui.ui.main_window import MainWindow
    from norepi_gui.ui.session_state import SessionState


def _flags(patient: dict[str, JsonValue]) -> tuple[str, ...]:
    flags: list[str] = []
    age = as_float(patient.get("age_years"))
    if age is not None:
        flags.append(f"age {age:g}")
    if patient.get("chronic_hypertension") is True:
        sbp = as_float(patient.get("baseline_sbp_mmhg"))
        flags.append("chronic hypertension" + (f" (baseline SBP {sbp:g} mmHg)" if sbp is not None else ""))
    for key, text in (("ards", "ARDS"), ("intra_abdominal_hypertension", "intra-abdominal hypertension"),
                      ("cardiac_dysfunction", "cardiac dysfunction")):
        if patient.get(key) is True:
            flags.append(text)
    arterial = patient.get("arterial_line")
    if isinstance(arterial, bool):
        flags.append("arterial line" if arterial else "no arterial line")
    fluids = as_float(patient.get("fluids_ml_per_kg"))
    if fluids is not None:
        flags.append(f"fluids {fluids:.0f} mL/kg")
    target = as_float(patient.get("target_map_mmhg"))
    if target is not None:
        flags.append(f"individual target MAP {target:g} mmHg")
    return tuple(flags)


def _dose_at(state: SessionState, when: datetime) -> float | None:
    dose = state.dose_at(when)
    if dose is None:
        return None
    return 0.0 if dose.pump_rate_ml_per_h <= 0 else dose.dose_mcg_per_kg_per_min


def handover_data(window: MainWindow) -> HandoverData:
    """The report's content from what the window has recorded."""
    state = window.state
    p = state.patient
    population = p.get("population")
    line = p.get("line")
    patient = PatientDetails(
        weight_kg=state.weight_kg(),
        population=population if isinstance(population, str) else "adult",
        flags=_flags(p),
        line=line if isinstance(line, str) else "",
        line_inserted_at=parse_time(p.get("line_inserted_at")),
    )
    current = state.current_dose
    description = state.infusion.get("description")
    conc = current.concentration_mcg_per_ml if current is not None else None
    co = tuple(f"{row.drug} {row.dose:g} {row.unit} since {fmt_clock(row.at)}"
               for row in state.active_co_infusions.values())
    running = current is not None and current.pump_rate_ml_per_h > 0
    infusion = InfusionDetails(
        concentration=description if isinstance(description, str) else
        (f"{conc:g} mcg/mL base" if conc is not None else "not recorded"),
        dose_mcg_per_min=current.dose_mcg_per_min if running and current is not None else 0.0,
        pump_rate_ml_per_h=current.pump_rate_ml_per_h if current is not None else 0.0,
        dose_mcg_per_kg_per_min=current.dose_mcg_per_kg_per_min if running and current is not None else None,
        co_infusions=co,
    )
    advice_event = state.last_advice
    escalations: list[EscalationLine] = []
    alerts: list[Alert] = []
    if advice_event is not None:
        a = advice_event.payload
        rules = a.get("rules")
        rationale = a.get("rationale")
        advice = AdviceDetails(
            text=advice_headline(a, window.resolution_format()).replace("\n", " "),
            rationale=rationale if isinstance(rationale, str) else "",
            rule_ids=tuple(r for r in rules if isinstance(r, str)) if isinstance(rules, list) else (),
            next_check_at=state.due_at,
        )
        items = a.get("escalations")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                escalations.append(EscalationLine(str(item.get("code", "")).replace("_", " ").capitalize(),
                                                  str(item.get("reason", ""))))
        listed = a.get("alerts")
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and item.get("priority") in ("high", "medium", "low"):
                alerts.append(Alert(str(item.get("code", "")), Priority(str(item["priority"])),
                                    str(item.get("message", ""))))
    else:
        advice = AdviceDetails(text="")
    readings = [
        HandoverReading(at=r.at, map_mmhg=r.map_mmhg, sbp_mmhg=r.sbp_mmhg, dbp_mmhg=r.dbp_mmhg,
                        hr_per_min=r.hr_per_min, dose_mcg_per_kg_per_min=_dose_at(state, r.at))
        for r in state.readings
    ]
    return build_handover(
        patient=patient, infusion=infusion, advice=advice, escalations=escalations, alerts=alerts,
        readings=readings, protocol_name=window.protocol.meta.name, protocol_version=window.protocol.meta.version,
        clock=window.clock,
    )


def plot_image(window: MainWindow) -> QImage:
    return window.plot.render_image(DEFAULT_WINDOW_HOURS * 3600)


def export_pdf(window: MainWindow, path: Path) -> str:
    from norepi_gui.ui.report import write_handover_pdf

    write_handover_pdf(path, handover_data(window), plot_image(window))
    return f"Handover written to {path}"


def print_report(window: MainWindow) -> str:
    from norepi_gui.ui.report import print_handover

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, window)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return "Printing cancelled."
    print_handover(printer, handover_data(window), plot_image(window))
    return "Handover sent to the printer."
