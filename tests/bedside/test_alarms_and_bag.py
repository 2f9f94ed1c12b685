"""Alarms, the bag, the line, perfusion markers and the confirmations of issue 15, on the bedside layer (no Qt).

Defaults (default.toml): 70 kg, 16 mcg/mL: 0.1 mcg/kg/min = 0.1 x 70 x 60 / 16 = 26.25 -> 26.3 mL/h on the pump.
bag.near_empty_minutes 30, bag.change_reminder_minutes 60; lines.peripheral max_hours 24, site_check_hours 2;
dose_change.repeat_entry_minutes 2; alarms.audio_pause_minutes 2; intervals: overdue medium after 2 min.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from norepi_gui.bedside.glance import glance, time_in_band
from norepi_gui.bedside.records import BagRecord, PatientRecord, PerfusionRecord
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Reading
from tests.bedside.test_session import T0, Answers, events, kinds, make, start_infusion


def _bag(volume: float, conc: float = 16.0, drop: float | None = None) -> BagRecord:
    return BagRecord(concentration_mcg_per_ml=conc, bag_volume_ml=volume, drop_factor=drop)


def test_an_empty_bag_is_a_high_alarm_of_its_own_on_the_banner() -> None:
    session, clock, _store = make()
    start_infusion(session)
    session.set_bag(_bag(10.0))  # 10 mL at 26.3 mL/h: 10 / 26.3 x 60 = 22.8 min
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
    bag = session.alarm_state.of_source("bag")
    # 22.8 min: after the next check (in 5-15 min) but under 30 min: medium (SAFE-BAG-LOW)
    assert bag is not None and (bag.code, bag.priority) == ("BAG_NEAR_EMPTY", "medium") and bag.banner
    clock.advance(minutes=23)  # 23 min x 26.3 mL/h = 10.08 mL delivered: empty
    session.tick()
    empty = session.alarm_state.top
    assert empty is not None and (empty.code, empty.priority, empty.title) == ("BAG_EMPTY", "high", "Bag empty")


def test_a_bag_running_out_before_the_due_check_is_high_wherever_it_shows() -> None:
    session, clock, _store = make()
    start_infusion(session)
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
    due = session.prompt.due_at
    assert due is not None
    minutes_to_check = (due - clock.now()).total_seconds() / 60.0
    # a volume that lasts 3 min less than the time to the check, at 26.3 mL/h
    session.set_bag(_bag(round(26.3 * (minutes_to_check - 3.0) / 60.0, 2)))
    bag = session.alarm_state.of_source("bag")
    assert bag is not None and (bag.code, bag.priority) == ("BAG_NEAR_EMPTY", "high")
    # the advice panel lists the same alarm, never the engine's BAG_NEAR_EMPTY a second time
    assert [a.code for a in session.alarm_state.alarms].count("BAG_NEAR_EMPTY") == 1


def test_the_next_bag_reminder_comes_an_hour_ahead_and_the_glance_says_when_to_hang_it() -> None:
    session, clock, _store = make()
    start_infusion(session)
    session.set_bag(_bag(30.0))  # 30 / 26.3 x 60 = 68.4 min left: no reminder yet (60 min ahead)
    assert session.alarm_state.of_source("bag") is None
    view = glance(session.state, session.protocol, clock.now(), band=None, left_ml=session.bag_left_ml(),
                  session_start=None)
    assert view.bag.minutes_left is not None and abs(view.bag.minutes_left - 30.0 / 26.3 * 60.0) < 1e-9
    assert view.bag.hang_by is not None and view.bag.empty_at is not None
    assert view.bag.empty_at - view.bag.hang_by == timedelta(minutes=60)
    clock.advance(minutes=9)  # 68.4 - 9 = 59.4 min left
    session.tick()
    reminder = session.alarm_state.of_source("bag")
    assert reminder is not None and (reminder.code, reminder.priority) == ("BAG_CHANGE_DUE", "low")


def test_hanging_a_new_bag_records_the_volume_and_is_undone_as_one_step() -> None:
    session, clock, store = make()
    start_infusion(session)
    session.set_bag(_bag(5.0))
    clock.advance(minutes=30)
    session.tick()
    assert session.alarm_state.top is not None and session.alarm_state.top.code == "BAG_EMPTY"
    change = session.hang_new_bag(_bag(250.0))
    assert change.bag and change.alarms and session.state.bag_hung_at == clock.now()
    assert session.bag_left_ml() == 250.0 and session.alarm_state.of_source("bag") is None
    bag_events = [e for e in events(session, store) if e.kind is EventKind.INFUSION]
    assert bag_events[-1].payload["hung"] is True
    session.undo()
    assert session.state.bag is not None and session.state.bag.bag_volume_ml == 5.0
    assert session.state.bag_hung_at is None


def test_a_new_bag_of_another_strength_keeps_the_dose_and_undo_takes_back_bag_and_rate() -> None:
    answers = Answers()
    session, _clock, _store = make(answers)
    start_infusion(session)
    session.hang_new_bag(_bag(250.0, conc=32.0))
    # 0.1 x 70 x 60 / 32 = 13.125 -> 13.1 mL/h keeps 0.1 mcg/kg/min
    assert answers.asked[-1][0] == "Concentration change during the infusion" and "13.1 mL/h" in answers.asked[-1][1]
    current = session.state.current_dose
    assert current is not None and current.pump_rate_ml_per_h == 13.1
    session.undo()
    current = session.state.current_dose
    assert current is not None and current.pump_rate_ml_per_h == 26.3
    assert session.state.bag is not None and session.state.bag.concentration_mcg_per_ml == 16.0


def test_a_change_of_delivery_while_running_asks_first_and_declining_records_nothing() -> None:
    answers = Answers(answer=False)
    session, _clock, store = make(answers)
    session.confirm = Answers()
    start_infusion(session)
    session.confirm = answers
    before = kinds(session, store)
    change = session.set_bag(_bag(250.0, drop=60.0))
    assert answers.asked[-1][0] == "Delivery change during the infusion"
    assert "by gravity at 60 gtt/mL" in answers.asked[-1][1]
    assert kinds(session, store) == before and change.bag  # the panel shows the record again
    assert session.state.bag is not None and session.state.bag.drop_factor is None


def test_the_same_dose_recorded_again_within_two_minutes_asks_first() -> None:
    answers = Answers(answer=False)
    session, clock, store = make()
    start_infusion(session)
    session.confirm = answers
    doses = kinds(session, store).count(EventKind.NE_DOSE)
    clock.advance(minutes=1)
    start_infusion(session)  # the same 0.1 mcg/kg/min again, a minute later
    assert answers.asked and answers.asked[-1][0] == "Same dose again" and "26.3 mL/h" in answers.asked[-1][1]
    assert kinds(session, store).count(EventKind.NE_DOSE) == doses
    clock.advance(minutes=2)  # three minutes after it: a new entry, nothing asked
    answers.asked.clear()
    start_infusion(session)
    assert answers.asked == [] and kinds(session, store).count(EventKind.NE_DOSE) == doses + 1


def test_applying_the_advice_shows_the_pump_setting_first_and_declining_records_no_dose() -> None:
    answers = Answers(answer=False)
    session, clock, store = make()
    start_infusion(session)
    session.record_reading(Reading(at=clock.now(), map_mmhg=58.0))  # increase 0.1 -> 0.15 (step_up 0.05)
    session.confirm = answers
    doses = kinds(session, store).count(EventKind.NE_DOSE)
    session.apply_advice()
    # 0.15 x 70 x 60 / 16 = 39.375 -> 39.4 mL/h; 0.15 x 70 = 10.5 mcg/min
    assert answers.asked[-1][0] == "Set the pump"
    assert answers.asked[-1][1].startswith("Set the pump to 39.4 mL/h (0.15 mcg/kg/min = 10.5 mcg/min")
    assert kinds(session, store).count(EventKind.NE_DOSE) == doses


def test_perfusion_markers_are_recorded_without_a_pressure_and_reach_the_engine() -> None:
    session, clock, store = make()
    start_infusion(session)
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0, urine_ml_per_kg_per_h=0.6, lactate_mmol_per_l=2.5))
    clock.advance(minutes=5)
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
    assert not any(a.code == "EXCESS_VASOCONSTRICTION" for a in session.advice.alerts)  # type: ignore[union-attr]
    clock.advance(minutes=3)  # a blood gas and the hour's urine, no pressure: they go with the 08:05 reading
    record = PerfusionRecord.checked(clock.now(), urine_ml_per_kg_per_h=0.3, lactate_mmol_per_l=3.1)
    change = session.record_perfusion(record, clock.now())
    assert change.perfusion.appended and EventKind.PERFUSION in kinds(session, store)[-3:]
    advice = session.advice
    # MAP 70 in the band 65-75 with urine falling 0.6 -> 0.3 (< 0.5) and lactate rising 2.5 -> 3.1 (> 2): the
    # engine's EXCESS_VASOCONSTRICTION, from markers recorded without a pressure
    assert any(a.code == "EXCESS_VASOCONSTRICTION" for a in advice.alerts)  # type: ignore[union-attr]
    session.undo()
    assert not session.state.perfusion_log
    assert not any(a.code == "EXCESS_VASOCONSTRICTION" for a in session.advice.alerts)  # type: ignore[union-attr]


def test_perfusion_bounds_are_the_engines_and_an_empty_entry_names_what_is_accepted() -> None:
    with pytest.raises(InputError) as high:
        PerfusionRecord.checked(T0, lactate_mmol_per_l=55.0)  # the engine accepts 0 to 40 mmol/L
    assert high.value.field == "lactate_mmol_l" and "40" in high.value.accepted
    with pytest.raises(InputError) as empty:
        PerfusionRecord.checked(T0)
    assert empty.value.field == "perfusion" and "lactate" in empty.value.accepted


def _peripheral(session_hours_ago: float) -> PatientRecord:
    return PatientRecord(weight_kg=70.0, weight_entered="70", line="peripheral",
                         line_inserted_at=T0 - timedelta(hours=session_hours_ago))


def test_site_checks_fall_due_every_two_hours_and_are_answered_like_a_prompt() -> None:
    session, clock, store = make()
    start_infusion(session)
    session.set_patient(_peripheral(1.0))  # inserted 07:00: site check due 09:00
    assert session.alarm_state.by_code("SITE_CHECK_DUE") is None
    clock.set(T0 + timedelta(hours=1, minutes=1))  # 09:01: 1 min overdue, low
    session.tick()
    due = session.alarm_state.by_code("SITE_CHECK_DUE")
    assert due is not None and due.priority == "low" and due.banner
    clock.advance(minutes=10)  # 11 min overdue: the prompt's escalation would say high; a site check stays medium
    session.tick()
    due = session.alarm_state.by_code("SITE_CHECK_DUE")
    assert due is not None and due.priority == "medium"
    session.check_site()
    assert kinds(session, store)[-1] is EventKind.SITE_CHECK
    assert session.alarm_state.by_code("SITE_CHECK_DUE") is None
    clock.advance(minutes=120)  # two hours after the check: due again
    session.tick()
    assert session.alarm_state.by_code("SITE_CHECK_DUE") is not None


def test_a_peripheral_line_past_24_hours_is_an_alarm_and_the_glance_counts_its_hours() -> None:
    session, clock, _store = make()
    start_infusion(session)
    session.set_patient(_peripheral(17.0))
    view = glance(session.state, session.protocol, clock.now(), band=None, left_ml=None, session_start=None)
    assert (view.line.line, view.line.hours, view.line.max_hours) == ("peripheral", 17.0, 24.0)
    assert session.alarm_state.by_code("LINE_TIME_LIMIT") is None
    clock.advance(minutes=7 * 60 + 30)  # 24.5 h > 24 h
    session.tick()
    limit = session.alarm_state.by_code("LINE_TIME_LIMIT")
    assert limit is not None and limit.priority == "medium"


def test_the_audio_pause_is_limited_recorded_and_a_new_alarm_still_sounds() -> None:
    session, clock, store = make()
    start_infusion(session)
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))  # the next check is minutes away
    session.set_bag(_bag(1.0))  # 1 / 26.3 x 60 = 2.3 min left: runs out before the check, high
    assert session.alarm_state.sounding == "high"
    session.pause_audio()
    assert kinds(session, store)[-1] is EventKind.AUDIO_PAUSED
    assert session.alarm_state.sounding is None
    assert session.alarm_state.paused_until == clock.now() + timedelta(minutes=2)
    session.record_reading(Reading(at=clock.now(), map_mmhg=50.0))  # MAP 15 below target: a new high alarm
    assert session.alarm_state.sounding == "high"
    clock.advance(minutes=2)
    session.tick()
    assert session.alarm_state.paused_until is None


def test_time_in_band_counts_each_reading_until_the_next() -> None:
    session, clock, _store = make()
    start_infusion(session)
    for minutes, value in ((0, 60.0), (10, 70.0), (40, 72.0)):  # 60 out, then 70 and 72 in the band 65-75
        clock.set(T0 + timedelta(minutes=minutes))
        session.record_reading(Reading(at=clock.now(), map_mmhg=value))
    end = T0 + timedelta(minutes=60)
    # 08:00-08:10 out (10 min), 08:10-09:00 in (50 min): 50 / 60
    assert abs((time_in_band(session.state, (65.0, 75.0), T0, end) or 0.0) - 50.0 / 60.0) < 1e-12
    # from 08:30: all in
    assert time_in_band(session.state, (65.0, 75.0), T0 + timedelta(minutes=30), end) == 1.0
