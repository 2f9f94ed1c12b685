"""A session's quality figures, hand-computed from its record (Qt-free).

The session (70 kg, 16 mcg/mL; band 65-75 from the default target, floor 60; checks medium after 2 min, high after
5 min):
  08:00  AB signs on; norepinephrine 0.1; MAP 58 -> increase to 0.15, check due 08:05
  08:06  MAP 62 (check due 08:05 done after 1 min: on time); 0.15 applied -> check due 08:11
  08:10  AB hands over to CD
  08:12  MAP 68 (due 08:11, 1 min: on time) -> hold, stable 1 of 3: next check in 5 min, due 08:17
  08:20  MAP 72 (due 08:17, 3 min: late) -> hold, stable 2 of 3: 5 + 10 x 1/2 = 10 min, due 08:30
  08:40  vasopressin 0.03 U/min; 09:00 vasopressin stopped
  09:30  now: the check due 08:30 is an hour overdue (missed)
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from norepi_gui.bedside.inputs import Unavailable
from norepi_gui.core.titration import Reading
from tests.bedside.test_session import T0, make, start_infusion


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)


def test_figures_for_the_last_hour_the_shift_and_the_infusion() -> None:
    session, clock, _store = make()
    session.hand_over("AB")
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=58.0))
    clock.set(T0 + minutes(6))
    session.record_reading(Reading(at=clock.now(), map_mmhg=62.0))
    session.apply_advice()
    dose = session.state.current_dose
    assert dose is not None and dose.dose_mcg_per_kg_per_min == 0.15  # 0.1 x e^0.4 = 0.149 -> 0.15
    clock.set(T0 + minutes(10))
    session.hand_over("CD")
    clock.set(T0 + minutes(12))
    session.record_reading(Reading(at=clock.now(), map_mmhg=68.0))
    assert session.prompt.due_at == T0 + minutes(17)
    clock.set(T0 + minutes(20))
    session.record_reading(Reading(at=clock.now(), map_mmhg=72.0))
    assert session.prompt.due_at == T0 + minutes(30)
    clock.set(T0 + minutes(40))
    session.co_infusion("vasopressin", "start", 0.03, "U/min")
    clock.set(T0 + minutes(60))
    session.co_infusion("vasopressin", "stop", 0.0, "U/min")
    clock.set(T0 + minutes(90))
    session.tick()
    advice = session.advice
    assert not isinstance(advice, Unavailable)

    q = session.quality()
    assert q is not None
    assert (q.band.low, q.band.high, q.band.floor) == (65.0, 75.0, 60.0)
    hour, shift, infusion = q.windows
    assert (hour.name, shift.name, infusion.name) == ("last hour", "this shift", "infusion")
    assert shift.start == T0 + minutes(10) and infusion.start == T0

    # Last hour 08:30-09:30: MAP 72 from 08:20 stands until 09:20 (60 min at most): 50 min charted, all in band.
    assert hour.map.charted_s == 50 * 60 and hour.map.not_charted_s == 10 * 60
    assert hour.map.in_band_pct == 100.0 and hour.map.below_pct == 0.0
    assert (hour.checks.on_time, hour.checks.late, hour.checks.missed) == (0, 0, 1)  # due 08:30, open
    assert hour.dose_changes == 0 and hour.nee_peak == pytest.approx(0.225)  # 0.15 + 0.03 x 2.5

    # This shift 08:10-09:30: 62 for 2 min (below), 68 for 8, 72 for 60 (in band): 68 of 70 min in band.
    assert shift.map.charted_s == 70 * 60
    assert shift.map.in_band_pct == pytest.approx(100 * 68 / 70)  # 97.1 %
    assert shift.map.below_pct == pytest.approx(100 * 2 / 70)  # 2.9 %
    assert shift.map.below_floor_pct == 0.0
    assert (shift.checks.on_time, shift.checks.late, shift.checks.missed) == (1, 1, 1)  # due 08:11, 08:17, 08:30

    # The infusion 08:00-09:30: 58 for 6 min (below the floor too), 62 for 6, then 8 + 60 in band: 80 min charted.
    assert infusion.map.charted_s == 80 * 60
    assert infusion.map.in_band_pct == pytest.approx(85.0)  # 68 / 80
    assert infusion.map.below_pct == pytest.approx(15.0)  # 12 / 80
    assert infusion.map.below_floor_pct == pytest.approx(7.5)  # 6 / 80
    assert (infusion.checks.on_time, infusion.checks.late, infusion.checks.missed) == (2, 1, 1)
    assert infusion.dose_changes == 2  # started 08:00, stepped 08:06
    assert infusion.changes_per_hour == pytest.approx(2 / 1.5)
    assert q.nee_now == pytest.approx(0.15)


def test_a_back_dated_reading_rebuilds_the_figures() -> None:
    session, clock, _store = make()
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=70.0))
    clock.set(T0 + minutes(30))
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
    q = session.quality()
    assert q is not None and q.windows[0].map.below_s == 0
    session.record_reading(Reading(at=T0 + minutes(10), map_mmhg=55.0))  # charted late: 08:10-08:30 below
    q = session.quality()
    assert q is not None and q.windows[0].map.below_s == 20 * 60


def test_an_order_sets_the_band_and_the_childs_floor() -> None:
    from norepi_gui.core.order import TitrationOrder
    from norepi_gui.core.protocol import LineType

    session, _clock, _store = make()
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=52.0))
    session.set_order(TitrationOrder(route=LineType.CENTRAL, start_dose=0.1, step=0.05, change_every_min=5.0,
                                     max_dose=0.5, goal_map_low=55.0, goal_map_high=65.0, floor_map=50.0))
    q = session.quality()
    assert q is not None and (q.band.low, q.band.high, q.band.floor) == (55.0, 65.0, 50.0)
