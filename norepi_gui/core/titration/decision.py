"""The dose decision: start, increase, hold, decrease or taper off, and by how much (rules TIT-* and START-*)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.protocol import Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.effect import SETTLED, Course
from norepi_gui.core.titration.history import trailing
from norepi_gui.core.titration.limits import EPS, DoseLimits, clean
from norepi_gui.core.titration.model import (
    Action,
    CoInfusions,
    Escalation,
    PatientInfo,
    Reading,
    Target,
    fmt_dose,
)
from norepi_gui.core.titration.nee import VASOPRESSIN_FACTOR
from norepi_gui.core.titration.start import life_threatening, pediatric_wait_note, start_criteria


@dataclass
class Decision:
    action: Action
    dose: float
    why: str  # the observation that drove it, e.g. "MAP 58 < target 65"
    rules: list[str] = field(default_factory=list)
    needs_confirmation: bool = False
    note: str = ""  # an extra clause for the rationale
    alerts: list[Alert] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    waiting_for_fluids: bool = False
    overshoot: bool = False  # MAP far above target: recheck early rather than step further (INT-OVERSHOOT)
    confirm: list[str] = field(default_factory=list)  # why the dose needs the nurse's confirmation
    waiting: bool = False  # held for the effect of the last change (TIT-EFFECT-WAIT)
    unstable: bool = False  # a step while titrating (below target, a start, an overshoot): recheck at the minimum


def decide(readings: Sequence[Reading], doses: Sequence[float], current: float, patient: PatientInfo,
           target: Target, limits: DoseLimits, protocol: Protocol, co: CoInfusions | None = None, *,
           last_given: float | None = None, course: Course = SETTLED) -> Decision:
    """The dose decision on the readings a dose change may use (fresh, trusted; the latest last).

    ``last_given``: the last dose above zero charted before the latest reading (``None``: never running before).
    ``course``: where the latest reading stands in the time course of the last dose change (rules TIT-EFFECT-*).
    """
    co = co or CoInfusions()
    d = _decide(readings, doses, current, patient, target, limits, protocol, co, stopped=last_given is not None,
                course=course)
    return _large_change(with_soft_flag(d, current, limits, protocol), current, protocol)


def await_reading(current: float, measured: float) -> Decision:
    """TIT-AWAIT-READING: the dose running now has no reading yet; nothing new can be judged until one comes."""
    if current <= EPS:
        what = "norepinephrine stopped"
    elif measured <= EPS:
        what = f"norepinephrine started at {fmt_dose(current)} mcg/kg/min"
    else:
        what = f"dose changed {fmt_dose(measured)} -> {fmt_dose(current)} mcg/kg/min"
    return Decision(Action.HOLD, current, f"{what} after the latest reading", [rid.TIT_AWAIT_READING],
                    note="waiting for a reading taken after the change")


def _decide(readings: Sequence[Reading], doses: Sequence[float], current: float, patient: PatientInfo,
            target: Target, limits: DoseLimits, protocol: Protocol, co: CoInfusions, *, stopped: bool,
            course: Course) -> Decision:
    m = readings[-1].map
    if current <= EPS:
        return _not_running(readings, doses, patient, target, limits, protocol, co, stopped=stopped)
    if current > limits.hard_max + EPS:
        dose = clean(max(limits.hard_max, wean_floor(current, limits, protocol)))
        d = Decision(Action.DECREASE, dose, f"dose {fmt_dose(current)} above the hard maximum", [rid.TIT_HARD_MAX],
                     needs_confirmation=True, confirm=["above the hard maximum"])
        if dose > limits.hard_max + EPS:
            d.rules.append(rid.TIT_WEAN_LIMIT)
            d.note = "toward the hard maximum, one limited step at a time"
        hard = protocol.cite(limits.key("hard_max_dose"), fmt_dose(limits.hard_max))
        d.alerts.append(Alert("DOSE_ABOVE_HARD_MAX", Priority.HIGH,
                              f"Running dose {fmt_dose(current)} mcg/kg/min is above the hard maximum {hard}: "
                              f"reduce to {fmt_dose(dose)} now and review."))
        return d
    if m < target.map_mmhg:
        return _below(readings, doses, current, patient, target, limits, protocol, course)
    if m <= target.upper_mmhg:
        return _in_band(m, current, target, limits, protocol, co, course)
    return _above(readings, doses, current, target, limits, protocol, co, course)


def _wait(current: float, why: str, course: Course) -> Decision:
    """TIT-EFFECT-WAIT: the last change is still taking effect; nothing further the same way until it has."""
    change = course.change
    if change is None or change.before is None:
        what = "change"
    elif change.before <= EPS:
        what = "start"
    else:
        what = "increase" if change.up else "decrease"
    return Decision(Action.HOLD, current, why, [rid.TIT_EFFECT_WAIT], waiting=True,
                    note=f"the {what} to {fmt_dose(current)} mcg/kg/min is still taking effect")


def _not_running(readings: Sequence[Reading], doses: Sequence[float], patient: PatientInfo, target: Target,
                 limits: DoseLimits, protocol: Protocol, co: CoInfusions, *, stopped: bool) -> Decision:
    latest = readings[-1]
    m = latest.map
    lo = target.map_mmhg
    below = m < lo
    child = patient.population is Population.PEDIATRIC
    found = start_criteria(latest, patient, target, protocol)
    rules = [f.rule for f in found]
    reasons = [f.reason for f in found]
    if below and stopped:
        prev = readings[-2] if len(readings) >= 2 and doses[-2] <= EPS else None
        if prev is not None and (m + prev.map) / 2.0 >= lo and not rules and co.vasopressin_u_per_min <= EPS:
            # As TIT-UP-BORDERLINE: one borderline, possibly noisy, reading is not acted on.
            return Decision(Action.NONE, 0.0, f"MAP {m:.0f} < target {lo:g} after norepinephrine was stopped",
                            [rid.TIT_UP_BORDERLINE],
                            note=f"previous {prev.map:.0f}, mean at target: recheck before restarting")
        rules.append(rid.TIT_RESTART)
        reasons.append(f"MAP {m:.0f} < target {lo:g} after norepinephrine was stopped")
    if below and co.vasopressin_u_per_min > EPS:
        rules.append(rid.START_VASOPRESSIN_RUNNING)
        reasons.append(f"MAP {m:.0f} < target {lo:g} on vasopressin alone (never monotherapy)")
    if rules:
        dose = clean(min(limits.start, limits.soft_max, limits.hard_max))
        d = Decision(Action.START, dose, reasons[0], rules)
        if any(f.emergency for f in found):
            what = "life-threatening hypotension: start norepinephrine now, even during fluid resuscitation"
        elif child:
            what = ("start norepinephrine at the paediatric start dose (continued shock after volume "
                    "resuscitation, seed 002; the adult emergency criteria do not apply to children)")
        elif rules[0] == rid.TIT_RESTART:
            what = "restart norepinephrine at the start dose"
            d.note = "restart at the start dose"
        elif rules[0] == rid.START_VASOPRESSIN_RUNNING:
            what = "start norepinephrine; vasopressin is added to it, never given alone"
        else:
            what = "start norepinephrine now, even during fluid resuscitation"
        d.escalations.append(Escalation("START_NOREPINEPHRINE", "; ".join(reasons) + f": {what}", rules[0],
                                        dose, "mcg/kg/min"))
        return d
    if below:
        fluids = patient.fluids_ml_per_kg
        given = "fluids not recorded" if fluids is None else f"{fluids:g} mL/kg fluid given"
        note = pediatric_wait_note(protocol) if child else "give fluids first, no start criterion met"
        return Decision(Action.NONE, 0.0, f"MAP {m:.0f} < target {lo:g}, {given}", [rid.START_WAIT_FLUIDS],
                        note=note, waiting_for_fluids=True)
    return Decision(Action.NONE, 0.0, f"MAP {m:.0f} >= target {lo:g}, norepinephrine not running",
                    [rid.TIT_NOT_RUNNING])


def _below(readings: Sequence[Reading], doses: Sequence[float], current: float, patient: PatientInfo,
           target: Target, limits: DoseLimits, protocol: Protocol, course: Course) -> Decision:
    latest = readings[-1]
    m = latest.map
    gap = target.map_mmhg - m
    why = f"MAP {m:.0f} < target {target.map_mmhg:g}"
    far = gap >= protocol.titration.far_below_mmhg - EPS
    escape: list[str] = []
    if course.settling_up:
        # A reading minutes after an increase shows part of it: no further increase, unless MAP is
        # life-threatening or far below target and still falling (TIT-EFFECT-FALLING).
        critical = life_threatening(latest, protocol) if patient.population is Population.ADULT else []
        falling = len(readings) >= 2 and m < readings[-2].map - EPS
        if critical:
            escape.append(critical[0].reason)
        elif far and falling:
            escape.append(f"falling from {readings[-2].map:.0f}")
        else:
            return _wait(current, why, course)
    if not far and len(readings) >= 2 and not escape:
        prev = readings[-2]
        raised = doses[-1] > doses[-2] + EPS
        if raised and m - prev.map >= gap - EPS:
            return Decision(Action.HOLD, current, why, [rid.TIT_UP_RISING],
                            note=f"rising {prev.map:.0f} -> {m:.0f} after the last increase")
        same_dose = abs(doses[-1] - doses[-2]) <= EPS
        if same_dose and (m + prev.map) / 2.0 >= target.map_mmhg:
            return Decision(Action.HOLD, current, why, [rid.TIT_UP_BORDERLINE],
                            note=f"previous {prev.map:.0f}, mean at target: recheck before changing")
    if current >= limits.hard_max - EPS:
        d = Decision(Action.HOLD, current, why, [rid.TIT_HARD_MAX], note="at the hard maximum")
        hard = protocol.cite(limits.key("hard_max_dose"), fmt_dose(limits.hard_max))
        d.alerts.append(Alert("DOSE_AT_HARD_MAX", Priority.HIGH,
                              f"Norepinephrine at the hard maximum {hard} mcg/kg/min with MAP below target: no "
                              "further increase; escalate."))
        return d
    if far:
        proposed = current + limits.step_up_large
        d = Decision(Action.INCREASE, proposed, why, [rid.TIT_UP_LARGE], unstable=True)
    else:
        proposed = max(proportional_dose(current, m, target, limits, protocol), current + limits.resolution)
        d = Decision(Action.INCREASE, proposed, why, [rid.TIT_UP, rid.TIT_PROPORTIONAL], unstable=True)
    if escape:
        d.rules.append(rid.TIT_EFFECT_FALLING)
        d.note = f"{escape[0]}, before the last increase has taken full effect"
    if proposed > limits.hard_max + EPS:
        proposed = limits.hard_max
        d.rules.append(rid.TIT_HARD_MAX)
    if proposed > limits.soft_max + EPS:
        if current < limits.soft_max - EPS:
            proposed = limits.soft_max
            d.rules.append(rid.TIT_SOFT_MAX)
            d.note = "stopped at the soft maximum"
        else:
            d.needs_confirmation = True
            d.confirm.append("above the soft maximum")
            d.rules.append(rid.TIT_SOFT_MAX)
            soft = protocol.cite(limits.key("soft_max_dose"), fmt_dose(limits.soft_max))
            d.alerts.append(Alert("DOSE_ABOVE_SOFT_MAX", Priority.MEDIUM,
                                  f"Proposed {fmt_dose(proposed)} mcg/kg/min is above the soft maximum {soft}: "
                                  "confirm before changing the pump."))
    d.dose = clean(proposed)
    return d


def vasopressin_floor(co: CoInfusions) -> float:
    """While vasopressin runs, norepinephrine is not weaned below vasopressin's norepinephrine equivalent (U/min x
    2.5, NEE-SUM): below it, vasopressin would be carrying the patient (rule ESC-VASOPRESSIN-FLOOR)."""
    vaso = co.vasopressin_u_per_min
    return clean(vaso * VASOPRESSIN_FACTOR) if vaso > EPS else 0.0


def _in_band(m: float, current: float, target: Target, limits: DoseLimits, protocol: Protocol,
             co: CoInfusions, course: Course) -> Decision:
    """In the band the dose is held (TIT-HOLD): while the last change takes effect (TIT-EFFECT-WAIT), and after it
    unless the mean of the settled readings is off the band's middle by more than noise (TIT-LEVEL)."""
    lo, hi = target.map_mmhg, target.upper_mmhg
    why = f"MAP {m:.0f} in band {lo:g}-{hi:g}"
    if course.settling:
        return _wait(current, why, course)
    hold = Decision(Action.HOLD, current, why, [rid.TIT_HOLD])
    t = protocol.titration
    level = course.level
    if level is None or len(course.settled) < t.level_readings:
        return hold
    middle = (lo + hi) / 2.0
    if abs(level - middle) <= t.level_off_centre_mmhg + EPS:
        return hold
    proposed = proportional_dose(current, level, target, limits, protocol)
    n = len(course.settled)
    side = "below" if level < middle else "above"
    why = f"MAP {m:.0f} in band {lo:g}-{hi:g}, mean of {n} readings {level:.1f} {side} its middle {middle:g}"
    note = "toward the middle of the band"
    if level < middle and current + EPS < proposed <= limits.soft_max + EPS:
        return Decision(Action.INCREASE, clean(proposed), why, [rid.TIT_LEVEL, rid.TIT_PROPORTIONAL], note=note)
    floor = max(limits.taper_min, vasopressin_floor(co))
    proposed = max(proposed, floor)
    if level > middle and proposed < current - EPS:
        d = Decision(Action.DECREASE, clean(proposed), why, [rid.TIT_LEVEL, rid.TIT_PROPORTIONAL], note=note)
        if floor > limits.taper_min and abs(proposed - floor) <= EPS:
            d.rules.append(rid.ESC_VASOPRESSIN_FLOOR)
        return d
    return hold


