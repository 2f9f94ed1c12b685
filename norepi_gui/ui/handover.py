"""File > Export PDF handover / Print: the recorded session handed to the core's report builder and to the layout.

The content (which readings, in what order, how written) is decided by ``norepi_gui.core.handover.build_handover``;
the layout by ``norepi_gui.ui.report``. This module only gathers the inputs from the bedside session: its record and
the advice derived from it (the same advice the window shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from norepi_gui.bedside.inputs import Unavailable
from norepi_gui.core.handover import (
    AdviceDetails,
    EscalationLine,
    HandoverData,
    HandoverReading,
    InfusionDetails,
    PatientDetails,
    build_handover,
)
from norepi_gui.ui.formatting import fmt_clock
from norepi_gui.ui.titration_panel import advice_headline

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QWidget

    from norepi_gui.bedside.records import PatientRecord
    from norepi_gui.bedside.session import BedsideSession


def _flags(patient: PatientRecord) -> tuple[str, ...]:
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


def handover_data(session: BedsideSession, resolution_text: str) -> HandoverData:
    """The report's content from the bedside session's record and its advice now."""
    state = session.state
    p = state.patient
    patient = PatientDetails(
        weight_kg=p.weight_kg,
        population=p.population,
        flags=_flags(p),
        line=p.line,
        line_inserted_at=p.line_inserted_at,
    )
    current = state.current_dose
    running = current is not None and current.running
    conc = current.concentration_mcg_per_ml if current is not None else None
    description = state.bag.description if state.bag is not None else ""
    co = tuple(f"{row.drug} {row.dose:g} {row.unit} since {fmt_clock(row.at)}"
               for row in state.active_co_infusions.values())
    infusion = InfusionDetails(
        concentration=description or (f"{conc:g} mcg/mL base" if conc is not None else "not recorded"),
        dose_mcg_per_min=current.dose_mcg_per_min if running and current is not None else 0.0,
        pump_rate_ml_per_h=current.pump_rate_ml_per_h if current is not None else 0.0,
        dose_mcg_per_kg_per_min=current.dose_mcg_per_kg_per_min if running and current is not None else None,
        co_infusions=co,
    )
    advice = session.advice
    escalations: list[EscalationLine] = []
    if isinstance(advice, Unavailable):
        details = AdviceDetails(text="")
        alerts = []
    else:
        details = AdviceDetails(
            text=advice_headline(advice, resolution_text).replace("\n", " "),
            rationale=advice.rationale,
            rule_ids=advice.rules,
            next_check_at=session.prompt.due_at,
        )
        escalations = [EscalationLine(e.code.replace("_", " ").capitalize(), e.reason) for e in advice.escalations]
        alerts = list(advice.alerts)
    readings = [
        HandoverReading(at=r.at, map_mmhg=r.map_mmhg, sbp_mmhg=r.sbp_mmhg, dbp_mmhg=r.dbp_mmhg,
                        hr_per_min=r.hr_per_min, dose_mcg_per_kg_per_min=_dose_at(session, r.at))
        for r in state.readings
    ]
    return build_handover(
        patient=patient, infusion=infusion, advice=details, escalations=escalations, alerts=alerts,
        readings=readings, protocol_name=session.protocol.meta.name, protocol_version=session.protocol.meta.version,
        clock=session.clock,
    )


def _dose_at(session: BedsideSession, when: datetime) -> float | None:
    dose = session.state.dose_at(when)
    if dose is None:
        return None
    return 0.0 if not dose.running else dose.dose_mcg_per_kg_per_min


def export_pdf(data: HandoverData, image: QImage, path: Path) -> str:
    from norepi_gui.ui.report import write_handover_pdf

    write_handover_pdf(path, data, image)
    return f"Handover written to {path}"


def print_report(parent: QWidget, data: HandoverData, image: QImage) -> str:
    from norepi_gui.ui.report import print_handover

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return "Printing cancelled."
    print_handover(printer, data, image)
    return "Handover sent to the printer."
