"""A titled box of the bedside window holding one summary and the button that opens the dialog changing it.

The order panel (the titration order in force) and the shift panel (the nurse on duty) are this box: each says what
its summary shows (``refresh``) and which recorded events change it; the box redraws when a session is opened and
when a change records one of those events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from norepi_gui.ui.widgets import value_label

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import Change
    from norepi_gui.core.events import EventKind
    from norepi_gui.ui.controller import BedsideController


class SummaryPanel(QGroupBox):
    """``summary`` (a read-only label) above ``button``; ``bind`` connects the button and the redraws."""

    def __init__(self, title: str, object_name: str, *, summary: tuple[str, str], button: tuple[str, str, str],
                 redraw_on: EventKind, parent: QWidget | None = None) -> None:
        """``summary`` is (object name, accessible name); ``button`` is (text, object name, accessible name)."""
        super().__init__(title, parent)
        self.setObjectName(object_name)
        self.setAccessibleName(title)
        self._redraw_on = redraw_on
        self.summary: QLabel = value_label(*summary)
        text, button_name, button_accessible = button
        self.button = QPushButton(text)
        self.button.setObjectName(button_name)
        self.button.setAccessibleName(button_accessible)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.button)

    def bind(self, controller: BedsideController, open_dialog: Callable[[], object]) -> None:
        self._controller = controller
        self.button.clicked.connect(open_dialog)
        controller.session_changed.connect(self.refresh)
        controller.changed.connect(self._changed)

    def _changed(self, change: Change) -> None:
        if any(e.kind is self._redraw_on for e in change.recorded):
            self.refresh()

    def refresh(self) -> None:
        """Show what the controller's session holds now."""
        raise NotImplementedError
