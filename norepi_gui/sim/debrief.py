"""Debrief metrics for a titration run or a training session (Qt-free).

Input: (time, true MAP) samples and the records of :mod:`norepi_gui.sim.actions`.
Each MAP sample holds until the next one (sample and hold); the last one holds until
``end_min`` (default: the last time plus the median sample spacing). The band is
``[band_low, band_high]``, by default ``[target, target + 10]``, or a list of bands in force from given minutes
(``bands``: what the trainee was shown, which changes when the target does). The floor (``floor_mmhg``) is the
scenario's: 60 mmHg for an adult by default, a child's own.

Key actions count only inside their window after their trigger (the start, or an event's firing), each worth its
weight; forbidden actions count against; errors (an abrupt stop, stacked increases, a dose above the usual range
without a confirmation) are flagged with their time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from norepi_gui.sim.actions import (
    ESCALATIONS,
    NE_TITRATIONS,
    START,
    ActionRecord,
    EscalationDue,
    ExpectedAction,
    ForbiddenAction,
    LimitAlert,
    PromptRecord,
)

DEFAULT_BAND_WIDTH_MMHG = 10.0
#: An adult's floor: below 60 mmHg is below even the permissive 60-65 band (65 trial, JAMA 2020 [V]). A child's
#: floor is the scenario's (``[scoring] floor_map_mmhg``).
MAP_FLOOR_MMHG = 60.0
BELOW_TARGET_MARGIN_MMHG = 5.0
#: Stacking: a second increase this soon after the last one, before it could act (onset 1-2 min, steady state after
#: 10-35 min [clinical-reference]; prompts every 5-15 min [seed 000, 004]) [U].
STACKING_MIN = 5.0
#: An abrupt stop: norepinephrine stopped from above this dose, without tapering (abrupt withdrawal causes marked
#: hypotension, reduce gradually [seed 002]); one usual step, 0.05 mcg/kg/min (MSF guide [S]) [U].
ABRUPT_STOP_ABOVE = 0.05


@dataclass(frozen=True)
class Band:
    """The band in force from ``from_min`` (minutes from the start) until the next one."""

    from_min: float
    low_mmhg: float
    high_mmhg: float


@dataclass(frozen=True)
class Flag:
    """An error the debrief points out: ``kind`` (ABRUPT_STOP, STACKING, ABOVE_USUAL_UNCONFIRMED) at a minute."""

    time_min: float
    kind: str
    detail: str


@dataclass(frozen=True)
class DoseEntry:
    """A norepinephrine dose as set: minute, mcg/kg/min, and whether a confirmation was recorded with it."""

    time_min: float
    dose: float
    confirmed: bool = False


@dataclass(frozen=True)
class EventResponse:
    """An event the patient met, and the trainee's first answer to it (an action of ``answers``) after it."""

    time_min: float
    name: str
    label: str
    answered_min: float | None
    answer: str | None

    @property
    def response_min(self) -> float | None:
        return None if self.answered_min is None else self.answered_min - self.time_min


@dataclass(frozen=True)
class EscalationOutcome:
    kind: str
    due_min: float
    made_min: float | None
    delay_min: float | None


@dataclass(frozen=True)
class KeyActionOutcome:
    """One expected action: its window (None when its trigger never came), when it was done, the points given."""

    action: str
    by_minute: float  # the window closes (minutes from the start; inf: at the end)
    done_at_min: float | None
    on_time: bool
    opens_min: float | None = 0.0
    weight: float = 1.0
    points: float = 0.0
    window: str = ""
    why: str = ""
    verdict: str = ""


@dataclass(frozen=True)
class ForbiddenOutcome:
    """An action the scenario counts against: each time it was taken in its window, the points taken off."""

    action: str
    done_at_min: tuple[float, ...]
    weight: float
    points: float
    window: str = ""
    why: str = ""


