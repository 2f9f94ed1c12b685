"""The training window the UI tests drive: a bedside window in training mode on a ManualClock, held until the test
ends (``kept_training_windows`` in tests/ui/conftest.py closes it), and moved on one wall second per tick."""

from __future__ import annotations

from typing import TYPE_CHECKING

from norepi_gui.core.clock import ManualClock
from norepi_gui.ui.main_window import MainWindow
from tests.ui.helpers import START, Confirmer

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtWidgets import QWidget
    from pytestqt.qtbot import QtBot

    from norepi_gui.ui.training_panel import TrainingController

#: The windows built by ``training_window``, closed and deleted when the test ends.
KEPT: list[QWidget] = []


def training_window(qtbot: QtBot, data_dir: Path, clock: ManualClock | None = None
                    ) -> tuple[MainWindow, TrainingController, ManualClock]:
    """A training window on ``clock`` (default: a ManualClock at START) that confirms every question."""
    clock = clock if clock is not None else ManualClock(START)
    window = MainWindow(data_dir=data_dir, clock=clock, training=True)
    qtbot.addWidget(window)
    KEPT.append(window)
    window.confirm = Confirmer()
    controller = window.training_controller
    assert controller is not None
    return window, controller, clock


def wall_seconds(window: MainWindow, clock: ManualClock, n: int) -> None:
    """n seconds of wall time, one tick each (as the ticker would): n simulated minutes at 60x."""
    for _ in range(n):
        clock.advance(seconds=1)
        window.tick()
