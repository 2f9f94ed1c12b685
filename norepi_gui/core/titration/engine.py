"""``advise``: from patient, infusion, protocol and every reading so far, what to do now, why, and when to look again.

Pure and deterministic: time comes in as ``now`` (a datetime or a :class:`Clock`), nothing is read from the wall
clock, and the same history and time always give the same :class:`Advice`. Decision support, not a device: every
number traces to the protocol file, whose values cite their sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from norepi_gui.core.alerts import Alert, Priority, by_priority
from norepi_gui.core.clock import Clock
from norepi_gui.core.dosing import Concentration, DoseRate, rate_for_dose, round_to_resolution
from norepi_gui.core.errors import InputError
from norepi_gui.core.infusion import check_inputs
from norepi_gui.core.protocol import Population, Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.decision import Decision, await_reading, decide, with_soft_flag
from norepi_gui.core.titration.effect import SETTLED, Change, course, last_change
from norepi_gui.core.titration.escalation import escalations
from norepi_gui.core.titration.findings import Findings
from norepi_gui.core.titration.history import ChartedHistory
from norepi_gui.core.titration.interval import next_check_minutes, overdue_state
from norepi_gui.core.titration.limits import EPS, DoseLimits
from norepi_gui.core.titration.lines import line_findings
from norepi_gui.core.titration.model import (
    Action,
    Advice,
    CoInfusions,
    DoseAdvice,
    DoseEvent,
    InfusionState,
    PatientInfo,
    Reading,
    Target,
    Waiting,
    fmt_dose,
)
from norepi_gui.core.titration.nee import has_other_vasopressor, norepinephrine_equivalents
from norepi_gui.core.titration.readings import ReadingView, check_reading, reading_view
from norepi_gui.core.titration.safety import abrupt_stop_signs, infusion_signs, map_and_heart_signs
from norepi_gui.core.titration.start import minutes_waiting, start_reminders, waiting_alert
from norepi_gui.core.titration.targets import (
    check_target,
    child_target_alert,
    choose_target,
    needs_written_target,
    target_alerts,
)
from norepi_gui.core.units import Q, Quantity


def _now(now: datetime | Clock) -> datetime:
    when = now if isinstance(now, datetime) else now.now()
    if when.tzinfo is None:
        raise InputError("now", "the time has no time zone", "a timezone-aware time (UTC)")
    return when


def _check_history(readings: Sequence[Reading] | ChartedHistory, now: datetime) -> ChartedHistory:
    if not len(readings):
        raise InputError("readings", "no readings", "at least one reading with a MAP or SBP/DBP")
    chart = readings if isinstance(readings, ChartedHistory) else ChartedHistory.of(readings)
    latest = chart.readings[-1]
    if latest.at > now:
        raise InputError("now", f"{now.isoformat()} is before the latest reading {latest.at.isoformat()}",
                         "a time at or after the latest reading")
    return chart


def _rate(dose_mcg_per_kg_per_min: float, weight_kg: float, concentration: Concentration) -> Quantity:
    """The dosing core's exact pump rate, a quantity in mL/h."""
    return rate_for_dose(DoseRate.per_kg(dose_mcg_per_kg_per_min), concentration, Q(weight_kg, "kg"))


# The dosing core converts in pint units, which costs about 0.1-0.3 ms per conversion; a session (or a simulated
# patient) asks for the same few doses again and again, so the answers are remembered. Keyed by the concentration
# object's identity, which the entry keeps alive so the identity cannot be reused.
_RATES: dict[tuple[int, float, float, float], tuple[Concentration, float, float]] = {}
_RATES_MAX = 1 << 16  # a 1000-patient x 24 h simulation asks for about 40 000 (dose, weight) pairs: no clearing
# The rate is linear in the dose: per (concentration, weight) the dosing core's rate for 1 mcg/kg/min, so a new dose
# costs a multiplication. Within _TIE of a half step of the pump resolution the dosing core itself rounds, so the
# rounded rate is always the core's (test_engine_rates.py holds the two together).
_PER_DOSE: dict[tuple[int, float], tuple[Concentration, float]] = {}
_TIE = 1e-9


