"""Safety signs around the titration: MAP extremes, bradycardia, excess vasoconstriction, bag, daily total, pump."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from norepi_gui.core.alerts import Priority
from norepi_gui.core.dosing import amount_per_day
from norepi_gui.core.infusion import pump_rounding_alert
from norepi_gui.core.protocol import Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.findings import Findings
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import Target, fmt_dose
from norepi_gui.core.titration.start import life_threatening
from norepi_gui.core.units import Q, to_unit


def map_and_heart_signs(chart: ChartedHistory, running: bool, target: Target | None, population: Population,
                        protocol: Protocol, *, unconfirmed: bool = False) -> Findings:
    """MAP extremes, bradycardia and excess vasoconstriction. ``target`` None: a child without a written target
    (only the signs that do not depend on a target). ``unconfirmed``: the latest MAP is a possible artefact, so the
    signs relative to the target wait for the repeat (READING_UNCONFIRMED says so); life-threatening ones do not."""
    out = Findings()
    latest = chart.readings[-1]
    m = latest.map
    s = protocol.safety
    critical = life_threatening(latest, protocol) if population is Population.ADULT else []
    if unconfirmed:
        target = None
    if critical:
        out.alert("MAP_CRITICALLY_LOW", Priority.HIGH, "Life-threatening hypotension: "
                  + "; ".join(f.reason for f in critical) + ".", rid.SAFE_MAP_CRITICAL)
    elif target is not None and target.map_mmhg - m >= protocol.titration.far_below_mmhg - EPS:
        margin = protocol.cite("titration.far_below_mmhg", f"{protocol.titration.far_below_mmhg:g} mmHg")
        out.alert("MAP_FAR_BELOW_TARGET", Priority.MEDIUM,
                  f"MAP {m:.0f} is below target {target.map_mmhg:g} by {target.map_mmhg - m:.0f} mmHg (at least "
                  f"{margin}).", rid.SAFE_MAP_FAR_BELOW)
    overdose = s.overdose_map_above_target_mmhg
    if target is not None and running and m - target.map_mmhg > overdose:
        margin = protocol.cite("safety.overdose_map_above_target_mmhg", f"{overdose:g}")
        out.alert("MAP_FAR_ABOVE_TARGET", Priority.HIGH,
                  f"MAP {m:.0f} is more than {margin} above target {target.map_mmhg:g}: possible overdose; check the "
                  "pump and the dose.", rid.SAFE_OVERDOSE)
    elif target is not None and running and m > target.upper_mmhg:
        out.alert("MAP_ABOVE_BAND", Priority.LOW, f"MAP {m:.0f} above the band {target.map_mmhg:g}-"
                  f"{target.upper_mmhg:g}.", rid.SAFE_MAP_ABOVE_BAND)
    if latest.hr_per_min is not None and latest.hr_per_min < s.bradycardia_hr_below:
        below = protocol.cite("safety.bradycardia_hr_below", f"{s.bradycardia_hr_below:g}")
        out.alert("BRADYCARDIA", Priority.MEDIUM,
                  f"HR {latest.hr_per_min:g} < {below}: reflex bradycardia on norepinephrine?", rid.SAFE_BRADYCARDIA)
    if target is not None and running and m >= target.map_mmhg:
        signs: list[str] = []
        urine, prev_urine = chart.last_two("urine")
        if urine is not None and prev_urine is not None and urine < prev_urine and urine < s.urine_low_ml_per_kg_per_h:
            signs.append(f"urine falling {prev_urine:g} -> {urine:g} mL/kg/h")
        lactate, prev_lactate = chart.last_two("lactate")
        if (lactate is not None and prev_lactate is not None and lactate > prev_lactate
                and lactate > s.lactate_high_mmol_per_l):
            high = protocol.cite("safety.lactate_high_mmol_per_l", f"{s.lactate_high_mmol_per_l:g} mmol/L")
            signs.append(f"lactate rising {prev_lactate:g} -> {lactate:g} mmol/L (above {high})")
        if signs:
            out.alert("EXCESS_VASOCONSTRICTION", Priority.MEDIUM,
                      "Despite adequate MAP: " + "; ".join(signs) + ". Look for digital or skin ischaemia; review "
                      "whether the target is higher than needed.", rid.SAFE_VASOCONSTRICTION)
    return out


def _ago(elapsed: timedelta) -> str:
    """``12 min ago`` (``just now`` within the minute): relative, so the text needs no time zone (the core works in
    UTC; the window shows local clock times)."""
    minutes = int(elapsed.total_seconds() // 60)
    return "just now" if minutes < 1 else f"{minutes} min ago"


def abrupt_stop_signs(stop: tuple[datetime, float] | None, current: float, now: datetime, taper_min: float,
                      taper_key: str, protocol: Protocol) -> Findings:
    """NE_STOPPED_ABRUPTLY (high): norepinephrine off, last stopped from above the taper minimum, within
    titration.abrupt_stop_watch_minutes (rule SAFE-ABRUPT-STOP)."""
    out = Findings()
    if stop is None or current > EPS:
        return out
    at, dose = stop
    watch = protocol.titration.abrupt_stop_watch_minutes
    if dose > taper_min + EPS and 0.0 <= (now - at).total_seconds() / 60.0 <= watch + EPS:
        out.alert("NE_STOPPED_ABRUPTLY", Priority.HIGH,
                  f"Norepinephrine stopped {_ago(now - at)} from {fmt_dose(dose)} mcg/kg/min, above the taper minimum "
                  f"{protocol.cite(taper_key, fmt_dose(taper_min))}: abrupt withdrawal causes marked hypotension. "
                  "Watch MAP closely; below target, restart at the start dose.", rid.SAFE_ABRUPT_STOP)
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
                      f"Bag runs out in {minutes_left:.0f} min (less than "
                      f"{protocol.cite('bag.near_empty_minutes', f'{protocol.bag.near_empty_minutes:g} min')}): "
                      "prepare the next bag.", rid.SAFE_BAG_LOW)
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
    rounding = pump_rounding_alert(exact_rate_ml_per_h, rate_ml_per_h, mcg_per_min, protocol)
    if rounding is not None:
        out.alerts.append(rounding)
        out.rules.append(rid.SAFE_PUMP_ROUNDING)
    if exact_rate_ml_per_h > protocol.pump.max_rate_ml_per_h:
        out.alert("RATE_ABOVE_PUMP_MAX", Priority.HIGH,
                  f"{exact_rate_ml_per_h:.1f} mL/h is above the pump maximum "
                  f"{protocol.cite('pump.max_rate_ml_per_h', f'{protocol.pump.max_rate_ml_per_h:g} mL/h')}: use a "
                  "more concentrated solution.", rid.SAFE_PUMP_MAX)
    return out
