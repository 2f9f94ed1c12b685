"""The titration order and the advice kept inside it (rules ORD-*).

A titration order names seven elements: drug, route, starting rate, step size, how often the rate may change, the
maximum, and a measurable goal (Joint Commission MM.04.01.01 FAQ [V], clinical-reference "Titration workload and
order"). :class:`TitrationOrder` holds them; :func:`order_defaults` prefills them from the protocol and says which
prefilled values are [U] defaults the prescriber must review; :func:`within_order` takes the engine's
:class:`~norepi_gui.core.titration.model.Advice` and returns advice that never proposes a step, a change sooner or a
dose above what the order allows, and says so when the order stops it ("order maximum reached: call the
prescriber"). The engine's rules are not changed: the order is applied to what the engine answered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from norepi_gui.core.alerts import Alert, Priority, by_priority
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import LineType, Population

if TYPE_CHECKING:
    from norepi_gui.core.dosing import Concentration
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.core.titration.model import Action, Advice

DRUG = "norepinephrine"
PER_KG = "mcg/kg/min"
FLAT = "mcg/min"
EPS = 1e-9

# Rule IDs (docs/rules.md, "Titration order"). Stable: never renamed or reused.
ORD_START = "ORD-START"
ORD_STEP = "ORD-STEP"
ORD_FREQUENCY = "ORD-FREQUENCY"
ORD_MAX = "ORD-MAX"
ORD_ROUTE = "ORD-ROUTE"
ORD_GOAL = "ORD-GOAL"

ORDER_RULES: dict[str, str] = {
    ORD_START: "A first start is at the order's starting dose; a restart (norepinephrine given before) resumes at "
               "the engine's dose capped at the order's maximum.",
    ORD_STEP: "No change is larger than the order's step size: an increase stops at the running dose + step, a "
              "decrease at the running dose - step; a stop from above one step becomes a decrease by one step.",
    ORD_FREQUENCY: "No change sooner than the order allows after the last change: the advice holds and says when the "
                   "next change is allowed. Checks keep the engine's interval.",
    ORD_MAX: "Never above the order's maximum: an increase stops at it; at it with the engine asking for more, hold "
             "and raise ORDER_MAX_REACHED (high): call the prescriber; a running dose above it: decrease to it, with "
             "confirmation, and raise ORDER_MAX_EXCEEDED (high).",
    ORD_ROUTE: "The line recorded is not the order's route: ORDER_ROUTE_DIFFERS (medium).",
    ORD_GOAL: "The target band the advice titrates to is not the order's measurable goal: ORDER_GOAL_DIFFERS (low).",
}

# The order's elements, in the order the Joint Commission lists them, with the labels shown on screen and paper.
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("drug", "Drug"),
    ("route", "Route"),
    ("start", "Starting dose"),
    ("step", "Step size"),
    ("frequency", "How often"),
    ("maximum", "Maximum"),
    ("goal", "Measurable goal"),
)

# Bounds of what the order dialog accepts (plausibility of typed input, not clinical limits: the protocol's hard
# maximum is checked by check_against_protocol).
_DOSE_BOUNDS = {PER_KG: (0.001, 20.0), FLAT: (0.1, 2000.0)}
_EVERY_BOUNDS = (1.0, 240.0)  # min
_MAP_BOUNDS = (30.0, 150.0)  # mmHg
_TEXT_MAX = 60


@dataclass(frozen=True)
class TitrationOrder:
    """The prescriber's titration order. Doses are norepinephrine base in ``dose_unit``.

    ``defaults``: the elements left at the protocol's prefilled value when the order was recorded; ``review``: those
    of them that are [U] defaults (widely taught, not verified) the prescriber should review.
    """

    route: LineType
    start_dose: float
    step: float
    change_every_min: float
    max_dose: float
    goal_map_low: float
    goal_map_high: float
    floor_map: float
    dose_unit: str = PER_KG
    prescriber: str = ""
    defaults: tuple[str, ...] = ()
    review: tuple[str, ...] = ()
    drug: str = DRUG

    def __post_init__(self) -> None:
        if self.dose_unit not in _DOSE_BOUNDS:
            raise InputError("dose unit", f"{self.dose_unit!r} is not a dose unit", f"{PER_KG} or {FLAT}")
        lo, hi = _DOSE_BOUNDS[self.dose_unit]
        unit = self.dose_unit
        _check("starting dose", self.start_dose, lo, hi, unit)
        _check("step size", self.step, lo, hi, unit)
        _check("maximum", self.max_dose, lo, hi, unit)
        _check("how often", self.change_every_min, *_EVERY_BOUNDS, "min")
        _check("goal (lower MAP)", self.goal_map_low, *_MAP_BOUNDS, "mmHg")
        _check("goal (upper MAP)", self.goal_map_high, *_MAP_BOUNDS, "mmHg")
        _check("floor MAP", self.floor_map, *_MAP_BOUNDS, "mmHg")
        if self.start_dose > self.max_dose + EPS:
            raise InputError("starting dose", f"{self.start_dose:g} is above the maximum {self.max_dose:g} {unit}",
                             f"up to the maximum, {self.max_dose:g} {unit}")
        if self.step > self.max_dose + EPS:
            raise InputError("step size", f"{self.step:g} is above the maximum {self.max_dose:g} {unit}",
                             f"up to the maximum, {self.max_dose:g} {unit}")
        if self.goal_map_high <= self.goal_map_low:
            raise InputError("goal (upper MAP)", f"{self.goal_map_high:g} is not above {self.goal_map_low:g} mmHg",
                             f"above the lower MAP, {self.goal_map_low:g} mmHg")
        if self.floor_map > self.goal_map_low:
            raise InputError("floor MAP", f"{self.floor_map:g} is above the goal's lower MAP {self.goal_map_low:g}",
                             f"{_MAP_BOUNDS[0]:g} to {self.goal_map_low:g} mmHg")
        if len(self.prescriber) > _TEXT_MAX or any(ord(c) < 32 for c in self.prescriber):
            raise InputError("prescriber", "too long or holds control characters",
                             f"a name of up to {_TEXT_MAX} characters")

    def per_kg(self, value: float, weight_kg: float) -> float:
        """One of the order's doses in mcg/kg/min (a flat order is divided by the weight)."""
        return value if self.dose_unit == PER_KG else value / weight_kg

    def describe(self) -> tuple[tuple[str, str], ...]:
        """The seven elements as (label, text), then the prescriber."""
        u = self.dose_unit
        route = {LineType.CENTRAL: "central line", LineType.PERIPHERAL: "peripheral line",
                 LineType.INTRAOSSEOUS: "intraosseous"}[self.route]
        texts = {
            "drug": f"{self.drug} (doses as base)",
            "route": f"IV continuous infusion, {route}",
            "start": f"{_num(self.start_dose)} {u}",
            "step": f"up to {_num(self.step)} {u} per change",
            "frequency": f"at most one change every {_num(self.change_every_min)} min",
            "maximum": f"{_num(self.max_dose)} {u}; above it, call the prescriber",
            "goal": f"MAP {_num(self.goal_map_low)}\u2013{_num(self.goal_map_high)} mmHg; floor "
                    f"{_num(self.floor_map)} mmHg",
        }
        rows = [(label, texts[key] + self._mark(key)) for key, label in ELEMENTS]
        rows.append(("Prescriber", self.prescriber or "not recorded"))
        return tuple(rows)

    def _mark(self, key: str) -> str:
        names = {"goal": ("goal", "floor")}.get(key, (key,))
        if any(n in self.review for n in names):
            return " (protocol default [U]: review)"
        if any(n in self.defaults for n in names):
            return " (protocol default)"
        return ""