def _pump_rates(dose: float, weight_kg: float, concentration: Concentration, resolution: float) -> tuple[float, float]:
    """(exact, rounded to the pump resolution) rate in mL/h for a per-kg dose."""
    key = (id(concentration), dose, weight_kg, resolution)
    hit = _RATES.get(key)
    if hit is not None and hit[0] is concentration:
        return hit[1], hit[2]
    exact, rounded = _fast_rates(dose, weight_kg, concentration, resolution)
    if len(_RATES) >= _RATES_MAX:
        _RATES.clear()
    _RATES[key] = (concentration, exact, rounded)
    return exact, rounded


def _fast_rates(dose: float, weight_kg: float, concentration: Concentration, resolution: float) -> tuple[float, float]:
    if dose <= EPS:
        return 0.0, 0.0
    per = _PER_DOSE.get((id(concentration), weight_kg))
    if per is None or per[0] is not concentration:
        if len(_PER_DOSE) >= _RATES_MAX:
            _PER_DOSE.clear()
        per = (concentration, float(_rate(1.0, weight_kg, concentration).magnitude))
        _PER_DOSE[(id(concentration), weight_kg)] = per
    exact = per[1] * dose
    steps = exact / resolution
    if abs(steps - math.floor(steps) - 0.5) > _TIE * max(1.0, steps) and abs(exact) < 1e12:
        rounded = float(Decimal(math.floor(steps + 0.5)) * Decimal(repr(resolution)))
        return exact, rounded
    rate = _rate(dose, weight_kg, concentration)  # near a half step: the dosing core decides
    return float(rate.magnitude), float(round_to_resolution(rate, resolution).magnitude)


def _input_alerts(patient: PatientInfo, concentration: Concentration, protocol: Protocol) -> tuple[Alert, ...]:
    """The dose calculator's own weight and concentration checks (core.infusion.check_inputs), remembered per
    (concentration object, weight, population, protocol) like the pump rates: a session asks the same again and again.
    Raises InputError for an implausible weight or concentration."""
    key = (id(concentration), id(protocol), patient.weight_kg, patient.population)
    hit = _INPUTS.get(key)
    if hit is not None and hit[0] is concentration and hit[1] is protocol:
        return hit[2]
    alerts = tuple(check_inputs(patient.weight_kg, patient.population, concentration, protocol))
    if len(_INPUTS) >= _RATES_MAX:
        _INPUTS.clear()
    _INPUTS[key] = (concentration, protocol, alerts)
    return alerts


_INPUTS: dict[tuple[int, int, float, Population], tuple[Concentration, Protocol, tuple[Alert, ...]]] = {}


def _target(patient: PatientInfo, protocol: Protocol) -> Target:
    """:func:`choose_target`, remembered per protocol object and the fields it reads (a Target is immutable)."""
    key = (id(protocol), patient.target_map_mmhg, patient.chronic_hypertension, patient.baseline_sbp_mmhg,
           patient.age_years, patient.population)
    hit = _TARGETS.get(key)
    if hit is not None and hit[0] is protocol:
        return hit[1]
    target = choose_target(patient, protocol)
    if len(_TARGETS) >= _RATES_MAX:
        _TARGETS.clear()
    _TARGETS[key] = (protocol, target)
    return target


_TARGETS: dict[tuple[object, ...], tuple[Protocol, Target]] = {}


def _limits(protocol: Protocol, population: Population, weight_kg: float) -> DoseLimits:
    """:meth:`DoseLimits.for_patient`, remembered per (protocol object, population, weight) as above."""
    key = (id(protocol), population, weight_kg)
    hit = _LIMITS.get(key)
    if hit is not None and hit[0] is protocol:
        return hit[1]
    limits = DoseLimits.for_patient(protocol, population, weight_kg)
    if len(_LIMITS) >= _RATES_MAX:
        _LIMITS.clear()
    _LIMITS[key] = (protocol, limits)
    return limits


_LIMITS: dict[tuple[int, Population, float], tuple[Protocol, DoseLimits]] = {}


def _stop_from_events(events: Sequence[DoseEvent], now: datetime) -> tuple[datetime, float] | None:
    """The last stop in the record's dose history (when, from what dose), ``None`` if it is running or never ran."""
    past = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    i = len(past) - 1
    while i >= 0 and past[i].dose_mcg_per_kg_per_min <= EPS:
        i -= 1
    if i < 0 or i == len(past) - 1:
        return None
    return past[i + 1].at, past[i].dose_mcg_per_kg_per_min


