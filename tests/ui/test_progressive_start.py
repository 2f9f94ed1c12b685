"""A progressive start (MainWindow(progressive=True), what the launcher uses) ends in the same window as a plain one.

At its first paint the window already has every panel, field, object name and menu; only the plot area says
"Loading plot…" and the computed dose figures are held. Once complete, it shows what a window built in one go shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.map_plot import MARKER_KINDS
from tests.ui.helpers import START, make_window, record_map, start_infusion

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note on show()


def _names(window: MainWindow) -> set[str]:
    return {w.objectName() for w in window.findChildren(QWidget) if w.objectName()}


def _texts(window: MainWindow) -> dict[str, str]:
    """What the nurse reads: every named label, field, button and selection, plus the title and the menus."""
    shown: dict[str, str] = {"title": window.windowTitle()}
    for widget in window.findChildren(QWidget):
        name = widget.objectName()
        if not name or name.startswith("qt_"):
            continue
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
            shown[name] = f"{widget.text()} hidden={widget.isHidden()}"
        elif isinstance(widget, QComboBox):
            shown[name] = widget.currentText()
    shown["menus"] = " | ".join(a.text() for a in window.findChildren(QAction) if a.text())
    return shown


def _plot(window: MainWindow) -> dict[str, object]:
    plot = window.plot
    data: dict[str, object] = {
        "map": [a.tolist() for a in plot.map_curve_data()],
        "dose": [a.tolist() for a in plot.dose_curve_data()],
        "band": plot.target_band(),
    }
    for kind in MARKER_KINDS:
        times, texts = plot.marker_data(kind)
        data[kind] = (times.tolist(), texts)
    return data


def _progressive(qtbot: QtBot, data_dir: Path, clock: ManualClock) -> tuple[MainWindow, set[str]]:
    """A progressive window, shown until complete; also the object names it had at its first paint."""
    window = MainWindow(data_dir, clock=clock, progressive=True)
    qtbot.addWidget(window)
    at_first_paint: set[str] = set()
    window.first_painted.connect(lambda: at_first_paint.update(_names(window)))
    assert not window.plot_area.is_built and not window.is_complete
    with qtbot.waitSignal(window.completed):
        window.show()
    assert at_first_paint, "completed before its first paint"
    return window, at_first_paint


def test_first_paint_has_every_panel_field_and_menu_and_only_the_plot_is_missing(qtbot: QtBot,
                                                                                  tmp_path: Path) -> None:
    plain, _ = make_window(qtbot, tmp_path / "plain", ManualClock(START))
    _progressive_window, at_first_paint = _progressive(qtbot, tmp_path / "progressive", ManualClock(START))
    plot_names = {w.objectName() for w in plain.plot.findChildren(QWidget) if w.objectName()} | {"mapPlot"}
    assert _names(plain) - plot_names <= at_first_paint
    assert "mapPlotPlaceholder" in at_first_paint


def test_completed_progressive_window_shows_what_a_plain_window_shows(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock(START)
    recorded, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, recorded)
    clock.advance(minutes=5)
    record_map(qtbot, recorded, "58")  # a session with a dose, a reading, advice and its markers
    session = recorded.session
    assert session is not None

    plain, _ = make_window(qtbot, tmp_path, clock)
    progressive, _ = _progressive(qtbot, tmp_path, clock)
    assert progressive.plot_area.is_built and progressive.findChild(QWidget, "mapPlot") is progressive.plot
    assert progressive.findChild(QWidget, "mapPlotPlaceholder") is None
    assert _texts(progressive) == _texts(plain)  # nothing loaded yet: the start screen, dose figures included
    assert _plot(progressive) == _plot(plain)

    for window in (plain, progressive):
        window.load_session(session.id)
    assert _texts(progressive) == _texts(plain)
    assert _plot(progressive) == _plot(plain)
    assert len(progressive.plot.map_curve_data()[0]) == 1  # the reading is charted