def proportional_dose(current: float, m: float, target: Target, limits: DoseLimits, protocol: Protocol) -> float:
    """The dose that moves MAP ``m`` toward the band's middle (rule TIT-PROPORTIONAL).

    ``current x e^(gain x (middle - m) / 10)``, rounded to the dose resolution; an increase is at most
    titration.step_up, a decrease at most titration.max_wean_fraction of the dose (:func:`wean_floor`). On the Emax
    dose-response (Oualha 2014) the same MAP change needs about the same fraction of the dose, so steps scale with the
    dose.
    """
    t = protocol.titration
    middle = (target.map_mmhg + target.upper_mmhg) / 2.0
    proposed = _to_resolution(current * math.exp(t.proportional_gain * (middle - m) / 10.0), limits)
    if proposed > current:
        return clean(min(proposed, current + limits.step_up))
    return clean(max(proposed, wean_floor(current, limits, protocol)))


def wean_floor(current: float, limits: DoseLimits, protocol: Protocol) -> float:
    """The lowest dose one check may wean ``current`` to: it x (1 - titration.max_wean_fraction), rounded up to the
    dose resolution (rule TIT-WEAN-LIMIT). Where no resolution step fits within the fraction (tiny doses), the bound
    itself."""
    lowest = current * (1.0 - protocol.titration.max_wean_fraction)
    grid = math.ceil(lowest / limits.resolution - 1e-6) * limits.resolution
    return clean(grid if grid < current - EPS else lowest)