class _Plan(NamedTuple):
    """What the advice rests on: the checked inputs, the dose decision and the next check (:func:`_plan`)."""

    when: datetime
    chart: ChartedHistory
    latest: Reading
    co: CoInfusions
    current: float
    running: bool
    limits: DoseLimits
    view: ReadingView
    stop: tuple[datetime, float] | None
    target: Target | None
    decision: Decision
    minutes: float
    interval_rule: str
    due: datetime
    waiting: Waiting | None
    input_alerts: tuple[Alert, ...]


def advise(
    readings: Sequence[Reading] | ChartedHistory,
    patient: PatientInfo,
    infusion: InfusionState,
    protocol: Protocol,
    *,
    now: datetime | Clock,
    co_infusions: CoInfusions | None = None,
    ne_doses: Sequence[DoseEvent] | None = None,
) -> Advice:
    """The advice for the latest reading, as of ``now``.

    ``infusion.dose_mcg_per_kg_per_min`` is the dose running now (0 = not running). ``co_infusions`` default to what
    the latest reading recorded. ``readings`` may come in any order; a session that charts one reading per check
    passes a :class:`ChartedHistory` it appends to, so each call costs the same however long the history.
    ``now`` may be later than the latest reading: a reading older than readings.max_age_minutes drives no dose change
    (READ-STALE). ``ne_doses``: the record's norepinephrine dose history (each dose set and when, 0 = stopped), for
    the stop rules (SAFE-ABRUPT-STOP, TIT-RESTART); without it the doses charted with the readings stand in.
    Raises :class:`InputError` for an empty history, a naive time, a ``now`` before the latest reading, a weight or
    concentration the dose calculator refuses, a target outside the protocol's range or an implausible MAP.
    """
    p = _plan(readings, patient, infusion, protocol, now, co_infusions, ne_doses)
    decision, target, latest, chart, current, minutes = p.decision, p.target, p.latest, p.chart, p.current, p.minutes
    co, running, when = p.co, p.running, p.when
    dose = decision.dose
    rules: list[str] = [target.rule] if target is not None else []
    if latest.map_is_computed:
        rules.append(rid.MAP_FROM_SBP_DBP)
    rules.extend(decision.rules)
    rules.append(p.interval_rule)

    exact_rate, rate = _pump_rates(dose, patient.weight_kg, infusion.concentration,
                                   protocol.pump.resolution_ml_per_h)
    mcg_per_min = dose * patient.weight_kg

    input_alerts = p.input_alerts
    findings = Findings(alerts=[*input_alerts, *decision.alerts], escalations=list(decision.escalations))
    if input_alerts:
        findings.rules.append(rid.SAFE_INPUT_CHECKS)
    if target is not None:
        t_alerts, t_rules = target_alerts(target, latest, protocol)
        findings.alerts.extend(t_alerts)
        findings.rules.extend(t_rules)
    findings.extend(map_and_heart_signs(chart, running, target, patient.population, protocol,
                                        unconfirmed=p.view.unconfirmed))
    steps, (line_out, extravasation) = _steps(p, patient, protocol)
    if steps is not None:
        findings.extend(steps)
    findings.extend(line_out)
    mg_24h = chart.mcg_per_kg_last_24h(when, current) * patient.weight_kg / 1000.0
    findings.extend(infusion_signs(rate_ml_per_h=rate, exact_rate_ml_per_h=exact_rate,
                                   bag_left_ml=infusion.bag_volume_left_ml, next_check_min=minutes,
                                   mg_last_24h=mg_24h, mcg_per_min=mcg_per_min, protocol=protocol))
    if not running:
        findings.extend(abrupt_stop_signs(p.stop, current, when, p.limits.taper_min,
                                          p.limits.key("taper_min_dose"), protocol))
    if decision.waiting_for_fluids and target is not None:
        fluids_alert = waiting_alert(minutes_waiting(chart, current, target), patient, target, protocol)
        if fluids_alert is not None:
            findings.alerts.append(fluids_alert)
            findings.rules.append(rid.START_WAIT_LIMIT)
    overdue = overdue_state(p.due, when, protocol.intervals).alert() if p.due < when else None
    if overdue is not None:
        findings.alerts.append(overdue)
        findings.rules.append(rid.INT_OVERDUE)
    reminders = start_reminders(patient, protocol, starting=decision.action is Action.START,
                                waiting_for_fluids=decision.waiting_for_fluids, running=running)
    rules.extend(findings.rules)
    rules.extend(r.rule for r in reminders)

    nee = norepinephrine_equivalents(dose, co)
    others = has_other_vasopressor(co)
    if others:
        rules.append(rid.NEE_SUM)
    rationale = _rationale(decision, current, dose, rate, minutes, target, nee if others else None)
    return Advice(
        action=decision.action,
        dose_mcg_per_kg_per_min=dose,
        dose_mcg_per_min=round(mcg_per_min, 4),
        rate_ml_per_h=rate,
        current_dose_mcg_per_kg_per_min=current,
        needs_confirmation=decision.needs_confirmation,
        next_check_in_min=minutes,
        next_check_due=p.due,
        target_map=None if target is None else target.map_mmhg,
        target_map_upper=None if target is None else target.upper_mmhg,
        target_reason="no MAP target written for this child" if target is None else target.reason,
        map_mmhg=latest.map,
        map_computed=latest.map_is_computed,
        escalations=tuple(findings.escalations),
        alerts=tuple(by_priority(findings.alerts)),
        reminders=tuple(reminders),
        rules=tuple(dict.fromkeys(rules)),
        rationale=rationale,
        nee_mcg_per_kg_per_min=nee,
        extravasation=extravasation,
        reading_unconfirmed=p.view.unconfirmed,
        reading_age_min=p.view.age_min,
        waiting=p.waiting if decision.action is Action.HOLD else None,
    )


