"""The due-check prompt: it stays until the nurse answers (applied / not applied with a reason / new reading).

Priorities follow IEC 60601-1-8 as the clinical reference describes them: high red flashing, medium yellow flashing,
low yellow steady [S]. Colour is never the only cue: each priority also has its own symbol and words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from norepi_gui.ui.formatting import fmt_clock, fmt_countdown
from norepi_gui.ui.widgets import FieldStatus, scaled_font

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.ui.controller import BedsideController

# (symbol + words, background, flashing background, text colour)
STYLES = {
    "high": ("\u26a0 !!! HIGH PRIORITY", "#C00000", "#6E0000", "#FFFFFF"),
    "medium": ("\u26a0 !! MEDIUM PRIORITY", "#FFD500", "#FFF3A0", "#000000"),
    "low": ("! LOW PRIORITY", "#FFF3A0", "#FFF3A0", "#000000"),
}
REASONS = (
    "Clinician decided otherwise",
    "Reading looks like an artefact",
    "Pump or line problem",
    "Patient off the unit / procedure",
)


class PromptBanner(QFrame):
    applied = Signal()
    not_applied = Signal(str)
    new_reading = Signal()
    snooze = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptBanner")
        self.setAccessibleName("Check due prompt")
        self.setFrameShape(QFrame.Shape.Box)
        self.setLineWidth(3)
        self.priority = "low"
        self._flash_on = False
        self.badge = QLabel()
        self.badge.setObjectName("promptPriorityLabel")
        self.badge.setFont(scaled_font(1.4, bold=True))
        self.message = QLabel()
        self.message.setObjectName("promptMessage")
        self.message.setWordWrap(True)
        self.message.setFont(scaled_font(1.2, bold=True))
        self.acknowledge = QPushButton("\u2713 Applied")
        self.acknowledge.setObjectName("acknowledgeButton")
        self.acknowledge.setAccessibleName("Acknowledge: the advice was applied")
        self.not_applied_button = QPushButton("\u2717 Not applied")
        self.not_applied_button.setObjectName("notAppliedButton")
        self.not_applied_button.setAccessibleName("The advice was not applied (give a reason)")
        self.reason = QComboBox()
        self.reason.setObjectName("notAppliedReasonSelect")
        self.reason.setAccessibleName("Reason the advice was not applied")
        self.reason.setEditable(True)
        self.reason.addItem("")
        self.reason.addItems(list(REASONS))
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Reason (required)")
        self.reason_status = FieldStatus("notAppliedReasonStatus")
        self.new_reading_button = QPushButton("\u270e New reading")
        self.new_reading_button.setObjectName("newReadingButton")
        self.new_reading_button.setAccessibleName("Take a new reading now")
        self.snooze_button = QPushButton("Snooze")
        self.snooze_button.setObjectName("snoozeButton")
        self.snooze_button.setAccessibleName("Snooze the prompt")
        for button in (self.acknowledge, self.not_applied_button, self.new_reading_button, self.snooze_button):
            button.setFont(scaled_font(1.15, bold=True))
            button.setStyleSheet("QPushButton { background: #FFFFFF; color: #000000; padding: 4px 10px; }")

        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addWidget(self.message, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.acknowledge)
        buttons.addWidget(self.not_applied_button)
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.new_reading_button)
        buttons.addWidget(self.snooze_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.reason_status)

        self.acknowledge.clicked.connect(self.applied)
        self.not_applied_button.clicked.connect(self._not_applied_clicked)
        self.new_reading_button.clicked.connect(self.new_reading)
        self.snooze_button.clicked.connect(self.snooze)
        self.hide()

    def bind(self, controller: BedsideController) -> None:
        """Answers go to ``controller``; the banner follows the check cycle there."""
        self._controller = controller
        self.applied.connect(controller.answer_applied)
        self.not_applied.connect(controller.answer_not_applied)
        self.snooze.connect(controller.snooze)

    def follow(self, now: datetime) -> None:
        """Show, update or hide the prompt for the check cycle at ``now`` (every tick and after every change)."""
        from norepi_gui.bedside.inputs import Unavailable

        session = self._controller.session
        prompt = session.prompt
        if not prompt.open or prompt.due_at is None or prompt.priority is None:
            if not self.isHidden():
                self.dismiss()
            return
        due = prompt.due_at
        advice = session.advice
        changes = not isinstance(advice, Unavailable) and advice.action.changes_dose
        overdue = (now - due).total_seconds()
        late = f"overdue {fmt_countdown(overdue)}" if overdue > 0 else "due now"
        message = f"Check due at {fmt_clock(due)} ({late}). Take a reading."
        if changes and not isinstance(advice, Unavailable):
            message = f"Check due at {fmt_clock(due)} ({late}). Advice: {advice.rationale}. Applied?"
        self.show_prompt(prompt.priority, message, snoozes_left=prompt.snoozes_left,
                         snooze_minutes=session.protocol.intervals.snooze_minutes, changes_dose=changes)
        self.flash()

    def fields(self) -> list[QWidget]:
        return [self.acknowledge, self.not_applied_button, self.reason, self.new_reading_button, self.snooze_button]

    def show_prompt(self, priority: str, message: str, *, snoozes_left: int, snooze_minutes: float,
                    changes_dose: bool) -> None:
        self.priority = priority if priority in STYLES else "low"
        self.badge.setText(STYLES[self.priority][0])
        self.message.setText(message)
        self.acknowledge.setText("\u2713 Applied" if changes_dose else "\u2713 Acknowledge (done)")
        self.snooze_button.setText(f"Snooze {snooze_minutes:g} min ({snoozes_left} left)")
        self.snooze_button.setEnabled(snoozes_left > 0)
        self._paint()
        if self.isHidden():
            self.reason.setCurrentIndex(0)
            self.reason_status.clear_message()
            self.show()

    def dismiss(self) -> None:
        self.reason.setCurrentIndex(0)
        self.reason_status.clear_message()
        self.hide()

    def flash(self) -> None:
        """Called every tick: high and medium flash, low stays steady."""
        self._flash_on = not self._flash_on
        self._paint()

    def _paint(self) -> None:
        _words, background, flashing, text = STYLES[self.priority]
        colour = flashing if self._flash_on and self.priority != "low" else background
        self.setStyleSheet(
            f"#promptBanner {{ background: {colour}; border: 3px solid #000000; }}"
            f" #promptBanner QLabel {{ color: {text}; }}"
        )

    def _not_applied_clicked(self) -> None:
        reason = self.reason.currentText().strip()
        if not reason:
            self.reason_status.show_error("Reason: say why the advice was not applied. Accepted: pick or type one")
            self.reason.setFocus()
            return
        self.reason_status.clear_message()
        self.not_applied.emit(reason)
