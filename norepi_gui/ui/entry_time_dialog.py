"""Correct when a dose change or co-infusion entry happened (the pump was set at 10:05, recorded at 10:20).

Only the time changes: the doses, rates and checks recorded with the entry stay as they were. To change a dose,
delete the entry and record the right one. The result becomes a CORRECTION event, undoable like any other.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDateTimeEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from norepi_gui.ui.formatting import fmt_date_time
from norepi_gui.ui.readings_panel import from_qdatetime, to_qdatetime
from norepi_gui.ui.typed_time import AskWhich, ask_with_dialog, instant_of, wall_time
from norepi_gui.ui.widgets import FieldStatus

if TYPE_CHECKING:
    from norepi_gui.core.clock import Clock


class EntryTimeDialog(QDialog):
    """``EntryTimeDialog(description, at, clock)``: ``at`` is the corrected time once accepted (None before)."""

    def __init__(self, description: str, at: datetime, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct the time of an entry")
        self.setMinimumWidth(440)
        self._clock = clock
        self.at: datetime | None = None
        #: The local zone the time is read in (None: as the system reads it), and who is asked in the repeated hour.
        self.zone: tzinfo | None = None
        self.ask_which: AskWhich = ask_with_dialog
        self.what = QLabel(f"{description}\nNow recorded at {fmt_date_time(at)}. Only the time changes; to change the "
                      "dose, delete the entry and record the right one.")
        self.what.setWordWrap(True)
        self.time = QDateTimeEdit(to_qdatetime(at))
        self.time.setObjectName("entryTimeInput")
        self.time.setAccessibleName("When it happened")
        self.time.setDisplayFormat("HH:mm  (d MMM yyyy)")
        self.status = FieldStatus("entryTimeInputStatus")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.what)
        form.addRow("&When it happened", self.time)
        form.addRow(self.status)
        form.addRow(buttons)

    def accept(self) -> None:
        value = self.time.dateTime()
        naive = wall_time(value)
        typed = instant_of(naive, self.zone, self.ask_which, "When it happened") if self.zone is not None \
            else from_qdatetime(value)
        if isinstance(typed, str):
            self.status.show_error(typed)
            return
        at = typed
        if at > self._clock.now():
            self.status.show_error("When it happened: the time is in the future. Accepted: a time up to now")
            return
        self.at = at
        super().accept()