def advise_dose(
    readings: Sequence[Reading] | ChartedHistory,
    patient: PatientInfo,
    infusion: InfusionState,
    protocol: Protocol,
    *,
    now: datetime | Clock,
    co_infusions: CoInfusions | None = None,
    ne_doses: Sequence[DoseEvent] | None = None,
) -> DoseAdvice:
    """What :func:`advise` advises doing, without what only a reader needs (rationale, alerts, reminders, rules):
    the action, the dose, the next check and the escalations, each the same as :func:`advise`'s for the same inputs
    (the same code computes them). The simulator's advisor policy acts on these alone at every check of every virtual
    patient. Takes the same arguments and refuses the same input."""
    p = _plan(readings, patient, infusion, protocol, now, co_infusions, ne_doses)
    steps, (line_out, _text) = _steps(p, patient, protocol)
    found = [*p.decision.escalations, *(steps.escalations if steps is not None else ()), *line_out.escalations]
    return DoseAdvice(p.decision.action, p.decision.dose, p.minutes, tuple(found))


def _steps(p: _Plan, patient: PatientInfo, protocol: Protocol) -> tuple[Findings | None, tuple[Findings, str | None]]:
    """The escalation rules' findings (``None`` without a target) and the line rules' (with the extravasation text):
    the two sources of escalations besides the dose decision."""
    steps = (escalations(p.chart, p.current, p.decision.dose, p.co, patient, p.target, protocol)
             if p.target is not None else None)
    return steps, line_findings(patient, p.decision.dose, protocol)


