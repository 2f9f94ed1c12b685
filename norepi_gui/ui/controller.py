"""The window's adapter over the bedside layer: it runs an operation and announces its one Change as Qt signals.

Each panel subscribes to the signals of what it shows; an operation emits each signal at most once, so one user
action redraws each view once. No clinical logic here: the operations and everything they derive are
:class:`norepi_gui.bedside.session.BedsideSession`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from norepi_gui.bedside.changes import Change
from norepi_gui.ui.formatting import DisplayFormat

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from norepi_gui.bedside.records import BagRecord, PatientRecord, PerfusionRecord
    from norepi_gui.bedside.session import BedsideSession
    from norepi_gui.core.alerts import Alert
    from norepi_gui.core.events import EventKind, JsonValue
    from norepi_gui.core.infusion import InfusionSummary
    from norepi_gui.core.order import TitrationOrder
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.core.titration import Reading
    from norepi_gui.core.units import DoseBasis
    from norepi_gui.monitor.pcd01 import ObservationSet


class BedsideController(QObject):
    """Signals carry what changed; the state to draw it from is ``controller.session.state``."""

    session_changed = Signal()  # a session was created, opened or closed: every view redraws from the state
    readings_appended = Signal(object)  # tuple[ReadingRow, ...], newest last
    doses_appended = Signal(object)  # tuple[DoseRow, ...]
    co_infusions_appended = Signal(object)  # tuple[CoInfusionRow, ...]
    perfusion_appended = Signal(object)  # tuple[PerfusionRow, ...]
    clock_minute = Signal()  # the clock entered a new minute: countdowns of the bag and the line move
    entries_reset = Signal()  # readings, doses or co-infusions changed other than at the end: redraw those lists
    patient_changed = Signal()
    bag_changed = Signal()
    settings_changed = Signal()
    advice_changed = Signal()
    prompt_changed = Signal()
    undo_changed = Signal()
    alarms_changed = Signal()  # the alarm list (banner, sound, bag, line, site check, audio pause) changed
    monitor_samples_appended = Signal(object)  # tuple[MonitorSample, ...]: the bedside monitor's new values
    monitor_changed = Signal()  # the monitor feed's link or state (off, waiting, live, stale) changed
    display_changed = Signal()  # the dose unit shown, night mode or font size changed: views rewrite their numbers
    events_recorded = Signal(object)  # tuple[Event, ...]: everything the operation put on disk
    problem = Signal(object)  # FieldProblem: an entry the core refused, for the field it names
    message = Signal(str)  # a status line
    failed = Signal(str)  # recording failed: shown as an alarm
    notice = Signal(str)  # something to know that is not a failure (the computer's clock moved back)
    changed = Signal(object)  # the whole Change, last (training mode follows every change)

    def __init__(self, session: BedsideSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._minute: int | None = None
        #: How numbers are written (the dose unit chosen, the protocol's resolutions); the window sets it.
        self.display = DisplayFormat.for_protocol(session.protocol)

    def set_display(self, display: DisplayFormat) -> None:
        if display != self.display:
            self.display = display
            self.display_changed.emit()

    # ------------------------------------------------------------------------------------------------ announcing
    def announce(self, change: Change) -> Change:
        """Emit the signals of one Change, each at most once."""
        if change.nothing:
            return change
        if change.session:
            self.session_changed.emit()
        else:
            if change.readings.reset or change.doses.reset or change.co_infusions.reset or change.perfusion.reset:
                self.entries_reset.emit()
            else:
                if change.readings.appended:
                    self.readings_appended.emit(change.readings.appended)
                if change.doses.appended:
                    self.doses_appended.emit(change.doses.appended)
                if change.co_infusions.appended:
                    self.co_infusions_appended.emit(change.co_infusions.appended)
                if change.perfusion.appended:
                    self.perfusion_appended.emit(change.perfusion.appended)
            if change.patient:
                self.patient_changed.emit()
            if change.bag:
                self.bag_changed.emit()
            if change.settings:
                self.settings_changed.emit()
            if change.advice:
                self.advice_changed.emit()
            if change.prompt:
                self.prompt_changed.emit()
        if change.monitor_samples:
            self.monitor_samples_appended.emit(change.monitor_samples)
        if change.monitor or change.session:
            self.monitor_changed.emit()
        if change.alarms or change.session:
            self.alarms_changed.emit()
        if change.undo:
            self.undo_changed.emit()
        if change.problem is not None:
            self.problem.emit(change.problem)
        if change.message:
            self.message.emit(change.message)
        if change.failure:
            self.failed.emit(change.failure)
        if change.notice:
            self.notice.emit(change.notice)
        if change.recorded:
            self.events_recorded.emit(change.recorded)
        self.changed.emit(change)
        return change

    # ------------------------------------------------------------------------------------------------ operations
    def new_session(self, label: str, *, scenario: str | None = None, nurse: str | None = None,
                    bed: str = "") -> Change:
        return self.announce(self.session.new_session(label, scenario=scenario, nurse=nurse, bed=bed))

    def hand_over(self, incoming: str, *, bed: str | None = None, note: str = "") -> Change:
        return self.announce(self.session.hand_over(incoming, bed=bed, note=note))

    def set_order(self, order: TitrationOrder) -> Change:
        return self.announce(self.session.set_order(order))

    def open_session(self, session_id: int) -> Change:
        return self.announce(self.session.open_session(session_id))

    def close_session(self) -> Change:
        return self.announce(self.session.close_session())

    def record_reading(self, reading: Reading, *, source: str = "typed") -> Change:
        return self.announce(self.session.record_reading(reading, source=source))

    def record_perfusion(self, record: PerfusionRecord, at: datetime) -> Change:
        return self.announce(self.session.record_perfusion(record, at))

    def hang_new_bag(self, bag: BagRecord) -> Change:
        return self.announce(self.session.hang_new_bag(bag))

    def check_site(self, finding: str, note: str = "") -> Change:
        return self.announce(self.session.check_site(finding, note))

    def pause_audio(self) -> Change:
        return self.announce(self.session.pause_audio())

    def set_patient(self, record: PatientRecord, alerts: tuple[Alert, ...] = ()) -> Change:
        return self.announce(self.session.set_patient(record, alerts))

    def set_bag(self, bag: BagRecord) -> Change:
        return self.announce(self.session.set_bag(bag))

    def set_dose(self, summary: InfusionSummary, basis: DoseBasis, bag: BagRecord | None = None) -> Change:
        return self.announce(self.session.set_dose(summary, basis, bag))

    def stop_infusion(self) -> Change:
        return self.announce(self.session.stop_infusion())

    def co_infusion(self, drug: str, action: str, dose: float, unit: str) -> Change:
        return self.announce(self.session.co_infusion(drug, action, dose, unit))

    def apply_advice(self) -> Change:
        return self.announce(self.session.apply_advice())

    def answer_applied(self) -> Change:
        return self.announce(self.session.answer_applied())

    def answer_not_applied(self, reason: str) -> Change:
        return self.announce(self.session.answer_not_applied(reason))

    def snooze(self) -> Change:
        return self.announce(self.session.snooze())

    def correct_reading(self, event_id: int, reading: Reading) -> Change:
        return self.announce(self.session.correct_reading(event_id, reading))

    def correct_entry_time(self, event_id: int, at: datetime) -> Change:
        return self.announce(self.session.correct_entry_time(event_id, at))

    def delete_entry(self, event_id: int) -> Change:
        return self.announce(self.session.delete_entry(event_id))

    def undo(self) -> Change:
        return self.announce(self.session.undo())

    def redo(self) -> Change:
        return self.announce(self.session.redo())

    def set_setting(self, key: str, value: JsonValue) -> Change:
        return self.announce(self.session.set_setting(key, value))

    def set_base_protocol(self, protocol: Protocol) -> Change:
        return self.announce(self.session.set_base_protocol(protocol))

    def record_event(self, kind: EventKind, payload: Mapping[str, object], *, at: datetime | None = None) -> Change:
        return self.announce(self.session.record_event(kind, payload, at=at))

    def set_monitor(self, *, enabled: bool, listening: bool, bed: str = "", patient_id: str = "", address: str = "",
                    problem: str = "") -> Change:
        return self.announce(self.session.set_monitor(enabled=enabled, listening=listening, bed=bed,
                                                      patient_id=patient_id, address=address, problem=problem))

    def take_monitor(self, observations: ObservationSet) -> str:
        """Keep one accepted monitor message's values; "" when kept (the listener acknowledges AA), else why not."""
        intake = self.session.take_monitor(observations)
        self.announce(intake.change)
        return intake.problem

    def chart_monitor(self) -> Change:
        return self.announce(self.session.chart_monitor())

    def tick(self) -> Change:
        """The clock moved: what depends on time is re-derived; ``clock_minute`` once per new minute."""
        change = self.announce(self.session.tick())
        minute = int(self.session.now().timestamp() // 60)
        if minute != self._minute:
            self._minute = minute
            self.clock_minute.emit()
        return change
