"""The dose decision: start, increase, hold, decrease or taper off, and by how much (rules TIT-* and START-*)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.protocol import Protocol
from norepi_gui.core.titration import rules as rid
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
from norepi_gui.core.titration.start import start_criteria


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


def decide(readings: Sequence[Reading], doses: Sequence[float], current: float, patient: PatientInfo,
           target: Target, limits: DoseLimits, protocol: Protocol, co: CoInfusions | None = None, *,
           last_given: float | None = None, changed_at: datetime | None = None) -> Decision:
    """The dose decision. ``last_given``: the last dose above zero charted before the latest reading;
    ``changed_at``: when the pump was set to ``current``, if that was at or after the latest reading."""
    latest = readings[-1]
    m = latest.map
    lo, hi = target.map_mmhg, target.upper_mmhg
    if changed_at is not None and changed_at >= latest.at and abs(current - doses[-1]) > EPS:
        return _await_reading(current, doses[-1])
    if current <= EPS:
        if last_given is not None and m < lo:
            # Stopped earlier in this history and below target again: resume at the last dose given, not the
            # start dose (the patient's response is known).
            dose = clean(min(last_given, limits.soft_max))
            d = Decision(Action.START, dose, f"MAP {m:.0f} < target {lo:g} after norepinephrine was stopped",
                         [rid.TIT_RESTART], note="resume at the last dose given")
            d.escalations.append(Escalation("START_NOREPINEPHRINE", f"{d.why}: resume at {fmt_dose(dose)} mcg/kg/min",
                                            rid.TIT_RESTART))
            return d
        return _not_running(latest, patient, target, limits, protocol)
    if current > limits.hard_max + EPS:
        d = Decision(Action.DECREASE, limits.hard_max, f"dose {fmt_dose(current)} above the hard maximum",
                     [rid.TIT_HARD_MAX], needs_confirmation=True)
        d.alerts.append(Alert("DOSE_ABOVE_HARD_MAX", Priority.HIGH,
                              f"Running dose {fmt_dose(current)} mcg/kg/min is above the hard maximum "
                              f"{fmt_dose(limits.hard_max)}: reduce to the maximum and review."))
        return _with_soft_flag(d, current, limits)
    if m < lo:
        return _with_soft_flag(_below(readings, doses, current, target, limits, protocol), current, limits)
    if m <= hi:
        return _with_soft_flag(_in_band(m, current, target, limits, protocol), current, limits)
    return _with_soft_flag(_above(readings, doses, current, target, limits, protocol, co or CoInfusions()),
                           current, limits)


def _await_reading(current: float, measured: float) -> Decision:
    """TIT-AWAIT-READING: the dose running now has no reading yet; nothing new can be judged until one comes."""
    if current <= EPS:
        what = "norepinephrine stopped"
    elif measured <= EPS:
        what = f"norepinephrine started at {fmt_dose(current)} mcg/kg/min"
    else:
        what = f"dose changed {fmt_dose(measured)} -> {fmt_dose(current)} mcg/kg/min"
    return Decision(Action.HOLD, current, f"{what} after the latest reading", [rid.TIT_AWAIT_READING],
                    note="waiting for a reading taken after the change")


def _not_running(latest: Reading, patient: PatientInfo, target: Target, limits: DoseLimits,
                 protocol: Protocol) -> Decision:
    m = latest.map
    found = start_criteria(latest, patient, target, protocol)
    if found:
        dose = clean(min(limits.start, limits.soft_max, limits.hard_max))
        d = Decision(Action.START, dose, found[0].reason, [f.rule for f in found])
        d.escalations.append(Escalation("START_NOREPINEPHRINE",
                                        "; ".join(f.reason for f in found) + ": start norepinephrine now, even "
                                        "during fluid resuscitation", found[0].rule))
        return d
    if m < target.map_mmhg:
        fluids = patient.fluids_ml_per_kg
        given = "fluids not recorded" if fluids is None else f"{fluids:g} mL/kg fluid given"
        return Decision(Action.NONE, 0.0, f"MAP {m:.0f} < target {target.map_mmhg:g}, {given}",
                        [rid.START_WAIT_FLUIDS], note="give fluids first, no start criterion met",
                        waiting_for_fluids=True)
    return Decision(Action.NONE, 0.0, f"MAP {m:.0f} >= target {target.map_mmhg:g}, norepinephrine not running",
                    [rid.TIT_NOT_RUNNING])


def _below(readings: Sequence[Reading], doses: Sequence[float], current: float, target: Target,
           limits: DoseLimits, protocol: Protocol) -> Decision:
    latest = readings[-1]
    m = latest.map
    gap = target.map_mmhg - m
    why = f"MAP {m:.0f} < target {target.map_mmhg:g}"
    far = gap >= protocol.titration.far_below_mmhg - EPS
    if not far and len(readings) >= 2:
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
        d.alerts.append(Alert("DOSE_AT_HARD_MAX", Priority.HIGH,
                              f"Norepinephrine at the hard maximum {fmt_dose(limits.hard_max)} mcg/kg/min with MAP "
                              "below target: no further increase; escalate."))
        return d
    if far:
        proposed = current + limits.step_up_large
        d = Decision(Action.INCREASE, proposed, why, [rid.TIT_UP_LARGE])
    else:
        proposed = max(proportional_dose(current, m, target, limits, protocol), current + limits.resolution)
        d = Decision(Action.INCREASE, proposed, why, [rid.TIT_UP, rid.TIT_PROPORTIONAL])
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
            d.rules.append(rid.TIT_SOFT_MAX)
            d.alerts.append(Alert("DOSE_ABOVE_SOFT_MAX", Priority.MEDIUM,
                                  f"Proposed {fmt_dose(proposed)} mcg/kg/min is above the soft maximum "
                                  f"{fmt_dose(limits.soft_max)}: confirm before changing the pump."))
    d.dose = clean(proposed)
    return d


def _in_band(m: float, current: float, target: Target, limits: DoseLimits, protocol: Protocol) -> Decision:
    """TIT-HOLD near the band's middle; TIT-CENTRE further out (toward the middle, TIT-PROPORTIONAL steps)."""
    lo, hi = target.map_mmhg, target.upper_mmhg
    middle = (lo + hi) / 2.0
    hold = Decision(Action.HOLD, current, f"MAP {m:.0f} in band {lo:g}-{hi:g}", [rid.TIT_HOLD])
    if abs(m - middle) <= protocol.titration.centre_deadband_mmhg + EPS:
        return hold
    proposed = proportional_dose(current, m, target, limits, protocol)
    side = "below" if m < middle else "above"
    why = f"MAP {m:.0f} in band {lo:g}-{hi:g}, {side} its middle {middle:g}"
    note = "toward the middle of the band"
    if m < middle and current + EPS < proposed <= limits.soft_max + EPS:
        return Decision(Action.INCREASE, clean(proposed), why, [rid.TIT_CENTRE, rid.TIT_PROPORTIONAL], note=note)
    proposed = max(proposed, limits.taper_min)
    if m > middle and proposed < current - EPS:
        return Decision(Action.DECREASE, clean(proposed), why, [rid.TIT_CENTRE, rid.TIT_PROPORTIONAL], note=note)
    return hold