def _plan(readings: Sequence[Reading] | ChartedHistory, patient: PatientInfo, infusion: InfusionState,
          protocol: Protocol, now: datetime | Clock, co_infusions: CoInfusions | None,
          ne_doses: Sequence[DoseEvent] | None) -> _Plan:
    """The inputs checked, the dose decision and when to look again (the part of :func:`advise` that acts)."""
    when = _now(now)
    chart = _check_history(readings, when)
    history = chart.readings
    input_alerts = _input_alerts(patient, infusion.concentration, protocol)
    check_target(patient, protocol)
    latest = history[-1]
    check_reading(latest, protocol)
    co = co_infusions if co_infusions is not None else CoInfusions.from_reading(latest)
    current = infusion.dose_mcg_per_kg_per_min
    running = current > EPS
    limits = _limits(protocol, patient.population, patient.weight_kg)
    t = protocol.titration
    intervals = protocol.intervals
    view = reading_view(chart, current, when, protocol, horizon_minutes=t.level_readings * intervals.max_minutes)
    change = last_change(chart, current, infusion.dose_since, ne_doses, when, infusion.dose_before) if running \
        else None
    crs = (course(change, view.recent, view.recent_doses, current, t.effect_minutes, t.level_readings)
           if running else SETTLED)
    if ne_doses is not None:
        stop = _stop_from_events(ne_doses, when)
        stopped_before: float | None = stop[1] if stop is not None else None
    else:
        stop = None if running else chart.last_stop(current)  # the stop alert is for a patient off NE
        stopped_before = chart.last_positive_dose_before_latest(current)

    target = None if needs_written_target(patient) else _target(patient, protocol)
    if target is None:
        decision = Decision(Action.HOLD if running else Action.NONE, current, "no MAP target written for this child",
                            [rid.TGT_PEDIATRIC_REVIEW], note="enter the child's MAP target; no titration step until "
                            "then")
        decision.alerts.append(child_target_alert())
    elif _set_after(infusion, latest) and abs(current - chart.doses_from(len(history) - 1, current)[0]) > EPS:
        decision = await_reading(current, chart.doses_from(len(history) - 1, current)[0])
    else:
        decision = decide(view.readings, view.doses, current, patient, target, limits, protocol, co,
                          last_given=stopped_before, course=crs)
    # a dose held for the reading is still flagged above the soft maximum (TIT-SOFT-MAX)
    decision = with_soft_flag(_hold_for_the_reading(decision, view, current, latest, protocol), current, limits,
                              protocol)

    due: datetime | None = None
    waiting: Waiting | None = None
    settled_check = _bounded(t.effect_minutes, intervals.min_minutes, intervals.max_minutes)
    if rid.TIT_AWAIT_READING in decision.rules and infusion.dose_since is not None:
        # the check after a change is timed from the change, not from the reading before it
        if target is not None and running and _calm(latest.map, current, change, target, protocol):
            minutes, interval_rule = settled_check, rid.INT_EFFECT
        else:
            minutes, interval_rule = intervals.after_change_minutes, rid.INT_AFTER_CHANGE
        due = infusion.dose_since + timedelta(minutes=minutes)
        waiting = _waiting(current, infusion.dose_since, due, change, target, protocol)
    elif decision.waiting and crs.until is not None and target is not None:
        if latest.map < target.map_mmhg:
            minutes, interval_rule = intervals.below_target_minutes, rid.INT_BELOW_TARGET
        else:
            minutes = _bounded((crs.until - latest.at).total_seconds() / 60.0, intervals.min_minutes,
                               intervals.max_minutes)
            interval_rule = rid.INT_EFFECT
        due = latest.at + timedelta(minutes=minutes)
        if crs.change is not None:
            waiting = _waiting(current, crs.change.at, due, crs.change, target, protocol)
    elif view.unconfirmed:  # a stale reading keeps its check's time: the check it was due for is simply late
        minutes, interval_rule = protocol.readings.repeat_after_minutes, rid.READ_ARTEFACT
    elif decision.overshoot:
        minutes, interval_rule = intervals.min_minutes, rid.INT_OVERSHOOT
    elif target is None:
        minutes, interval_rule = intervals.min_minutes, rid.TGT_PEDIATRIC_REVIEW
    elif decision.action in (Action.INCREASE, Action.DECREASE) and not decision.unstable \
            and latest.map >= target.map_mmhg:
        minutes, interval_rule = settled_check, rid.INT_EFFECT
    else:
        first = max(0, len(history) - max(intervals.stable_readings_for_max, 1))  # all INT-STABLE counts
        minutes, interval_rule = next_check_minutes(decision.action, history[first:],
                                                    chart.doses_from(first, current), target, intervals,
                                                    steady_mmhg=t.centre_deadband_mmhg)
    if due is None:
        due = latest.at + timedelta(minutes=minutes)
    return _Plan(when, chart, latest, co, current, running, limits, view, stop, target, decision, minutes,
                 interval_rule, due, waiting, input_alerts)


def _bounded(minutes: float, lo: float, hi: float) -> float:
    return min(max(minutes, lo), hi)


def _calm(m: float, current: float, change: Change | None, target: Target, protocol: Protocol) -> bool:
    """A change just applied with MAP at or above target and not far above it, and not a start: nothing will be
    decided before the change has had its full time (INT-EFFECT)."""
    started = change is None or change.before is None or change.before <= EPS
    far_above = m - target.map_mmhg > protocol.safety.overdose_map_above_target_mmhg
    return current > EPS and not started and target.map_mmhg <= m and not far_above


