"""When to look again (rules INT-*), and how overdue a check is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.protocol import Intervals
from norepi_gui.core.titration import rules as rid
from norepi_gui.core.titration.history import trailing
from norepi_gui.core.titration.limits import EPS
from norepi_gui.core.titration.model import Action, Reading, Target


def next_check_minutes(action: Action, readings: Sequence[Reading], doses: Sequence[float], target: Target,
                       intervals: Intervals, steady_mmhg: float = math.inf) -> tuple[float, str]:
    """Minutes to the next check and the rule that set it; always within [min_minutes, max_minutes]."""
    m = readings[-1].map
    if action.changes_dose:
        minutes, rule = intervals.after_change_minutes, rid.INT_AFTER_CHANGE
    elif m < target.map_mmhg:
        minutes, rule = intervals.below_target_minutes, rid.INT_BELOW_TARGET
    elif m > target.upper_mmhg and doses[-1] > EPS:
        minutes, rule = intervals.min_minutes, rid.INT_CONFIRM
    else:
        dose = doses[-1]
        running = dose > EPS

        middle = (target.map_mmhg + target.upper_mmhg) / 2.0

        def stable(i: int, r: Reading) -> bool:
            in_band = target.map_mmhg <= r.map <= target.upper_mmhg if running else r.map >= target.map_mmhg
            near = abs(r.map - middle) <= steady_mmhg + EPS if running else True
            return in_band and near and abs(doses[i] - dose) <= EPS

        need = intervals.stable_readings_for_max
        n = trailing(readings, stable, limit=max(need, 1))
        if need <= 1 or n >= need:
            minutes = intervals.max_minutes
        else:
            span = intervals.max_minutes - intervals.min_minutes
            minutes = intervals.min_minutes + span * (n - 1) / (need - 1)
        rule = rid.INT_STABLE
    return min(max(minutes, intervals.min_minutes), intervals.max_minutes), rule


@dataclass(frozen=True)
class OverdueState:
    """How late a due check is. ``priority`` is ``None`` while the check is not yet due."""

    due: datetime
    now: datetime
    minutes_overdue: float
    priority: Priority | None

    @property
    def overdue(self) -> bool:
        return self.priority is not None

    def alert(self) -> Alert | None:
        if self.priority is None:
            return None
        return Alert("CHECK_OVERDUE", self.priority,
                     f"Check overdue by {self.minutes_overdue:.0f} min: take a reading now.")


def overdue_state(due: datetime, now: datetime, intervals: Intervals) -> OverdueState:
    """Low as soon as the due time passes, medium after ``overdue_medium_after_minutes``, high after
    ``overdue_high_after_minutes`` (rule INT-OVERDUE)."""
    late = (now - due).total_seconds() / 60.0
    if late <= 0:
        return OverdueState(due, now, 0.0, None)
    if late >= intervals.overdue_high_after_minutes:
        priority = Priority.HIGH
    elif late >= intervals.overdue_medium_after_minutes:
        priority = Priority.MEDIUM
    else:
        priority = Priority.LOW
    return OverdueState(due, now, late, priority)