@dataclass(frozen=True)
class Debrief:
    """Metrics of one patient's run. Percentages are of the observed time (0-100)."""

    duration_min: float
    band_low_mmhg: float
    band_high_mmhg: float
    time_in_band_pct: float
    time_below_band_pct: float
    time_below_target_minus_5_pct: float
    time_below_floor_pct: float
    time_above_band_pct: float
    time_to_first_titration_min: float | None
    prompts: int
    prompts_unanswered: int
    prompt_response_min: tuple[float, ...]
    mean_prompt_response_min: float | None
    escalations_made: int
    escalations: tuple[EscalationOutcome, ...]
    limit_alerts: int
    limit_alert_kinds: tuple[str, ...]
    max_dose_mcg_per_kg_per_min: float
    total_mg: float
    key_actions: tuple[KeyActionOutcome, ...] = field(default=())
    key_actions_on_time: int = 0
    # Workload and steadiness (issue 13): norepinephrine dose changes, changes of direction between consecutive
    # changes, prompts, each also per hour of the run; minutes until true MAP first lies in the band.
    ne_changes: int = 0
    ne_changes_per_h: float = 0.0
    direction_reversals: int = 0
    reversals_per_h: float = 0.0
    prompts_per_h: float = 0.0
    time_to_band_min: float | None = None
    floor_mmhg: float = MAP_FLOOR_MMHG
    bands: tuple[Band, ...] = ()
    forbidden: tuple[ForbiddenOutcome, ...] = ()
    key_points: float = 0.0
    key_points_max: float = 0.0
    forbidden_points: float = 0.0
    flags: tuple[Flag, ...] = ()
    responses: tuple[EventResponse, ...] = ()

    @property
    def score(self) -> float:
        """Key action points less forbidden action points."""
        return self.key_points - self.forbidden_points

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _weights(times: npt.NDArray[np.float64], end_min: float | None) -> npt.NDArray[np.float64]:
    if times.size == 0:
        return times
    if np.any(np.diff(times) < 0):
        raise ValueError("debrief: sample times must not decrease")
    if end_min is None:
        step = float(np.median(np.diff(times))) if times.size > 1 else 0.0
        end_min = float(times[-1]) + step
    if end_min < times[-1]:
        raise ValueError("debrief: end_min is before the last sample")
    return np.diff(np.append(times, end_min))


def _pct(mask: npt.NDArray[np.bool_], w: npt.NDArray[np.float64], total: float) -> float:
    return 0.0 if total <= 0.0 else float(100.0 * w[mask].sum() / total)


def _dose_totals(ne_doses: Sequence[tuple[float, float]], weight_kg: float, end_min: float) -> tuple[float, float]:
    """Max dose and total mg of a piecewise-constant schedule of (time, mcg/kg/min)."""
    if not ne_doses:
        return 0.0, 0.0
    ts = [t for t, _ in ne_doses] + [max(end_min, ne_doses[-1][0])]
    total_mcg = sum(d * weight_kg * (ts[i + 1] - ts[i]) for i, (_, d) in enumerate(ne_doses))
    return max(d for _, d in ne_doses), total_mcg / 1000.0


def _escalations(due: Iterable[EscalationDue], actions: Sequence[ActionRecord]) -> tuple[EscalationOutcome, ...]:
    out: list[EscalationOutcome] = []
    seen: set[str] = set()
    for d in sorted(due, key=lambda e: e.time_min):
        if d.kind in seen:
            continue  # only the first time each escalation became due counts
        seen.add(d.kind)
        made = next((a.time_min for a in actions if a.kind == d.kind and a.time_min >= d.time_min - 1e-9), None)
        before = next((a.time_min for a in actions if a.kind == d.kind and a.time_min < d.time_min), None)
        if before is not None:
            made = before  # started before it became due: no delay
        delay = None if made is None else max(0.0, made - d.time_min)
        out.append(EscalationOutcome(d.kind, d.time_min, made, delay))
    return tuple(out)


_DIRECTION: dict[str, int] = {"START_NE": 1, "INCREASE_NE": 1, "DECREASE_NE": -1, "STOP_NE": -1}


