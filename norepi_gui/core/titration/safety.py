"""Safety signs around the titration: MAP extremes, bradycardia, excess vasoconstriction, bag, daily total, pump."""

from __future__ import annotations

from functools import lru_cache

from norepi_gui.core.alerts import Priority
from norepi_gui.core.dosing import amount_per_day
from norepi_gui.core.protocol import Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.findings import Findings
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import Target
from norepi_gui.core.units import Q, to_unit


def map_and_heart_signs(chart: ChartedHistory, running: bool, target: Target, protocol: Protocol) -> Findings:
    out = Findings()
    latest = chart.readings[-1]
    m = latest.map
    sc, s = protocol.start_criteria, protocol.safety
    critical: list[str] = []
    if latest.sbp_mmhg is not None and latest.sbp_mmhg < sc.sbp_below:
        critical.append(f"SBP {latest.sbp_mmhg:g} < {sc.sbp_below:g}")
    if latest.dbp_mmhg is not None and latest.dbp_mmhg <= sc.dbp_at_or_below:
        critical.append(f"DBP {latest.dbp_mmhg:g} <= {sc.dbp_at_or_below:g}")
    if target.map_mmhg - m >= protocol.titration.far_below_mmhg - EPS:
        critical.append(f"MAP {m:.0f}, {target.map_mmhg - m:.0f} below target {target.map_mmhg:g}")
    if critical:
        out.alert("MAP_CRITICALLY_LOW", Priority.HIGH, "Life-threatening hypotension: " + "; ".join(critical) + ".",
                  rid.SAFE_MAP_CRITICAL)
    if running and m - target.map_mmhg > s.overdose_map_above_target_mmhg:
        out.alert("MAP_FAR_ABOVE_TARGET", Priority.HIGH,
                  f"MAP {m:.0f} is more than {s.overdose_map_above_target_mmhg:g} above target {target.map_mmhg:g}: "
                  "possible overdose; check the pump and the dose.", rid.SAFE_OVERDOSE)
    elif running and m > target.upper_mmhg:
        out.alert("MAP_ABOVE_BAND", Priority.LOW, f"MAP {m:.0f} above the band {target.map_mmhg:g}-"
                  f"{target.upper_mmhg:g}.", rid.SAFE_MAP_ABOVE_BAND)
    if latest.hr_per_min is not None and latest.hr_per_min < s.bradycardia_hr_below:
        out.alert("BRADYCARDIA", Priority.MEDIUM,
                  f"HR {latest.hr_per_min:g} < {s.bradycardia_hr_below:g}: reflex bradycardia on norepinephrine?",
                  rid.SAFE_BRADYCARDIA)
    if running and m >= target.map_mmhg:
        signs: list[str] = []
        urine, prev_urine = chart.last_two("urine")
        if urine is not None and prev_urine is not None and urine < prev_urine and urine < s.urine_low_ml_per_kg_per_h:
            signs.append(f"urine falling {prev_urine:g} -> {urine:g} mL/kg/h")
        lactate, prev_lactate = chart.last_two("lactate")
        if (lactate is not None and prev_lactate is not None and lactate > prev_lactate
                and lactate > s.lactate_high_mmol_per_l):
            signs.append(f"lactate rising {prev_lactate:g} -> {lactate:g} mmol/L")
        if signs:
            out.alert("EXCESS_VASOCONSTRICTION", Priority.MEDIUM,
                      "Despite adequate MAP: " + "; ".join(signs) + ". Look for digital or skin ischaemia; review "
                      "whether the target is higher than needed.", rid.SAFE_VASOCONSTRICTION)
    return out


@lru_cache(maxsize=1 << 16)  # as the engine's pump-rate memo: a 1000-patient x 24 h simulation fits
def _mg_per_day(mcg_per_min: float) -> float:
    """The dosing core's 24 h amount (pint, about 0.05 ms), remembered per dose."""
    return float(amount_per_day(mcg_per_min).magnitude)  # in mg (no unit string for pint to parse on every call)


@lru_cache(maxsize=8)
def _label_max_mcg_per_min(label_max_mg: float) -> float:
    """The constant dose whose 24 h amount is the label maximum (dosing core units)."""
    return float(to_unit(Q(label_max_mg, "mg") / Q(24, "h"), "mcg/min").magnitude)


def _mg_per_day_above(mcg_per_min: float, label_max_mg: float) -> float | None:
    """The 24 h amount at this dose when it is above the label maximum, else None.

    Doses clearly below the label maximum's own dose are under it without asking the dosing core (the pint work a
    simulated population would otherwise pay for every new dose and weight); near and above it the core decides.
    """
    if mcg_per_min < _label_max_mcg_per_min(label_max_mg) * (1.0 - 1e-9):
        return None
    mg = _mg_per_day(mcg_per_min)
    return mg if mg > label_max_mg else None


def infusion_signs(*, rate_ml_per_h: float, exact_rate_ml_per_h: float, bag_left_ml: float | None,
                   next_check_min: float, mg_last_24h: float, mcg_per_min: float, protocol: Protocol) -> Findings:
    out = Findings()
    if bag_left_ml is not None and rate_ml_per_h > 0:
        minutes_left = bag_left_ml / rate_ml_per_h * 60.0
        if minutes_left < next_check_min:
            out.alert("BAG_NEAR_EMPTY", Priority.HIGH,
                      f"Bag runs out in {minutes_left:.0f} min, before the next check in {next_check_min:g} min: "
                      "prepare the next bag now.", rid.SAFE_BAG_BEFORE_CHECK)
        elif minutes_left < protocol.bag.near_empty_minutes:
            out.alert("BAG_NEAR_EMPTY", Priority.MEDIUM,
                      f"Bag runs out in {minutes_left:.0f} min: prepare the next bag.", rid.SAFE_BAG_LOW)
    label_max = protocol.daily.label_max_mg_per_day
    projected_mg = _mg_per_day_above(mcg_per_min, label_max)
    if projected_mg is not None or mg_last_24h > label_max:
        parts = []
        if mg_last_24h > label_max:
            parts.append(f"{mg_last_24h:.1f} mg given in the last 24 h")
        if projected_mg is not None:
            parts.append(f"{projected_mg:.1f} mg/day at this dose")
        out.alert("DAILY_TOTAL_ABOVE_LABEL_MAX", Priority.MEDIUM,
                  f"{' and '.join(parts)}: above the label maximum {label_max:g} mg base/day (refractory cases only).",
                  rid.SAFE_DAILY_MAX)
    if exact_rate_ml_per_h > protocol.pump.max_rate_ml_per_h:
        out.alert("RATE_ABOVE_PUMP_MAX", Priority.HIGH,
                  f"{exact_rate_ml_per_h:.1f} mL/h is above the pump maximum {protocol.pump.max_rate_ml_per_h:g} "
                  "mL/h: use a more concentrated solution.", rid.SAFE_PUMP_MAX)
    return out
