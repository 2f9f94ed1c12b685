"""Line rules: dose and time limits of peripheral and intraosseous lines, extravasation pathway (rules LINE-*)."""

from __future__ import annotations

from norepi_gui.core.alerts import Priority
from norepi_gui.core.protocol import LineType, Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.findings import Findings
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import PatientInfo, fmt_dose

# Phentolamine for extravasation [seed 000; V label]: 5-10 mg in 10-15 mL saline, as soon as possible (within 12 h).
PHENTOLAMINE_ADULT_MG = (5.0, 10.0)
PHENTOLAMINE_ADULT_SALINE_ML = (10.0, 15.0)
PHENTOLAMINE_WITHIN_H = 12.0
# Paediatric [seed 002]: 0.1-0.2 mg/kg, up to 10 mg, in 10 mL saline.
PHENTOLAMINE_PEDIATRIC_MG_PER_KG = (0.1, 0.2)
PHENTOLAMINE_PEDIATRIC_MAX_MG = 10.0
PHENTOLAMINE_PEDIATRIC_SALINE_ML = 10.0


def extravasation_text(patient: PatientInfo) -> str:
    if patient.population is Population.PEDIATRIC:
        lo = min(PHENTOLAMINE_PEDIATRIC_MG_PER_KG[0] * patient.weight_kg, PHENTOLAMINE_PEDIATRIC_MAX_MG)
        hi = min(PHENTOLAMINE_PEDIATRIC_MG_PER_KG[1] * patient.weight_kg, PHENTOLAMINE_PEDIATRIC_MAX_MG)
        dose = (f"phentolamine {PHENTOLAMINE_PEDIATRIC_MG_PER_KG[0]:g}-{PHENTOLAMINE_PEDIATRIC_MG_PER_KG[1]:g} mg/kg "
                f"(max {PHENTOLAMINE_PEDIATRIC_MAX_MG:g} mg) = {lo:.2g}-{hi:.2g} mg for {patient.weight_kg:g} kg in "
                f"{PHENTOLAMINE_PEDIATRIC_SALINE_ML:g} mL saline")
    else:
        dose = (f"phentolamine {PHENTOLAMINE_ADULT_MG[0]:g}-{PHENTOLAMINE_ADULT_MG[1]:g} mg in "
                f"{PHENTOLAMINE_ADULT_SALINE_ML[0]:g}-{PHENTOLAMINE_ADULT_SALINE_ML[1]:g} mL saline")
    return (f"If extravasation: stop the infusion at that site, move it to another line, and infiltrate {dose} "
            f"into the area as soon as possible (within {PHENTOLAMINE_WITHIN_H:g} h).")


def line_findings(patient: PatientInfo, dose: float, protocol: Protocol) -> tuple[Findings, str | None]:
    """Alerts and CENTRAL_LINE_NEEDED for a peripheral or intraosseous line; the extravasation pathway text."""
    out = Findings()
    if patient.line is LineType.CENTRAL or dose <= EPS:
        return out, None
    lim = protocol.line(patient.line)
    name = patient.line.value
    mcg_per_min = dose * patient.weight_kg
    over: list[str] = []
    if lim.max_dose_mcg_per_kg_per_min > 0 and dose >= lim.max_dose_mcg_per_kg_per_min - EPS:
        # "below 0.5 mcg/kg/min" [seed 004]: 0.5 itself is over
        over.append(f"{fmt_dose(dose)}, not below {fmt_dose(lim.max_dose_mcg_per_kg_per_min)} mcg/kg/min")
    if lim.max_dose_mcg_per_min > 0 and mcg_per_min > lim.max_dose_mcg_per_min + EPS:
        over.append(f"{mcg_per_min:.1f} > {lim.max_dose_mcg_per_min:g} mcg/min")
    if over:
        text = f"Dose above the {name} line limit ({'; '.join(over)})"
        out.alert("LINE_DOSE_LIMIT", Priority.MEDIUM, text + ": central access needed.", rid.LINE_DOSE_LIMIT)
        out.escalate("CENTRAL_LINE_NEEDED", text, rid.LINE_DOSE_LIMIT)
    if lim.max_hours > 0 and patient.line_hours > lim.max_hours + EPS:
        text = f"{name} line in place {patient.line_hours:g} h > {lim.max_hours:g} h"
        out.alert("LINE_TIME_LIMIT", Priority.MEDIUM, text + ": central access needed.", rid.LINE_TIME_LIMIT)
        out.escalate("CENTRAL_LINE_NEEDED", text, rid.LINE_TIME_LIMIT)
    out.rules.append(rid.LINE_EXTRAVASATION)
    return out, extravasation_text(patient)