def _to_resolution(dose: float, limits: DoseLimits) -> float:
    return round(dose / limits.resolution) * limits.resolution


def wean_step(step: float, current: float, limits: DoseLimits) -> float:
    """``step`` times the whole number of start doses in the running dose (at least once).

    On the Emax dose-response (Oualha 2014) the same step lowers MAP less the higher the dose, so a fixed step barely
    moves the pressure at 0.5 mcg/kg/min: 0.02 from 0.1-0.19, 0.04 from 0.2-0.29, 0.12 from 0.6 (multiples of the step
    keep the doses round). Each step is then held to titration.max_wean_fraction of the dose (TIT-WEAN-LIMIT).
    """
    return step * max(1, math.floor(current / limits.start + 1e-9))


def _above(readings: Sequence[Reading], doses: Sequence[float], current: float, target: Target,
           limits: DoseLimits, protocol: Protocol, co: CoInfusions, course: Course) -> Decision:
    m = readings[-1].map
    hi = target.upper_mmhg
    n_above = trailing(readings, lambda _i, r: r.map > hi)
    needed = protocol.titration.above_band_readings_to_wean
    vaso_floor = vasopressin_floor(co)
    floor = max(limits.taper_min, vaso_floor)
    far = m - target.map_mmhg > protocol.safety.overdose_map_above_target_mmhg
    if far and current > floor + EPS:
        step = wean_step(limits.step_down_far, current, limits)
        limit = wean_floor(current, limits, protocol)
        d = Decision(Action.DECREASE, max(current - step, limit), f"MAP {m:.0f} far above target "
                     f"{target.map_mmhg:g}", [rid.TIT_DOWN_FAR], overshoot=True, unstable=True)
        if current - step < limit - EPS:
            d.rules.append(rid.TIT_WEAN_LIMIT)
            fraction = protocol.cite("titration.max_wean_fraction", f"{protocol.titration.max_wean_fraction * 100:g} %")
            d.note = f"at most {fraction} of the dose; recheck early"
        elif current >= 2 * limits.start - 1e-9:
            d.rules.append(rid.TIT_DOWN_SCALED)
            d.note = "step scaled to the dose"
        return _floor(d, limits, vaso_floor, protocol)
    predicted = course.predicted
    if course.settling_down:
        if predicted is None or predicted <= hi or current <= floor + EPS:
            return _wait(current, f"MAP {m:.0f} > {hi:g}", course)
        # the decrease will not bring MAP into the band: wean on from the MAP it will give (TIT-EFFECT-MODEL)
        proposed = min(proportional_dose(current, predicted, target, limits, protocol), current - limits.resolution)
        d = Decision(Action.DECREASE, max(proposed, wean_floor(current, limits, protocol)),
                     f"MAP {m:.0f} > {hi:g}, {predicted:.0f} expected at the running dose",
                     [rid.TIT_DOWN, rid.TIT_EFFECT_MODEL, rid.TIT_PROPORTIONAL],
                     note="the last decrease is not enough")
        return _floor(d, limits, vaso_floor, protocol)
    if course.settling_up and current > floor + EPS:
        # Above the band while an increase or start still takes effect: it will rise further (TIT-EFFECT-OVERSHOOT).
        proposed = min(proportional_dose(current, m, target, limits, protocol), current - limits.resolution)
        d = Decision(Action.DECREASE, max(proposed, wean_floor(current, limits, protocol)), f"MAP {m:.0f} > {hi:g}",
                     [rid.TIT_EFFECT_OVERSHOOT, rid.TIT_PROPORTIONAL], unstable=True,
                     note="the last increase is still taking effect")
        return _floor(d, limits, vaso_floor, protocol)
    if n_above < needed:
        return Decision(Action.HOLD, current, f"MAP {m:.0f} > {hi:g} on {n_above} of {needed} readings",
                        [rid.TIT_ABOVE_CONFIRM], note="confirm before weaning")
    level = course.level
    steady = (level is None or len(course.settled) < 2
              or level <= (target.map_mmhg + hi) / 2.0 + protocol.titration.centre_deadband_mmhg + EPS)
    if steady and len(readings) >= 2 and abs(doses[-2] - current) <= EPS \
            and (m + readings[-2].map) / 2.0 <= hi + EPS:
        # One reading above the band with the one before in it and the settled mean steady: noise, or the swing,
        # until a second one agrees.
        return Decision(Action.HOLD, current, f"MAP {m:.0f} > {hi:g}", [rid.TIT_DOWN_BORDERLINE],
                        note=f"previous {readings[-2].map:.0f}, mean in the band: recheck before weaning")
    why = f"MAP {m:.0f} > {hi:g} on {n_above} reading{'s' if n_above > 1 else ''}"
    e = protocol.escalation
    epi = co.epinephrine_mcg_per_kg_per_min
    if epi > EPS and current < e.epinephrine_ne_threshold - EPS:
        return _wean_epinephrine(why, epi, current, limits, protocol)
    if co.vasopressin_u_per_min > EPS and (e.wean_first == "vasopressin" or current <= vaso_floor + EPS):
        return _stop_vasopressin(why, current, co, limits, protocol)
    if current <= limits.taper_min + EPS:
        # Stop only once the pressure has stayed above the band at the minimum dose itself.
        at_min = trailing(readings, lambda i, r: r.map > hi and doses[i] <= limits.taper_min + EPS)
        if at_min >= needed:
            taper = protocol.cite(limits.key("taper_min_dose"), fmt_dose(limits.taper_min))
            return Decision(Action.TAPER_OFF, 0.0, why, [rid.TIT_TAPER_OFF], note=f"at the taper minimum {taper}")
        return Decision(Action.HOLD, current, f"MAP {m:.0f} > {hi:g} on {at_min} of {needed} readings at the "
                        f"taper minimum", [rid.TIT_ABOVE_CONFIRM], note="confirm before stopping")
    # the step is sized on the mean of this and the previous reading at the dose: one reading carries the swing
    basis = (m + readings[-2].map) / 2.0 if len(readings) >= 2 and abs(doses[-2] - current) <= EPS else m
    proposed = min(proportional_dose(current, basis, target, limits, protocol), current - limits.resolution)
    d = Decision(Action.DECREASE, max(proposed, wean_floor(current, limits, protocol)), why,
                 [rid.TIT_DOWN, rid.TIT_PROPORTIONAL])
    return _floor(d, limits, vaso_floor, protocol)


