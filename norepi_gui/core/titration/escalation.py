"""Beyond norepinephrine: vasopressin, epinephrine, dobutamine, hydrocortisone, volume (rules ESC-*)."""

from __future__ import annotations

from norepi_gui.core.alerts import Priority
from norepi_gui.core.protocol import Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.findings import Findings
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import CoInfusions, PatientInfo, Target, fmt_dose


def hypoperfusion_signs(chart: ChartedHistory, protocol: Protocol) -> list[str]:
    """Perfusion markers (latest recorded values) that say the tissues are not getting enough."""
    s = protocol.safety
    signs: list[str] = []
    lactate, prev_lactate = chart.last_two("lactate")
    not_falling = prev_lactate is None or (lactate is not None and lactate >= prev_lactate)
    if lactate is not None and lactate > s.lactate_high_mmol_per_l and not_falling:
        signs.append(f"lactate {lactate:g} mmol/L not clearing")
    urine, _ = chart.last_two("urine")
    if urine is not None and urine < s.urine_low_ml_per_kg_per_h:
        signs.append(f"urine {urine:g} < {s.urine_low_ml_per_kg_per_h:g} mL/kg/h")
    crt, _ = chart.last_two("crt")
    if crt is not None and crt > s.crt_prolonged_s:
        signs.append(f"capillary refill {crt:g} s")
    if chart.readings[-1].altered_mental_status:
        signs.append("altered mental status")
    return signs


def perfusion_restored(chart: ChartedHistory, protocol: Protocol) -> str:
    """Why perfusion counts as restored (lactate and urine output both recorded and normal), or "" if it does not."""
    s = protocol.safety
    lactate, _ = chart.last_two("lactate")
    urine, _ = chart.last_two("urine")
    if lactate is None or urine is None or lactate > s.lactate_high_mmol_per_l or urine < s.urine_low_ml_per_kg_per_h:
        return ""
    return (f"lactate {lactate:g} <= {s.lactate_high_mmol_per_l:g} mmol/L, urine {urine:g} >= "
            f"{s.urine_low_ml_per_kg_per_h:g} mL/kg/h")


def escalations(chart: ChartedHistory, current: float, proposed: float,
                co: CoInfusions, patient: PatientInfo, target: Target, protocol: Protocol) -> Findings:
    e = protocol.escalation
    out = Findings()
    m = chart.readings[-1].map
    below = m < target.map_mmhg
    vaso = co.vasopressin_u_per_min
    if below and vaso <= 0 and current >= e.vasopressin_ne_threshold - EPS:
        out.escalate("ADD_VASOPRESSIN",
                     f"NE {fmt_dose(current)} >= {fmt_dose(e.vasopressin_ne_threshold)} mcg/kg/min and MAP {m:.0f} "
                     f"< {target.map_mmhg:g}: add vasopressin {e.vasopressin_dose_u_per_min:g} U/min to "
                     f"norepinephrine (never alone; > {e.vasopressin_salvage_above_u_per_min:g} U/min is salvage)",
                     rid.ESC_VASOPRESSIN)
    if vaso > e.vasopressin_salvage_above_u_per_min + EPS:
        out.alert("VASOPRESSIN_SALVAGE_DOSE", Priority.MEDIUM,
                  f"Vasopressin {vaso:g} U/min is above {e.vasopressin_salvage_above_u_per_min:g} U/min: salvage "
                  "dosing only.", rid.ESC_VASOPRESSIN_SALVAGE)
    if vaso > 0 and proposed <= EPS:
        out.alert("VASOPRESSIN_ALONE", Priority.MEDIUM,
                  "Vasopressin would run without norepinephrine: never as monotherapy; review vasopressin.",
                  rid.ESC_VASOPRESSIN_ALONE)
    if below and vaso > 0 and co.epinephrine_mcg_per_kg_per_min <= 0 and current >= e.epinephrine_ne_threshold - EPS:
        out.escalate("ADD_EPINEPHRINE",
                     f"MAP {m:.0f} < {target.map_mmhg:g} on vasopressin and NE {fmt_dose(current)} >= "
                     f"{fmt_dose(e.epinephrine_ne_threshold)}: add epinephrine {e.epinephrine_min_dose:g}-"
                     f"{e.epinephrine_max_dose:g} mcg/kg/min", rid.ESC_EPINEPHRINE)
    signs = hypoperfusion_signs(chart, protocol)
    if not below and signs and co.dobutamine_mcg_per_kg_per_min <= 0:
        why = "; ".join(signs)
        heart = " with cardiac dysfunction" if patient.cardiac_dysfunction else ""
        out.escalate("CONSIDER_DOBUTAMINE",
                     f"MAP at target but hypoperfusion ({why}){heart}: consider dobutamine "
                     f"{e.dobutamine_min_dose:g}-{e.dobutamine_max_dose:g} mcg/kg/min", rid.ESC_DOBUTAMINE)
    restored = perfusion_restored(chart, protocol)
    if not below and not signs and restored and co.dobutamine_mcg_per_kg_per_min > 0:
        out.escalate("STOP_DOBUTAMINE",
                     f"MAP at target and perfusion restored ({restored}): stop dobutamine "
                     f"{co.dobutamine_mcg_per_kg_per_min:g} mcg/kg/min and keep watching lactate and urine output",
                     rid.ESC_DOBUTAMINE_WEAN)
    hours = chart.hours_at_or_above(e.hydrocortisone_ne_threshold, current)
    high_now = max(current, co.epinephrine_mcg_per_kg_per_min) >= e.hydrocortisone_ne_threshold - EPS
    if (not co.hydrocortisone_started and high_now
            and hours >= e.hydrocortisone_after_hours - EPS / 3600.0):
        out.escalate("CONSIDER_HYDROCORTISONE",
                     f"NE or epinephrine >= {fmt_dose(e.hydrocortisone_ne_threshold)} mcg/kg/min for {hours:.1f} h "
                     f"(>= {e.hydrocortisone_after_hours:g} h): consider hydrocortisone "
                     f"{e.hydrocortisone_mg_per_day:g} mg/day", rid.ESC_HYDROCORTISONE)
    if max(current, proposed) >= e.high_dose_volume_check - EPS:
        out.escalate("CHECK_VOLUME_STATUS",
                     f"NE {fmt_dose(max(current, proposed))} >= {fmt_dose(e.high_dose_volume_check)} mcg/kg/min: "
                     "suspect and correct occult hypovolaemia", rid.ESC_VOLUME)
    return out
