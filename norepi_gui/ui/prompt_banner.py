"""The alarm area under the bedside strip: always there, always the same height, so nothing moves when an alarm comes.

It shows the highest-priority alarm of the bedside layer's list (``bedside/alarms.py``) with what answers it: the due
check (applied / not applied with a reason / new reading / snooze; with the bedside monitor feed on, the monitor's
summary of the last minutes to chart with one key, or why there is none), the bag (New bag hung), the line's site
check (checked / problem), a high alert of the advice or a stale monitor feed (new reading). The other alarms are
counted beside it and shown in turn with "Next alarm". The sound can be paused for a limited time, with a visible
countdown.

Priorities follow IEC 60601-1-8 as the clinical reference describes them: high red flashing, medium yellow flashing,
low steady (cyan) [S]. Colour is never the only cue: each priority also has its own shape and words (the badge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.ui.formatting import fmt_clock, fmt_countdown
from norepi_gui.ui.theme import ALARM_COLOURS, Theme
from norepi_gui.ui.widgets import PRIORITY_MARK, FieldStatus, PriorityBadge, scale_font

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.bedside.alarms import Alarm
    from norepi_gui.monitor.summary import Summary
    from norepi_gui.ui.controller import BedsideController

REASONS = (
    "Clinician decided otherwise",
    "Reading looks like an artefact",
    "Pump or line problem",
    "Patient off the unit / procedure",
)
# Flashing periods as IEC 60601-1-8 sets them for visual alarm signals: high 1.4-2.8 Hz, medium 0.4-0.8 Hz; the
# phase is switched every half period.
FLASH_MS = {"high": 350, "medium": 1000}
STYLES = {  # kept for the handover report and tests: the words of each priority
    priority: (f"{PRIORITY_MARK[priority]} PRIORITY", colours.background, colours.flash, colours.text)
    for priority, colours in ALARM_COLOURS.items()
}


def _button(text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    scale_font(button, 1.05, bold=True)
    policy = button.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    button.setSizePolicy(policy)
    return button


def _keep_place(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


class PromptBanner(QWidget):
    """The due check: it stays until the nurse answers (applied / not applied with a reason / new reading)."""

    applied = Signal()
    not_applied = Signal(str)
    new_reading = Signal()
    snooze = Signal()
    chart_monitor = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptBanner")
        self.setAccessibleName("Check due prompt")
        self.priority = "low"
        self.badge = QLabel()
        self.badge.setObjectName("promptPriorityLabel")
        scale_font(self.badge, 1.25, bold=True)
        self.message = QLabel()
        self.message.setObjectName("promptMessage")
        self.message.setWordWrap(True)
        scale_font(self.message, 1.05, bold=True)
        self.acknowledge = _button("\u2713 Applied", "acknowledgeButton", "Acknowledge: the advice was applied")
        self.not_applied_button = _button("\u2717 Not applied", "notAppliedButton",
                                          "The advice was not applied (give a reason)")
        self.reason = QComboBox()
        self.reason.setObjectName("notAppliedReasonSelect")
        self.reason.setAccessibleName("Reason the advice was not applied")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # Return submits, it does not add an item
        self.reason.addItem("")
        self.reason.addItems(list(REASONS))
        self.reason.setMinimumContentsLength(16)
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Reason (required)")
            editor.returnPressed.connect(self._not_applied_clicked)
        self.reason_status = FieldStatus("notAppliedReasonStatus")
        _keep_place(self.reason_status)
        self.new_reading_button = _button("\u270e New reading", "newReadingButton", "Take a new reading now")
        self.chart_button = _button("Chart monitor", "chartMonitorButton",
                                    "Chart the monitor's MAP: its summary of the last minutes")
        policy = self.chart_button.sizePolicy()
        policy.setRetainSizeWhenHidden(False)  # no room kept while the monitor feed is off
        self.chart_button.setSizePolicy(policy)
        self.chart_button.hide()
        self.snooze_button = _button("Snooze", "snoozeButton", "Snooze the prompt")

        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addWidget(self.message, 1)
        top.addWidget(self.reason_status, 1)
        self.reason_status.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 40))
        buttons = QHBoxLayout()
        buttons.addWidget(self.acknowledge)
        buttons.addWidget(self.not_applied_button)
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.chart_button)
        buttons.addWidget(self.new_reading_button)
        buttons.addWidget(self.snooze_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(buttons)

        self.acknowledge.clicked.connect(self.applied)
        self.not_applied_button.clicked.connect(self._not_applied_clicked)
        self.new_reading_button.clicked.connect(self.new_reading)
        self.snooze_button.clicked.connect(self.snooze)
        self.chart_button.clicked.connect(self.chart_monitor)

    def fields(self) -> list[QWidget]:
        return [self.acknowledge, self.not_applied_button, self.reason, self.chart_button, self.new_reading_button,
                self.snooze_button]

    def show_offer(self, offer: Summary | None) -> str:
        """The monitor's summary at the check: the chart button (its value), or why there is nothing to chart.
        ``None``: the feed is off (no button). Returns the words for the prompt's message."""
        if offer is None:
            self.chart_button.hide()
            return ""
        from norepi_gui.monitor.summary import Chartable

        self.chart_button.show()
        self.chart_button.setToolTip(offer.describe())
        if isinstance(offer, Chartable):
            self.chart_button.setText(f"\u2713 Chart monitor {offer.map_mmhg:.0f}")
            self.chart_button.setEnabled(True)
            minutes = (offer.window_end - offer.window_start).total_seconds() / 60.0
            left_out = ", ".join(f"{n} {why.value}" for why, n in sorted(offer.excluded_counts.items()))
            return (f"Monitor: MAP {offer.map_mmhg:.0f} (median of {minutes:g} min" +
                    (f"; left out {left_out}" if left_out else "") + ").")
        self.chart_button.setText("Chart monitor")
        self.chart_button.setEnabled(False)
        return f"Monitor: nothing to chart ({offer.detail}): type the MAP."

    def show_prompt(self, priority: str, title: str, message: str, *, snoozes_left: int, snooze_minutes: float,
                    changes_dose: bool) -> None:
        fresh = self.priority != priority or self.badge.text() == ""
        self.priority = priority if priority in STYLES else "low"
        self.badge.setText(title)
        self.message.setText(message)
        self.acknowledge.setText("\u2713 Applied" if changes_dose else "\u2713 Done")
        self.snooze_button.setText(f"Snooze {snooze_minutes:g} min ({snoozes_left} left)")
        self.snooze_button.setEnabled(snoozes_left > 0)
        if fresh and self.reason.currentIndex() != 0 and not self.reason.currentText():
            self.reason.setCurrentIndex(0)

    def reset(self) -> None:
        self.reason.setCurrentIndex(0)
        self.reason.setEditText("")
        self.reason_status.clear_message()
        self.badge.setText("")

    def ask_reason(self) -> None:
        """Not applied from the keyboard: the reason field takes the focus; Return there submits."""
        self.reason.setFocus()
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.selectAll()

    def _not_applied_clicked(self) -> None:
        reason = self.reason.currentText().strip()
        if not reason:
            self.reason_status.show_error("Reason: say why the advice was not applied. Accepted: pick or type one")
            self.reason.setFocus()
            return
        self.reason_status.clear_message()
        self.not_applied.emit(reason)


