"""``advise``: from patient, infusion, protocol and every reading so far, what to do now, why, and when to look again.

Pure and deterministic: time comes in as ``now`` (a datetime or a :class:`Clock`), nothing is read from the wall
clock, and the same history and time always give the same :class:`Advice`. Decision support, not a device: every
number traces to the protocol file, whose values cite their sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from norepi_gui.core.alerts import by_priority
from norepi_gui.core.clock import Clock
from norepi_gui.core.dosing import Concentration, DoseRate, rate_for_dose, round_to_resolution
from norepi_gui.core.errors import InputError
from norepi_gui.core.protocol import Protocol
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.decision import Decision, decide
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
    InfusionState,
    PatientInfo,
    Reading,
    Target,
    fmt_dose,
)
from norepi_gui.core.titration.nee import has_other_vasopressor, norepinephrine_equivalents
from norepi_gui.core.titration.safety import infusion_signs, map_and_heart_signs
from norepi_gui.core.titration.start import start_reminders
from norepi_gui.core.titration.targets import choose_target, target_alerts
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


# The dosing core converts in pint units, which costs about 0.1 ms per conversion; a session (or a simulated
# patient) asks for the same few doses again and again, so the answers are remembered. Keyed by the concentration
# object's identity, which the entry keeps alive so the identity cannot be reused; the values are exactly what the
# dosing core returns.
_RATES: dict[tuple[int, float, float, float], tuple[Concentration, float, float]] = {}
_RATES_MAX = 1 << 16  # a 1000-patient x 24 h simulation asks for about 40 000 (dose, weight) pairs: no clearing


def _pump_rates(dose: float, weight_kg: float, concentration: Concentration, resolution: float) -> tuple[float, float]:
    """(exact, rounded to the pump resolution) rate in mL/h for a per-kg dose."""
    key = (id(concentration), dose, weight_kg, resolution)
    hit = _RATES.get(key)
    if hit is not None and hit[0] is concentration:
        return hit[1], hit[2]
    rate = _rate(dose, weight_kg, concentration) if dose > EPS else Q(0.0, "mL/h")
    exact = float(rate.magnitude)
    rounded = float(round_to_resolution(rate, resolution).magnitude)
    if len(_RATES) >= _RATES_MAX:
        _RATES.clear()
    _RATES[key] = (concentration, exact, rounded)
    return exact, rounded


def advise(
    readings: Sequence[Reading] | ChartedHistory,
    patient: PatientInfo,
    infusion: InfusionState,
    protocol: Protocol,
    *,
    now: datetime | Clock,
    co_infusions: CoInfusions | None = None,
) -> Advice:
    """The advice for the latest reading.

    ``infusion.dose_mcg_per_kg_per_min`` is the dose running now (0 = not running). ``co_infusions`` default to what
    the latest reading recorded. ``readings`` may come in any order; a session that charts one reading per check
    passes a :class:`ChartedHistory` it appends to, so each call costs the same however long the history.
    Raises :class:`InputError` for an empty history, a naive time, a ``now`` before the latest reading, or a weight
    outside the population's plausible range.
    """
    when = _now(now)
    chart = _check_history(readings, when)
    history = chart.readings
    pop = protocol.population(patient.population)
    if not pop.weight_min_kg <= patient.weight_kg <= pop.weight_max_kg:
        raise InputError("weight", f"{patient.weight_kg:g} kg is outside the {patient.population.value} range",
                         f"{pop.weight_min_kg:g} to {pop.weight_max_kg:g} kg")
    latest = history[-1]
    co = co_infusions if co_infusions is not None else CoInfusions.from_reading(latest)
    current = infusion.dose_mcg_per_kg_per_min
    doses = chart.doses(current)
    target = choose_target(patient, protocol)
    limits = DoseLimits.for_patient(protocol, patient.population, patient.weight_kg)

    since = infusion.dose_since
    decision = decide(history, doses, current, patient, target, limits, protocol, co,
                      last_given=chart.last_positive_dose_before_latest(current),
                      changed_at=since if since is not None and since >= latest.at else None)
    dose = decision.dose
    rules: list[str] = [target.rule]
    if latest.map_is_computed:
        rules.append(rid.MAP_FROM_SBP_DBP)
    rules.extend(decision.rules)

    if rid.TIT_AWAIT_READING in decision.rules and since is not None:
        # the check after a change: timed from the change, not from the reading before it
        minutes, interval_rule = protocol.intervals.after_change_minutes, rid.INT_AFTER_CHANGE
        due = since + timedelta(minutes=minutes)
    else:
        minutes, interval_rule = next_check_minutes(decision.action, history, doses, target, protocol.intervals)
        due = latest.at + timedelta(minutes=minutes)
    rules.append(interval_rule)

    exact_rate, rate = _pump_rates(dose, patient.weight_kg, infusion.concentration,
                                   protocol.pump.resolution_ml_per_h)
    mcg_per_min = dose * patient.weight_kg

    findings = Findings(alerts=list(decision.alerts), escalations=list(decision.escalations))
    t_alerts, t_rules = target_alerts(patient, target, latest)
    findings.alerts.extend(t_alerts)
    findings.rules.extend(t_rules)
    running = current > EPS
    findings.extend(map_and_heart_signs(chart, running, target, protocol))
    findings.extend(escalations(chart, current, dose, co, patient, target, protocol))
    line_out, extravasation = line_findings(patient, dose, protocol)
    findings.extend(line_out)
    mg_24h = chart.mcg_per_kg_last_24h(when, current) * patient.weight_kg / 1000.0
    findings.extend(infusion_signs(rate_ml_per_h=rate, exact_rate_ml_per_h=exact_rate,
                                   bag_left_ml=infusion.bag_volume_left_ml, next_check_min=minutes,
                                   mg_last_24h=mg_24h, mcg_per_min=mcg_per_min, protocol=protocol))
    overdue = overdue_state(due, when, protocol.intervals).alert()
    if overdue is not None:
        findings.alerts.append(overdue)
        findings.rules.append(rid.INT_OVERDUE)
    reminders = start_reminders(patient, protocol, starting=decision.action is Action.START,
                                waiting_for_fluids=decision.waiting_for_fluids, running=running)
    rules.extend(findings.rules)
    rules.extend(r.rule for r in reminders)

    nee = norepinephrine_equivalents(dose, co)
    if has_other_vasopressor(co):
        rules.append(rid.NEE_SUM)
    rationale = _rationale(decision, current, dose, rate, minutes, target, nee if has_other_vasopressor(co) else None)
    return Advice(
        action=decision.action,
        dose_mcg_per_kg_per_min=dose,
        dose_mcg_per_min=round(mcg_per_min, 4),
        rate_ml_per_h=rate,
        current_dose_mcg_per_kg_per_min=current,
        needs_confirmation=decision.needs_confirmation,
        next_check_in_min=minutes,
        next_check_due=due,
        target_map=target.map_mmhg,
        target_map_upper=target.upper_mmhg,
        target_reason=target.reason,
        map_mmhg=latest.map,
        map_computed=latest.map_is_computed,
        escalations=tuple(findings.escalations),
        alerts=tuple(by_priority(findings.alerts)),
        reminders=tuple(reminders),
        rules=tuple(dict.fromkeys(rules)),
        rationale=rationale,
        nee_mcg_per_kg_per_min=nee,
        extravasation=extravasation,
    )


def _rationale(d: Decision, current: float, dose: float, rate: float, minutes: float, target: Target,
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
    confirm = "; confirm: above the soft maximum" if d.needs_confirmation else ""
    return f"{d.why}: {what}{note}{confirm}; recheck in {minutes:g} min"