def _wean_epinephrine(why: str, epi: float, current: float, limits: DoseLimits, protocol: Protocol) -> Decision:
    """Epinephrine, the last agent added, comes off first once norepinephrine is below the epinephrine threshold:
    in steps of at most titration.max_wean_fraction down to escalation.epinephrine_min_dose, then stopped."""
    e = protocol.escalation
    threshold = protocol.cite("escalation.epinephrine_ne_threshold", fmt_dose(e.epinephrine_ne_threshold))
    context = f"{why} with norepinephrine {fmt_dose(current)} < {threshold} mcg/kg/min"
    if epi > e.epinephrine_min_dose + EPS:
        new = clean(max(e.epinephrine_min_dose, wean_floor(epi, limits, protocol)))
        d = Decision(Action.HOLD, current, why, [rid.ESC_EPINEPHRINE_WEAN],
                     note=f"reduce epinephrine {fmt_dose(epi)} -> {fmt_dose(new)} first")
        d.escalations.append(Escalation(
            "REDUCE_EPINEPHRINE", f"{context}: reduce epinephrine {fmt_dose(epi)} -> {fmt_dose(new)} mcg/kg/min (at "
            f"most {protocol.cite('titration.max_wean_fraction', f'{protocol.titration.max_wean_fraction * 100:g} %')}"
            f" per check, stopped from {fmt_dose(e.epinephrine_min_dose)}), then wean norepinephrine",
            rid.ESC_EPINEPHRINE_WEAN, new, "mcg/kg/min"))
        return d
    d = Decision(Action.HOLD, current, why, [rid.ESC_EPINEPHRINE_WEAN],
                 note=f"norepinephrine below {fmt_dose(e.epinephrine_ne_threshold)}: stop epinephrine first")
    d.escalations.append(Escalation(
        "STOP_EPINEPHRINE", f"{context}: stop epinephrine {fmt_dose(epi)} mcg/kg/min, then wean norepinephrine",
        rid.ESC_EPINEPHRINE_WEAN, 0.0, "mcg/kg/min"))
    return d


