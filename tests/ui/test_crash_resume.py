"""A window killed outright (SIGKILL) loses nothing it showed as recorded; the next start offers the session back."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from tests.sigkill import kill_after
from tests.ui.helpers import make_window

# The child types readings into the real window (MAP field + Enter) and prints each READING id the window recorded;
# it would go on for hours, and is killed after the parent has read READ_BEFORE_KILL ids.
CHILD = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.ui import MainWindow

app = QApplication([])
clock = ManualClock(datetime(2026, 1, 1, 8, 0, tzinfo=UTC))
window = MainWindow(data_dir=Path(sys.argv[1]), clock=clock)
window.show()
def printed(events):
    for event in events:
        if event.kind is EventKind.READING:
            print(event.id, flush=True)
window.controller.events_recorded.connect(printed)
edit = window.findChild(QLineEdit, "mapInput")
print("ready", flush=True)
for i in range(100_000):
    clock.advance(minutes=1)
    window.tick()
    QTest.keyClicks(edit, str(55 + i % 20))
    QTest.keyClick(edit, Qt.Key.Key_Return)
"""
READ_BEFORE_KILL = 12


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkilled_window_resumes_with_every_recorded_reading(qtbot: QtBot, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _header, printed = kill_after(CHILD, str(data_dir), read_before_kill=READ_BEFORE_KILL,
                                  header_ok=lambda line: line.strip() == "ready", env={"QT_QPA_PLATFORM": "offscreen"})

    window, confirmer = make_window(qtbot, data_dir, ManualClock(datetime(2026, 1, 2, 8, 0, tzinfo=UTC)))
    assert len(window.resumable_sessions()) == 1
    info = window.offer_resume()
    assert info is not None
    assert confirmer.asked and confirmer.asked[0][0] == "Resume session"
    recorded = {r.event_id for r in window.state.readings}
    assert set(printed) <= recorded
    table_ids = {window.table.event_id_at(row) for row in range(window.table.rowCount())}
    assert set(printed) <= table_ids
    x, _y = window.plot.map_curve_data()
    assert len(x) == len(window.state.readings) >= READ_BEFORE_KILL
