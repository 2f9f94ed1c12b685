"""The engine's current advice in large type, its rationale and rule IDs, the countdown, the alarms and escalations.

The headline is the engine's action with the dose in the nurse's unit (the other unit beside it) and the pump rate,
at the protocol's resolutions. With the bag empty the headline is the bag, never a dose change of an empty bag; the
advice follows below it. The alarms are the bedside layer's one list (``bedside/alarms.py``), each with its priority
badge, as on the banner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from norepi_gui.bedside.inputs import rule_notes
from norepi_gui.ui.formatting import fmt_clock, fmt_countdown
from norepi_gui.ui.qt_values import TEXT_SELECTABLE_BY_MOUSE, set_enum_property
from norepi_gui.ui.widgets import PriorityBadge, scale_font, set_role, value_label

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.bedside.alarms import Alarm
    from norepi_gui.bedside.changes import Change
    from norepi_gui.bedside.session import BedsideSession
    from norepi_gui.core.titration import Advice
    from norepi_gui.ui.controller import BedsideController
    from norepi_gui.ui.formatting import DisplayFormat

# Words and shapes for each engine action (display only; the action itself is the engine's).
ACTION_TEXT = {
    "start": ("\u25b6 START", "start norepinephrine"),
    "increase": ("\u25b2 INCREASE", "increase"),
    "hold": ("\u25cf HOLD", "keep the dose"),
    "decrease": ("\u25bc DECREASE", "decrease"),
    "taper_off": ("\u25a0 STOP (taper off)", "stop"),
    "none": ("\u2014 NO NOREPINEPHRINE", "no norepinephrine"),
}
BAG_EMPTY_HEADLINE = "\u25a0 BAG EMPTY"
REVIEW_MARK = "\u25c7"  # white diamond: the rule's number is a protocol setting marked [U], a default to review


def _dose_words(advice: Advice, session: BedsideSession, display: DisplayFormat, *,
                both: bool = True) -> tuple[str, str, str] | None:
    """(dose in the nurse's unit, with the other beside it when ``both``; pump rate; the other unit) of the advised
    dose; None without a dose."""
    if advice.dose_mcg_per_kg_per_min <= 0:
        return None
    figures = session.advice_figures()
    per_min = figures.dose_mcg_per_min if figures is not None else None
    rate = figures.pump_rate_ml_per_h if figures is not None else advice.rate_ml_per_h
    per_kg = advice.dose_mcg_per_kg_per_min
    return display.dose(per_kg, per_min, both=both), display.rate(rate), display.other(per_kg, per_min)


def advice_headline(advice: Advice, resolution_text: str) -> str:
    """The action in words with the engine's dose and the pump rate (the handover report's form)."""
    from norepi_gui.ui.formatting import fmt_dose

    action = advice.action.value
    head, _ = ACTION_TEXT.get(action, (action.upper(), action))
    dose, rate = advice.dose_mcg_per_kg_per_min, advice.rate_ml_per_h
    if action in ("start", "increase", "decrease", "hold") and dose > 0:
        word = "to" if action != "hold" else "at"
        return f"{head}\n{word} {fmt_dose(dose)} mcg/kg/min\n= {resolution_text.format(rate)} mL/h"
    return head


def headline(advice: Advice, session: BedsideSession, display: DisplayFormat) -> str:
    """The action in large words, with the dose in the nurse's unit and the pump rate (the other unit is on the
    line below the headline, :func:`headline_detail`)."""
    action = advice.action.value
    head, _ = ACTION_TEXT.get(action, (action.upper(), action))
    words = _dose_words(advice, session, display, both=False)
    if action in ("start", "increase", "decrease", "hold") and words is not None:
        word = "to" if action != "hold" else "at"
        return f"{head}\n{word} {words[0]}\n= {words[1]} mL/h"
    return head


def headline_detail(advice: Advice, session: BedsideSession, display: DisplayFormat) -> str:
    words = _dose_words(advice, session, display, both=False)
    if words is None or not words[2] or advice.action.value not in ("start", "increase", "decrease", "hold"):
        return ""
    return f"that is {words[2]}"


def advice_words(advice: Advice, session: BedsideSession, display: DisplayFormat) -> str:
    """The advice in one line (the banner): ``increase to 0.2 mcg/kg/min (16.5 mcg/min) = 61.2 mL/h``."""
    action = advice.action.value
    _head, verb = ACTION_TEXT.get(action, (action.upper(), action))
    words = _dose_words(advice, session, display)
    if words is None or action in ("taper_off", "none"):
        return verb
    return f"{verb} {'to' if action != 'hold' else 'at'} {words[0]} = {words[1]} mL/h"


class AlarmList(QWidget):
    """The alarms, one row each: the priority badge and the message."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName("Alarms and alerts")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._rows: list[tuple[PriorityBadge, QLabel]] = []
        self._shown: tuple[tuple[str, str, str], ...] = ()

    def show_alarms(self, alarms: tuple[Alarm, ...] | list[Alarm]) -> None:
        shown = tuple((a.code, a.priority, a.message) for a in alarms)
        if shown == self._shown:
            return
        self._shown = shown
        while len(self._rows) < len(alarms):
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            badge = PriorityBadge(f"{self.objectName()}Badge{len(self._rows)}", scale=0.8)
            label = value_label(f"{self.objectName()}Text{len(self._rows)}", "Alarm")
            layout.addWidget(badge)
            layout.addWidget(label, 1)
            self._layout.addWidget(row)
            self._rows.append((badge, label))
        for i, (badge, label) in enumerate(self._rows):
            row_widget = badge.parentWidget()
            if i < len(alarms):
                badge.set_priority(alarms[i].priority)
                label.setText(alarms[i].message)
                if row_widget is not None:
                    row_widget.show()
            elif row_widget is not None:
                row_widget.hide()
        self.setVisible(bool(alarms))

    def text(self) -> str:
        """What the list says, one line per alarm (``!!! HIGH: ...``), for tests and the clipboard."""
        lines = []
        for badge, label in self._rows:
            row = badge.parentWidget()
            if row is not None and not row.isHidden():
                lines.append(f"{badge.text()}: {label.text()}")
        return "\n".join(lines)


