"""The engine's current advice in large type, its rationale and rule IDs, the countdown and the escalations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from norepi_gui.ui.formatting import fmt_clock, fmt_countdown, fmt_dose
from norepi_gui.ui.qt_values import TEXT_SELECTABLE_BY_MOUSE, set_enum_property
from norepi_gui.ui.widgets import PRIORITY_MARK, scaled_font, value_label

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from norepi_gui.core.titration import Advice
    from norepi_gui.ui.controller import BedsideController

# Words and shapes for each engine action (display only; the action itself is the engine's).
ACTION_TEXT = {
    "start": ("\u25b6 START", "start norepinephrine"),
    "increase": ("\u25b2 INCREASE", "increase"),
    "hold": ("\u25cf HOLD", "keep the dose"),
    "decrease": ("\u25bc DECREASE", "decrease"),
    "taper_off": ("\u25a0 STOP (taper off)", "stop"),
    "none": ("\u2014 NO NOREPINEPHRINE", "no norepinephrine"),
}


def advice_headline(advice: Advice, resolution_text: str) -> str:
    """The action in large words, with the dose and pump rate it leads to."""
    action = advice.action.value
    head, _ = ACTION_TEXT.get(action, (action.upper(), action))
    dose, rate = advice.dose_mcg_per_kg_per_min, advice.rate_ml_per_h
    if action in ("start", "increase", "decrease", "hold") and dose > 0:
        word = "to" if action != "hold" else "at"
        return f"{head}\n{word} {fmt_dose(dose)} mcg/kg/min\n= {resolution_text.format(rate)} mL/h"
    return head


class TitrationPanel(QGroupBox):
    apply_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Titration advice", parent)
        self.setObjectName("titrationPanel")
        self.advice = QLabel("No advice yet: record the weight, the infusion and a reading.")
        self.advice.setObjectName("adviceLabel")
        self.advice.setAccessibleName("Current advice")
        self.advice.setFont(scaled_font(1.8, bold=True))
        self.advice.setWordWrap(True)
        set_enum_property(self.advice, "textInteractionFlags", TEXT_SELECTABLE_BY_MOUSE)
        self.countdown = QLabel("Next check: -")
        self.countdown.setObjectName("nextCheckCountdown")
        self.countdown.setAccessibleName("Time to the next check")
        self.countdown.setFont(scaled_font(1.5, bold=True))
        self.countdown.setWordWrap(True)
        self.target = value_label("targetLabel", "Target MAP")
        self.rationale = value_label("rationaleLabel", "Why")
        self.rules = value_label("rulesLabel", "Rule IDs")
        self.rules.setStyleSheet("color: #444;")
        self.alerts = value_label("adviceAlertsLabel", "Alerts")
        self.reminders = value_label("remindersLabel", "Reminders")
        self.extravasation = value_label("extravasationLabel", "Extravasation pathway")
        self.nee = value_label("neeLabel", "Norepinephrine equivalents")
        self.apply_button = QPushButton("Apply advised dose\u2026")
        self.apply_button.setObjectName("applyAdviceButton")
        self.apply_button.setAccessibleName("Record that the advised dose was set on the pump")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_requested)
        self.not_applied_note = QLabel("Nothing changes until you set the pump and record it.")
        self.not_applied_note.setWordWrap(True)
        self.not_applied_note.setStyleSheet("color: #444;")

        self.escalation = QGroupBox("Escalation to consider")
        self.escalation.setObjectName("escalationPanel")
        self.escalation.setAccessibleName("Escalation to consider")
        self.escalation_text = value_label("escalationList", "Escalation suggestions")
        self.escalation_text.setText("None now.")
        el = QVBoxLayout(self.escalation)
        el.addWidget(self.escalation_text)

        layout = QVBoxLayout(self)
        layout.addWidget(self.advice)
        layout.addWidget(self.countdown)
        layout.addWidget(self.target)
        layout.addWidget(self.rationale)
        layout.addWidget(self.alerts)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.not_applied_note)
        layout.addWidget(self.escalation)
        layout.addWidget(self.reminders)
        # the extravasation pathway is shown once, in the line safety note beside this panel
        layout.addWidget(self.nee)
        layout.addWidget(self.rules)
        layout.addStretch(1)
        for label in (self.alerts, self.reminders, self.extravasation, self.nee):
            label.hide()

    def bind(self, controller: BedsideController, resolution_text: Callable[[], str]) -> None:
        """Show the advice derived from the record whenever it changes; Apply records it through ``controller``."""
        self._controller = controller
        self._resolution_text = resolution_text
        self.apply_requested.connect(controller.apply_advice)
        for signal in (controller.advice_changed, controller.session_changed, controller.settings_changed):
            signal.connect(self.show_current)

    def show_current(self) -> None:
        from norepi_gui.bedside.inputs import Unavailable

        advice = self._controller.session.advice
        if isinstance(advice, Unavailable):
            self.show_unavailable(advice.reason)
        else:
            self.show_advice(advice, self._resolution_text())

    def show_due(self, due: datetime | None, now: datetime) -> None:
        """The countdown to the next check (every tick)."""
        if due is None:
            self.show_countdown("Next check: -", overdue=False)
            return
        remaining = (due - now).total_seconds()
        if remaining > 0:
            self.show_countdown(f"Next check in {fmt_countdown(remaining)} (at {fmt_clock(due)})", overdue=False)
        else:
            self.show_countdown(f"\u26a0 Check overdue by {fmt_countdown(-remaining)} (due {fmt_clock(due)})",
                                overdue=True)

    def show_unavailable(self, reason: str) -> None:
        self.advice.setText(reason)
        self.advice.setStyleSheet("")
        for label in (self.target, self.rationale, self.rules):
            label.setText("")
        for label in (self.alerts, self.reminders, self.extravasation, self.nee):
            label.hide()
        self.escalation_text.setText("None now.")
        self.apply_button.setEnabled(False)

    def show_advice(self, advice: Advice, resolution_text: str) -> None:
        """Show the advice derived from the record now (the engine's :class:`Advice`)."""
        self.advice.setText(advice_headline(advice, resolution_text))
        self.target.setText(f"Target MAP {advice.target_map:g}\u2013{advice.target_map_upper:g} mmHg: "
                            f"{advice.target_reason}")
        self.rationale.setText(advice.rationale)
        self.rules.setText("Rules: " + ", ".join(advice.rules))
        self.alerts.setText("\n".join(f"{PRIORITY_MARK.get(a.priority.value, '')}: {a.message}"
                                      for a in advice.alerts))
        self.alerts.setVisible(bool(advice.alerts))
        self.reminders.setText("\n".join(f"\u2022 {r.message}" for r in advice.reminders))
        self.reminders.setVisible(bool(advice.reminders))
        self.extravasation.setText(f"\u26a0 {advice.extravasation}" if advice.extravasation else "")
        nee = advice.nee_mcg_per_kg_per_min
        self.nee.setText(f"Norepinephrine equivalents (NEE): {fmt_dose(nee)} mcg/kg/min" if nee else "")
        self.nee.setVisible(bool(nee))
        if advice.escalations:
            self.escalation_text.setText("\n".join(
                f"\u25b6 {e.code.replace('_', ' ').capitalize()}: {e.reason} [{e.rule}]" for e in advice.escalations))
            self.escalation.setStyleSheet(
                "QGroupBox { border: 2px solid #CC79A7; margin-top: 1.4em; font-weight: bold; }"
                " QGroupBox::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }")
        else:
            self.escalation_text.setText("None now.")
            self.escalation.setStyleSheet("")
        self.apply_button.setEnabled(advice.action.changes_dose)

    def show_countdown(self, text: str, *, overdue: bool) -> None:
        self.countdown.setText(text)
        self.countdown.setStyleSheet("color: #b00020;" if overdue else "")
