"""The titration order and who did what, as bedside operations (Qt-free, in memory).

70 kg, 16 mcg/mL: rate = dose x 262.5 mL/h. Default band 65-75; the engine's large step 0.1 when MAP >= 10 below.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from norepi_gui.bedside.inputs import Unavailable, last_change_at
from norepi_gui.bedside.records import AnswerRecord, OrderRecord
from norepi_gui.bedside.state import fold
from norepi_gui.core.events import EventKind
from norepi_gui.core.order import TitrationOrder
from norepi_gui.core.protocol import LineType
from norepi_gui.core.titration import Reading
from tests.bedside.test_session import T0, events, kinds, make, start_infusion

ORDER = TitrationOrder(route=LineType.CENTRAL, start_dose=0.1, step=0.05, change_every_min=5.0, max_dose=0.5,
                       goal_map_low=65.0, goal_map_high=75.0, floor_map=60.0)


def test_a_recorded_order_keeps_the_advice_inside_it_and_the_advice_record_says_so() -> None:
    session, clock, store = make()
    start_infusion(session)  # 08:00
    change = session.set_order(ORDER)
    assert change.message == "Titration order recorded." and session.state.order == ORDER
    session.record_reading(Reading(at=T0, map_mmhg=55.0))
    held = session.advice  # the dose was set at 08:00: the order allows the next change at 08:05
    assert not isinstance(held, Unavailable) and held.action == "hold" and "ORD-FREQUENCY" in held.rules
    clock.advance(minutes=5)
    session.record_reading(Reading(at=clock.now(), map_mmhg=55.0))  # the engine alone: 0.1 -> 0.2 (large step)
    advice = session.advice
    assert not isinstance(advice, Unavailable)
    assert advice.dose_mcg_per_kg_per_min == 0.15 and advice.rate_ml_per_h == 39.4  # 0.15 x 262.5 = 39.375
    recorded = [e for e in events(session, store) if e.kind is EventKind.ADVICE][-1]
    assert "ORD-STEP" in recorded.payload["rules"]  # type: ignore[operator]
    session.apply_advice()
    dose = session.state.current_dose
    assert dose is not None and dose.dose_mcg_per_kg_per_min == 0.15


def test_an_order_above_the_protocols_hard_maximum_is_refused_and_nothing_is_recorded() -> None:
    session, _clock, store = make()
    start_infusion(session)
    before = kinds(session, store)
    change = session.set_order(dataclasses.replace(ORDER, max_dose=3.5))
    assert change.problem is not None and change.problem.message.startswith("Maximum: 3.5 mcg/kg/min is above")
    assert kinds(session, store) == before


def test_an_order_survives_reopening_the_session() -> None:
    session, _clock, store = make()
    session.set_order(ORDER)
    assert session.info is not None
    assert fold(store.events(session.info.id)).order == ORDER
    assert OrderRecord.from_payload({"route": "central"}) is None  # an unreadable order is left out, no crash


def test_every_event_carries_the_nurse_on_duty_and_a_handover_names_both_nurses() -> None:
    session, clock, store = make()
    session.hand_over("AB", bed="ICU 4")
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=58.0))
    clock.advance(minutes=10)
    change = session.hand_over("CD", note="stable, bag changed at 07:00")
    assert change.message == "AB handed over to CD."
    session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
    recorded = events(session, store)
    handovers = [e.payload for e in recorded if e.kind is EventKind.HANDOVER]
    assert handovers[0]["incoming"] == "AB" and handovers[0]["outgoing"] is None and handovers[0]["bed"] == "ICU 4"
    assert handovers[1]["incoming"] == "CD" and handovers[1]["outgoing"] == "AB"
    assert handovers[1]["bed"] == "ICU 4"  # kept from the sign-on
    by_kind = [(e.kind, e.payload.get("nurse")) for e in recorded if e.kind in (EventKind.READING, EventKind.NE_DOSE)]
    assert by_kind == [(EventKind.NE_DOSE, "AB"), (EventKind.READING, "AB"), (EventKind.READING, "CD")]
    assert all("nurse" in e.payload for e in recorded[1:])  # everything after the sign-on
    assert session.state.nurse == "CD" and session.state.shift_start == T0 + timedelta(minutes=10)


def test_a_correction_keeps_who_charted_the_entry_and_records_who_corrected_it() -> None:
    session, _clock, _store = make()
    session.hand_over("AB")
    session.record_reading(Reading(at=T0, map_mmhg=58.0))
    reading = session.state.readings[0]
    session.hand_over("CD")
    session.correct_reading(reading.event_id, Reading(at=T0, map_mmhg=68.0))
    assert session.state.readings[0].map_mmhg == 68.0
    assert session.state.author(reading.event_id) == "AB"
    amendment = session.state.amendments[-1]
    assert (amendment.target_id, amendment.nurse, amendment.deleted) == (reading.event_id, "CD", False)


def test_initials_are_checked_and_the_nurse_on_duty_cannot_take_over_from_themselves() -> None:
    session, _clock, store = make()
    change = session.hand_over("   ")
    assert change.problem is not None and change.problem.message.startswith("Initials: nothing entered")
    assert session.info is None  # nothing was started or recorded
    session.hand_over("AB")
    again = session.hand_over("ab")
    assert again.problem is not None and "already on duty" in again.problem.message
    assert kinds(session, store).count(EventKind.HANDOVER) == 1


def test_a_new_session_can_start_with_the_nurse_signed_on() -> None:
    session, _clock, store = make()
    change = session.new_session("Bed 4", nurse="EF", bed="4")
    assert change.session and kinds(session, store) == [EventKind.HANDOVER]
    assert session.state.nurse == "EF" and session.state.bed == "4"
    refused = session.new_session("Bed 5", nurse="x" * 41)
    assert refused.problem is not None and refused.problem.field == "initials"


def test_sessions_recorded_before_initials_existed_still_open_with_nobody_on_duty() -> None:
    session, _clock, store = make()
    session.record_reading(Reading(at=T0, map_mmhg=70.0))
    state = fold(events(session, store))
    assert state.nurse is None and state.author(state.readings[0].event_id) is None


def test_an_answer_records_the_due_time_it_answers_and_when_the_check_was_done() -> None:
    session, clock, store = make()
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=58.0))  # due 08:05
    clock.advance(minutes=8)
    session.record_reading(Reading(at=T0 + timedelta(minutes=7), map_mmhg=66.0))  # taken 08:07, typed 08:08
    answer = [e for e in events(session, store) if e.kind is EventKind.PROMPT_ANSWERED][-1]
    record = AnswerRecord.from_payload(answer.payload)
    assert record is not None
    assert record.due_at == T0 + timedelta(minutes=5) and record.checked_at == T0 + timedelta(minutes=7)


def test_the_last_change_of_dose_skips_rows_that_keep_the_dose() -> None:
    session, clock, _store = make()
    start_infusion(session)  # 08:00 0.1
    clock.advance(minutes=30)
    from norepi_gui.bedside.records import BagRecord

    session.set_bag(BagRecord(concentration_mcg_per_ml=32.0, bag_volume_ml=250.0))  # new bag 08:30, same dose
    assert session.state.current_dose is not None and session.state.current_dose.source == "new bag"
    assert last_change_at(session.state) == T0