def dose_changes(actions: Sequence[ActionRecord]) -> tuple[int, int]:
    """Norepinephrine dose changes and direction reversals (an increase right after a decrease, or the reverse)."""
    signs = [_DIRECTION[a.kind] for a in sorted(actions, key=lambda a: a.time_min) if a.kind in _DIRECTION]
    reversals = sum(1 for a, b in itertools.pairwise(signs) if a != b)
    return len(signs), reversals


def _key_actions(expected: Sequence[ExpectedAction], actions: Sequence[ActionRecord],
                 triggers: dict[str, float], end: float) -> list[KeyActionOutcome]:
    out: list[KeyActionOutcome] = []
    ordered = sorted(actions, key=lambda a: a.time_min)
    for exp in expected:
        when = exp.when
        bounds = when.bounds(triggers.get(when.after), end)
        if bounds is None:
            out.append(KeyActionOutcome(exp.action, math.inf, None, False, None, exp.weight, 0.0, when.describe(),
                                        exp.why, "not scored: its trigger never came"))
            continue
        opens, closes = bounds
        done = next((a.time_min for a in ordered if a.kind == exp.action and a.time_min >= opens - 1e-9), None)
        on_time = done is not None and done <= closes + 1e-9
        verdict = "on time" if on_time else ("late" if done is not None else "not done")
        early = next((a.time_min for a in ordered if a.kind == exp.action and a.time_min < opens - 1e-9), None)
        if early is not None and done is None:
            verdict = "not done in its window (only before it opened)"
        out.append(KeyActionOutcome(exp.action, closes, done, on_time, opens, exp.weight,
                                    exp.weight if on_time else 0.0, when.describe(), exp.why, verdict))
    return out


def _forbidden(forbidden: Sequence[ForbiddenAction], actions: Sequence[ActionRecord], triggers: dict[str, float],
               end: float) -> list[ForbiddenOutcome]:
    out: list[ForbiddenOutcome] = []
    for f in forbidden:
        bounds = f.window.bounds(triggers.get(f.window.after), end)
        times: tuple[float, ...] = ()
        if bounds is not None:
            opens, closes = bounds
            times = tuple(a.time_min for a in sorted(actions, key=lambda a: a.time_min)
                          if a.kind == f.action and opens - 1e-9 <= a.time_min <= closes + 1e-9)
        out.append(ForbiddenOutcome(f.action, times, f.weight, f.weight * len(times), f.window.describe(), f.why))
    return out


def error_flags(doses: Sequence[DoseEntry], usual_max: float | None) -> tuple[Flag, ...]:
    """Abrupt stops, stacked increases and doses above the usual range set without a confirmation."""
    flags: list[Flag] = []
    last_up: float | None = None
    for prev, cur in itertools.pairwise(sorted(doses, key=lambda d: d.time_min)):
        if cur.dose <= 0.0 < prev.dose and prev.dose > ABRUPT_STOP_ABOVE + 1e-12:
            flags.append(Flag(cur.time_min, "ABRUPT_STOP",
                              f"stopped from {prev.dose:.3g} mcg/kg/min without tapering"))
        if cur.dose > prev.dose + 1e-12:
            if last_up is not None and cur.time_min - last_up < STACKING_MIN - 1e-9:
                flags.append(Flag(cur.time_min, "STACKING",
                                  f"increased again {cur.time_min - last_up:.0f} min after the last increase, before "
                                  "it could act"))
            last_up = cur.time_min
        elif cur.dose < prev.dose - 1e-12:
            last_up = None
        if usual_max is not None and cur.dose > usual_max + 1e-12 and prev.dose <= usual_max + 1e-12 \
                and not cur.confirmed:
            flags.append(Flag(cur.time_min, "ABOVE_USUAL_UNCONFIRMED",
                              f"{cur.dose:.3g} mcg/kg/min is above the usual {usual_max:g} with no confirmation "
                              "recorded"))
    return tuple(flags)


