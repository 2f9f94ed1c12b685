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


# The child switches the site protocol back and forth through Settings (A: pump 0.1 mL/h, B: 1.0 mL/h), printing the
# switch number after each; it is killed mid-stream, possibly between writing the session log and the settings file.
RELOAD_CHILD = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from PySide6.QtWidgets import QApplication
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.protocol import load_protocol
from norepi_gui.core.titration import Reading
from norepi_gui.ui import MainWindow
from norepi_gui.ui.settings_dialog import SettingsChoice

folder = Path(sys.argv[1])
app = QApplication([])
clock = ManualClock(datetime(2026, 1, 1, 8, 0, tzinfo=UTC))
window = MainWindow(data_dir=folder / "data", clock=clock)
window.confirm = lambda title, text: True
window.record_reading(Reading(at=clock.now(), map_mmhg=70.0))
paths = [folder / "a.toml", folder / "b.toml"]
print("ready", flush=True)
for i in range(100_000):
    path = paths[i % 2]
    protocol = load_protocol(path)
    window.apply_settings(SettingsChoice("mcg/kg/min", protocol.pump.resolution_ml_per_h, True, 50, path, protocol))
    print(i, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_killed_during_a_protocol_reload_the_session_resumes_under_the_protocol_it_recorded(
        qtbot: QtBot, tmp_path: Path) -> None:
    from norepi_gui.core.protocol import load_protocol
    from norepi_gui.core.protocol_identity import identify, session_protocol

    shipped = (Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml").read_text()
    (tmp_path / "a.toml").write_text(shipped.replace('version = "1.0.0"', 'version = "a"'), encoding="utf-8")
    (tmp_path / "b.toml").write_text(shipped.replace('version = "1.0.0"', 'version = "b"')
                                     .replace("resolution_ml_per_h = 0.1", "resolution_ml_per_h = 1.0"),
                                     encoding="utf-8")
    assert load_protocol(tmp_path / "b.toml").pump.resolution_ml_per_h == 1.0
    kill_after(RELOAD_CHILD, str(tmp_path), read_before_kill=6, header_ok=lambda line: line.strip() == "ready",
               env={"QT_QPA_PLATFORM": "offscreen"})

    window, _confirmer = make_window(qtbot, tmp_path / "data", ManualClock(datetime(2026, 1, 2, 8, 0, tzinfo=UTC)))
    messages: list[str] = []
    window.controller.message.connect(messages.append)
    info = window.offer_resume()
    assert info is not None
    recorded = session_protocol(info, window.bedside.store.events(info.id))
    assert recorded.version in ("a", "b")
    assert identify(window.protocol).sha256 == recorded.sha256  # runs under what the log says, whatever the file
    if window.bedside.base_protocol.meta.version != recorded.version:  # the settings named the other one
        assert messages and "continues under the protocol it was recorded with" in messages[-1]
