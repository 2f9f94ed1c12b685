"""Beyond norepinephrine: vasopressin, epinephrine, dobutamine, hydrocortisone, volume (rules ESC-*)."""

from __future__ import annotations

from norepi_gui.core.alerts import Priority
from norepi_gui.core.protocol import Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.findings import Findings
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import CoInfusions, Escalation, PatientInfo, Target, fmt_dose


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
        prolonged = protocol.cite("safety.crt_prolonged_s", f"{s.crt_prolonged_s:g} s")
        signs.append(f"capillary refill {crt:g} s > {prolonged}")
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
    high = protocol.cite("safety.lactate_high_mmol_per_l", f"{s.lactate_high_mmol_per_l:g} mmol/L")
    return (f"lactate {lactate:g} <= {high}, urine {urine:g} >= "
            f"{s.urine_low_ml_per_kg_per_h:g} mL/kg/h")


PRESCRIBER = "dose per the prescriber's order"


def _population_dose(patient: PatientInfo, protocol: Protocol, setting: str, per_kg_unit: str, unit: str,
                     adult_key: str, adult_dose: float) -> tuple[str, float | None]:
    """The dose of an escalation drug to name (text, dose): the population's per-kg setting ``setting`` times the
    weight when set, the adult flat dose for an adult, or none for a child (the prescriber's order)."""
    pop = patient.population
    per_kg: float = getattr(protocol.population(pop), setting)
    if per_kg > 0:
        dose = per_kg * patient.weight_kg
        key = f"populations.{pop.value}.{setting}"
        return (f"{dose:.3g} {unit} ({protocol.cite(key, f'{per_kg:g} {per_kg_unit}')} x {patient.weight_kg:g} kg)",
                dose)
    if pop is Population.ADULT:
        return protocol.cite(adult_key, f"{adult_dose:g} {unit}"), adult_dose
    return PRESCRIBER, None


def _vasopressin_dose(patient: PatientInfo, protocol: Protocol) -> tuple[str, float | None]:
    return _population_dose(patient, protocol, "vasopressin_u_per_kg_per_min", "U/kg/min", "U/min",
                            "escalation.vasopressin_dose_u_per_min", protocol.escalation.vasopressin_dose_u_per_min)


def _hydrocortisone_dose(patient: PatientInfo, protocol: Protocol) -> tuple[str, float | None]:
    return _population_dose(patient, protocol, "hydrocortisone_mg_per_kg_per_day", "mg/kg/day", "mg/day",
                            "escalation.hydrocortisone_mg_per_day", protocol.escalation.hydrocortisone_mg_per_day)


