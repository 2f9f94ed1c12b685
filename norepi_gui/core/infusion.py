"""What the infusion panel shows, computed in one pass: every conversion and every input-safety alert.

:func:`summarise_infusion` is the single recompute the window runs on each keystroke and ``norepi-gui calc`` runs
once. It converts the entered dose (or pump rate) both ways, rounds the rate to the pump, reports the dose actually
delivered at the rounded rate, the gravity drop rate, bag time and the 24 h total, and raises the dosing alerts whose
stable codes are listed in docs/rules.md (section "Dosing and input safety").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.bag import bag_alert
from norepi_gui.core.dosing import (
    Concentration,
    DoseRate,
    amount_per_day,
    bag_time_left,
    dose_for_rate,
    drops_per_min,
    rate_for_dose,
    round_to_resolution,
)
from norepi_gui.core.errors import HardLimitError, InputError
from norepi_gui.core.protocol import LineType, Population, Protocol
from norepi_gui.core.units import DoseBasis, Q, Quantity, unit


@dataclass(frozen=True)
class InfusionRequest:
    """What the user entered: a dose *or* a pump rate, with the patient and the bag."""

    concentration: Concentration
    weight: Quantity | None = None
    population: Population = Population.ADULT
    dose: DoseRate | None = None
    rate: Quantity | None = None  # mL/h, instead of dose
    basis: DoseBasis = DoseBasis.PER_KG  # basis to report a dose typed as a rate in
    line: LineType = LineType.CENTRAL
    drop_factor_gtt_per_ml: float | None = None
    bag_volume_left: Quantity | None = None
    current_dose_mcg_per_min: float | None = None  # the dose running now, for the large-change check
    next_check_min: float | None = None  # minutes to the next check: a bag running out before it is high priority


@dataclass(frozen=True)
class InfusionSummary:
    concentration_mcg_per_ml: float
    dose_mcg_per_kg_per_min: float | None
    dose_mcg_per_min: float
    dose_mg_per_h: float
    rate_ml_per_h: float
    pump_rate_ml_per_h: float
    delivered_dose_mcg_per_kg_per_min: float | None
    delivered_dose_mcg_per_min: float
    drops_per_min: float | None
    bag_hours_left: float | None
    mg_per_24h: float
    alerts: tuple[Alert, ...] = field(default_factory=tuple)
    weight_kg: float | None = None
    salt_converted: bool = False

    @property
    def refused(self) -> bool:
        """A dose above the hard limit: the window must not accept it."""
        return any(a.code == "DOSE_ABOVE_HARD_MAX" for a in self.alerts)

    @property
    def needs_confirmation(self) -> bool:
        return any(a.code in CONFIRM_CODES for a in self.alerts)

    def to_json(self) -> dict[str, Any]:
        return {
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "weight_kg": self.weight_kg,
            "dose_mcg_per_kg_per_min": self.dose_mcg_per_kg_per_min,
            "dose_mcg_per_min": self.dose_mcg_per_min,
            "dose_mg_per_h": self.dose_mg_per_h,
            "rate_ml_per_h": self.rate_ml_per_h,
            "pump_rate_ml_per_h": self.pump_rate_ml_per_h,
            "delivered_dose_mcg_per_kg_per_min": self.delivered_dose_mcg_per_kg_per_min,
            "delivered_dose_mcg_per_min": self.delivered_dose_mcg_per_min,
            "drops_per_min": self.drops_per_min,
            "bag_hours_left": self.bag_hours_left,
            "mg_per_24h": self.mg_per_24h,
            "salt_converted_to_base": self.salt_converted,
            "alerts": [a.to_json() for a in self.alerts],
        }


MAX_BAG_ML = 10000.0  # plausibility bound for a bag volume typed (not clinical), as the titration engine's

CONFIRM_CODES = frozenset({
    "DOSE_ABOVE_SOFT_MAX",
    "DOSE_ABOVE_USUAL_MAX",
    "DOSE_IMPLAUSIBLY_LOW",
    "LARGE_DOSE_CHANGE",
    "WEIGHT_MAYBE_POUNDS",
    "LINE_DOSE_LIMIT",
    "PUMP_RATE_ROUNDING",
})


@cache
def _kg_per_lb() -> float:
    """One pound in kilograms, from the unit registry (asked once)."""
    return float(Q(1.0, "lb").to(unit("kg")).magnitude)


def check_weight(weight: Quantity, population: Population, protocol: Protocol) -> list[Alert]:
    """Refuse an implausible weight (InputError); flag one that looks like pounds typed as kilograms."""
    return check_weight_kg(float(weight.to(unit("kg")).magnitude), population, protocol)


def check_weight_kg(kg: float, population: Population, protocol: Protocol) -> list[Alert]:
    """:func:`check_weight` for a weight already in kg (the titration engine's input)."""
    limits = protocol.population(population)
    if not limits.weight_min_kg <= kg <= limits.weight_max_kg:
        raise InputError(
            "weight",
            f"{kg:g} kg is implausible for a {population.value} patient (WEIGHT_IMPLAUSIBLE)",
            f"{limits.weight_min_kg:g} to {limits.weight_max_kg:g} kg",
        )
    alerts: list[Alert] = []
    as_if_pounds = kg * _kg_per_lb()
    if kg > limits.maybe_pounds_above_kg and limits.weight_min_kg <= as_if_pounds:
        above = protocol.cite(f"populations.{population.value}.maybe_pounds_above_kg",
                              f"{limits.maybe_pounds_above_kg:g} kg")
        alerts.append(
            Alert(
                "WEIGHT_MAYBE_POUNDS",
                Priority.MEDIUM,
                f"{kg:g} kg is high for a {population.value} patient (above {above}): if this was pounds, the "
                f"weight is {as_if_pounds:.1f} kg. Confirm the unit.",
            )
        )
    return alerts


def check_inputs(weight_kg: float | None, population: Population, concentration: Concentration,
                 protocol: Protocol) -> list[Alert]:
    """The patient and bag checks every dose calculation starts with (``calc``, the infusion panel, the titration
    engine): an implausible weight or concentration is refused (InputError); pounds-like weights, salt conversion
    and non-standard concentrations are flagged."""
    alerts = [] if weight_kg is None else check_weight_kg(weight_kg, population, protocol)
    return alerts + check_concentration(concentration, protocol)


def check_concentration(concentration: Concentration, protocol: Protocol) -> list[Alert]:
    c = protocol.concentrations
    mcg_ml = concentration.mcg_per_ml
    if not c.min_mcg_per_ml <= mcg_ml <= c.max_mcg_per_ml:
        raise InputError(
            "concentration",
            f"{mcg_ml:.4g} mcg/mL base is outside the protocol's range",
            f"{c.min_mcg_per_ml:g} to {c.max_mcg_per_ml:g} mcg/mL",
        )
    alerts: list[Alert] = []
    if concentration.converted_from_salt:
        alerts.append(
            Alert(
                "SALT_CONVERTED_TO_BASE",
                Priority.LOW,
                f"Entered as bitartrate; computed as norepinephrine base: {concentration.describe()}.",
            )
        )
    if not any(abs(mcg_ml - std) < 1e-9 for std in c.standard_mcg_per_ml):
        standard = protocol.cite("concentrations.standard_mcg_per_ml",
                                 ", ".join(f"{s:g}" for s in c.standard_mcg_per_ml) + " mcg/mL")
        alerts.append(
            Alert(
                "NONSTANDARD_CONCENTRATION",
                Priority.LOW,
                f"{mcg_ml:.4g} mcg/mL is not a standard concentration ({standard}). Double-check the bag label.",
            )
        )
    return alerts


def dose_limit_alerts(
    mcg_per_kg_min: float | None, mcg_per_min: float, population: Population, line: LineType, protocol: Protocol
) -> list[Alert]:
    """Soft, hard and line limits for a norepinephrine base dose."""
    limits = protocol.population(population)
    key = f"populations.{population.value}"
    alerts: list[Alert] = []
    if mcg_per_kg_min is not None:
        value, soft, hard, unit = mcg_per_kg_min, limits.soft_max_dose, limits.hard_max_dose, "mcg/kg/min"
        soft_key, hard_key = f"{key}.soft_max_dose", f"{key}.hard_max_dose"
    else:
        value, soft, hard, unit = (
            mcg_per_min,
            limits.flat_soft_max_mcg_per_min,
            limits.flat_hard_max_mcg_per_min,
            "mcg/min",
        )
        soft_key, hard_key = f"{key}.flat_soft_max_mcg_per_min", f"{key}.flat_hard_max_mcg_per_min"
    if value > hard:
        alerts.append(
            Alert(
                "DOSE_ABOVE_HARD_MAX",
                Priority.HIGH,
                f"{value:.3g} {unit} is above the hard limit {protocol.cite(hard_key, f'{hard:g} {unit}')}: refused.",
            )
        )
    elif value > soft:
        alerts.append(
            Alert(
                "DOSE_ABOVE_SOFT_MAX",
                Priority.MEDIUM,
                f"{value:.3g} {unit} is above the soft limit {protocol.cite(soft_key, f'{soft:g} {unit}')}: "
                "confirm to continue.",
            )
        )
    line_limits = protocol.line(line)
    over: list[str] = []
    if (
        line_limits.max_dose_mcg_per_kg_per_min > 0
        and mcg_per_kg_min is not None
        and mcg_per_kg_min >= line_limits.max_dose_mcg_per_kg_per_min - 1e-12
    ):  # "below 0.5" [seed 004]: 0.5 itself is over
        over.append(f"{mcg_per_kg_min:.3g}, not below {line_limits.max_dose_mcg_per_kg_per_min:g} mcg/kg/min")
    if line_limits.max_dose_mcg_per_min > 0 and mcg_per_min > line_limits.max_dose_mcg_per_min:
        over.append(f"{mcg_per_min:.3g} > {line_limits.max_dose_mcg_per_min:g} mcg/min")
    if over:
        alerts.append(
            Alert(
                "LINE_DOSE_LIMIT",
                Priority.MEDIUM,
                f"Dose above the {line.value} line limit ({'; '.join(over)}): central access needed.",
            )
        )
    return alerts


def dose_slip_alerts(mcg_per_kg_min: float | None, mcg_per_min: float, basis: DoseBasis,
                     current_mcg_per_kg_min: float | None, population: Population, protocol: Protocol) -> list[Alert]:
    """Doses that look like a slip: a per-kg dose above the usual maximum when starting or crossing it (0.8 typed
    for 0.08 with nothing running yet), and a dose implausibly low for the weight (a per-kg dose typed in mcg/min).

    ``current_mcg_per_kg_min``: the dose running now (``None`` or 0: nothing runs).
    """
    alerts: list[Alert] = []
    if mcg_per_kg_min is None or mcg_per_kg_min <= 0:
        return alerts
    limits = protocol.population(population)
    key = f"populations.{population.value}"
    usual, soft = limits.usual_max_dose, limits.soft_max_dose
    crossing = current_mcg_per_kg_min is None or current_mcg_per_kg_min <= usual + 1e-12
    if usual < mcg_per_kg_min <= soft and crossing:
        running = ("nothing runs yet" if not current_mcg_per_kg_min
                   else f"from {current_mcg_per_kg_min:.3g} mcg/kg/min")
        alerts.append(Alert(
            "DOSE_ABOVE_USUAL_MAX", Priority.MEDIUM,
            f"{mcg_per_kg_min:.3g} mcg/kg/min is above the usual maximum "
            f"{protocol.cite(f'{key}.usual_max_dose', f'{usual:g} mcg/kg/min')} ({running}): check for a "
            "misplaced decimal, confirm to continue."))
    low = limits.min_plausible_dose
    if mcg_per_kg_min < low - 1e-12:
        if basis is DoseBasis.FLAT:
            meant = (f" Was {mcg_per_min:.3g} mcg/kg/min meant? Check the unit.")
        else:
            meant = " Check the dose and its unit."
        alerts.append(Alert(
            "DOSE_IMPLAUSIBLY_LOW", Priority.MEDIUM,
            f"{mcg_per_min:.3g} mcg/min is {mcg_per_kg_min:.2g} mcg/kg/min for this weight, below "
            f"{protocol.cite(f'{key}.min_plausible_dose', f'{low:g} mcg/kg/min')}.{meant}"))
    return alerts


def pump_rounding_alert(exact_rate_ml_per_h: float, pump_rate_ml_per_h: float, ordered_mcg_per_min: float,
                        protocol: Protocol) -> Alert | None:
    """PUMP_RATE_ROUNDING: the rate rounds to 0 mL/h, or the rounded rate delivers a dose further from the ordered
    one than pump.max_delivered_error_fraction (10 % [U]); the message gives the delivered dose."""
    if exact_rate_ml_per_h <= 0 or ordered_mcg_per_min <= 0:
        return None
    error = abs(pump_rate_ml_per_h - exact_rate_ml_per_h) / exact_rate_ml_per_h
    fraction = protocol.pump.max_delivered_error_fraction
    if pump_rate_ml_per_h > 0 and error <= fraction + 1e-12:
        return None
    delivered = ordered_mcg_per_min * pump_rate_ml_per_h / exact_rate_ml_per_h
    limit = protocol.cite("pump.max_delivered_error_fraction", f"{fraction * 100:g} %")
    resolution = protocol.pump.resolution_ml_per_h
    if pump_rate_ml_per_h <= 0:
        steps = protocol.cite("pump.resolution_ml_per_h", f"{resolution:g} mL/h")
        what = f"{exact_rate_ml_per_h:.3g} mL/h rounds to 0 mL/h at the pump's {steps} steps"
    else:
        what = (f"{exact_rate_ml_per_h:.3g} mL/h rounds to {pump_rate_ml_per_h:g} mL/h, {error * 100:.0f} % off "
                f"(more than {limit})")
    return Alert("PUMP_RATE_ROUNDING", Priority.MEDIUM,
                 f"{what}: the pump delivers {delivered:.3g} mcg/min for the {ordered_mcg_per_min:.3g} mcg/min "
                 "ordered. Use a more dilute concentration.")


def check_drop_factor(drop_factor_gtt_per_ml: float, protocol: Protocol) -> None:
    """Refuse a drop factor that is not one of the protocol's drip chambers (InputError naming the field)."""
    factors = protocol.pump.drop_factors_gtt_per_ml
    if not any(drop_factor_gtt_per_ml == f for f in factors):  # NaN equals nothing
        raise InputError("drop factor", f"{drop_factor_gtt_per_ml:g} gtt/mL is not one of the protocol's drip "
                         "chambers", ", ".join(str(d) for d in factors) + " gtt/mL")


def summarise_infusion(request: InfusionRequest, protocol: Protocol) -> InfusionSummary:
    """Every number and dosing alert the infusion panel shows, from one request."""
    weight = request.weight
    weight_kg = None if weight is None else float(weight.to(unit("kg")).magnitude)
    alerts = check_inputs(weight_kg, request.population, request.concentration, protocol)
    conc = request.concentration

    if request.dose is not None:
        dose = request.dose
        exact = rate_for_dose(dose, conc, weight)
    elif request.rate is not None:
        exact = request.rate.to(unit("mL/h"))
        dose = dose_for_rate(exact, conc, weight, request.basis if weight is not None else DoseBasis.FLAT)
    else:
        raise InputError("dose", "enter a dose or a pump rate", "a dose (e.g. 0.1 mcg/kg/min) or a rate (mL/h)")

    rate_ml_h = float(exact.to(unit("mL/h")).magnitude)
    pump = round_to_resolution(exact, protocol.pump.resolution_ml_per_h)
    mcg_min = dose.mcg_per_min(weight)
    mcg_kg_min = dose.mcg_per_kg_per_min(weight)
    delivered = dose_for_rate(pump, conc, weight, DoseBasis.FLAT)
    delivered_mcg_min = delivered.mcg_per_min(None)
    delivered_mcg_kg_min = delivered.mcg_per_kg_per_min(weight)

    limit_alerts = dose_limit_alerts(mcg_kg_min, mcg_min, request.population, request.line, protocol)
    alerts += limit_alerts
    hard = any(a.code == "DOSE_ABOVE_HARD_MAX" for a in limit_alerts)
    current = request.current_dose_mcg_per_min
    if current is not None and not math.isfinite(current):
        raise InputError("current dose", f"{current:g} mcg/min is not a finite dose", "a dose up to the hard limit")
    current_per_kg = None if current is None or weight_kg is None else current / weight_kg
    alerts += dose_slip_alerts(mcg_kg_min, mcg_min, dose.basis, current_per_kg, request.population, protocol)
    rounding = pump_rounding_alert(rate_ml_h, float(pump.magnitude), mcg_min, protocol)
    if rounding is not None:
        alerts.append(rounding)
    if rate_ml_h > protocol.pump.max_rate_ml_per_h and not hard:
        raise InputError(
            "rate",
            f"{rate_ml_h:.1f} mL/h is above the pump's maximum",
            f"0 to {protocol.pump.max_rate_ml_per_h:g} mL/h",
        )
    factor = protocol.dose_change.large_change_factor
    if current is not None and current > 0 and mcg_min > 0 and max(mcg_min / current, current / mcg_min) > factor:
        alerts.append(
            Alert(
                "LARGE_DOSE_CHANGE",
                Priority.MEDIUM,
                f"New dose {mcg_min:.3g} mcg/min is more than "
                f"{protocol.cite('dose_change.large_change_factor', f'{factor:g}x')} the current "
                f"{current:.3g} mcg/min: "
                "check for a misplaced decimal.",
            )
        )

    per_day_mg = float(amount_per_day(mcg_min).magnitude)
    if not all(math.isfinite(v) for v in (rate_ml_h, mcg_min, per_day_mg, float(pump.magnitude))):
        field_name = "dose" if request.dose is not None else "rate"
        raise HardLimitError(field_name, "is too large to compute", "a dose up to the population's hard limit")
    if per_day_mg > protocol.daily.label_max_mg_per_day:
        alerts.append(
            Alert(
                "DAILY_TOTAL_ABOVE_LABEL_MAX",
                Priority.MEDIUM,
                f"{per_day_mg:.1f} mg per 24 h exceeds the label maximum of "
                f"{protocol.daily.label_max_mg_per_day:g} mg/day.",
            )
        )

    drops = None
    if request.drop_factor_gtt_per_ml is not None:
        check_drop_factor(request.drop_factor_gtt_per_ml, protocol)
        drops = float(drops_per_min(pump, request.drop_factor_gtt_per_ml).magnitude)

    hours_left = None
    if request.bag_volume_left is not None:
        bag_ml = float(request.bag_volume_left.to(unit("mL")).magnitude)
        if not 0.0 <= bag_ml <= MAX_BAG_ML:  # NaN fails too
            raise InputError("bag volume", f"{bag_ml:g} mL is out of range", f"0 to {MAX_BAG_ML:g} mL")
        left = bag_time_left(request.bag_volume_left.to(unit("mL")), pump)
        if left is not None:
            hours_left = float(left.magnitude)
            # The engine's bag rule (SAFE-BAG-BEFORE-CHECK, SAFE-BAG-LOW), not a priority of the panel's own.
            bag = bag_alert(hours_left * 60.0, request.next_check_min, protocol, rate_text=f"{pump.magnitude:g}")
            if bag is not None and bag.code != "BAG_CHANGE_DUE":
                alerts.append(bag)

    return InfusionSummary(
        concentration_mcg_per_ml=conc.mcg_per_ml,
        dose_mcg_per_kg_per_min=mcg_kg_min,
        dose_mcg_per_min=mcg_min,
        dose_mg_per_h=float(Q(mcg_min, "mcg/min").to(unit("mg/h")).magnitude),
        rate_ml_per_h=rate_ml_h,
        pump_rate_ml_per_h=float(pump.magnitude),
        delivered_dose_mcg_per_kg_per_min=delivered_mcg_kg_min,
        delivered_dose_mcg_per_min=delivered_mcg_min,
        drops_per_min=drops,
        bag_hours_left=hours_left,
        mg_per_24h=per_day_mg,
        alerts=tuple(alerts),
        weight_kg=None if weight is None else float(weight.to(unit("kg")).magnitude),
        salt_converted=conc.converted_from_salt,
    )