class OtherAlarm(QWidget):
    """Any alarm but the due check: its title, its message and the buttons that answer it."""

    new_bag = Signal()
    site_checked = Signal()
    site_problem = Signal()
    new_reading = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("otherAlarm")
        self.title = QLabel()
        self.title.setObjectName("alarmTitle")
        scale_font(self.title, 1.25, bold=True)
        self.message = QLabel()
        self.message.setObjectName("alarmMessage")
        self.message.setWordWrap(True)
        scale_font(self.message, 1.05, bold=True)
        self.new_bag_button = _button("New bag hung\u2026", "newBagButton", "Record the new bag hung")
        self.site_ok_button = _button("\u2713 Site checked", "siteCheckedButton", "The line's site was checked")
        self.site_problem_button = _button("\u26a0 Site problem", "siteProblemButton",
                                           "The line's site shows a problem")
        self.new_reading_button = _button("\u270e New reading", "alarmNewReadingButton", "Take a new reading now")
        buttons = QHBoxLayout()
        for button in (self.new_bag_button, self.site_ok_button, self.site_problem_button, self.new_reading_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(buttons)
        self.new_bag_button.clicked.connect(self.new_bag)
        self.site_ok_button.clicked.connect(self.site_checked)
        self.site_problem_button.clicked.connect(self.site_problem)
        self.new_reading_button.clicked.connect(self.new_reading)

    def show_alarm(self, alarm: Alarm) -> None:
        self.title.setText(alarm.title)
        self.message.setText(alarm.message)
        self.new_bag_button.setVisible(alarm.source == "bag")
        self.site_ok_button.setVisible(alarm.source == "site")
        self.site_problem_button.setVisible(alarm.source == "site")
        self.new_reading_button.setVisible(alarm.source in ("advice", "line", "monitor"))

    def fields(self) -> list[QWidget]:
        return [self.new_bag_button, self.site_ok_button, self.site_problem_button, self.new_reading_button]


class AlarmArea(QFrame):
    """The alarm area: the top alarm (or "no alarm" and the next check), its priority badge, the sound pause."""

    new_bag_requested = Signal()
    new_reading_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmArea")
        self.setAccessibleName("Alarms")
        self.setFrameShape(QFrame.Shape.Box)
        self.setLineWidth(2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._controller: BedsideController | None = None
        self._theme: Theme | None = None
        self._shown: Alarm | None = None
        self._index = 0  # which banner alarm is shown (Next alarm)
        self._top: str | None = None
        self._flash_on = False
        self._flash = QTimer(self)
        self._flash.timeout.connect(self._toggle_flash)

        self.priority_badge = PriorityBadge("alarmPriorityBadge", scale=1.4)
        self.idle = QLabel("\u2713 No alarm")
        self.idle.setObjectName("alarmIdleLabel")
        self.idle.setWordWrap(True)
        scale_font(self.idle, 1.15, bold=False)
        self.prompt = PromptBanner()
        self.other = OtherAlarm()
        self.stack = QStackedWidget()
        self.stack.setObjectName("alarmStack")
        for page in (self.idle, self.prompt, self.other):
            self.stack.addWidget(page)
        self.pause_button = _button("Silence", "pauseAudioButton", "Pause the alarm sound for a while")
        self.pause_label = QLabel()
        self.pause_label.setObjectName("audioPauseLabel")
        self.pause_label.setAccessibleName("Alarm sound paused for")
        _keep_place(self.pause_label)
        self.next_button = _button("Next alarm \u25b8", "nextAlarmButton", "Show the next alarm")
        self.more_label = QLabel()
        self.more_label.setObjectName("moreAlarmsLabel")
        self.more_label.setAccessibleName("Other alarms")
        _keep_place(self.more_label)
        side = QGridLayout()
        side.setVerticalSpacing(2)
        side.addWidget(self.pause_button, 0, 0)
        side.addWidget(self.next_button, 0, 1)
        side.addWidget(self.pause_label, 1, 0)
        side.addWidget(self.more_label, 1, 1)
        self.more_label.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 30))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.priority_badge)
        layout.addWidget(self.stack, 1)
        layout.addLayout(side)
        self.pause_button.clicked.connect(self._pause)
        self.next_button.clicked.connect(self.show_next)
        self.other.new_bag.connect(self.new_bag_requested)
        self.other.new_reading.connect(self.new_reading_requested)
        self.prompt.new_reading.connect(self.new_reading_requested)
        self.fit_height()
        self._paint()

    # ------------------------------------------------------------------------------------------------ binding
    def bind(self, controller: BedsideController) -> None:
        self._controller = controller
        self.prompt.applied.connect(controller.answer_applied)
        self.prompt.not_applied.connect(controller.answer_not_applied)
        self.prompt.snooze.connect(controller.snooze)
        self.prompt.chart_monitor.connect(controller.chart_monitor)
        self.other.site_checked.connect(lambda: controller.check_site("ok"))
        self.other.site_problem.connect(lambda: controller.check_site("problem"))

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._paint()

    def fit_height(self) -> None:
        """One height for every page (the tallest), so an alarm never pushes the panels below it."""
        message = 2 * self.prompt.message.fontMetrics().lineSpacing()  # two lines of message, whatever it says
        title = self.prompt.badge.fontMetrics().lineSpacing()
        buttons = max(self.prompt.acknowledge.sizeHint().height(), self.prompt.reason.sizeHint().height())
        page = max(message, title) + buttons + 6
        side = self.pause_button.sizeHint().height() + self.pause_label.fontMetrics().lineSpacing() + 6
        margins = self.contentsMargins().top() + self.contentsMargins().bottom() + 8
        self.setFixedHeight(max(page, side, self.priority_badge.sizeHint().height()) + margins)

    # ------------------------------------------------------------------------------------------------ following
    def follow(self, now: datetime) -> None:
        """Show the alarms at ``now`` (every tick and after every change)."""
        if self._controller is None:
            return
        session = self._controller.session
        alarms = self.ordered(session.alarm_state.banner)
        self._top = max(alarms, key=lambda a: a.rank).priority if alarms else None  # the colour: the highest active
        if not alarms:
            self._shown = None
            self._index = 0
            self._show_idle(now)
        else:
            self._index %= len(alarms)
            alarm = alarms[self._index]
            if self._shown is None or alarm.code != self._shown.code:
                self.prompt.reset() if alarm.code != "CHECK_DUE" else None
            self._shown = alarm
            if alarm.code == "CHECK_DUE":
                self._show_check(alarm, now)
            else:
                self.other.show_alarm(alarm)
                self.stack.setCurrentWidget(self.other)
            self.priority_badge.set_priority(self._top)
        self._show_side(now, alarms)
        self._set_flashing()
        self._paint()

    @staticmethod
    def ordered(alarms: tuple[Alarm, ...]) -> tuple[Alarm, ...]:
        """The order they are shown in: by priority, except that a due check comes before an alert about the
        patient's state (MAP critically low): the check, a new reading, is what answers that alert."""
        check = next((a for a in alarms if a.code == "CHECK_DUE"), None)
        if check is None or not alarms or alarms[0].source != "advice":
            return alarms
        return (check, *(a for a in alarms if a is not check))

    def _show_idle(self, now: datetime) -> None:
        self.priority_badge.set_priority(None)
        due = self._controller.session.prompt.due_at if self._controller is not None else None
        text = "\u2713 No alarm."
        if due is not None and due > now:
            text += f"  Next check in {fmt_countdown((due - now).total_seconds())} (at {fmt_clock(due)})."
        self.idle.setText(text)
        if self.stack.currentWidget() is self.prompt:
            self.prompt.reset()
        self.stack.setCurrentWidget(self.idle)

    def _show_check(self, alarm: Alarm, now: datetime) -> None:
        from norepi_gui.bedside.inputs import Unavailable

        assert self._controller is not None
        session = self._controller.session
        prompt = session.prompt
        due = prompt.due_at
        if due is None:
            return
        overdue = (now - due).total_seconds()
        title = f"Check overdue {fmt_countdown(overdue)}" if overdue >= 60 else "Check due"
        advice = session.advice
        changes = not isinstance(advice, Unavailable) and advice.action.changes_dose
        monitor = self.prompt.show_offer(session.monitor_offer(now))
        message = f"Due at {fmt_clock(due)}. " + (monitor or "Take a reading.")
        if changes and not isinstance(advice, Unavailable):
            from norepi_gui.ui.titration_panel import advice_words

            message = f"Due at {fmt_clock(due)}. Advice: {advice_words(advice, session, self._controller.display)}. " \
                      "Applied?" + (f" {monitor}" if monitor else "")
        self.prompt.show_prompt(prompt.priority or alarm.priority, title, message, snoozes_left=prompt.snoozes_left,
                                snooze_minutes=session.protocol.intervals.snooze_minutes, changes_dose=changes)
        self.stack.setCurrentWidget(self.prompt)

    def _show_side(self, now: datetime, alarms: tuple[Alarm, ...]) -> None:
        assert self._controller is not None
        state = self._controller.session.alarm_state
        paused = state.paused_until
        if paused is not None and now < paused:
            self.pause_label.setText(f"Sound paused {fmt_countdown((paused - now).total_seconds())}")
            self.pause_label.show()
        else:
            self.pause_label.setText("")
            self.pause_label.hide()
        minutes = self._controller.session.protocol.alarms.audio_pause_minutes
        self.pause_button.setText(f"Silence {minutes:g} min")
        self.pause_button.setVisible(bool(alarms))
        others = len(alarms) - 1
        self.next_button.setVisible(others > 0)
        if others > 0:
            words = ", ".join(f"{a.title} ({a.priority})" for i, a in enumerate(alarms) if i != self._index)
            self.more_label.setText(f"+{others}: {words}")
            self.more_label.setToolTip(words)
            self.more_label.show()
        else:
            self.more_label.setText("")
            self.more_label.hide()

    def show_next(self) -> None:
        self._index += 1
        if self._controller is not None:
            self.follow(self._controller.session.now())

    def _pause(self) -> None:
        if self._controller is not None:
            self._controller.pause_audio()

    # ------------------------------------------------------------------------------------------------ colour
    @property
    def priority(self) -> str | None:
        """The highest priority active: the colour of the area and its badge."""
        return self._top

    def _set_flashing(self) -> None:
        interval = FLASH_MS.get(self.priority or "")
        if interval is None:
            self._flash.stop()
            self._flash_on = False
        elif not self._flash.isActive() or self._flash.interval() != interval:
            self._flash.start(interval)

    def _toggle_flash(self) -> None:
        self._flash_on = not self._flash_on
        self._paint()

    def steady(self) -> None:
        """Stop the flashing in the 'on' phase (screenshots)."""
        self._flash.stop()
        self._flash_on = False
        self._paint()

    def _paint(self) -> None:
        priority = self.priority
        theme = self._theme
        if priority is None or priority not in ALARM_COLOURS:
            background = theme.idle_banner if theme is not None else "palette(window)"
            text = theme.text if theme is not None else "palette(window-text)"
            border = theme.muted if theme is not None else "#808080"
        else:
            colours = ALARM_COLOURS[priority]
            background = colours.flash if self._flash_on and priority != "low" else colours.background
            text, border = colours.text, "#000000"
        sheet = (f"#alarmArea {{ background: {background}; border: 2px solid {border}; }}"
                 f" #alarmArea QLabel {{ color: {text}; background: transparent; }}"
                 " #alarmArea QPushButton { padding: 3px 8px; }")
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)
        self.priority_badge.setStyleSheet(f"color: {text};")

    def fields(self) -> list[QWidget]:
        return [*self.prompt.fields(), *self.other.fields(), self.pause_button, self.next_button]

    def reason_editor(self) -> QLineEdit | None:
        return self.prompt.reason.lineEdit()