def _stop_vasopressin(why: str, current: float, co: CoInfusions, limits: DoseLimits,
                      protocol: Protocol) -> Decision:
    """Vasopressin never runs alone: it stops before norepinephrine does (at vasopressin's floor, or first when the
    protocol weans it first). Its pressure goes with it, so norepinephrine takes over its share at once (its
    norepinephrine equivalent, rule NEE-SUM)."""
    equivalent = co.vasopressin_u_per_min * VASOPRESSIN_FACTOR
    dose = clean(min(current + equivalent, limits.soft_max))
    first = protocol.escalation.wean_first
    order = protocol.cite("escalation.wean_first", f"{first} first")
    d = Decision(Action.INCREASE if dose > current + EPS else Action.HOLD, dose, why,
                 [rid.ESC_VASOPRESSIN_WEAN, rid.NEE_SUM],
                 note=f"stop vasopressin (wean order: {order}) and raise norepinephrine by its equivalent "
                      f"{fmt_dose(equivalent)}")
    d.escalations.append(Escalation(
        "STOP_VASOPRESSIN", f"{why} with norepinephrine {fmt_dose(current)} mcg/kg/min: stop vasopressin "
        f"{co.vasopressin_u_per_min:g} U/min (wean order: {order}; never alone); norepinephrine to {fmt_dose(dose)} "
        f"mcg/kg/min takes over its {fmt_dose(equivalent)} mcg/kg/min equivalent", rid.ESC_VASOPRESSIN_WEAN,
        0.0, "U/min"))
    return d


