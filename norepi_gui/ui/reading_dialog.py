"""Correct a recorded reading: the same checks as entry; the result becomes a CORRECTION event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from norepi_gui.bedside.records import as_float
from norepi_gui.ui.readings_panel import ReadingsPanel, to_qdatetime

if TYPE_CHECKING:
    from collections.abc import Callable

    from norepi_gui.bedside.changes import FieldProblem
    from norepi_gui.core.clock import Clock
    from norepi_gui.core.events import Event
    from norepi_gui.core.titration import Reading


class ReadingDialog(QDialog):
    def __init__(self, event: Event, clock: Clock, parent: QWidget | None = None, *,
                 check: Callable[[Reading], FieldProblem | None] | None = None) -> None:
        """``check``: the bedside layer's refusal of a reading (outside the plausible range), shown under its field
        while the dialog stays open."""
        super().__init__(parent)
        self._check = check
        self.setWindowTitle("Correct reading")
        self.reading: Reading | None = None
        self.entry = ReadingsPanel(clock)
        self.entry.setTitle("Corrected values")
        self.entry.add_button.hide()
        p = event.payload
        for key, field in (("map_entered", self.entry.map_input), ("sbp_mmhg", self.entry.sbp_input),
                           ("dbp_mmhg", self.entry.dbp_input), ("hr_per_min", self.entry.hr_input),
                           ("lactate_mmol_per_l", self.entry.lactate_input),
                           ("urine_ml_per_kg_per_h", self.entry.urine_input), ("crt_s", self.entry.crt_input)):
            value = as_float(p.get(key))
            field.set_text("" if value is None else f"{value:g}")
        self.entry.mental.setChecked(p.get("altered_mental_status") is True)
        self.entry.time.setDateTime(to_qdatetime(event.at))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.entry)
        layout.addWidget(buttons)
        self.entry.record_requested.connect(self._entered)

    def _entered(self, _entry: object) -> None:
        self.accept()

    def accept(self) -> None:
        reading = self.entry.build()
        if reading is None:
            return
        problem = self._check(reading) if self._check is not None else None
        if problem is not None:
            self.entry.show_problem(problem)
            return
        self.reading = reading
        super().accept()
