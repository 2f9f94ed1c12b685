"""A local time typed in the hour repeated when daylight saving time ends is asked about, never stored an hour off;
one in the skipped hour is refused naming the nearest times (Europe/Berlin, 2026: back on 25 October at 03:00 CEST to
02:00 CET, forward on 29 March at 02:00 CET to 03:00 CEST)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.ui.main_window import MainWindow
from tests.ui.helpers import line, make_window, record_map, type_into

BERLIN = ZoneInfo("Europe/Berlin")


def _set_wall_time(window: MainWindow, year: int, month: int, day: int, hour: int, minute: int) -> None:
    """The nurse sets the reading's time field to this wall time (the field then stops following the clock)."""
    window.readings_panel.time.setDateTime(QDateTime(QDate(year, month, day), QTime(hour, minute)))


def test_a_reading_time_in_the_repeated_hour_asks_which_and_stores_the_one_chosen(
        qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path, ManualClock(datetime(2026, 10, 25, 6, 0, tzinfo=UTC)))
    asked: list[tuple[str, list[str]]] = []

    def second(question: str, choices: list[str]) -> int | None:
        asked.append((question, choices))
        return 1

    window.readings_panel.zone = BERLIN
    window.readings_panel.ask_which = second
    _set_wall_time(window, 2026, 10, 25, 2, 30)
    record_map(qtbot, window, "70")
    # 02:30 CEST (UTC+2) is 00:30 UTC; 02:30 CET (UTC+1), the second time, is 01:30 UTC
    assert [r.at for r in window.state.readings] == [datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
    assert asked and asked[0][1] == ["02:30 CEST (UTC+02:00), the first time", "02:30 CET (UTC+01:00), the second time"]


def test_cancelling_the_question_records_nothing_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path, ManualClock(datetime(2026, 10, 25, 6, 0, tzinfo=UTC)))
    window.readings_panel.zone = BERLIN
    window.readings_panel.ask_which = lambda _q, _c: None
    _set_wall_time(window, 2026, 10, 25, 2, 30)
    record_map(qtbot, window, "70")
    assert window.state.readings == []
    status = window.findChild(QLabel, "readingTimeInputStatus")
    assert status is not None and "happened twice" in status.text()


def test_a_time_in_the_skipped_hour_is_refused_naming_the_nearest(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path, ManualClock(datetime(2026, 3, 29, 6, 0, tzinfo=UTC)))
    window.readings_panel.zone = BERLIN
    _set_wall_time(window, 2026, 3, 29, 2, 30)
    record_map(qtbot, window, "70")
    assert window.state.readings == []
    status = window.findChild(QLabel, "readingTimeInputStatus")
    assert status is not None and "does not exist" in status.text() and "CET" in status.text()


def test_a_line_insertion_time_in_the_repeated_hour_is_asked_too(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path, ManualClock(datetime(2026, 10, 25, 6, 0, tzinfo=UTC)))
    window.patient_panel.zone = BERLIN
    window.patient_panel.ask_which = lambda _q, _c: 0
    type_into(qtbot, line(window, "weightInput"), "70", enter=True)
    type_into(qtbot, line(window, "lineInsertedInput"), "2026-10-25 02:30", enter=True)
    assert window.state.patient.line_inserted_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first: CEST
