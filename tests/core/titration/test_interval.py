"""Next check (INT-*): 5 min after a change or below target, 5 -> 10 -> 15 over stable readings; overdue escalates."""

from __future__ import annotations

from datetime import timedelta

from norepi_gui.core.alerts import Priority
from norepi_gui.core.titration import overdue_state
from tests.core.titration._support import T0, at, protocol, r, run, wean_after


def test_after_change_next_check_is_5() -> None:
    a = run([r(0, 58, 0.1)])
    assert a.next_check_in_min == 5 and "INT-AFTER-CHANGE" in a.rules
    assert a.next_check_due == at(5)


def test_below_target_hold_rechecks_in_5() -> None:
    a = run([r(0, 68, 0.1), r(15, 64, 0.1)])  # borderline hold, still below target
    assert a.action == "hold" and a.next_check_in_min == 5 and "INT-BELOW-TARGET" in a.rules


def test_above_band_without_change_rechecks_at_minimum() -> None:
    a = run([r(0, 70, 0.1), r(15, 78, 0.1)], proto=wean_after(2))  # first high reading: confirm, no change
    assert a.action == "hold" and a.next_check_in_min == 5 and "INT-CONFIRM" in a.rules
    at_min = run([r(0, 78, 0.01)], proto=wean_after(2))  # at the taper minimum: confirm before stopping
    assert at_min.action == "hold" and at_min.next_check_in_min == 5 and "INT-CONFIRM" in at_min.rules


def test_stable_readings_lengthen_interval_5_10_15() -> None:
    # stable_readings_for_max = 3: 1 steady reading -> 5, 2 -> 5 + 10 x 1/2 = 10, 3 -> 15 (max). Steady: at the running
    # dose, in the band and within centre_deadband_mmhg 2 of its middle 70.
    one = run([r(0, 70, 0.15)])
    two = run([r(0, 70, 0.15), r(5, 71, 0.15)])
    three = run([r(0, 70, 0.15), r(5, 71, 0.15), r(15, 69, 0.15)])
    four = run([r(0, 70, 0.15), r(5, 71, 0.15), r(15, 69, 0.15), r(30, 72, 0.15)])
    assert [x.next_check_in_min for x in (one, two, three, four)] == [5, 10, 15, 15]
    assert "INT-STABLE" in three.rules
    edge = run([r(0, 70, 0.15), r(5, 71, 0.15), r(15, 69, 0.15), r(30, 74, 0.15)])  # in the band, 4 from its middle
    assert edge.action == "hold" and edge.next_check_in_min == 5 and "INT-STABLE" in edge.rules


def test_overdue_priority_escalates_at_2_and_5_minutes() -> None:
    intervals = protocol().intervals  # medium after 2 min, high after 5 min
    due = T0

    def priority(seconds: float) -> Priority | None:
        return overdue_state(due, due + timedelta(seconds=seconds), intervals).priority

    assert priority(0) is None and not overdue_state(due, due, intervals).overdue
    assert priority(1) is Priority.LOW and priority(119) is Priority.LOW
    assert priority(120) is Priority.MEDIUM and priority(299) is Priority.MEDIUM
    assert priority(300) is Priority.HIGH
    state = overdue_state(due, due + timedelta(minutes=7), intervals)
    alert = state.alert()
    assert alert is not None and alert.code == "CHECK_OVERDUE" and state.minutes_overdue == 7


def test_advice_on_a_stale_reading_raises_check_overdue() -> None:
    a = run([r(0, 70, 0.1)], now=at(11))  # due at 5 (first stable reading), 6 min late -> high
    overdue = [x for x in a.alerts if x.code == "CHECK_OVERDUE"]
    assert overdue and overdue[0].priority is Priority.HIGH and "INT-OVERDUE" in a.rules
    fresh = run([r(0, 70, 0.1)], now=at(5))
    assert "CHECK_OVERDUE" not in fresh.alert_codes()