def escalations(chart: ChartedHistory, current: float, proposed: float,
                co: CoInfusions, patient: PatientInfo, target: Target, protocol: Protocol) -> Findings:
    """Steps beyond norepinephrine. A child is never shown an adult flat dose (rule ESC-PEDIATRIC-DOSES)."""
    e = protocol.escalation
    out = Findings()
    m = chart.readings[-1].map
    below = m < target.map_mmhg
    vaso = co.vasopressin_u_per_min
    adult = patient.population is Population.ADULT
    child_rule: list[str] = []
    if below and vaso <= 0 and current >= e.vasopressin_ne_threshold - EPS:
        text, dose = _vasopressin_dose(patient, protocol)
        salvage = f"; > {e.vasopressin_salvage_above_u_per_min:g} U/min is salvage" if adult else ""
        out.escalations.append(Escalation(
            "ADD_VASOPRESSIN",
            f"NE {fmt_dose(current)} >= {fmt_dose(e.vasopressin_ne_threshold)} mcg/kg/min and MAP {m:.0f} "
            f"< {target.map_mmhg:g}: add vasopressin, {text}, to norepinephrine (never alone{salvage})",
            rid.ESC_VASOPRESSIN, dose, "U/min"))
        out.rules.append(rid.ESC_VASOPRESSIN)
        child_rule += [] if adult else [rid.ESC_PEDIATRIC_DOSES]
    if adult and vaso > e.vasopressin_salvage_above_u_per_min + EPS:  # an adult flat figure: not for a child
        out.alert("VASOPRESSIN_SALVAGE_DOSE", Priority.MEDIUM,
                  f"Vasopressin {vaso:g} U/min is above {e.vasopressin_salvage_above_u_per_min:g} U/min: salvage "
                  "dosing only.", rid.ESC_VASOPRESSIN_SALVAGE)
    if vaso > 0 and proposed <= EPS:
        out.alert("VASOPRESSIN_ALONE", Priority.MEDIUM,
                  "Vasopressin would run without norepinephrine: never as monotherapy; review vasopressin.",
                  rid.ESC_VASOPRESSIN_ALONE)
    if below and vaso > 0 and co.epinephrine_mcg_per_kg_per_min <= 0 and current >= e.epinephrine_ne_threshold - EPS:
        epi_threshold = protocol.cite("escalation.epinephrine_ne_threshold", fmt_dose(e.epinephrine_ne_threshold))
        dose_text = (f"{e.epinephrine_min_dose:g}-{e.epinephrine_max_dose:g} mcg/kg/min" if adult else PRESCRIBER)
        out.escalations.append(Escalation(
            "ADD_EPINEPHRINE", f"MAP {m:.0f} < {target.map_mmhg:g} on vasopressin and NE {fmt_dose(current)} >= "
            f"{epi_threshold}: add epinephrine, {dose_text}", rid.ESC_EPINEPHRINE,
            e.epinephrine_min_dose if adult else None, "mcg/kg/min"))
        out.rules.append(rid.ESC_EPINEPHRINE)
        child_rule += [] if adult else [rid.ESC_PEDIATRIC_DOSES]
    signs = [] if below else hypoperfusion_signs(chart, protocol)  # both dobutamine rules need MAP at target
    if not below and signs and co.dobutamine_mcg_per_kg_per_min <= 0:
        why = "; ".join(signs)
        heart = " with cardiac dysfunction" if patient.cardiac_dysfunction else ""
        dose_text = f"{e.dobutamine_min_dose:g}-{e.dobutamine_max_dose:g} mcg/kg/min" if adult else PRESCRIBER
        out.escalations.append(Escalation(
            "CONSIDER_DOBUTAMINE", f"MAP at target but hypoperfusion ({why}){heart}: consider dobutamine, {dose_text}",
            rid.ESC_DOBUTAMINE, e.dobutamine_min_dose if adult else None, "mcg/kg/min"))
        out.rules.append(rid.ESC_DOBUTAMINE)
        child_rule += [] if adult else [rid.ESC_PEDIATRIC_DOSES]
    restored = perfusion_restored(chart, protocol) if not below and not signs and \
        co.dobutamine_mcg_per_kg_per_min > 0 else ""
    if restored:
        out.escalations.append(Escalation(
            "STOP_DOBUTAMINE", f"MAP at target and perfusion restored ({restored}): stop dobutamine "
            f"{co.dobutamine_mcg_per_kg_per_min:g} mcg/kg/min and keep watching lactate and urine output",
            rid.ESC_DOBUTAMINE_WEAN, 0.0, "mcg/kg/min"))
        out.rules.append(rid.ESC_DOBUTAMINE_WEAN)
    high_now = max(current, co.epinephrine_mcg_per_kg_per_min) >= e.hydrocortisone_ne_threshold - EPS
    # (the history folds the run lazily: asking only when it can matter costs nothing in answers)
    hours = chart.hours_at_or_above(e.hydrocortisone_ne_threshold, current) \
        if high_now and not co.hydrocortisone_started else 0.0
    if (not co.hydrocortisone_started and high_now
            and hours >= e.hydrocortisone_after_hours - EPS / 3600.0):
        text, dose = _hydrocortisone_dose(patient, protocol)
        threshold = protocol.cite("escalation.hydrocortisone_ne_threshold", fmt_dose(e.hydrocortisone_ne_threshold))
        after = protocol.cite("escalation.hydrocortisone_after_hours", f"{e.hydrocortisone_after_hours:g} h")
        out.escalations.append(Escalation(
            "CONSIDER_HYDROCORTISONE", f"NE or epinephrine >= {threshold} mcg/kg/min for {hours:.1f} h "
            f"(>= {after}): consider hydrocortisone, {text}", rid.ESC_HYDROCORTISONE, dose, "mg/day"))
        out.rules.append(rid.ESC_HYDROCORTISONE)
        child_rule += [] if adult else [rid.ESC_PEDIATRIC_DOSES]
    if max(current, proposed) >= e.high_dose_volume_check - EPS:
        check = protocol.cite("escalation.high_dose_volume_check", fmt_dose(e.high_dose_volume_check))
        out.escalate("CHECK_VOLUME_STATUS",
                     f"NE {fmt_dose(max(current, proposed))} >= {check} mcg/kg/min: "
                     "suspect and correct occult hypovolaemia", rid.ESC_VOLUME)
    out.rules.extend(child_rule[:1])
    return out
