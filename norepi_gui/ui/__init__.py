"""The Qt layer: ``from norepi_gui.ui import MainWindow`` (imported on first use, so ``norepi_gui.ui.app`` starts
without loading every panel before the QApplication exists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from norepi_gui.ui.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> object:
    if name == "MainWindow":
        from norepi_gui.ui.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
