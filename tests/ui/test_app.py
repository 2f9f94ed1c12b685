"""Start-up: the bedside window painted first, completed right after; the disclaimer once; resume offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import SystemClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore
from norepi_gui.ui.app import Launcher, locale_safe_environment
from tests.ui.helpers import Confirmer

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note on show()


def _launch(qtbot: QtBot, folder: Path, *, interactive: bool) -> Launcher:
    launcher = Launcher(folder, protocol_path=None, training=False, interactive=interactive)
    qtbot.addWidget(launcher.start())
    qtbot.waitUntil(lambda: launcher.window is not None)
    assert launcher.window is not None
    return launcher


def test_the_bedside_window_is_shown_first_then_completed(qtbot: QtBot, tmp_path: Path) -> None:
    launcher = Launcher(tmp_path, protocol_path=None, training=False, interactive=False)
    shown: list[object] = []
    launcher.shown.connect(shown.append)
    with qtbot.waitSignal(launcher.ready) as ready:
        window = launcher.start()
        qtbot.addWidget(window)
    assert shown == [window]  # painted before it was complete
    assert ready.args == [window]
    assert launcher.window is window and window.is_complete
    assert window.isVisible()
    assert window.findChild(QWidget, "mapInput") is not None
    assert window.findChild(QWidget, "mapPlot") is not None
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]  # no other start-up window


def test_disclaimer_is_asked_once_per_data_folder(qtbot: QtBot, tmp_path: Path) -> None:
    asked: list[str] = []

    def accept(parent: QWidget) -> bool:
        asked.append(parent.objectName())
        return True

    for _ in range(2):
        launcher = Launcher(tmp_path, protocol_path=None, training=False, interactive=False)
        launcher.ask_disclaimer = accept
        qtbot.addWidget(launcher.start())
        qtbot.waitUntil(lambda launcher=launcher: launcher.window is not None)  # type: ignore[misc]
        assert launcher.window is not None
        launcher.questions()
        launcher.window.close()
    assert asked == ["mainWindow"]


def test_an_open_session_is_offered_for_resume_at_start(qtbot: QtBot, tmp_path: Path) -> None:
    with SessionStore(tmp_path, SystemClock()) as store:
        info = store.create_session("bed 4", is_training=False, protocol_name="p", protocol_version="1")
        store.append(info.id, EventKind.READING, {"map_mmhg": 63.0})
    launcher = Launcher(tmp_path, protocol_path=None, training=False, interactive=False)
    launcher.ask_disclaimer = lambda parent: True
    confirmer = Confirmer()
    launcher.confirm = confirmer
    qtbot.addWidget(launcher.start())
    qtbot.waitUntil(lambda: launcher.window is not None)
    assert launcher.window is not None
    launcher.questions()
    assert confirmer.asked and "bed 4" in confirmer.asked[0][1]
    assert launcher.window.session is not None and launcher.window.session.id == info.id
    assert [r.map_mmhg for r in launcher.window.state.readings] == [63.0]


def test_c_locale_is_replaced_by_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_CTYPE", raising=False)
    monkeypatch.setenv("LANG", "C")
    locale_safe_environment()
    import os

    assert os.environ["LC_ALL"] == "C.UTF-8"
