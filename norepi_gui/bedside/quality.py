"""The quality figures of a session (``norepi_gui.core.quality``), kept in step with its record.

:class:`QualityTracker` follows the state as :class:`~norepi_gui.bedside.inputs.EngineInputs` does: a reading charted
after the latest one is appended to the MAP timeline (O(1)); a back-dated reading, a correction or a deletion
rebuilds it once, on the next request. Answered checks are read once each. Dose and co-infusion changes (about 15 per
infusion, clinical-reference "Titration workload and order") are walked on each request. So the figures on screen
cost the same at the end of a long shift as at its start.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from norepi_gui.bedside.inputs import co_infusions, dose_key, per_kg
from norepi_gui.bedside.records import AnswerRecord
from norepi_gui.core.quality import (
    Band,
    CheckLog,
    MapTimeline,
    QualityFigures,
    WindowFigures,
    changes_in,
    check_category,
    combine,
    open_check,
    peak,
)

if TYPE_CHECKING:
    from norepi_gui.bedside.state import Delta, DoseRow, SessionState
    from norepi_gui.core.protocol import Intervals

LAST_HOUR = "last hour"
SHIFT = "this shift"
INFUSION = "infusion"


class QualityTracker:
    def __init__(self) -> None:
        self._timeline: MapTimeline | None = None
        self._charted = 0
        self._checks: CheckLog | None = None
        self._answers_seen = 0
        self._check_limits: tuple[float, float] | None = None

    def invalidate(self) -> None:
        self._timeline = None
        self._charted = 0
        self._checks = None
        self._answers_seen = 0

    def note(self, delta: Delta) -> None:
        if "readings" in delta.reordered:
            self._timeline = None
            self._charted = 0

    def timeline(self, state: SessionState, band: Band) -> MapTimeline:
        if self._timeline is None or self._timeline.band != band:
            self._timeline = MapTimeline(band)
            self._charted = 0
        rows = state.readings
        for row in rows[self._charted:]:
            self._timeline.append(row.at, row.map_mmhg)
        self._charted = len(rows)
        return self._timeline

    def checks(self, state: SessionState, intervals: Intervals) -> CheckLog:
        limits = (intervals.overdue_medium_after_minutes, intervals.overdue_high_after_minutes)
        if self._checks is None or limits != self._check_limits:
            self._checks, self._answers_seen, self._check_limits = CheckLog(), 0, limits
        for event in state.answers[self._answers_seen:]:
            record = AnswerRecord.from_payload(event.payload)
            if record is None or record.due_at is None:
                continue  # recorded before answers carried their due time: not counted
            category = check_category(record.due_at, record.checked_at or event.at, *limits)
            if category is not None:
                self._checks.add(record.due_at, category)
        self._answers_seen = len(state.answers)
        return self._checks


def dose_changes(state: SessionState) -> list[datetime]:
    """When norepinephrine was started, stepped or stopped (rows that keep the dose, a new bag or weight, are not)."""
    times: list[datetime] = []
    previous: DoseRow | None = None
    for row in state.doses:
        changed = dose_key(row) != dose_key(previous) if previous is not None else row.running
        if changed:
            times.append(row.at)
        previous = row
    return times


def nee_series(state: SessionState) -> list[tuple[datetime, float]]:
    """The norepinephrine-equivalent load (NEE-SUM) as a step series: its value from each dose or co-infusion change."""
    from norepi_gui.core.titration.nee import norepinephrine_equivalents

    weight = state.patient.weight_kg
    changes = sorted([(row.at, row.seq) for row in state.doses] + [(row.at, row.seq) for row in state.co_infusion_log])
    series: list[tuple[datetime, float]] = []
    for at, seq in changes:
        value = norepinephrine_equivalents(per_kg(state.dose_at(at, seq + 1), weight), co_infusions(state.co_at(at)))
        if series and series[-1][0] == at:
            series[-1] = (at, value)
        else:
            series.append((at, value))
    return series


def first_start(state: SessionState) -> datetime | None:
    return next((row.at for row in state.doses if row.running), None)


def quality_figures(state: SessionState, tracker: QualityTracker, band: Band, intervals: Intervals, now: datetime,
                    open_due: datetime | None) -> QualityFigures:
    """The figures now for the last hour, this shift (since the latest sign-on or handover) and the whole infusion
    (since norepinephrine first ran)."""
    timeline = tracker.timeline(state, band)
    checks = tracker.checks(state, intervals)
    changes = dose_changes(state)
    series = nee_series(state)
    windows: list[tuple[str, datetime]] = [(LAST_HOUR, now - timedelta(hours=1))]
    shift = state.shift_start
    if shift is not None and shift <= now:
        windows.append((SHIFT, shift))
    started = first_start(state)
    if started is not None and started <= now:
        windows.append((INFUSION, started))
    pending = open_check(open_due, now, intervals.overdue_high_after_minutes)
    out = []
    for name, start in windows:
        still_open = pending if open_due is not None and open_due >= start else combine()
        out.append(WindowFigures(name=name, start=start, end=now, map=timeline.window(start, now),
                                 checks=combine(checks.window(start, now), still_open),
                                 dose_changes=changes_in(changes, start, now), nee_peak=peak(series, start, now)))
    nee_now = peak(series, now, now) or 0.0  # the value running now
    return QualityFigures(band=band, windows=tuple(out), nee_now=nee_now, at=now)
