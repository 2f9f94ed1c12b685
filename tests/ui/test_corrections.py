"""Edits and deletions in the readings table are undoable and recorded, never silently rewritten."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Reading
from tests.ui.helpers import START, make_window, record_map


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
    raw = window.recorder.raw_events()
    assert raw[-1].kind is EventKind.DELETION
    assert raw[-1].supersedes == first.event_id

    window.undo_stack.undo()
    assert _maps(window) == [61.0, 72.0]
    restored = window.state.readings[0]
    assert restored.event_id != first.event_id
    assert restored.payload["restores"] == first.event_id
    assert restored.at == first.at
    assert window.table.rowCount() == rows_before

    window.undo_stack.redo()
    assert _maps(window) == [72.0]
    # the log only grew: reading, reading, deletion, restore, deletion (+ the advice attempts)
    kinds = [e.kind for e in window.recorder.raw_events() if e.kind in (EventKind.READING, EventKind.DELETION)]
    assert kinds == [EventKind.READING, EventKind.READING, EventKind.DELETION, EventKind.READING, EventKind.DELETION]


def test_a_correction_is_recorded_and_undone_by_another_correction(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    record_map(qtbot, window, "85")
    original = window.state.readings[0]
    window.correct_reading(original.event_id, Reading(at=START - timedelta(minutes=1), map_mmhg=58.0))
    assert _maps(window) == [58.0]
    assert window.state.readings[0].at == START - timedelta(minutes=1)
    window.undo_stack.undo()
    assert _maps(window) == [85.0]
    assert window.state.readings[0].at == START
    corrections = [e for e in window.recorder.raw_events() if e.kind is EventKind.CORRECTION]
    assert [c.supersedes for c in corrections] == [original.event_id, original.event_id]
    _x, y = window.plot.map_curve_data()
    assert list(y) == [85.0]
