"""Debrief metrics for a titration run or a training session (Qt-free).

Input: (time, true MAP) samples and the records of :mod:`norepi_gui.sim.actions`.
Each MAP sample holds until the next one (sample and hold); the last one holds until
``end_min`` (default: the last time plus the median sample spacing). The band is
``[band_low, band_high]``, by default ``[target, target + 10]``; the protocol will own
the bounds, so they are parameters.
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
    ActionRecord,
    EscalationDue,
    ExpectedAction,
    LimitAlert,
    PromptRecord,
)

DEFAULT_BAND_WIDTH_MMHG = 10.0
MAP_FLOOR_MMHG = 60.0
BELOW_TARGET_MARGIN_MMHG = 5.0


@dataclass(frozen=True)
class EscalationOutcome:
    kind: str
    due_min: float
    made_min: float | None
    delay_min: float | None


@dataclass(frozen=True)
class KeyActionOutcome:
    action: str
    by_minute: float
    done_at_min: float | None
    on_time: bool


@dataclass(frozen=True)
class Debrief:
    """Metrics of one patient's run. Percentages are of the observed time (0-100)."""

    duration_min: float
    band_low_mmhg: float
    band_high_mmhg: float
    time_in_band_pct: float
    time_below_band_pct: float
    time_below_target_minus_5_pct: float
    time_map_below_60_pct: float
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
) -> Debrief:
    """Score one patient. ``ne_doses``: (time, mcg/kg/min) each time the programmed dose changed."""
    t = np.asarray(times_min, dtype=np.float64)
    m = np.asarray(true_map_mmhg, dtype=np.float64)
    if t.shape != m.shape or t.ndim != 1:
        raise ValueError("debrief: times and MAP must be 1-D and the same length")
    lo = target_mmhg if band_low_mmhg is None else band_low_mmhg
    hi = lo + DEFAULT_BAND_WIDTH_MMHG if band_high_mmhg is None else band_high_mmhg
    if hi < lo:
        raise ValueError("debrief: band_high_mmhg must be >= band_low_mmhg")
    w = _weights(t, end_min)
    total = float(w.sum())
    end = float(t[-1] + w[-1]) if t.size else (end_min or start_min)
    titrations = [a.time_min for a in actions if a.kind in NE_TITRATIONS]
    responses = tuple(p.responded_min - p.time_min for p in prompts if p.responded_min is not None)
    max_dose, total_mg = _dose_totals(ne_doses, weight_kg, end)
    keys: list[KeyActionOutcome] = []
    for exp in expected_actions:
        done = next((a.time_min for a in sorted(actions, key=lambda a: a.time_min) if a.kind == exp.action), None)
        keys.append(KeyActionOutcome(exp.action, exp.by_minute, done, done is not None and done <= exp.by_minute))
    escalations = _escalations(escalations_due, actions)
    changes, reversals = dose_changes(actions)
    hours = total / 60.0
    in_band = (m >= lo) & (m <= hi)
    first_in_band = int(np.argmax(in_band)) if in_band.any() else None

    def per_h(count: int) -> float:
        return count / hours if hours > 0.0 else 0.0

    return Debrief(
        duration_min=total,
        band_low_mmhg=lo,
        band_high_mmhg=hi,
        time_in_band_pct=_pct(in_band, w, total),
        time_below_band_pct=_pct(m < lo, w, total),
        time_below_target_minus_5_pct=_pct(m < target_mmhg - BELOW_TARGET_MARGIN_MMHG, w, total),
        time_map_below_60_pct=_pct(m < MAP_FLOOR_MMHG, w, total),
        time_above_band_pct=_pct(m > hi, w, total),
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
    "time_map_below_60_pct",
    "time_above_band_pct",
    "time_to_first_titration_min",
    "prompts",
    "mean_prompt_response_min",
    "escalations_made",
    "limit_alerts",
    "max_dose_mcg_per_kg_per_min",
    "total_mg",
    "key_actions_on_time",
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