def proportional_dose(current: float, m: float, target: Target, limits: DoseLimits, protocol: Protocol) -> float:
    """The dose that moves MAP ``m`` toward the band's middle (rule TIT-PROPORTIONAL).

    ``current x e^(gain x (middle - m) / 10)``, rounded to the dose resolution; an increase is at most
    titration.step_up, a decrease at most titration.max_wean_fraction of the dose. On the Emax dose-response
    (Oualha 2014) the same MAP change needs about the same fraction of the dose, so steps scale with the dose.
    """
    t = protocol.titration
    middle = (target.map_mmhg + target.upper_mmhg) / 2.0
    proposed = _to_resolution(current * math.exp(t.proportional_gain * (middle - m) / 10.0), limits)
    if proposed > current:
        return clean(min(proposed, current + limits.step_up))
    return clean(max(proposed, _to_resolution(current * (1.0 - t.max_wean_fraction), limits)))


def _to_resolution(dose: float, limits: DoseLimits) -> float:
    return round(dose / limits.resolution) * limits.resolution


def wean_step(step: float, current: float, limits: DoseLimits) -> float:
    """``step`` times the whole number of start doses in the running dose (at least once).

    On the Emax dose-response (Oualha 2014) the same step lowers MAP less the higher the dose, so a fixed step barely
    moves the pressure at 0.5 mcg/kg/min: 0.02 from 0.1-0.19, 0.04 from 0.2-0.29, 0.12 from 0.6 (multiples of the step
    keep the doses round).
    """
    return step * max(1, math.floor(current / limits.start + 1e-9))