def event_responses(events: Sequence[tuple[float, str, str, frozenset[str]]],
                    actions: Sequence[ActionRecord]) -> tuple[EventResponse, ...]:
    """For each (minute, name, label, answering action kinds) the first answering action after it (any action when
    the set is empty)."""
    out: list[EventResponse] = []
    ordered = sorted(actions, key=lambda a: a.time_min)
    for t, name, label, answers in events:
        hit = next((a for a in ordered if a.time_min >= t - 1e-9 and (not answers or a.kind in answers)), None)
        out.append(EventResponse(t, name, label, None if hit is None else hit.time_min,
                                 None if hit is None else hit.kind))
    return tuple(out)


def _band_arrays(t: npt.NDArray[np.float64], bands: Sequence[Band]) -> tuple[npt.NDArray[np.float64], ...]:
    """Lower and upper edge in force at each sample time."""
    ordered = sorted(bands, key=lambda b: b.from_min)
    starts = np.array([b.from_min for b in ordered])
    which = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(ordered) - 1)
    lows = np.array([b.low_mmhg for b in ordered])[which]
    highs = np.array([b.high_mmhg for b in ordered])[which]
    return lows, highs


def debrief(
    times_min: Sequence[float] | npt.ArrayLike,
    true_map_mmhg: Sequence[float] | npt.ArrayLike,
    *,
    target_mmhg: float,
    band_low_mmhg: float | None = None,
    band_high_mmhg: float | None = None,
    end_min: float | None = None,
    actions: Sequence[ActionRecord] = (),
    prompts: Sequence[PromptRecord] = (),
    escalations_due: Sequence[EscalationDue] = (),
    limit_alerts: Sequence[LimitAlert] = (),
    ne_doses: Sequence[tuple[float, float]] = (),
    weight_kg: float = 70.0,
    expected_actions: Sequence[ExpectedAction] = (),
    start_min: float = 0.0,
    bands: Sequence[Band] = (),
    floor_mmhg: float = MAP_FLOOR_MMHG,
    forbidden_actions: Sequence[ForbiddenAction] = (),
    event_times: dict[str, float] | None = None,
    flags: Sequence[Flag] = (),
    event_answers: Sequence[EventResponse] = (),
) -> Debrief:
    """Score one patient. ``ne_doses``: (time, mcg/kg/min) each time the programmed dose changed; ``bands``: the
    bands shown, each from a minute (overrides the fixed band); ``event_times``: when each named event fired (key
    action windows open then)."""
    t = np.asarray(times_min, dtype=np.float64)
    m = np.asarray(true_map_mmhg, dtype=np.float64)
    if t.shape != m.shape or t.ndim != 1:
        raise ValueError("debrief: times and MAP must be 1-D and the same length")
    lo = target_mmhg if band_low_mmhg is None else band_low_mmhg
    hi = lo + DEFAULT_BAND_WIDTH_MMHG if band_high_mmhg is None else band_high_mmhg
    if hi < lo or any(b.high_mmhg < b.low_mmhg for b in bands):
        raise ValueError("debrief: band_high_mmhg must be >= band_low_mmhg")
    if bands:
        first = min(bands, key=lambda b: b.from_min)
        lo, hi = first.low_mmhg, first.high_mmhg
        lows, highs = _band_arrays(t, bands)
    else:
        lows, highs = np.full(t.shape, lo), np.full(t.shape, hi)
    margin_lows = lows - (lo - target_mmhg) if not bands else lows
    w = _weights(t, end_min)
    total = float(w.sum())
    end = float(t[-1] + w[-1]) if t.size else (end_min or start_min)
    titrations = [a.time_min for a in actions if a.kind in NE_TITRATIONS]
    responses = tuple(p.responded_min - p.time_min for p in prompts if p.responded_min is not None)
    max_dose, total_mg = _dose_totals(ne_doses, weight_kg, end)
    triggers = {START: start_min, **(event_times or {})}
    keys = _key_actions(expected_actions, actions, triggers, end)
    forbidden = _forbidden(forbidden_actions, actions, triggers, end)
    escalations = _escalations(escalations_due, actions)
    changes, reversals = dose_changes(actions)
    hours = total / 60.0
    in_band = (m >= lows) & (m <= highs)
    first_in_band = int(np.argmax(in_band)) if in_band.any() else None

    def per_h(count: int) -> float:
        return count / hours if hours > 0.0 else 0.0

    return Debrief(
        duration_min=total,
        band_low_mmhg=lo,
        band_high_mmhg=hi,
        time_in_band_pct=_pct(in_band, w, total),
        time_below_band_pct=_pct(m < lows, w, total),
        time_below_target_minus_5_pct=_pct(m < margin_lows - BELOW_TARGET_MARGIN_MMHG, w, total),
        time_below_floor_pct=_pct(m < floor_mmhg, w, total),
        time_above_band_pct=_pct(m > highs, w, total),
        time_to_first_titration_min=(min(titrations) - start_min) if titrations else None,
        prompts=len(prompts),
        prompts_unanswered=sum(1 for p in prompts if p.responded_min is None),
        prompt_response_min=responses,
        mean_prompt_response_min=(sum(responses) / len(responses)) if responses else None,
        escalations_made=sum(1 for a in actions if a.kind in ESCALATIONS),
        escalations=escalations,
        limit_alerts=len(limit_alerts),
        limit_alert_kinds=tuple(a.kind for a in limit_alerts),
        max_dose_mcg_per_kg_per_min=max_dose,
        total_mg=total_mg,
        key_actions=tuple(keys),
        key_actions_on_time=sum(1 for k in keys if k.on_time),
        ne_changes=changes,
        ne_changes_per_h=per_h(changes),
        direction_reversals=reversals,
        reversals_per_h=per_h(reversals),
        prompts_per_h=per_h(len(prompts)),
        time_to_band_min=None if first_in_band is None else float(t[first_in_band]) - start_min,
        floor_mmhg=floor_mmhg,
        bands=tuple(sorted(bands, key=lambda b: b.from_min)) if bands else (Band(start_min, lo, hi),),
        forbidden=tuple(forbidden),
        key_points=sum(k.points for k in keys),
        key_points_max=sum(k.weight for k in keys if k.opens_min is not None),
        forbidden_points=sum(f.points for f in forbidden),
        flags=tuple(flags),
        responses=tuple(event_answers),
    )


