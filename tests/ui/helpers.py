"""Shared helpers for the window tests: build a window on a temporary folder and drive it like a nurse would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import Event, EventKind
from norepi_gui.ui.main_window import MainWindow

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@dataclass
class Confirmer:
    """Stands in for the confirmation dialogs: answers ``answer`` and remembers what it was asked."""

    answer: bool = True
    asked: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answer


def make_window(qtbot: QtBot, data_dir: Path, clock: ManualClock | None = None) -> tuple[MainWindow, Confirmer]:
    window = MainWindow(data_dir=data_dir, clock=clock if clock is not None else ManualClock(START))
    qtbot.addWidget(window)
    confirmer = Confirmer()
    window.confirm = confirmer
    return window, confirmer


def line(window: MainWindow, name: str) -> QLineEdit:
    widget = window.findChild(QLineEdit, name)
    assert widget is not None, name
    return widget


def combo(window: MainWindow, name: str) -> QComboBox:
    widget = window.findChild(QComboBox, name)
    assert widget is not None, name
    return widget


def label(window: QWidget, name: str) -> QLabel:
    widget = window.findChild(QLabel, name)
    assert widget is not None, name
    return widget


def type_into(qtbot: QtBot, edit: QLineEdit, text: str, *, enter: bool = False) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    if enter:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def status_text(window: MainWindow, name: str) -> str:
    label = window.findChild(QLineEdit, name)
    assert label is not None
    status = label.parentWidget().findChild(type(window.patient_panel.weight.status), name + "Status")
    assert status is not None
    return status.text() if not status.isHidden() else ""


def set_weight(qtbot: QtBot, window: MainWindow, text: str) -> None:
    type_into(qtbot, line(window, "weightInput"), text, enter=True)


def choose_concentration(window: MainWindow, mcg_per_ml: float) -> None:
    select = combo(window, "concentrationSelect")
    index = select.findData(mcg_per_ml)
    assert index >= 0
    select.setCurrentIndex(index)
    select.activated.emit(index)


def start_infusion(qtbot: QtBot, window: MainWindow, dose: str = "0.1") -> None:
    """70 kg, 16 mcg/mL, the dose typed and recorded (pump set)."""
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "doseInput"), dose, enter=True)


def record_map(qtbot: QtBot, window: MainWindow, value: str) -> None:
    type_into(qtbot, line(window, "mapInput"), value, enter=True)


def raw_events(window: MainWindow) -> list[Event]:
    """Everything the window's session has on disk, in recording order (read back from the database)."""
    session = window.session
    return [] if session is None else window.bedside.store.events(session.id)


def kinds(window: MainWindow) -> list[EventKind]:
    """The kind of everything the window's session has on disk, in recording order."""
    return [e.kind for e in raw_events(window)]