def _above(readings: Sequence[Reading], doses: Sequence[float], current: float, target: Target,
           limits: DoseLimits, protocol: Protocol, co: CoInfusions) -> Decision:
    m = readings[-1].map
    hi = target.upper_mmhg
    n_above = trailing(readings, lambda _i, r: r.map > hi)
    needed = protocol.titration.above_band_readings_to_wean
    far = m - target.map_mmhg > protocol.safety.overdose_map_above_target_mmhg
    if far and current > limits.taper_min + EPS:
        d = Decision(Action.DECREASE, current - wean_step(limits.step_down_far, current, limits),
                     f"MAP {m:.0f} far above target {target.map_mmhg:g}", [rid.TIT_DOWN_FAR])
        return _scaled(_floor(d, current, limits), current, limits)
    if n_above >= needed:
        why = f"MAP {m:.0f} > {hi:g} on {n_above} reading{'s' if n_above > 1 else ''}"
        epi_threshold = protocol.escalation.epinephrine_ne_threshold
        if co.epinephrine_mcg_per_kg_per_min > EPS and current < epi_threshold - EPS:
            # Epinephrine was added at NE >= the epinephrine threshold; once norepinephrine is weaned below it, the
            # last agent added comes off first (below the threshold, so it is not re-added at the next dip).
            d = Decision(Action.HOLD, current, why, [rid.ESC_EPINEPHRINE_WEAN],
                         note=f"norepinephrine below {fmt_dose(epi_threshold)}: stop epinephrine first")
            d.escalations.append(Escalation(
                "STOP_EPINEPHRINE", f"{why} with norepinephrine {fmt_dose(current)} < {fmt_dose(epi_threshold)} "
                "mcg/kg/min: stop epinephrine, then wean norepinephrine", rid.ESC_EPINEPHRINE_WEAN))
            return d
        if current <= limits.taper_min + EPS:
            if co.vasopressin_u_per_min > EPS:
                # Vasopressin never runs alone: it stops before norepinephrine does. Its pressure goes with it, so
                # norepinephrine takes over its share at once (its norepinephrine equivalent, rule NEE-SUM).
                equivalent = co.vasopressin_u_per_min * VASOPRESSIN_FACTOR
                dose = clean(min(current + equivalent, limits.soft_max))
                d = Decision(Action.INCREASE if dose > current + EPS else Action.HOLD, dose, why,
                             [rid.ESC_VASOPRESSIN_WEAN, rid.NEE_SUM],
                             note=f"norepinephrine at the taper minimum {fmt_dose(limits.taper_min)}: stop "
                                  f"vasopressin and raise norepinephrine by its equivalent {fmt_dose(equivalent)}")
                d.escalations.append(Escalation(
                    "STOP_VASOPRESSIN", f"{why} with norepinephrine at the taper minimum: stop vasopressin "
                    f"(never alone) before norepinephrine; norepinephrine to {fmt_dose(dose)} mcg/kg/min takes over "
                    f"its {fmt_dose(equivalent)} mcg/kg/min equivalent", rid.ESC_VASOPRESSIN_WEAN))
                return d
            # Stop only once the pressure has stayed above the band at the minimum dose itself.
            at_min = trailing(readings, lambda i, r: r.map > hi and doses[i] <= limits.taper_min + EPS)
            if at_min >= needed:
                return Decision(Action.TAPER_OFF, 0.0, why, [rid.TIT_TAPER_OFF],
                                note=f"at the taper minimum {fmt_dose(limits.taper_min)}")
            return Decision(Action.HOLD, current, f"MAP {m:.0f} > {hi:g} on {at_min} of {needed} readings at the "
                            f"taper minimum", [rid.TIT_ABOVE_CONFIRM], note="confirm before stopping")
        d = Decision(Action.DECREASE, min(proportional_dose(current, m, target, limits, protocol),
                                          current - limits.resolution), why, [rid.TIT_DOWN, rid.TIT_PROPORTIONAL])
        return _floor(d, current, limits)
    return Decision(Action.HOLD, current, f"MAP {m:.0f} > {hi:g} on {n_above} of {needed} readings",
                    [rid.TIT_ABOVE_CONFIRM], note="confirm before weaning")


def _scaled(d: Decision, current: float, limits: DoseLimits) -> Decision:
    """Name rule TIT-DOWN-SCALED when the wean step was a multiple of the protocol step."""
    if current >= 2 * limits.start - 1e-9:
        d.rules.append(rid.TIT_DOWN_SCALED)
        d.note = d.note or "step scaled to the dose"
    return d


def _floor(d: Decision, current: float, limits: DoseLimits) -> Decision:
    """Never below the taper minimum from above it (no abrupt stop)."""
    if d.dose < limits.taper_min - EPS:
        d.dose = limits.taper_min if current > limits.taper_min + EPS else 0.0
        d.rules.append(rid.TIT_TAPER_FLOOR)
        d.note = f"tapered to the minimum {fmt_dose(limits.taper_min)}, not stopped"
    d.dose = clean(d.dose)
    return d


def _with_soft_flag(d: Decision, current: float, limits: DoseLimits) -> Decision:
    """Running or staying above the soft maximum is always flagged (confirmation was needed to get there)."""
    if d.dose > limits.soft_max + EPS and not any(a.code == "DOSE_ABOVE_SOFT_MAX" for a in d.alerts):
        if rid.TIT_SOFT_MAX not in d.rules:
            d.rules.append(rid.TIT_SOFT_MAX)
        d.alerts.append(Alert("DOSE_ABOVE_SOFT_MAX", Priority.LOW,
                              f"Norepinephrine {fmt_dose(d.dose)} mcg/kg/min is above the soft maximum "
                              f"{fmt_dose(limits.soft_max)} (confirmed earlier)."))
    return d
