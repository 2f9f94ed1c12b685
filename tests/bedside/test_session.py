"""The bedside session: each operation records, re-derives and describes what changed (Qt-free, in memory).

Defaults (default.toml): target 65-75; after a change or below target the check is 5 min out; an overdue check is
low, medium after 2 min, high after 5 min; snooze 2 min, twice. 70 kg, 16 mcg/mL: 0.1 mcg/kg/min = 26.25 mL/h,
pump 26.3 mL/h.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from norepi_gui.bedside.inputs import Unavailable
from norepi_gui.bedside.memory import MemoryStore
from norepi_gui.bedside.records import BagRecord, PatientRecord
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.dosing import DoseRate, parse_concentration
from norepi_gui.core.events import Event, EventKind
from norepi_gui.core.infusion import InfusionRequest, summarise_infusion
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.titration import Reading
from norepi_gui.core.titration import history as history_module
from norepi_gui.core.units import DoseBasis, Q

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


class Answers:
    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answer


def make(confirm: Answers | None = None) -> tuple[BedsideSession, ManualClock, MemoryStore]:
    clock = ManualClock(T0)
    store = MemoryStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=confirm or Answers())
    return session, clock, store


def events(session: BedsideSession, store: MemoryStore) -> list[Event]:
    assert session.info is not None
    return store.events(session.info.id)


def kinds(session: BedsideSession, store: MemoryStore) -> list[EventKind]:
    return [e.kind for e in events(session, store)]


def start_infusion(session: BedsideSession, dose: float = 0.1) -> None:
    session.set_patient(PatientRecord(weight_kg=70.0, weight_entered="70"))
    session.set_bag(BagRecord(concentration_mcg_per_ml=16.0, bag_volume_ml=250.0))
    request = InfusionRequest(concentration=parse_concentration("16 mcg/mL"), weight=Q(70.0, "kg"),
                              dose=DoseRate.per_kg(dose))
    session.set_dose(summarise_infusion(request, session.protocol), DoseBasis.PER_KG)


def test_the_first_entry_starts_a_session_and_a_reading_records_the_advice_it_leads_to() -> None:
    session, _clock, store = make()
    assert session.info is None
    start_infusion(session)
    change = session.record_reading(Reading(at=T0, map_mmhg=58.0))
    assert change.readings.appended[0].map_mmhg == 58.0 and change.advice
    assert kinds(session, store)[-2:] == [EventKind.READING, EventKind.ADVICE]
    advice = session.advice
    assert not isinstance(advice, Unavailable)
    assert (advice.action.value, advice.dose_mcg_per_kg_per_min) == ("increase", 0.15)  # 0.10 + step_up 0.05
    assert session.prompt.due_at == T0 + timedelta(minutes=5)


def test_a_tick_that_changes_nothing_records_nothing_and_an_unanswered_check_escalates_once_per_level() -> None:
    session, clock, store = make()
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=58.0))
    before = len(events(session, store))
    clock.advance(minutes=4)
    assert session.tick().recorded == () and len(events(session, store)) == before
    shown: list[str] = []
    for minute in (5, 6, 7, 8, 9, 10, 11):  # due 08:05: low, medium from 08:07, high from 08:10
        clock.set(T0 + timedelta(minutes=minute))
        for event in session.tick().recorded:
            if event.kind is EventKind.PROMPT_SHOWN:
                shown.append(f"{minute}:{event.payload['priority']}")
    assert shown == ["5:low", "7:medium", "10:high"]


def test_applying_the_advice_asks_when_the_core_says_so_and_links_the_dose_to_the_advice_shown() -> None:
    declines = Answers(answer=False)
    session, _clock, store = make(declines)
    start_infusion(session, dose=1.2)  # above the soft maximum 1.0: asked, declined
    assert declines.asked and "soft limit" in declines.asked[-1][1]
    assert EventKind.NE_DOSE not in kinds(session, store)  # declined: nothing recorded
    declines.answer = True
    start_infusion(session, dose=1.0)  # at the soft maximum: nothing to confirm
    session.record_reading(Reading(at=T0, map_mmhg=58.0))  # 1.0 + 0.05 = 1.05 > soft max: needs confirmation
    advice = session.advice
    assert not isinstance(advice, Unavailable) and advice.needs_confirmation
    asked = len(declines.asked)
    declines.answer = False
    change = session.apply_advice()
    assert change.message == "Dose not recorded (not confirmed)." and len(declines.asked) == asked + 1
    declines.answer = True
    shown = session.state.last_advice  # the advice on screen when Apply was pressed
    session.apply_advice()
    dose = session.state.current_dose
    assert dose is not None and shown is not None
    assert dose.source == "advice" and dose.dose_mcg_per_kg_per_min == 1.05
    assert dose.record.advice_event_id == shown.id
    after = session.advice  # the dose just set is held until a reading shows its effect
    assert not isinstance(after, Unavailable) and "TIT-AWAIT-READING" in after.rules


def test_a_weight_change_under_a_running_per_kg_dose_names_the_new_rate_and_declining_keeps_the_record() -> None:
    answers = Answers(answer=False)
    session, _clock, store = make(answers)
    answers.answer = True
    start_infusion(session)
    answers.answer = False
    change = session.set_patient(PatientRecord(weight_kg=80.0, weight_entered="80"))
    # 0.1 x 80 x 60 / 16 = 30.0 mL/h, from 26.3 mL/h
    assert "changes the pump rate from 26.3 to 30.0 mL/h" in answers.asked[-1][1]
    assert change.patient and session.state.patient.weight_kg == 70.0  # the panel shows the record again
    answers.answer = True
    session.set_patient(PatientRecord(weight_kg=80.0, weight_entered="80"))
    assert kinds(session, store)[-2:] == [EventKind.PATIENT, EventKind.NE_DOSE]
    dose = session.state.current_dose
    assert dose is not None and dose.pump_rate_ml_per_h == 30.0 and dose.source == "weight change"


def test_the_engine_history_is_appended_to_and_rebuilt_only_when_the_past_changes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    original = history_module.ChartedHistory.__init__

    def counting(self: history_module.ChartedHistory, *args: object, **kwargs: object) -> None:
        built.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history_module.ChartedHistory, "__init__", counting)
    session, clock, _store = make()
    start_infusion(session)
    for minute in range(0, 50, 5):
        clock.set(T0 + timedelta(minutes=minute))
        session.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
    assert len(built) == 1  # ten readings, one history
    first = session.state.readings[0]
    session.correct_reading(first.event_id, Reading(at=first.at, map_mmhg=64.0))
    assert len(built) == 2  # the past changed: rebuilt once


def test_undo_deletes_a_mistaken_reading_and_redo_records_it_again_naming_it() -> None:
    session, _clock, store = make()
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=58.0))
    wrong = session.record_reading(Reading(at=T0, map_mmhg=85.0))
    wrong_id = wrong.readings.appended[0].event_id
    assert session.undo_stack.undo_text.startswith("Reading of")
    session.undo()
    assert [r.map_mmhg for r in session.state.readings] == [58.0]
    deletion = next(e for e in reversed(events(session, store)) if e.kind is EventKind.DELETION)
    assert deletion.supersedes == wrong_id
    session.redo()
    assert [r.map_mmhg for r in session.state.readings] == [58.0, 85.0]
    assert session.state.readings[-1].record.restores == wrong_id


class FullStore(MemoryStore):
    full = False

    def append(self, session_id: int, kind: EventKind, payload: Mapping[str, object], *,
               at: datetime | None = None, supersedes: int | None = None) -> Event:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        return super().append(session_id, kind, payload, at=at, supersedes=supersedes)


def test_a_failed_write_is_reported_and_nothing_is_shown_as_recorded() -> None:
    clock = ManualClock(T0)
    store = FullStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=Answers())
    start_infusion(session)
    store.full = True
    change = session.record_reading(Reading(at=T0, map_mmhg=58.0))
    assert change.failure == "Not recorded: database or disk is full"
    assert not change.readings and session.state.readings == []
    store.full = False
    assert session.record_reading(Reading(at=T0, map_mmhg=58.0)).readings  # recording resumes


def test_an_undo_or_a_redo_that_cannot_be_written_stays_on_its_stack_to_try_again() -> None:
    clock = ManualClock(T0)
    store = FullStore(clock)
    session = BedsideSession(lambda: store, clock, load_protocol(), confirm=Answers())
    start_infusion(session)
    session.record_reading(Reading(at=T0, map_mmhg=58.0))
    step = session.undo_stack.undo_text
    assert step.startswith("Reading of")
    store.full = True
    assert session.undo().failure == "Not recorded: database or disk is full"
    assert session.undo_stack.state() == (step, "")  # still done, still offered to undo
    store.full = False
    session.undo()
    assert session.state.readings == [] and session.undo_stack.redo_text == step
    store.full = True
    assert session.redo().failure == "Not recorded: database or disk is full"
    assert session.undo_stack.redo_text == step and session.undo_stack.undo_text != step  # still undone
    store.full = False
    session.redo()
    assert [r.map_mmhg for r in session.state.readings] == [58.0]


def test_emptying_the_weight_under_a_running_per_kg_dose_asks_like_any_weight_change() -> None:
    answers = Answers(answer=True)
    session, _clock, store = make(answers)
    start_infusion(session)
    asked = len(answers.asked)
    answers.answer = False
    change = session.set_patient(PatientRecord(weight_kg=None, weight_entered=""))
    assert len(answers.asked) == asked + 1 and answers.asked[-1][0] == "Weight removed during the infusion"
    assert "26.3 mL/h" in answers.asked[-1][1]  # the rate that keeps running
    assert change.patient and session.state.patient.weight_kg == 70.0  # declined: the weight stays
    answers.answer = True
    session.set_patient(PatientRecord(weight_kg=None, weight_entered=""))
    assert session.state.patient.weight_kg is None and kinds(session, store)[-1] is EventKind.PATIENT