def debrief_from_samples(samples: Sequence[tuple[float, float]], **kwargs: Any) -> Debrief:
    """Same as :func:`debrief` for a list of (time_min, true MAP) pairs."""
    times = [s[0] for s in samples]
    maps = [s[1] for s in samples]
    return debrief(times, maps, **kwargs)


SUMMARY_FIELDS: tuple[str, ...] = (
    "time_in_band_pct",
    "time_below_band_pct",
    "time_below_target_minus_5_pct",
    "time_below_floor_pct",
    "time_above_band_pct",
    "time_to_first_titration_min",
    "prompts",
    "mean_prompt_response_min",
    "escalations_made",
    "limit_alerts",
    "max_dose_mcg_per_kg_per_min",
    "total_mg",
    "key_actions_on_time",
    "key_points",
    "ne_changes_per_h",
    "reversals_per_h",
    "prompts_per_h",
    "time_to_band_min",
)


def summarise(debriefs: Sequence[Debrief]) -> dict[str, dict[str, float | int | None]]:
    """Mean and 10th/50th/90th percentiles of each numeric metric across patients.

    Metrics that are None for some patients (e.g. no titration) are summarised over the
    others; ``n`` says how many had a value.
    """
    out: dict[str, dict[str, float | int | None]] = {}
    for name in SUMMARY_FIELDS:
        vals = [getattr(d, name) for d in debriefs]
        xs = np.array([float(v) for v in vals if v is not None and not math.isnan(float(v))])
        if xs.size == 0:
            out[name] = {"n": 0, "mean": None, "p10": None, "p50": None, "p90": None}
            continue
        p10, p50, p90 = np.percentile(xs, [10, 50, 90])
        out[name] = {
            "n": int(xs.size),
            "mean": float(xs.mean()),
            "p10": float(p10),
            "p50": float(p50),
            "p90": float(p90),
        }
    return out