class TitrationPanel(QGroupBox):
    apply_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Titration advice", parent)
        self.setObjectName("titrationPanel")
        self.advice = QLabel("No advice yet: record the weight, the infusion and a reading.")
        self.advice.setObjectName("adviceLabel")
        self.advice.setAccessibleName("Current advice")
        scale_font(self.advice, 1.6, bold=True)
        self.advice.setWordWrap(True)
        set_enum_property(self.advice, "textInteractionFlags", TEXT_SELECTABLE_BY_MOUSE)
        self.detail = value_label("adviceDetailLabel", "Advised dose in the other unit")
        self.detail.hide()
        self.after_bag = value_label("adviceAfterBagLabel", "Advice once the new bag runs")
        self.after_bag.hide()
        self.waiting = value_label("adviceWaitingLabel", "What the advice waits for")
        self.waiting.hide()
        self.countdown = QLabel("Next check: -")
        self.countdown.setObjectName("nextCheckCountdown")
        self.countdown.setAccessibleName("Time to the next check")
        scale_font(self.countdown, 1.1, bold=True)
        self.countdown.setWordWrap(True)
        self.target = value_label("targetLabel", "Target MAP")
        self.rationale = value_label("rationaleLabel", "Why")
        self.rules = value_label("rulesLabel", "Rule IDs")
        set_role(self.rules, "muted")
        self.alerts = AlarmList("adviceAlertsLabel")
        self.alerts.hide()
        self.reminders = value_label("remindersLabel", "Reminders")
        self.extravasation = value_label("extravasationLabel", "Extravasation pathway")
        self.nee = value_label("neeLabel", "Norepinephrine equivalents")
        self.apply_button = QPushButton("Apply advised dose\u2026")
        self.apply_button.setObjectName("applyAdviceButton")
        self.apply_button.setAccessibleName("Record that the advised dose was set on the pump")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_requested)
        self.not_applied_note = QLabel("Nothing changes until you set the pump and confirm it.")
        self.not_applied_note.setObjectName("applyNote")
        self.not_applied_note.setWordWrap(True)
        set_role(self.not_applied_note, "muted")

        self.escalation = QGroupBox("Escalation to consider")
        self.escalation.setObjectName("escalationPanel")
        self.escalation.setAccessibleName("Escalation to consider")
        self.escalation_text = value_label("escalationList", "Escalation suggestions")
        self.escalation_text.setText("None now.")
        el = QVBoxLayout(self.escalation)
        el.addWidget(self.escalation_text)

        layout = QVBoxLayout(self)
        layout.addWidget(self.advice)
        layout.addWidget(self.detail)
        layout.addWidget(self.after_bag)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.not_applied_note)
        layout.addWidget(self.waiting)
        layout.addWidget(self.countdown)
        layout.addWidget(self.alerts)
        layout.addWidget(self.target)
        layout.addWidget(self.rationale)
        layout.addWidget(self.escalation)
        layout.addWidget(self.reminders)
        # the extravasation pathway is shown once, in the line safety note beside this panel
        layout.addWidget(self.nee)
        layout.addWidget(self.rules)
        layout.addStretch(1)
        for label in (self.reminders, self.extravasation, self.nee):
            label.hide()

    def bind(self, controller: BedsideController) -> None:
        """Show the advice derived from the record whenever it changes; Apply records it through ``controller``."""
        self._controller = controller
        self.apply_requested.connect(controller.apply_advice)
        controller.changed.connect(self._changed)  # once per operation, whatever parts of it the panel shows
        controller.display_changed.connect(self.show_current)

    def _changed(self, change: Change) -> None:
        if change.advice or change.alarms or change.session or change.settings or change.doses or \
                change.co_infusions:
            self.show_current()

    def show_current(self, *_args: object) -> None:
        from norepi_gui.bedside.inputs import Unavailable

        session = self._controller.session
        advice = session.advice
        if isinstance(advice, Unavailable):
            self.show_unavailable(advice.reason)
        else:
            self.show_advice(advice)
        self.alerts.show_alarms(session.alarm_state.alarms)

    def show_due(self, due: datetime | None, now: datetime) -> None:
        """The countdown to the next check (every tick)."""
        if due is None:
            self.show_countdown("Next check: -", overdue=False)
            return
        remaining = (due - now).total_seconds()
        if remaining > 0:
            self.show_countdown(f"Next check in {fmt_countdown(remaining)} (at {fmt_clock(due)})", overdue=False)
        elif remaining > -1:  # the due second itself: due, not yet overdue
            self.show_countdown(f"\u26a0 Check due now ({fmt_clock(due)})", overdue=True)
        else:
            self.show_countdown(f"\u26a0 Check overdue by {fmt_countdown(-remaining)} (due {fmt_clock(due)})",
                                overdue=True)

    def show_unavailable(self, reason: str) -> None:
        self.advice.setText(reason)
        self.after_bag.hide()
        self.detail.hide()
        self.waiting.hide()
        for label in (self.target, self.rationale, self.rules):
            label.setText("")
        for label in (self.reminders, self.extravasation, self.nee):
            label.hide()
        self.escalation_text.setText("None now.")
        set_role(self.escalation, "")
        self.apply_button.setEnabled(False)

    def show_advice(self, advice: Advice) -> None:
        """Show the advice derived from the record now (the engine's :class:`Advice`)."""
        session = self._controller.session
        display = self._controller.display
        text = headline(advice, session, display)
        detail = headline_detail(advice, session, display)
        empty_bag = session.advice_on_empty_bag()
        if empty_bag:
            self.advice.setText(f"{BAG_EMPTY_HEADLINE}\nhang a new bag")
            self.after_bag.setText("Once the new bag runs: " + text.replace("\n", " ") +
                                   (f" ({detail})" if detail else ""))
            self.after_bag.show()
            self.detail.hide()
        else:
            self.advice.setText(text)
            self.detail.setText(detail)
            self.detail.setVisible(bool(detail))
            self.after_bag.hide()
        if advice.target_map is None:
            self.target.setText(f"No MAP target written for this patient: enter the prescribed target "
                                f"(Patient panel). {advice.target_reason}")
        else:
            upper = f"\u2013{advice.target_map_upper:g}" if advice.target_map_upper is not None else ""
            self.target.setText(f"Target MAP {advice.target_map:g}{upper} mmHg: {advice.target_reason}")
        self.rationale.setText(advice.rationale)
        self.show_waiting(advice)
        notes = rule_notes(advice.rules)
        marked = any(n.protocol_default for n in notes)
        self.rules.setText("Rules: " + ", ".join(n.id + (f" {REVIEW_MARK}" if n.protocol_default else "")
                                                 for n in notes)
                           + (f"  ({REVIEW_MARK} rests on a protocol default to review)" if marked else ""))
        self.rules.setToolTip("\n".join(f"{n.id}{' ' + REVIEW_MARK if n.protocol_default else ''}: {n.statement}"
                                         for n in notes))
        self.reminders.setText("\n".join(f"\u2022 {r.message}" for r in advice.reminders))
        self.reminders.setVisible(bool(advice.reminders))
        self.extravasation.setText(f"\u26a0 {advice.extravasation}" if advice.extravasation else "")
        nee = session.running_nee()
        self.nee.setText(f"Norepinephrine equivalents running now (NEE): {display.per_kg(nee)} mcg/kg/min"
                         if nee else "")
        self.nee.setVisible(bool(nee))
        if advice.escalations:
            self.escalation_text.setText("\n".join(
                f"\u25b6 {e.code.replace('_', ' ').capitalize()}: {e.reason} [{e.rule}]" for e in advice.escalations))
            set_role(self.escalation, "escalating")
        else:
            self.escalation_text.setText("None now.")
            set_role(self.escalation, "")
        self.apply_button.setEnabled(advice.action.changes_dose and not empty_bag)
        self.apply_button.setToolTip("Hang a new bag first (Bedside > New bag hung)" if empty_bag else "")

    def show_waiting(self, advice: Advice) -> None:
        """What a hold waits for and until when, in the window's clock: the engine's ``Advice.waiting``."""
        waiting = advice.waiting
        # U+25F7, a clock face: in DejaVu Sans (the hourglasses are not)
        self.waiting.setText(f"\u25f7 {waiting.text(fmt_clock)}." if waiting is not None else "")
        self.waiting.setVisible(waiting is not None)

    def show_countdown(self, text: str, *, overdue: bool) -> None:
        self.countdown.setText(text)
        set_role(self.countdown, "overdue" if overdue else "")