def _check(field: str, value: float, lo: float, hi: float, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not lo <= value <= hi:
        raise InputError(field, f"{value!r} is out of range", f"{lo:g} to {hi:g} {unit}")


def _num(value: float) -> str:
    return f"{value:.4g}"


# Which prefilled values are [U] in resources/protocols/default.toml, by element: the step (no authoritative fixed
# increment exists [S]: "steps are protocol settings"), the maximum (soft_max_dose [S; U]), the goal's upper MAP
# (targets.band_above_mmhg [U]) and the floor (the lower end of the 65 trial's permissive 60-65 band [V], used as
# a floor [U]). A child's goal is always to review: the protocol holds no paediatric MAP target (TGT-PEDIATRIC-REVIEW).
_UNVERIFIED = ("step", "maximum", "goal", "floor")


def order_defaults(protocol: Protocol, population: Population, line: LineType,
                   band: tuple[float, float]) -> TitrationOrder:
    """The order prefilled from the protocol: the population's start dose, step and soft maximum, the shortest check
    interval as the change frequency, the target band the advice uses now as the goal, the permissive target
    (targets.elderly_map) as the floor; ``review`` lists the [U] defaults."""
    pop = protocol.population(population)
    t = protocol.titration
    flat = pop.dose_unit == FLAT
    low, high = band
    floor = min(protocol.targets.elderly_map, low)
    return TitrationOrder(
        route=line,
        start_dose=pop.flat_start_mcg_per_min if flat else pop.start_dose,
        step=t.flat_step_up_mcg_per_min if flat else t.step_up,
        change_every_min=protocol.intervals.min_minutes,
        max_dose=pop.flat_soft_max_mcg_per_min if flat else pop.soft_max_dose,
        goal_map_low=low,
        goal_map_high=high,
        floor_map=floor,
        dose_unit=FLAT if flat else PER_KG,
        defaults=("start", "step", "frequency", "maximum", "goal", "floor"),
        review=_UNVERIFIED,
    )


def check_against_protocol(order: TitrationOrder, protocol: Protocol, population: Population) -> None:
    """Refuse an order whose maximum is above the protocol's hard maximum (the engine never goes there)."""
    pop = protocol.population(population)
    flat = order.dose_unit == FLAT
    hard = pop.flat_hard_max_mcg_per_min if flat else pop.hard_max_dose
    if order.max_dose > hard + EPS:
        raise InputError("maximum", f"{order.max_dose:g} {order.dose_unit} is above the protocol's hard maximum "
                         f"{hard:g} {order.dose_unit}", f"up to {hard:g} {order.dose_unit}")


@dataclass(frozen=True)
class OrderContext:
    """What the order is applied against: the dose running now (mcg/kg/min), when it was last changed, whether
    norepinephrine was given before in this record, the line recorded, and the figures for the pump rate."""

    current_dose: float
    last_change_at: datetime | None
    given_before: bool
    line: LineType
    weight_kg: float
    concentration: Concentration
    resolution_ml_per_h: float
    soft_max: float  # mcg/kg/min, the population's soft maximum


def within_order(advice: Advice, order: TitrationOrder, ctx: OrderContext, now: datetime) -> Advice:
    """The engine's advice kept inside ``order`` (rules ORD-*)."""
    from norepi_gui.core.titration.model import Action  # the engine loads lazily (not before the first paint)

    w = ctx.weight_kg
    start, step, maximum = (order.per_kg(v, w) for v in (order.start_dose, order.step, order.max_dose))
    current = ctx.current_dose
    action, dose = advice.action, advice.dose_mcg_per_kg_per_min
    rules: list[str] = []
    notes: list[str] = []
    alerts = list(advice.alerts)
    needs_confirmation = advice.needs_confirmation
    unit = order.dose_unit

    if current > maximum + EPS:  # running above the order (set outside it): back to its maximum
        action, dose, needs_confirmation = Action.DECREASE, maximum, True
        rules.append(ORD_MAX)
        notes.append(f"the running dose is above the order maximum {_num(order.max_dose)} {unit}")
        alerts.append(Alert("ORDER_MAX_EXCEEDED", Priority.HIGH,
                            f"Running dose {_num(current)} mcg/kg/min is above the order maximum "
                            f"{_num(order.max_dose)} {unit}: reduce to the maximum or call the prescriber."))
    else:
        if action is Action.START:
            rules.append(ORD_START)
            if not ctx.given_before:
                if abs(dose - start) > EPS:
                    notes.append(f"the order's starting dose {_num(order.start_dose)} {unit}")
                dose = start
            elif dose > maximum + EPS:
                dose = maximum
                rules.append(ORD_MAX)
                notes.append(f"restart capped at the order maximum {_num(order.max_dose)} {unit}")
        elif action is Action.INCREASE:
            if current >= maximum - EPS:
                action, dose = Action.HOLD, current
                rules.append(ORD_MAX)
                notes.append(f"at the order maximum {_num(order.max_dose)} {unit}")
                alerts.append(Alert("ORDER_MAX_REACHED", Priority.HIGH,
                                    f"Order maximum reached ({_num(order.max_dose)} {unit}) and the engine asks "
                                    "for more: call the prescriber."))
            else:
                if dose > current + step + EPS:
                    dose = current + step
                    rules.append(ORD_STEP)
                    notes.append(f"the order's step {_num(order.step)} {unit}")
                if dose > maximum + EPS:
                    dose = maximum
                    rules.append(ORD_MAX)
                    notes.append(f"stopped at the order maximum {_num(order.max_dose)} {unit}: beyond it, call the "
                                 "prescriber")
        elif action is Action.DECREASE:
            if dose < current - step - EPS:
                dose = current - step
                rules.append(ORD_STEP)
                notes.append(f"the order's step {_num(order.step)} {unit}")
        elif action is Action.TAPER_OFF and current > step + EPS:
            action, dose = Action.DECREASE, current - step
            rules.append(ORD_STEP)
            notes.append(f"the order's step {_num(order.step)} {unit}: decrease before stopping")
        if action.changes_dose and ctx.last_change_at is not None:
            allowed = ctx.last_change_at + timedelta(minutes=order.change_every_min)
            if now < allowed - timedelta(microseconds=1):
                wait = (allowed - now).total_seconds() / 60.0
                action, dose = Action.HOLD, current
                rules.append(ORD_FREQUENCY)
                notes.append(f"the order allows one change every {_num(order.change_every_min)} min: next change "
                             f"in {math.ceil(wait - 1e-9):d} min")

    if ctx.line is not order.route:
        rules.append(ORD_ROUTE)
        alerts.append(Alert("ORDER_ROUTE_DIFFERS", Priority.MEDIUM,
                            f"The line recorded ({ctx.line.value}) is not the order's route ({order.route.value}): "
                            "review the order or the line."))
    if advice.target_map is None or advice.target_map_upper is None:  # a child without a written target
        rules.append(ORD_GOAL)
        alerts.append(Alert("ORDER_GOAL_DIFFERS", Priority.MEDIUM,
                            f"The order's goal is MAP {_num(order.goal_map_low)}\u2013{_num(order.goal_map_high)} "
                            "but no target is set for the patient: enter the prescribed target."))
    elif abs(advice.target_map - order.goal_map_low) > EPS or abs(advice.target_map_upper - order.goal_map_high) > EPS:
        rules.append(ORD_GOAL)
        alerts.append(Alert("ORDER_GOAL_DIFFERS", Priority.LOW,
                            f"The advice titrates to MAP {_num(advice.target_map)}\u2013{_num(advice.target_map_upper)}"
                            f"; the order's goal is MAP {_num(order.goal_map_low)}\u2013{_num(order.goal_map_high)}: "
                            "set the patient's target or review the order."))
    if not rules:
        return advice

    dose = round(dose, 6) + 0.0
    final_alerts = by_priority(alerts)
    if abs(dose - advice.dose_mcg_per_kg_per_min) <= EPS and action is advice.action:
        return replace(advice, rules=tuple(dict.fromkeys([*advice.rules, *rules])), alerts=tuple(final_alerts))
    exceeded = current > maximum + EPS
    if dose <= ctx.soft_max + EPS:
        needs_confirmation = exceeded
        if current <= ctx.soft_max + EPS:  # the engine's soft-maximum flag was about a dose no longer proposed
            final_alerts = [a for a in final_alerts if a.code != "DOSE_ABOVE_SOFT_MAX"]
    rate = _pump_rate(dose, ctx)
    return replace(
        advice,
        action=action,
        dose_mcg_per_kg_per_min=dose,
        dose_mcg_per_min=round(dose * w, 4),
        rate_ml_per_h=rate,
        needs_confirmation=needs_confirmation,
        rules=tuple(dict.fromkeys([*advice.rules, *rules])),
        alerts=tuple(final_alerts),
        rationale=f"Within the order: {_what(action, current, dose, rate)} ({'; '.join(notes)}). "
                  f"The engine alone: {advice.rationale}",
    )


def _pump_rate(dose: float, ctx: OrderContext) -> float:
    """The dosing core's rate for a per-kg dose, rounded to the pump resolution (mL/h)."""
    from norepi_gui.core.dosing import DoseRate, rate_for_dose, round_to_resolution
    from norepi_gui.core.units import Q

    if dose <= EPS:
        return 0.0
    rate = rate_for_dose(DoseRate.per_kg(dose), ctx.concentration, Q(ctx.weight_kg, "kg"))
    return float(round_to_resolution(rate, ctx.resolution_ml_per_h).magnitude)


def _what(action: Action, current: float, dose: float, rate: float) -> str:
    from norepi_gui.core.titration.model import Action, fmt_dose

    if action is Action.HOLD:
        return f"hold {fmt_dose(current)} mcg/kg/min"
    if action is Action.START:
        return f"start {fmt_dose(dose)} mcg/kg/min ({rate:g} mL/h)"
    word = "increase" if action is Action.INCREASE else "decrease"
    return f"{word} {fmt_dose(current)} -> {fmt_dose(dose)} mcg/kg/min ({rate:g} mL/h)"
