"""Quality figures from plain inputs: time-weighted MAP, checks on time / late / missed, peaks (hand-computed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from norepi_gui.core.quality import (
    LATE,
    MISSED,
    ON_TIME,
    Band,
    CheckLog,
    MapTimeline,
    changes_in,
    check_category,
    fmt_minutes,
    open_check,
    peak,
)

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
BAND = Band(65.0, 75.0, 60.0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def timeline(*readings: tuple[float, float]) -> MapTimeline:
    line = MapTimeline(BAND)
    for minute, value in readings:
        line.append(at(minute), value)
    return line


def test_each_reading_stands_until_the_next_and_splits_the_time_by_band() -> None:
    line = timeline((0, 58), (10, 70), (20, 62), (40, 72))
    whole = line.window(at(0), at(60))
    # 58 for 10 min (below target and below the floor), 70 for 10 (in band), 62 for 20 (below), 72 for 20 (in band)
    assert whole.charted_s == 60 * 60
    assert whole.in_band_s == 30 * 60 and whole.in_band_pct == pytest.approx(50.0)
    assert whole.below_s == 30 * 60 and whole.below_pct == pytest.approx(50.0)
    assert whole.below_floor_s == 10 * 60 and whole.below_floor_pct == pytest.approx(100 / 6)  # 10 of 60
    late = line.window(at(30), at(60))  # 62 from 30 to 40, 72 from 40 to 60
    assert (late.below_s, late.in_band_s, late.charted_s) == (600, 1200, 1800)
    assert late.in_band_pct == pytest.approx(200 / 3)  # 20 of 30 min


def test_a_reading_stands_for_at_most_an_hour_and_before_the_first_nothing_is_charted() -> None:
    line = timeline((0, 70), (90, 70))  # 90 min apart: the first stands 60 min, 30 min not charted
    window = line.window(at(-30), at(90))
    assert window.window_s == 120 * 60 and window.charted_s == 60 * 60 and window.not_charted_s == 60 * 60
    after = line.window(at(90), at(200))  # the last reading holds 60 min, then nothing
    assert after.charted_s == 60 * 60
    assert MapTimeline(BAND).window(at(0), at(60)).in_band_pct is None  # nothing charted: no percentage


def test_a_reading_before_the_latest_is_refused_so_the_caller_rebuilds() -> None:
    line = timeline((10, 70))
    with pytest.raises(ValueError, match="build the timeline again"):
        line.append(at(5), 70)


def test_checks_are_on_time_before_the_medium_escalation_late_before_the_high_one_missed_after() -> None:
    # medium after 2 min, high after 5 min (intervals.overdue_*_after_minutes)
    assert check_category(at(5), at(6.9), 2, 5) == ON_TIME
    assert check_category(at(5), at(7), 2, 5) == LATE  # exactly 2 min: the prompt is already medium
    assert check_category(at(5), at(9.9), 2, 5) == LATE
    assert check_category(at(5), at(10), 2, 5) == MISSED
    assert check_category(at(5), at(4), 2, 5) is None  # done before it came due: no check counted
    assert open_check(at(5), at(9), 5).due_now == 1 and open_check(at(5), at(10), 5).missed == 1
    assert open_check(at(5), at(4), 5).counted == 0


def test_the_check_log_counts_a_window_by_due_time_even_when_a_check_comes_out_of_order() -> None:
    log = CheckLog()
    log.add(at(5), ON_TIME)
    log.add(at(15), MISSED)
    log.add(at(10), LATE)  # out of order
    assert log.window(at(0), at(60)) == type(log.window(at(0), at(0)))(1, 1, 1)
    counts = log.window(at(10), at(15))
    assert (counts.on_time, counts.late, counts.missed) == (0, 1, 1)


def test_peaks_and_changes_count_what_runs_in_the_window() -> None:
    series = [(at(0), 0.1), (at(30), 0.25), (at(50), 0.15)]
    assert peak(series, at(10), at(20)) == 0.1  # running since 0
    assert peak(series, at(10), at(40)) == 0.25
    assert peak(series, at(55), at(60)) == 0.15
    assert peak(series, at(-20), at(-10)) is None
    assert changes_in([at(0), at(30), at(50)], at(0), at(30)) == 2


def test_minutes_are_written_for_a_nurse() -> None:
    assert fmt_minutes(59.6 * 60) == "1 h 00 min" and fmt_minutes(12 * 60) == "12 min"