def _floor(d: Decision, limits: DoseLimits, vaso_floor: float, protocol: Protocol) -> Decision:
    """Never below the taper minimum from above it (no abrupt stop); never below vasopressin's equivalent while
    vasopressin runs (the caller only decreases from above both)."""
    floor = max(limits.taper_min, vaso_floor)
    if d.dose < floor - EPS:
        d.dose = floor
        if vaso_floor > limits.taper_min:
            d.rules.append(rid.ESC_VASOPRESSIN_FLOOR)
            d.note = f"not below vasopressin's equivalent {fmt_dose(vaso_floor)} while vasopressin runs"
        else:
            d.rules.append(rid.TIT_TAPER_FLOOR)
            taper = protocol.cite(limits.key("taper_min_dose"), fmt_dose(limits.taper_min))
            d.note = f"tapered to the minimum {taper}, not stopped"
    d.dose = clean(d.dose)
    return d


def with_soft_flag(d: Decision, current: float, limits: DoseLimits, protocol: Protocol) -> Decision:
    """Running or staying above the soft maximum is always flagged (confirmation was needed to get there)."""
    if d.dose > limits.soft_max + EPS and not any(a.code == "DOSE_ABOVE_SOFT_MAX" for a in d.alerts):
        if rid.TIT_SOFT_MAX not in d.rules:
            d.rules.append(rid.TIT_SOFT_MAX)
        d.alerts.append(Alert("DOSE_ABOVE_SOFT_MAX", Priority.LOW,
                              f"Norepinephrine {fmt_dose(d.dose)} mcg/kg/min is above the soft maximum "
                              f"{protocol.cite(limits.key('soft_max_dose'), fmt_dose(limits.soft_max))} (confirmed "
                              "earlier)."))
    return d


def _large_change(d: Decision, current: float, protocol: Protocol) -> Decision:
    """An advised change more than dose_change.large_change_factor from the running dose needs the nurse's
    confirmation (rule TIT-LARGE-CHANGE): 0.01 -> 0.085 is 8.5-fold, a decimal slip looks the same."""
    if current <= EPS or d.dose <= EPS:
        return d
    factor = protocol.dose_change.large_change_factor
    ratio = max(d.dose / current, current / d.dose)
    if ratio > factor + 1e-9:
        d.needs_confirmation = True
        d.confirm.append(f"{ratio:.1f}-fold change")
        d.rules.append(rid.TIT_LARGE_CHANGE)
        limit = protocol.cite("dose_change.large_change_factor", f"{factor:g}-fold")
        d.alerts.append(Alert("LARGE_DOSE_CHANGE", Priority.MEDIUM,
                              f"Advised {fmt_dose(d.dose)} mcg/kg/min is {ratio:.1f}-fold the running "
                              f"{fmt_dose(current)} (more than {limit}): confirm before changing the pump."))
    return d
