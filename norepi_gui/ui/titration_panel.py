"""The engine's current advice in large type, its rationale and rule IDs, the countdown and the escalations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from norepi_gui.ui.formatting import fmt_clock, fmt_dose
from norepi_gui.ui.qt_values import TEXT_SELECTABLE_BY_MOUSE, set_enum_property
from norepi_gui.ui.session_state import as_float, parse_time
from norepi_gui.ui.widgets import PRIORITY_MARK, scaled_font, value_label

if TYPE_CHECKING:
    from norepi_gui.core.events import JsonValue, Payload

# Words and shapes for each engine action (display only; the action itself is the engine's).
ACTION_TEXT = {
    "start": ("\u25b6 START", "start norepinephrine"),
    "increase": ("\u25b2 INCREASE", "increase"),
    "hold": ("\u25cf HOLD", "keep the dose"),
    "decrease": ("\u25bc DECREASE", "decrease"),
    "taper_off": ("\u25a0 STOP (taper off)", "stop"),
    "none": ("\u2014 NO NOREPINEPHRINE", "no norepinephrine"),
}


def _items(value: JsonValue) -> list[dict[str, JsonValue]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: JsonValue) -> str:
    return value if isinstance(value, str) else ""


def advice_headline(advice: Payload, resolution_text: str) -> str:
    action = _str(advice.get("action"))
    head, _ = ACTION_TEXT.get(action, (action.upper(), action))
    dose = as_float(advice.get("dose_mcg_per_kg_per_min"))
    rate = as_float(advice.get("rate_ml_per_h"))
    if action in ("start", "increase", "decrease", "hold") and dose is not None and rate is not None:
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

    def show_unavailable(self, reason: str) -> None:
        self.advice.setText(reason)
        self.advice.setStyleSheet("")
        for label in (self.target, self.rationale, self.rules):
            label.setText("")
        for label in (self.alerts, self.reminders, self.extravasation, self.nee):
            label.hide()
        self.escalation_text.setText("None now.")
        self.apply_button.setEnabled(False)

    def show_advice(self, advice: Payload, resolution_text: str, *, applied: bool) -> None:
        """Show a recorded ADVICE payload (the engine's ``Advice.to_json()``)."""
        self.advice.setText(advice_headline(advice, resolution_text))
        low, high = as_float(advice.get("target_map")), as_float(advice.get("target_map_upper"))
        if low is not None and high is not None:
            self.target.setText(f"Target MAP {low:g}\u2013{high:g} mmHg: {_str(advice.get('target_reason'))}")
        self.rationale.setText(_str(advice.get("rationale")))
        rules = advice.get("rules")
        self.rules.setText("Rules: " + ", ".join(r for r in rules if isinstance(r, str)) if isinstance(rules, list)
                           else "")
        alerts = _items(advice.get("alerts"))
        self.alerts.setText("\n".join(
            f"{PRIORITY_MARK.get(_str(a.get('priority')), '')}: {_str(a.get('message'))}" for a in alerts))
        self.alerts.setVisible(bool(alerts))
        reminders = _items(advice.get("reminders"))
        self.reminders.setText("\n".join(f"\u2022 {_str(r.get('message'))}" for r in reminders))
        self.reminders.setVisible(bool(reminders))
        extravasation = _str(advice.get("extravasation"))
        self.extravasation.setText(f"\u26a0 {extravasation}" if extravasation else "")
        nee = as_float(advice.get("nee_mcg_per_kg_per_min"))
        self.nee.setText(f"Norepinephrine equivalents (NEE): {fmt_dose(nee)} mcg/kg/min" if nee else "")
        self.nee.setVisible(bool(nee))
        escalations = _items(advice.get("escalations"))
        if escalations:
            self.escalation_text.setText("\n".join(
                f"\u25b6 {_str(e.get('code')).replace('_', ' ').capitalize()}: {_str(e.get('reason'))} "
                f"[{_str(e.get('rule'))}]" for e in escalations))
            self.escalation.setStyleSheet(
                "QGroupBox { border: 2px solid #CC79A7; margin-top: 1.4em; font-weight: bold; }"
                " QGroupBox::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }")
        else:
            self.escalation_text.setText("None now.")
            self.escalation.setStyleSheet("")
        changes = _str(advice.get("action")) in ("start", "increase", "decrease", "taper_off")
        self.apply_button.setEnabled(changes and not applied)
        self.apply_button.setText("Advised dose recorded \u2713" if changes and applied else
                                  "Apply advised dose\u2026")

    def show_countdown(self, text: str, *, overdue: bool) -> None:
        self.countdown.setText(text)
        self.countdown.setStyleSheet("color: #b00020;" if overdue else "")


def due_text(advice: Payload) -> str:
    due = parse_time(advice.get("next_check_due"))
    return "" if due is None else fmt_clock(due)