def _waiting(dose: float, set_at: datetime, due: datetime, change: Change | None, target: Target | None,
             protocol: Protocol) -> Waiting:
    """What the advice waits for (rules TIT-EFFECT-WAIT, TIT-AWAIT-READING) and which MAP would end the wait."""
    lower: float | None = None
    upper: float | None = None
    if target is not None and dose > EPS:
        down = change is not None and change.down
        lower = target.map_mmhg if down else target.map_mmhg - protocol.titration.far_below_mmhg
        upper = (target.map_mmhg + protocol.safety.overdose_map_above_target_mmhg) if down else target.upper_mmhg
    until = set_at + timedelta(minutes=protocol.titration.effect_minutes)
    return Waiting(dose_mcg_per_kg_per_min=dose, set_at=set_at, effect_until=until, next_check=due,
                   sooner_below_mmhg=lower, sooner_above_mmhg=upper)


_EMERGENCY = frozenset({rid.START_SBP, rid.START_DBP, rid.START_MAP_EQUIVALENT})


def _set_after(infusion: InfusionState, latest: Reading) -> bool:
    """The pump was set to the running dose at or after the latest reading (``dose_since`` is known)."""
    return infusion.dose_since is not None and infusion.dose_since >= latest.at


def _hold_for_the_reading(d: Decision, view: ReadingView, current: float, latest: Reading,
                          protocol: Protocol) -> Decision:
    """No dose change on a stale reading (READ-STALE) or on an unconfirmed jump (READ-ARTEFACT). Kept: a reduction
    of a dose above the hard maximum (it does not rest on the reading), and, on an unconfirmed reading only, a start
    for life-threatening hypotension (seed 000: do not delay)."""
    if not (view.stale or view.unconfirmed):
        return d
    keep_hard = d.action is Action.DECREASE and rid.TIT_HARD_MAX in d.rules
    keep_start = (not view.stale and d.action is Action.START and any(r in _EMERGENCY for r in d.rules))
    r = protocol.readings
    if view.stale:
        age = protocol.cite("readings.max_age_minutes", f"{r.max_age_minutes:g} min")
        alert = Alert("READING_STALE", Priority.HIGH,
                      f"The latest reading is {view.age_min:.0f} min old (more than {age}): take a new reading; no "
                      "dose change on an old reading.")
        why, note, rule = f"latest reading {view.age_min:.0f} min old", "take a new reading", rid.READ_STALE
    else:
        jump = protocol.cite("readings.artefact_jump_mmhg", f"{r.artefact_jump_mmhg:g} mmHg")
        alert = Alert("READING_UNCONFIRMED", Priority.HIGH,
                      f"MAP {latest.map:.0f} jumped from {view.jump_from:.0f} (more than {jump} within "
                      f"{protocol.cite('readings.artefact_window_minutes', f'{r.artefact_window_minutes:g} min')} "
                      "at unchanged doses): check the line (flush, damping) and "
                      "repeat the reading now; no dose change until a second reading confirms it.")
        why = f"MAP {latest.map:.0f} jumped from {view.jump_from:.0f} at unchanged doses"
        note, rule = "repeat the reading now", rid.READ_ARTEFACT
    if keep_hard or keep_start:
        d.alerts.append(alert)
        d.rules.append(rule)
        return d
    held = Decision(Action.HOLD if current > EPS else Action.NONE, current, why, [rule], note=note)
    held.alerts.append(alert)
    return held


def _rationale(d: Decision, current: float, dose: float, rate: float, minutes: float, target: Target | None,
               nee: float | None) -> str:
    """One breath: 'MAP 58 < target 65: increase 0.10 -> 0.15 mcg/kg/min (39.4 mL/h); recheck in 5 min'."""
    extra = f"; NEE {fmt_dose(nee)}" if nee is not None else ""
    pump = f"({rate:g} mL/h{extra})"
    if d.action is Action.START:
        what = f"start norepinephrine {fmt_dose(dose)} mcg/kg/min {pump}"
    elif d.action in (Action.INCREASE, Action.DECREASE):
        what = f"{d.action.value} {fmt_dose(current)} -> {fmt_dose(dose)} mcg/kg/min {pump}"
    elif d.action is Action.HOLD and dose <= EPS:
        what = "keep norepinephrine off"
    elif d.action is Action.HOLD:
        what = f"hold {fmt_dose(dose)} mcg/kg/min {pump}"
    elif d.action is Action.TAPER_OFF:
        what = f"stop norepinephrine from {fmt_dose(current)} mcg/kg/min (0 mL/h)"
    else:
        what = "no norepinephrine"
    note = f" ({d.note})" if d.note else ""
    confirm = f"; confirm: {', '.join(d.confirm)}" if d.needs_confirmation and d.confirm else ""
    return f"{d.why}: {what}{note}{confirm}; recheck in {minutes:g} min"
