"""The session state folds one event at a time: appends stay appends, anything earlier says it reordered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from norepi_gui.bedside.records import DoseRecord, PatientRecord, ReadingRecord
from norepi_gui.bedside.state import SessionState, fold
from norepi_gui.core.events import Event, EventKind, Payload

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


class Log:
    """Events numbered as a store numbers them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: EventKind, payload: Payload, minute: float, supersedes: int | None = None) -> Event:
        n = len(self.events) + 1
        event = Event(n, 1, n, T0 + timedelta(minutes=minute), T0, kind, payload, supersedes)
        self.events.append(event)
        return event


def reading(value: float) -> Payload:
    return ReadingRecord(map_mmhg=value, map_entered=value).to_payload()


def dose(per_kg: float, rate: float) -> Payload:
    return DoseRecord(per_kg, per_kg * 70, rate, rate, 16.0, "per_kg", "manual").to_payload()


def test_readings_recorded_in_time_order_are_appended_and_a_late_one_reorders() -> None:
    log, state = Log(), SessionState()
    first = state.apply(log.add(EventKind.READING, reading(58), 0))
    second = state.apply(log.add(EventKind.READING, reading(61), 5))
    late = state.apply(log.add(EventKind.READING, reading(70), 3))  # typed afterwards with its real time, 08:03
    assert [r.map_mmhg for r in first.appended_readings] == [58.0]
    assert [r.map_mmhg for r in second.appended_readings] == [61.0]
    assert late.appended_readings == [] and late.reordered == {"readings"}
    assert [r.map_mmhg for r in state.readings] == [58.0, 70.0, 61.0]


def test_a_correction_moves_the_reading_and_keeps_the_check_cycle() -> None:
    log, state = Log(), SessionState()
    kept = state.apply(log.add(EventKind.READING, reading(58), 0))
    later = log.add(EventKind.READING, reading(61), 5)
    state.apply(later)
    anchor = state.prompt.anchor_seq
    delta = state.apply(log.add(EventKind.CORRECTION, reading(66), 2, supersedes=kept.appended_readings[0].event_id))
    assert delta.reordered == {"readings"} and "prompt" not in delta.aspects
    assert state.prompt.anchor_seq == anchor == later.seq  # a correction is not a new check
    assert [(r.at, r.map_mmhg) for r in state.readings] == [(T0 + timedelta(minutes=2), 66.0),
                                                            (T0 + timedelta(minutes=5), 61.0)]
    # the corrected entry keeps its id; the effective event carries the new values
    event = state.effective_event(kept.appended_readings[0].event_id)
    assert event is not None and event.payload["map_mmhg"] == 66.0


def test_a_deleted_reading_leaves_and_a_restored_one_returns_naming_it() -> None:
    log, state = Log(), SessionState()
    original = log.add(EventKind.READING, reading(58), 0)
    state.apply(original)
    deletion = state.apply(log.add(EventKind.DELETION, {"reason": "artefact"}, 1, supersedes=original.id))
    assert deletion.reordered == {"readings"} and state.readings == []
    assert state.effective_event(original.id) is None
    state.apply(log.add(EventKind.READING, {**reading(58), "restores": original.id}, 0))
    assert [r.record.restores for r in state.readings] == [original.id]


def test_a_dose_set_in_the_same_minute_after_a_reading_did_not_run_at_that_reading() -> None:
    log, state = Log(), SessionState()
    state.apply(log.add(EventKind.NE_DOSE, dose(0.1, 26.3), 0))
    state.apply(log.add(EventKind.READING, reading(58), 10))
    state.apply(log.add(EventKind.NE_DOSE, dose(0.15, 39.4), 10))  # advice applied at 08:10, after the reading
    row = state.readings[-1]
    running = state.dose_at_reading(row)
    assert running is not None and running.dose_mcg_per_kg_per_min == 0.1
    now = state.dose_at(T0 + timedelta(minutes=10))
    assert now is not None and now.dose_mcg_per_kg_per_min == 0.15


def test_the_latest_patient_snapshot_wins_and_folding_a_log_gives_the_same_state() -> None:
    log = Log()
    log.add(EventKind.PATIENT, PatientRecord(weight_kg=70.0).to_payload(), 0)
    log.add(EventKind.READING, reading(58), 1)
    log.add(EventKind.PATIENT, PatientRecord(weight_kg=72.5, target_map_mmhg=70.0).to_payload(), 2)
    folded = fold(log.events)
    assert folded.patient.weight_kg == 72.5 and folded.patient.target_map_mmhg == 70.0
    one_by_one = SessionState()
    for event in log.events:
        one_by_one.apply(event)
    assert one_by_one.patient == folded.patient
    assert [r.map_mmhg for r in one_by_one.readings] == [r.map_mmhg for r in folded.readings] == [58.0]


def test_a_payload_from_a_newer_version_is_left_out_not_a_crash() -> None:
    log, state = Log(), SessionState()
    delta = state.apply(log.add(EventKind.READING, {"mean_pressure": {"value": 60}}, 0))  # no map_mmhg
    assert delta.empty and state.readings == []
