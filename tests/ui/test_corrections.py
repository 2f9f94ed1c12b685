"""Edits and deletions in the readings table are undoable and recorded, never silently rewritten."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from norepi_gui.bedside.records import DoseRecord
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Reading
from norepi_gui.ui.entry_time_dialog import EntryTimeDialog
from norepi_gui.ui.readings_panel import to_qdatetime
from tests.ui.helpers import START, line, make_window, raw_events, record_map, start_infusion, type_into


def _maps(window: object) -> list[float]:
    return [r.map_mmhg for r in window.state.readings]  # type: ignore[attr-defined]


def test_undo_of_a_deletion_brings_the_reading_back_as_a_new_event(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    record_map(qtbot, window, "61")
    window.clock.advance(minutes=5)  # type: ignore[attr-defined]
    window.tick()
    record_map(qtbot, window, "72")
    first = window.state.readings[0]
    rows_before = window.table.rowCount()

    window.table.selectRow([window.table.event_id_at(r) for r in range(rows_before)].index(first.event_id))
    window.delete_selected()
    assert _maps(window) == [72.0]
    assert window.table.rowCount() == rows_before - 1
    raw = raw_events(window)
    assert raw[-1].kind is EventKind.DELETION
    assert raw[-1].supersedes == first.event_id

    window.undo()
    assert _maps(window) == [61.0, 72.0]
    restored = window.state.readings[0]
    assert restored.event_id != first.event_id
    assert restored.record.restores == first.event_id
    assert restored.at == first.at
    assert window.table.rowCount() == rows_before

    window.redo()
    assert _maps(window) == [72.0]
    # the log only grew: reading, reading, deletion, restore, deletion (+ the advice attempts)
    kinds = [e.kind for e in raw_events(window) if e.kind in (EventKind.READING, EventKind.DELETION)]
    assert kinds == [EventKind.READING, EventKind.READING, EventKind.DELETION, EventKind.READING, EventKind.DELETION]


def test_a_correction_is_recorded_and_undone_by_another_correction(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    record_map(qtbot, window, "85")
    original = window.state.readings[0]
    window.correct_reading(original.event_id, Reading(at=START - timedelta(minutes=1), map_mmhg=58.0))
    assert _maps(window) == [58.0]
    assert window.state.readings[0].at == START - timedelta(minutes=1)
    window.undo()
    assert _maps(window) == [85.0]
    assert window.state.readings[0].at == START
    corrections = [e for e in raw_events(window) if e.kind is EventKind.CORRECTION]
    assert [c.supersedes for c in corrections] == [original.event_id, original.event_id]
    _x, y = window.plot.map_curve_data()
    assert list(y) == [85.0]


def test_a_dose_change_is_moved_to_the_time_the_pump_was_set_and_back_by_undo(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.1")  # recorded at 08:00
    window.clock.advance(minutes=20)  # type: ignore[attr-defined]
    window.tick()
    dose = window.state.doses[0]
    assert dose.at == START
    set_at = START + timedelta(minutes=5)  # the pump was set at 08:05

    window.correct_entry_time(dose.event_id, set_at)
    moved = window.state.doses[0]
    assert (moved.event_id, moved.at) == (dose.event_id, set_at)
    assert moved.dose_mcg_per_kg_per_min == 0.1  # only the time changed
    assert moved.pump_rate_ml_per_h == dose.pump_rate_ml_per_h
    last = raw_events(window)[-1]
    assert (last.kind, last.supersedes, last.at) == (EventKind.CORRECTION, dose.event_id, set_at)
    assert DoseRecord.from_payload(last.payload) == dose.record

    window.undo()
    assert window.state.doses[0].at == START
    assert raw_events(window)[-1].kind is EventKind.CORRECTION  # undo is recorded too


def test_a_co_infusion_entry_is_moved_in_time(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.1")
    window.clock.advance(minutes=10)  # type: ignore[attr-defined]
    window.tick()
    type_into(qtbot, line(window, "vasopressinDoseInput"), "0.03", enter=True)
    entry = window.state.co_infusion_log[0]
    assert entry.at == START + timedelta(minutes=10)
    window.correct_entry_time(entry.event_id, START + timedelta(minutes=2))
    assert [(c.drug, c.action, c.dose, c.at) for c in window.state.co_infusion_log] == [
        ("vasopressin", "start", 0.03, START + timedelta(minutes=2))]


def test_only_dose_and_co_infusion_entries_take_a_time_correction(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    record_map(qtbot, window, "70")
    reading = window.state.readings[0]
    events_before = len(raw_events(window))
    with pytest.raises(ValueError, match="only dose changes and co-infusion entries"):
        window.correct_entry_time(reading.event_id, START - timedelta(minutes=1))
    assert len(raw_events(window)) == events_before


def test_the_time_dialog_refuses_a_future_time_and_names_the_field(qtbot: QtBot) -> None:
    clock = ManualClock(START)
    dialog = EntryTimeDialog("Norepinephrine dose 0.1 mcg/kg/min", START - timedelta(minutes=20), clock)
    qtbot.addWidget(dialog)
    dialog.time.setDateTime(to_qdatetime(START + timedelta(minutes=1)))
    dialog.accept()
    assert dialog.at is None
    assert not dialog.status.isHidden()
    assert "When it happened" in dialog.status.text()
    assert "Accepted: a time up to now" in dialog.status.text()
    dialog.time.setDateTime(to_qdatetime(START - timedelta(minutes=15)))
    dialog.accept()
    assert dialog.at == START - timedelta(minutes=15)


def test_correct_selected_entry_on_a_dose_row_asks_for_the_time(qtbot: QtBot, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.1")
    window.clock.advance(minutes=20)  # type: ignore[attr-defined]
    window.tick()
    dose = window.state.doses[0]
    asked: list[str] = []

    def answer(dialog: EntryTimeDialog) -> int:  # the nurse sets 08:05 and presses OK
        asked.append(dialog.windowTitle())
        asked.append(dialog.what.text().splitlines()[0])
        dialog.time.setDateTime(to_qdatetime(START + timedelta(minutes=5)))
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(EntryTimeDialog, "exec", answer)
    rows = [window.table.event_id_at(r) for r in range(window.table.rowCount())]
    window.table.selectRow(rows.index(dose.event_id))
    window.action_edit_entry.trigger()
    # 0.1 mcg/kg/min x 70 kg x 60 / 16 mcg/mL = 26.25 mL/h, set at the pump's 0.1 mL/h resolution: 26.3
    assert asked == ["Correct the time of an entry", "Norepinephrine dose 0.1 mcg/kg/min (26.3 mL/h)"]
    assert window.state.doses[0].at == START + timedelta(minutes=5)
