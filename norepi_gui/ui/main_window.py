"""The bedside window: collects entries, records them in the session log, and shows what the core computes.

Every user action goes the same way: the panel checks the entry with the core, the window asks for any confirmation
the core requires, :class:`SessionRecorder` commits the event to disk, and only then does every view redraw from the
recorder's state. The window holds no clinical logic: advice, targets, limits and intervals come from the core and
the protocol file.

Start-up can be progressive (``MainWindow(..., progressive=True)``, what the launcher uses): the window, with every
panel, field and menu, is built and painted before numpy, pint and pyqtgraph are imported; the plot area says
"Loading plot…" and the infusion figures wait. Right after that first paint (:meth:`MainWindow.complete`) the
session database is opened, the unit registry and the titration engine loaded, the figures computed and the plot
built and drawn; then ``completed`` is emitted. Built the default way, everything is there when the constructor
returns.
The titration engine, the dialogs and the plot are imported inside the methods that use them, so that the first
paint does not wait for them (``tests/ui/test_startup_imports.py`` guards the heaviest).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from norepi_gui import DISCLAIMER, package_version
from norepi_gui.core.clock import Clock, SystemClock
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import Event, EventKind, Payload, SessionInfo, check_payload
from norepi_gui.core.infusion import CONFIRM_CODES, InfusionSummary
from norepi_gui.core.protocol import LineType, Population, Protocol, ProtocolError, load_protocol
from norepi_gui.core.units import DoseBasis, Q
from norepi_gui.ui.coinfusion_panel import CoInfusionPanel, CoInfusionRequest
from norepi_gui.ui.formatting import decimals_for, fmt_clock, fmt_countdown, fmt_date_time, fmt_dose, fmt_rate
from norepi_gui.ui.infusion_panel import DoseRequest, InfusionContext, InfusionPanel, alert_lines
from norepi_gui.ui.patient_panel import PatientCommit, PatientPanel
from norepi_gui.ui.plot_area import PlotArea
from norepi_gui.ui.prompt_banner import PromptBanner
from norepi_gui.ui.qt_values import SCROLL_BAR_ALWAYS_OFF, WIDGET_WITH_CHILDREN_SHORTCUT, set_enum_property
from norepi_gui.ui.readings_panel import ReadingEntry, ReadingsPanel
from norepi_gui.ui.readings_table import CorrectEntryCommand, DeleteEntryCommand, ReadingsTable
from norepi_gui.ui.recorder import SessionRecorder
from norepi_gui.ui.safety_text import NO_BICARBONATE, peripheral_line_note
from norepi_gui.ui.session_state import (
    ANSWER_APPLIED,
    ANSWER_NEW_READING,
    ANSWER_NOT_APPLIED,
    CoInfusionRow,
    DoseRow,
    SessionState,
    as_float,
)
from norepi_gui.ui.sound import PromptSound
from norepi_gui.ui.ticker import ClockTicker
from norepi_gui.ui.titration_panel import TitrationPanel
from norepi_gui.ui.view_settings import ViewSettings

if TYPE_CHECKING:
    from norepi_gui.core.titration import Reading
    from norepi_gui.ui.map_plot import MapPlot
    from norepi_gui.ui.settings_dialog import SettingsChoice
    from norepi_gui.ui.training_panel import TrainingController

ConfirmFn = Callable[[str, str], bool]

SETTING_PUMP_RESOLUTION = "pump_resolution_ml_per_h"
SETTING_PROTOCOL = "protocol"

COMPLETE_WITHOUT_PAINT_MS = 2000  # a progressive window completes by then even if it was never painted

SHORTCUT_RECORD = QKeySequence("Ctrl+Return")
SHORTCUT_ACKNOWLEDGE = QKeySequence("Ctrl+K")
SHORTCUT_FOCUS_MAP = QKeySequence("Ctrl+M")


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    set_enum_property(area, "horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
    return area


class MainWindow(QMainWindow):
    """``MainWindow(data_dir=PATH, clock=None, protocol=None)``: sessions and settings live under ``data_dir``."""

    first_painted = Signal()  # progressive start: the window is on screen (the plot is still loading)
    completed = Signal()  # progressive start: database open, unit registry loaded, figures and plot drawn

    def __init__(
        self,
        data_dir: Path,
        clock: Clock | None = None,
        protocol: Protocol | None = None,
        *,
        training: bool = False,
        protocol_path: Path | None = None,
        progressive: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._progressive = progressive
        self._painted_once = False
        self.is_complete = not progressive
        self.data_dir = Path(data_dir)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.training = training
        # --- training mode (norepi_gui/ui/training_panel.py): simulated time is the window's clock ---
        self.training_controller: TrainingController | None = None
        if training:
            from norepi_gui.sim.training import SimulatedClock

            if not isinstance(self.clock, SimulatedClock):
                self.clock = SimulatedClock(self.clock)
        # --- end training mode ---
        self.view_settings = ViewSettings(self.data_dir)
        self._protocol_path = protocol_path if protocol_path is not None else self.view_settings.protocol_path
        self.protocol_problem: str | None = None
        if protocol is None:
            protocol, self.protocol_problem = self._load_protocol(self._protocol_path)
        self._base_protocol = protocol
        self.protocol = self._base_protocol
        #: Asked before anything the core says needs confirmation; tests replace it.
        self.confirm: ConfirmFn = self._ask_yes_no
        self.recorder = SessionRecorder(self.data_dir, self.clock, training=training, open_now=not progressive,
                                        parent=self)
        self.undo_stack = QUndoStack(self)
        self.sound = PromptSound(enabled=self.view_settings.sound_enabled)
        self.ticker = ClockTicker(parent=self)
        self._last_extend_minute: int | None = None
        self._last_bag_minute: int | None = None
        self._entry_dose_id: int | None = None
        self._shown_once = False

        self._build()
        self._build_menus()
        if training:  # training mode: banner, training bar, instructor dock, Training menu
            from norepi_gui.sim.training import SimulatedClock
            from norepi_gui.ui.training_panel import TrainingController

            assert isinstance(self.clock, SimulatedClock)
            self.training_controller = TrainingController(self, self.clock)
            self.training_controller.install_menu(self.menuBar())
        self._set_tab_order()
        self.recorder.changed.connect(self.refresh)
        self.recorder.recorded.connect(self._announce)
        self.ticker.ticked.connect(self.tick)
        self.resize(1440, 900)
        geometry = self.view_settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.view_settings.window_state()
        if state is not None:
            self.restoreState(state)
        self.refresh()
        self.tick()
        if self.protocol_problem:
            self.statusBar().showMessage(self.protocol_problem)

    # ------------------------------------------------------------------------------------------------ building
    @staticmethod
    def _load_protocol(path: Path | None) -> tuple[Protocol, str | None]:
        """The protocol file, or the shipped protocol and the reason the file was refused."""
        try:
            return load_protocol(path), None
        except ProtocolError as exc:
            return load_protocol(None), f"Protocol file refused, the shipped protocol is used: {exc}"

    def _build(self) -> None:
        p = self.protocol
        self.patient_panel = PatientPanel(p, self.clock)
        self.infusion_panel = InfusionPanel(p, hold_figures=self._progressive)
        self.infusion_panel.dose_unit.setCurrentText(self.view_settings.dose_unit)
        self.co_panel = CoInfusionPanel(p)
        self.readings_panel = ReadingsPanel(self.clock)
        self.table = ReadingsTable()
        self.plot_area = PlotArea(build_now=not self._progressive)
        self.plot_area.built.connect(self._refresh_plot)
        self.titration = TitrationPanel()
        self.banner = PromptBanner()
        self.line_note = QLabel()
        self.line_note.setObjectName("lineSafetyNote")
        self.line_note.setWordWrap(True)
        self.line_note.setStyleSheet("background: #FFF3A0; color: #000000; padding: 4px;")
        self.line_note.hide()

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(self.patient_panel)
        ll.addWidget(self.infusion_panel)
        ll.addWidget(self.co_panel)
        ll.addStretch(1)
        middle = QWidget()
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(self.plot_area, 5)
        ml.addWidget(self.readings_panel)
        ml.addWidget(self.table, 3)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.titration)
        rl.addWidget(self.line_note)

        splitter = QSplitter()  # horizontal
        splitter.setObjectName("mainSplitter")
        left_area, right_area = _scroll(left), _scroll(right)
        bar_width = left_area.verticalScrollBar().sizeHint().width()
        left_area.setMinimumWidth(left.minimumSizeHint().width() + bar_width)
        right_area.setMinimumWidth(right.minimumSizeHint().width() + bar_width)
        splitter.addWidget(left_area)
        splitter.addWidget(middle)
        splitter.addWidget(right_area)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([420, 760, 440])
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(4, 4, 4, 4)
        cl.addWidget(self.banner)
        cl.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.session_label = QLabel()
        self.session_label.setObjectName("sessionLabel")
        self.statusBar().addPermanentWidget(self.session_label)

        self.patient_panel.committed.connect(self._patient_committed)
        self.infusion_panel.bag_committed.connect(self._bag_committed)
        self.infusion_panel.dose_requested.connect(self._dose_requested)
        self.infusion_panel.stop_requested.connect(self._stop_requested)
        self.co_panel.requested.connect(self._co_infusion_requested)
        self.readings_panel.record_requested.connect(self._reading_requested)
        self.titration.apply_requested.connect(self.apply_advice)
        self.banner.applied.connect(self.answer_applied)
        self.banner.not_applied.connect(self.answer_not_applied)
        self.banner.new_reading.connect(self.focus_map_entry)
        self.banner.snooze.connect(self.snooze_prompt)
        self.table.doubleClicked.connect(self._edit_selected)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.action_new = self._action(file_menu, "&New session\u2026", self._new_session_dialog,
                                       QKeySequence.StandardKey.New)
        self.action_open = self._action(file_menu, "&Open session\u2026", self._open_session_dialog,
                                        QKeySequence.StandardKey.Open)
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        self.action_export_csv = self._action(file_menu, "Export &CSV\u2026", self._export_csv_dialog)
        self.action_export_pdf = self._action(file_menu, "Export &PDF handover\u2026", self._export_pdf_dialog)
        self.action_print = self._action(file_menu, "&Print handover\u2026", self._print_dialog,
                                         QKeySequence.StandardKey.Print)
        file_menu.addSeparator()
        self.action_close_session = self._action(file_menu, "C&lose session", self._close_session_dialog)
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.action_undo, self.action_redo = undo, redo
        edit_menu.addSeparator()
        self.action_edit_entry = self._action(edit_menu, "&Correct selected entry\u2026", self._edit_selected,
                                              QKeySequence("F2"))
        self.action_delete_entry = self._action(edit_menu, "&Delete selected entry", self.delete_selected,
                                                QKeySequence.StandardKey.Delete)
        set_enum_property(self.action_delete_entry, "shortcutContext", WIDGET_WITH_CHILDREN_SHORTCUT)
        self.table.addAction(self.action_delete_entry)
        set_enum_property(self.action_edit_entry, "shortcutContext", WIDGET_WITH_CHILDREN_SHORTCUT)
        self.table.addAction(self.action_edit_entry)
        edit_menu.addSeparator()
        self._action(edit_menu, "&Settings\u2026", self.open_settings, QKeySequence.StandardKey.Preferences)

        bedside = bar.addMenu("&Bedside")
        self.action_record = self._action(bedside, "&Record reading", self.readings_panel.request_record,
                                          SHORTCUT_RECORD)
        self.action_focus_map = self._action(bedside, "&Focus MAP entry", self.focus_map_entry, SHORTCUT_FOCUS_MAP)
        self.action_acknowledge = self._action(bedside, "&Acknowledge prompt (applied)", self._acknowledge_shortcut,
                                               SHORTCUT_ACKNOWLEDGE)
        native = QKeySequence.SequenceFormat.NativeText
        self.readings_panel.add_button.setToolTip(f"Enter, or {SHORTCUT_RECORD.toString(native)}")
        self.banner.acknowledge.setToolTip(SHORTCUT_ACKNOWLEDGE.toString(QKeySequence.SequenceFormat.NativeText))

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About norepi-gui", self.show_about)

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        # setShortcuts, not setShortcut: choosing among setShortcut's overloads makes PySide6 build the enums of the
        # whole Qt namespace (see qt_values), ~25 ms before the first paint.
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)  # the platform's key(s) for it
        elif shortcut is not None:
            action.setShortcuts([shortcut])
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _set_tab_order(self) -> None:
        # The screen's reading order: prompt, left column, centre (entry, table), advice.
        chain: list[QWidget] = [
            *self.banner.fields(),
            *self.patient_panel.fields(),
            *self.infusion_panel.fields(),
            *self.co_panel.fields(),
            *self.readings_panel.fields(),
            self.table,
            self.titration.apply_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @property
    def plot(self) -> MapPlot:
        """The MAP plot (built now if a progressive start has not built it yet)."""
        return self.plot_area.plot

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._progressive and not self._painted_once:
            self._painted_once = True
            # the children paint after this, in the same pass: announce once the whole frame is out
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        QTimer.singleShot(0, self.complete)

    def complete(self) -> None:
        """Progressive start: load what the first paint went without (session database, unit registry, titration
        engine, dose figures, plot); then ``completed``."""
        if self.is_complete:
            return
        import importlib

        from norepi_gui.core.units import registry

        self.recorder.open_store()
        registry()  # pint and the unit definitions: loaded now, not on the nurse's first entry
        importlib.import_module("norepi_gui.ui.advice_source")  # the titration engine: likewise, before any reading
        self.infusion_panel.release_figures()
        self.plot_area.ensure_built()  # drawn from the recorded state by _refresh_plot (built signal)
        self.is_complete = True
        self._set_infusion_context()  # now with the bag counted down
        self.completed.emit()

    # ------------------------------------------------------------------------------------------------ sessions
    @property
    def state(self) -> SessionState:
        return self.recorder.state

    @property
    def session(self) -> SessionInfo | None:
        return self.recorder.session

    def resumable_sessions(self) -> list[SessionInfo]:
        """Sessions never closed (e.g. after a crash): what the start-up offers to resume."""
        return self.recorder.resumable()

    def offer_resume(self, ask: ConfirmFn | None = None) -> SessionInfo | None:
        """Offer the most recent open session; load it when the nurse agrees."""
        ask = ask if ask is not None else self.confirm
        open_sessions = self.resumable_sessions()
        if not open_sessions:
            return None
        latest = open_sessions[-1]
        count = len(self.recorder.store.events(latest.id))
        text = (f"Session \u201c{latest.label}\u201d started {fmt_date_time(latest.created_at)} was not closed "
                f"({count} recorded events). Resume it?")
        if ask("Resume session", text):
            return self.load_session(latest.id)
        return None

    def load_session(self, session_id: int) -> SessionInfo:
        info = self.recorder.load_session(session_id)
        self.undo_stack.clear()
        self.view_settings.add_recent(info.id)
        self._apply_session_settings()
        self.patient_panel.refresh(self.state.patient)
        self.infusion_panel.show_bag(self.state.infusion)
        self.refresh()
        self.tick()
        return info

    def new_session(self, label: str | None = None) -> SessionInfo:
        if self.recorder.writable:
            self.recorder.close_current()
        now = self.clock.now()
        name = label or ("Training " if self.training else "Patient ") + fmt_date_time(now)
        info = self.recorder.new_session(name, self._base_protocol)
        self.undo_stack.clear()
        self.view_settings.add_recent(info.id)
        self.protocol = self._base_protocol
        self._protocol_changed()
        self.patient_panel.refresh({})
        self.infusion_panel.clear_entry()
        self.refresh()
        return info

    def _ensure_session(self) -> None:
        if not self.recorder.writable:
            self.new_session()

    def record(self, kind: EventKind, payload: Mapping[str, object], *, at: datetime | None = None) -> Event:
        """Append one event (committed to disk before anything shows it)."""
        self._ensure_session()
        return self.recorder.record(kind, payload, at=at)

    def _apply_session_settings(self) -> None:
        resolution = as_float(self.state.settings.get(SETTING_PUMP_RESOLUTION))
        protocol = self._base_protocol
        if resolution is not None:
            protocol = dataclasses.replace(protocol, pump=dataclasses.replace(protocol.pump,
                                                                              resolution_ml_per_h=resolution))
        self.protocol = protocol
        self._protocol_changed()

    def _protocol_changed(self) -> None:
        for panel in (self.patient_panel, self.infusion_panel, self.co_panel):
            panel.set_protocol(self.protocol)

    # ------------------------------------------------------------------------------------------------ redraw
    def refresh(self) -> None:
        """Redraw every view from the recorded state."""
        state = self.state
        if state.patient != self.patient_panel._recorded:  # only when the record changed: never clobber typing
            self.patient_panel.refresh(state.patient)
        if state.infusion and state.infusion != self.infusion_panel._recorded_bag:
            self.infusion_panel.show_bag(state.infusion)
        self._set_infusion_context()
        self._show_running_dose_in_entry()
        self.co_panel.refresh(state.active_co_infusions)
        self.table.refresh(state, self.protocol.pump.resolution_ml_per_h)
        self._refresh_titration()
        self._refresh_plot()
        self._refresh_line_note()
        self._refresh_title()

    def _set_infusion_context(self) -> None:
        """The recorded patient, running dose and bag (its volume counted down to now) for the infusion panel."""
        state = self.state
        population = state.patient.get("population")
        line = state.patient.get("line")
        bag_left = None
        if self.is_complete:  # the core's bag arithmetic needs pint: not before the first paint
            from norepi_gui.ui import advice_source

            bag_left = advice_source.bag_left_ml(state, self.clock.now())
        self.infusion_panel.set_context(InfusionContext(
            weight_kg=state.weight_kg(),
            population=Population(population) if isinstance(population, str) else Population.ADULT,
            line=LineType(line) if isinstance(line, str) else LineType.CENTRAL,
            current=state.current_dose,
            bag_recorded_ml=as_float(state.infusion.get("bag_volume_ml")),
            bag_left_ml=bag_left,
        ))

    def _show_running_dose_in_entry(self) -> None:
        """After a new dose is recorded the dose and rate fields show it (what the pump runs now)."""
        current = self.state.current_dose
        shown = current.event_id if current is not None else None
        if shown == self._entry_dose_id:
            return
        self._entry_dose_id = shown
        if current is None or current.pump_rate_ml_per_h <= 0:
            self.infusion_panel.clear_entry()
        elif current.payload.get("basis") == DoseBasis.FLAT.value or current.dose_mcg_per_kg_per_min is None:
            self.infusion_panel.set_dose_text(fmt_dose(current.dose_mcg_per_min), "mcg/min")
        else:
            self.infusion_panel.set_dose_text(fmt_dose(current.dose_mcg_per_kg_per_min), "mcg/kg/min")

    def resolution_format(self) -> str:
        """A format for rates at the pump's resolution, e.g. "{:.1f}"."""
        return "{:." + str(decimals_for(self.protocol.pump.resolution_ml_per_h)) + "f}"

    def _advice_applied(self) -> bool:
        advice = self.state.last_advice
        if advice is None:
            return False
        return any(d.payload.get("advice_event_id") == advice.id for d in self.state.doses)

    def _refresh_titration(self) -> None:
        advice = self.state.last_advice
        if advice is None:
            self.titration.show_unavailable(self._advice_missing())
            return
        self.titration.show_advice(advice.payload, self.resolution_format(), applied=self._advice_applied())

    def _advice_missing(self) -> str:
        missing = []
        if self.state.weight_kg() is None:
            missing.append("the weight")
        if not self.state.readings:
            missing.append("a reading")
        if not missing:
            return "No advice yet."
        return "For advice, record " + " and ".join(missing) + "."

    def _target_band(self) -> tuple[float, float] | None:
        from norepi_gui.core.titration.targets import choose_target
        from norepi_gui.ui import advice_source

        advice = self.state.last_advice
        if advice is not None:
            low, high = as_float(advice.payload.get("target_map")), as_float(advice.payload.get("target_map_upper"))
            if low is not None and high is not None:
                return low, high
        try:
            target = choose_target(advice_source.patient_info(self.state, self.clock.now()), self.protocol)
        except InputError:
            return None
        return target.map_mmhg, target.upper_mmhg

    def _refresh_plot(self) -> None:
        if not self.plot_area.is_built:
            return  # progressive start: drawn once the plot is built
        from norepi_gui.core.dosing import DoseRate

        state = self.state
        plot = self.plot
        plot.clear()
        band = self._target_band()
        if band is not None:
            plot.set_target_band(*band)
        plot.set_readings([r.at for r in state.readings], [r.map_mmhg for r in state.readings])
        weight = state.weight_kg()
        times: list[datetime] = []
        doses: list[float] = []
        for d in state.doses:
            per_kg = d.dose_mcg_per_kg_per_min
            if per_kg is None and weight is not None:
                per_kg = DoseRate.flat(d.dose_mcg_per_min).mcg_per_kg_per_min(Q(weight, "kg"))
            if per_kg is not None:
                times.append(d.at)
                doses.append(per_kg if d.pump_rate_ml_per_h > 0 else 0.0)
        plot.set_dose_steps(times, doses)
        resolution = self.protocol.pump.resolution_ml_per_h
        for d in state.doses:
            plot.add_marker(d.at, "titration", f"NE {fmt_dose(d.dose_mcg_per_kg_per_min)} mcg/kg/min, "
                                               f"{fmt_rate(d.pump_rate_ml_per_h, resolution)} mL/h")
        for c in state.co_infusion_log:
            plot.add_marker(c.at, "co_infusion", f"{c.drug} {c.action} {c.dose:g} {c.unit}")
        previous: set[str] = set()
        for e in self.recorder.effective():
            if e.kind is not EventKind.ADVICE:
                continue
            items = e.payload.get("escalations")
            codes = {str(x.get("code")) for x in items if isinstance(x, dict)} if isinstance(items, list) else set()
            if codes - previous:  # mark an escalation when it first appears, not at every check
                plot.add_marker(e.at, "escalation", ", ".join(sorted(codes - previous)))
            previous = codes
        for a in state.answers:
            if a.payload.get("answer") != ANSWER_NEW_READING:  # a new reading is already on the plot
                reason = a.payload.get("reason")
                text = str(a.payload.get("answer", "")).replace("_", " ") + (f": {reason}" if reason else "")
                plot.add_marker(a.at, "acknowledgement", text)
        plot.extend_to(self.clock.now())
        if self.training_controller is not None:  # training mode: the simulated monitor's trace
            self.training_controller.redraw_monitor()

    def _refresh_line_note(self) -> None:
        line = self.state.patient.get("line")
        if isinstance(line, str) and line != LineType.CENTRAL.value:
            from norepi_gui.ui import advice_source

            limits = self.protocol.line(LineType(line))
            text = peripheral_line_note(line.capitalize(), limits.max_hours)
            pathway = advice_source.safety_note(self.state)
            if pathway:
                text += "\n" + pathway
            self.line_note.setText(text + "\n" + NO_BICARBONATE)
            self.line_note.show()
        else:
            self.line_note.hide()

    def _refresh_title(self) -> None:
        session = self.session
        mode = " [TRAINING \u2014 simulated patient]" if self.training else ""
        name = session.label if session is not None else "no session"
        self.setWindowTitle(f"norepi-gui{mode} \u2014 {name}")
        if session is None:
            self.session_label.setText("No session yet: the first entry starts one.")
        else:
            closed = " (closed)" if session.closed_at else ""
            self.session_label.setText(f"Session {session.id}: {session.label}{closed}{mode} \u2014 "
                                       f"{self.protocol.meta.name} {self.protocol.meta.version}")

    def _announce(self, event: Event) -> None:
        if event.kind in (EventKind.PROMPT_SHOWN, EventKind.ADVICE, EventKind.SIM_EVENT):  # SIM_EVENT: training
            return  # mode's simulator events are not announced (scenario and instructor events stay hidden)
        self.statusBar().showMessage(f"\u2713 Recorded {event.kind.value.lower().replace('_', ' ')} at "
                                     f"{fmt_clock(event.recorded_at)}", 8000)

    # ------------------------------------------------------------------------------------------------ ticking
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.ticker.start()
        if not self._shown_once:
            self._shown_once = True
            self.focus_map_entry()  # the entry used most: ready for typing
            if not self.is_complete:  # in case no paint ever comes (e.g. shown minimized): complete anyway
                fallback = QTimer(self)  # a child: never fires after the window is gone
                fallback.setSingleShot(True)
                fallback.timeout.connect(self.complete)
                fallback.start(COMPLETE_WITHOUT_PAINT_MS)

    def tick(self) -> None:
        """Once a second (and whenever a test moves the clock): countdown, due prompt, reading time."""
        if self.training_controller is not None:  # training mode: the virtual patient catches up with the clock
            self.training_controller.advance()
        now = self.clock.now()
        self.readings_panel.tick()
        state = self.state
        minute = int(now.timestamp() // 60)
        if minute != self._last_bag_minute and state.infusing and self.is_complete:
            self._last_bag_minute = minute
            self._set_infusion_context()  # the bag's volume and time left count down
        due = state.due_at
        if due is None:
            self.titration.show_countdown("Next check: -", overdue=False)
            self.banner.dismiss()
            self.sound.tick(None)
            return
        remaining = (due - now).total_seconds()
        if remaining > 0:
            self.titration.show_countdown(f"Next check in {fmt_countdown(remaining)} (at {fmt_clock(due)})",
                                          overdue=False)
        else:
            self.titration.show_countdown(f"\u26a0 Check overdue by {fmt_countdown(-remaining)} "
                                          f"(due {fmt_clock(due)})", overdue=True)
        if minute != self._last_extend_minute and self.plot_area.is_built:
            self._last_extend_minute = minute
            self.plot.extend_to(now)
        snoozed = state.snoozed_until is not None and now < state.snoozed_until
        if remaining > 0 or snoozed or not self.recorder.writable:
            self.banner.dismiss()
            self.sound.tick(None)
            return
        self._show_prompt(due, now)

    def _show_prompt(self, due: datetime, now: datetime) -> None:
        from norepi_gui.ui import advice_source

        state = self.state
        overdue = advice_source.overdue(due, now, self.protocol)
        priority = (overdue.priority.value if overdue.priority is not None else "low")
        if state.prompt_shown_at is None or state.prompt_priority != priority:
            self.record(EventKind.PROMPT_SHOWN, {"priority": priority, "due_at": due.isoformat(),
                                                 "minutes_overdue": round(overdue.minutes_overdue, 2)})
            self.sound.alert()
        else:
            self.sound.tick(priority)
        state = self.state
        advice = state.last_advice.payload if state.last_advice is not None else {}
        action = str(advice.get("action", ""))
        changes = action in ("start", "increase", "decrease", "taper_off") and not self._advice_applied()
        late = f"overdue {fmt_countdown(overdue.minutes_overdue * 60)}" if overdue.minutes_overdue > 0 else "due now"
        what = advice.get("rationale")
        message = f"Check due at {fmt_clock(due)} ({late}). Take a reading."
        if changes and isinstance(what, str):
            message = f"Check due at {fmt_clock(due)} ({late}). Advice: {what}. Applied?"
        left = max(0, self.protocol.intervals.max_snoozes - state.snoozes)
        self.banner.show_prompt(priority, message, snoozes_left=left,
                                snooze_minutes=self.protocol.intervals.snooze_minutes, changes_dose=changes)
        self.banner.flash()

    # ------------------------------------------------------------------------------------------------ answers
    def _prompt_open(self) -> bool:
        due = self.state.due_at
        return due is not None and self.clock.now() >= due

    def _next_due(self) -> str | None:
        advice = self.state.last_advice
        minutes = as_float(advice.payload.get("next_check_in_min")) if advice is not None else None
        if minutes is None:
            return None
        return (self.clock.now() + timedelta(minutes=minutes)).isoformat()

    def _answer(self, answer: str, reason: str = "") -> Event:
        advice = self.state.last_advice
        payload: dict[str, object] = {
            "answer": answer,
            "reason": reason,
            "advice_event_id": advice.id if advice is not None else None,
            "next_due_at": self._next_due() if answer != ANSWER_NEW_READING else None,
        }
        event = self.record(EventKind.PROMPT_ANSWERED, payload)
        self.banner.dismiss()
        self.tick()
        return event

    def answer_applied(self) -> Event | None:
        """The nurse says the advice was applied (records the advised dose first if it is not recorded yet)."""
        advice = self.state.last_advice
        if advice is None:
            return None
        action = str(advice.payload.get("action", ""))
        changes = action in ("start", "increase", "decrease", "taper_off") and not self._advice_applied()
        if changes and self._record_advised_dose() is None:
            return None
        return self._answer(ANSWER_APPLIED)

    def answer_not_applied(self, reason: str) -> Event | None:
        if not reason.strip():
            return None
        return self._answer(ANSWER_NOT_APPLIED, reason.strip())

    def _acknowledge_shortcut(self) -> None:
        if self._prompt_open():
            self.answer_applied()

    def snooze_prompt(self) -> Event | None:
        state = self.state
        if state.snoozes >= self.protocol.intervals.max_snoozes or not self._prompt_open():
            return None
        until = self.clock.now() + timedelta(minutes=self.protocol.intervals.snooze_minutes)
        event = self.record(EventKind.PROMPT_SNOOZED, {"until": until.isoformat(), "count": state.snoozes + 1})
        self.banner.dismiss()
        self.tick()
        return event

    def focus_map_entry(self) -> None:
        self.readings_panel.focus_map()

    # ------------------------------------------------------------------------------------------------ entries
    def _patient_committed(self, commit: PatientCommit) -> None:
        maybe_lb = [a for a in commit.alerts if a.code in CONFIRM_CODES]
        if maybe_lb and not self.confirm("Check the weight", alert_lines(maybe_lb)):
            self.patient_panel.refresh(self.state.patient)
            return
        state = self.state
        new_weight, old_weight = commit.weight_kg, commit.previous_weight_kg
        current = state.current_dose
        if state.infusing and current is not None and new_weight is not None and old_weight is not None \
                and abs(new_weight - old_weight) > 1e-9:
            self._weight_change_while_infusing(commit, current.payload)
            return
        self.record(EventKind.PATIENT, commit.payload)

    def _weight_change_while_infusing(self, commit: PatientCommit, running: Payload) -> None:
        from norepi_gui.ui import advice_source

        state = self.state
        current = state.current_dose
        assert current is not None
        per_kg = current.dose_mcg_per_kg_per_min if running.get("basis") == DoseBasis.PER_KG.value else None
        preview = dataclasses.replace(state, patient=commit.payload)
        resolution = self.protocol.pump.resolution_ml_per_h
        try:
            summary = advice_source.dose_summary(preview, self.protocol, per_kg) if per_kg is not None else None
        except InputError as exc:
            self.patient_panel.weight.show_error(f"Weight: {exc.problem}")
            return
        old = fmt_rate(current.pump_rate_ml_per_h, resolution)
        if summary is not None:
            new = fmt_rate(summary.pump_rate_ml_per_h, resolution)
            text = (f"Norepinephrine runs at {fmt_dose(per_kg)} mcg/kg/min. Changing the weight from "
                    f"{commit.previous_weight_kg:g} to {commit.weight_kg:g} kg changes the pump rate from {old} to "
                    f"{new} mL/h. Record the new weight and set the pump to {new} mL/h?")
        else:
            text = (f"Changing the weight from {commit.previous_weight_kg:g} to {commit.weight_kg:g} kg while "
                    f"norepinephrine runs at a flat dose ({old} mL/h, unchanged). Record the new weight?")
        if not self.confirm("Weight change during the infusion", text):
            self.patient_panel.refresh(state.patient)
            return
        self.record(EventKind.PATIENT, commit.payload)
        if summary is not None:
            self._record_dose(summary, DoseBasis.PER_KG, "weight change", confirmed=())

    def _bag_committed(self, bag: Payload) -> None:
        from norepi_gui.ui import advice_source

        state = self.state
        current = state.current_dose
        new_conc = as_float(bag.get("concentration_mcg_per_ml"))
        if state.infusing and current is not None and new_conc is not None \
                and abs(new_conc - current.concentration_mcg_per_ml) > 1e-9:
            preview = dataclasses.replace(state, infusion=bag)
            per_kg = current.dose_mcg_per_kg_per_min
            try:
                summary = advice_source.dose_summary(preview, self.protocol, per_kg) if per_kg is not None else None
            except InputError as exc:
                self.infusion_panel.concentration_status.show_error(f"Concentration: {exc.problem}")
                return
            if summary is None:
                self.infusion_panel.concentration_status.show_error(
                    "Concentration: record the weight before changing the bag of a running infusion")
                return
            resolution = self.protocol.pump.resolution_ml_per_h
            text = (f"New bag {bag.get('description')}. To keep {fmt_dose(per_kg)} mcg/kg/min the pump rate "
                    f"changes from {fmt_rate(current.pump_rate_ml_per_h, resolution)} to "
                    f"{fmt_rate(summary.pump_rate_ml_per_h, resolution)} mL/h. Record the new bag and rate?")
            if not self.confirm("Concentration change during the infusion", text):
                self.infusion_panel.show_bag(state.infusion)
                return
            self.record(EventKind.INFUSION, bag)
            self._record_dose(summary, DoseBasis.PER_KG, "new bag", confirmed=())
            return
        self.record(EventKind.INFUSION, bag)

    def _confirmations(self, summary: InfusionSummary) -> tuple[str, ...] | None:
        """Ask for every alert that needs confirmation; ``None`` when refused or declined."""
        if summary.refused:
            hard = [a for a in summary.alerts if a.code == "DOSE_ABOVE_HARD_MAX"]
            self.statusBar().showMessage("!!! Refused: " + hard[0].message, 15000)
            self.infusion_panel.dose.show_error("Dose: " + hard[0].message)
            return None
        asks = [a for a in summary.alerts if a.code in CONFIRM_CODES]
        if asks and not self.confirm("Confirm the dose", alert_lines(asks) + "\n\nRecord this dose?"):
            self.statusBar().showMessage("Dose not recorded (not confirmed).", 8000)
            return None
        return tuple(a.code for a in asks)

    def _record_dose(self, summary: InfusionSummary, basis: DoseBasis, source: str, *,
                     confirmed: tuple[str, ...], advice_event_id: int | None = None) -> Event:
        payload: dict[str, object] = {
            "dose_mcg_per_kg_per_min": summary.dose_mcg_per_kg_per_min,
            "dose_mcg_per_min": summary.dose_mcg_per_min,
            "rate_ml_per_h": summary.rate_ml_per_h,
            "pump_rate_ml_per_h": summary.pump_rate_ml_per_h,
            "delivered_dose_mcg_per_kg_per_min": summary.delivered_dose_mcg_per_kg_per_min,
            "delivered_dose_mcg_per_min": summary.delivered_dose_mcg_per_min,
            "concentration_mcg_per_ml": summary.concentration_mcg_per_ml,
            "basis": basis.value,
            "source": source,
            "confirmed_alerts": list(confirmed),
            "alerts": [a.code for a in summary.alerts],
            "advice_event_id": advice_event_id,
        }
        return self.record(EventKind.NE_DOSE, payload)

    def _dose_requested(self, request: DoseRequest) -> None:
        confirmed = self._confirmations(request.summary)
        if confirmed is None:
            return
        if request.bag != self.state.infusion:
            self.record(EventKind.INFUSION, request.bag)
        self._record_dose(request.summary, request.basis, "manual", confirmed=confirmed)

    def _stop_requested(self) -> None:
        current = self.state.current_dose
        if current is None or current.pump_rate_ml_per_h <= 0:
            return
        # Abrupt withdrawal causes marked hypotension: reduce gradually [seed 002; V label].
        if not self.confirm("Stop norepinephrine", "Abrupt withdrawal can cause marked hypotension: norepinephrine "
                            "is reduced gradually. Record that the infusion is stopped now?"):
            return
        payload: dict[str, object] = {
            "dose_mcg_per_kg_per_min": 0.0 if current.dose_mcg_per_kg_per_min is not None else None,
            "dose_mcg_per_min": 0.0, "rate_ml_per_h": 0.0, "pump_rate_ml_per_h": 0.0,
            "delivered_dose_mcg_per_kg_per_min": None, "delivered_dose_mcg_per_min": 0.0,
            "concentration_mcg_per_ml": current.concentration_mcg_per_ml,
            "basis": current.payload.get("basis"), "source": "stopped", "confirmed_alerts": [], "alerts": [],
            "advice_event_id": None,
        }
        self.record(EventKind.NE_DOSE, payload)

    def _co_infusion_requested(self, request: CoInfusionRequest) -> None:
        self.record(EventKind.CO_INFUSION, {"drug": request.drug, "action": request.action, "dose": request.dose,
                                            "unit": request.unit})

    def _reading_requested(self, entry: ReadingEntry) -> None:
        self.record_reading(entry.reading)

    def record_reading(self, reading: Reading) -> Event:
        """Record a reading, answer an open prompt with it, then record and show the engine's advice."""
        from norepi_gui.ui import advice_source

        prompt_open = self._prompt_open()
        event = self.record(EventKind.READING, advice_source.reading_payload(reading), at=reading.at)
        if prompt_open:
            self._answer(ANSWER_NEW_READING)
        self.readings_panel.clear_entry()
        self.request_advice()
        self.readings_panel.focus_map()
        return event

    def request_advice(self) -> Event | None:
        """Ask the engine for advice on the recorded session; record it (ADVICE) before it is shown."""
        from norepi_gui.ui import advice_source

        now = self.clock.now()
        try:
            advice = advice_source.advice_for(self.state, self.protocol, now)
        except InputError as exc:
            self.titration.show_unavailable(f"No advice: {exc.field}: {exc.problem}"
                                            + (f" ({exc.accepted})" if exc.accepted else ""))
            return None
        payload = advice.to_json()
        payload["due_at"] = advice.next_check_due.isoformat()
        event = self.record(EventKind.ADVICE, payload)
        self.tick()
        return event

    def apply_advice(self) -> Event | None:
        """The nurse set the pump to the advised dose: record it (after any confirmation the core asks for)."""
        event = self._record_advised_dose()
        if event is not None and self._prompt_open():
            self._answer(ANSWER_APPLIED)
        return event

    def _record_advised_dose(self) -> Event | None:
        from norepi_gui.ui import advice_source

        advice = self.state.last_advice
        if advice is None:
            return None
        dose = as_float(advice.payload.get("dose_mcg_per_kg_per_min"))
        if dose is None:
            return None
        try:
            summary = advice_source.dose_summary(self.state, self.protocol, dose)
        except InputError as exc:
            self.statusBar().showMessage(f"Advice not applied: {exc}", 15000)
            return None
        confirmed = self._confirmations(summary)
        if confirmed is None:
            return None
        return self._record_dose(summary, DoseBasis.PER_KG, "advice", confirmed=confirmed,
                                 advice_event_id=advice.id)

    # ------------------------------------------------------------------------------------------------ table edits
    def delete_entry(self, event_id: int) -> None:
        event = self.recorder.effective_event(event_id)
        if event is None:
            return
        text = f"Delete {event.kind.value.lower().replace('_', ' ')} of {fmt_clock(event.at)}"
        self.undo_stack.push(DeleteEntryCommand(self.recorder, event_id, event.kind, event.payload, event.at, text))

    def delete_selected(self) -> None:
        event_id = self.table.selected_event_id()
        if event_id is not None:
            self.delete_entry(event_id)

    def correct_reading(self, event_id: int, reading: Reading) -> None:
        """Replace a reading's values and time (a CORRECTION event, undoable)."""
        from norepi_gui.ui import advice_source

        event = self.recorder.effective_event(event_id)
        assert event is not None, f"no entry {event_id}"
        new = advice_source.reading_payload(reading)
        text = f"Correct reading of {fmt_clock(event.at)}"
        self.undo_stack.push(CorrectEntryCommand(self.recorder, event_id, (event.payload, event.at),
                                                 (check_payload(new), reading.at), text))

    def correct_entry_time(self, event_id: int, at: datetime) -> None:
        """Move a dose change or co-infusion entry to the time it happened (a CORRECTION event, undoable); its
        doses, rates and checks stay as recorded."""
        row = self._timed_entry(event_id)
        event = self.recorder.effective_event(event_id)
        if row is None or event is None:
            raise ValueError(f"only dose changes and co-infusion entries take a time correction, not entry {event_id}")
        text = f"Correct time of {self._describe_entry(row)} of {fmt_clock(event.at)}"
        self.undo_stack.push(CorrectEntryCommand(self.recorder, event_id, (event.payload, event.at),
                                                 (event.payload, at), text))

    def _timed_entry(self, event_id: int) -> DoseRow | CoInfusionRow | None:
        """The dose change or co-infusion entry ``event_id`` of the session state (None: not one of those)."""
        rows: tuple[DoseRow | CoInfusionRow, ...] = (*self.state.doses, *self.state.co_infusion_log)
        return next((row for row in rows if row.event_id == event_id), None)

    def _describe_entry(self, row: DoseRow | CoInfusionRow) -> str:
        if isinstance(row, CoInfusionRow):
            return f"{row.drug} stop" if row.action == "stop" else f"{row.drug} {row.action} {row.dose:g} {row.unit}"
        if row.pump_rate_ml_per_h <= 0:
            return "norepinephrine stop"
        dose = (f"{fmt_dose(row.dose_mcg_per_kg_per_min)} mcg/kg/min" if row.dose_mcg_per_kg_per_min is not None
                else f"{fmt_dose(row.dose_mcg_per_min)} mcg/min")
        rate = fmt_rate(row.pump_rate_ml_per_h, self.protocol.pump.resolution_ml_per_h)
        return f"norepinephrine dose {dose} ({rate} mL/h)"

    def _edit_selected(self) -> None:
        event_id = self.table.selected_event_id()
        if event_id is None:
            return
        row = self._timed_entry(event_id)
        if row is not None:
            from norepi_gui.ui.entry_time_dialog import EntryTimeDialog  # rarely used: loaded when needed

            what = self._describe_entry(row)  # not str.capitalize(): that would turn "mL/h" into "ml/h"
            time_dialog = EntryTimeDialog(what[:1].upper() + what[1:], row.at, self.clock, self)
            if time_dialog.exec() and time_dialog.at is not None:
                self.correct_entry_time(event_id, time_dialog.at)
            return
        event = self.recorder.effective_event(event_id)
        if event is None:
            return
        if event.kind is not EventKind.READING:
            self.statusBar().showMessage("This entry cannot be corrected; delete it and record it again.", 8000)
            return
        from norepi_gui.ui.reading_dialog import ReadingDialog  # rarely used: loaded when needed

        dialog = ReadingDialog(event, self.clock, self)
        if dialog.exec() and dialog.reading is not None:
            self.correct_reading(event_id, dialog.reading)

    # ------------------------------------------------------------------------------------------------ settings
    def open_settings(self) -> None:
        from norepi_gui.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            dose_unit=self.view_settings.dose_unit,
            pump_resolution=self.protocol.pump.resolution_ml_per_h,
            sound_enabled=self.view_settings.sound_enabled,
            sound_volume=self.view_settings.sound_volume,
            protocol_path=self._protocol_path,
            protocol=self._base_protocol,
            parent=self,
        )
        if dialog.exec() and dialog.choice is not None:
            self.apply_settings(dialog.choice)

    def apply_settings(self, choice: SettingsChoice) -> None:
        """Store view preferences; record settings that change the session's numbers as SETTING events."""
        self.view_settings.dose_unit = choice.dose_unit
        sound_changed = choice.sound_enabled != self.view_settings.sound_enabled
        self.view_settings.sound_enabled = choice.sound_enabled
        self.view_settings.sound_volume = choice.sound_volume
        self.sound.enabled = choice.sound_enabled
        self.infusion_panel.dose_unit.setCurrentText(choice.dose_unit)
        if choice.protocol_path != self._protocol_path or choice.protocol.meta != self._base_protocol.meta:
            self._protocol_path = choice.protocol_path
            self.view_settings.protocol_path = choice.protocol_path
            self._base_protocol = choice.protocol
            self.record(EventKind.SETTING, {"key": SETTING_PROTOCOL, "value": {
                "source": choice.protocol.source, "name": choice.protocol.meta.name,
                "version": choice.protocol.meta.version}})
        if sound_changed and self.recorder.writable:  # silencing prompts is part of the record
            self.record(EventKind.SETTING, {"key": "sound_enabled", "value": choice.sound_enabled})
        if abs(choice.pump_resolution_ml_per_h - self.protocol.pump.resolution_ml_per_h) > 1e-12:
            self.record(EventKind.SETTING, {"key": SETTING_PUMP_RESOLUTION,
                                            "value": choice.pump_resolution_ml_per_h})
        self._apply_session_settings()
        self.refresh()

    # ------------------------------------------------------------------------------------------------ file menu
    def _new_session_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        label, ok = QInputDialog.getText(self, "New session", "Patient / bed label:")
        if ok:
            if self.recorder.writable and not self.confirm(
                    "New session", "The current session will be closed (it stays on disk). Continue?"):
                return
            self.new_session(label.strip() or None)

    def _open_session_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        sessions = self.recorder.sessions()
        if not sessions:
            self.statusBar().showMessage("No sessions recorded yet.", 5000)
            return
        names = [self._session_title(s) for s in reversed(sessions)]
        choice, ok = QInputDialog.getItem(self, "Open session", "Session:", names, 0, False)
        if ok:
            self.load_session(list(reversed(sessions))[names.index(choice)].id)

    @staticmethod
    def _session_title(s: SessionInfo) -> str:
        state = "open" if s.closed_at is None else f"closed {fmt_date_time(s.closed_at)}"
        return f"{s.id}: {s.label} \u2014 {fmt_date_time(s.created_at)} ({state})"

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        known = {s.id: s for s in self.recorder.sessions()}
        for sid in self.view_settings.recent_sessions():
            info = known.get(sid)
            if info is None:
                continue
            action = self.recent_menu.addAction(self._session_title(info))
            action.setData(sid)
            action.triggered.connect(self._open_recent)
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and isinstance(action.data(), int):
            self.load_session(action.data())

    def export_csv(self, path: Path) -> None:
        if self.session is None:
            raise RuntimeError("no session to export")
        self.recorder.store.export_csv(self.session.id, path)
        self.statusBar().showMessage(f"Exported {path}", 8000)

    def _export_csv_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.session is None:
            self.statusBar().showMessage("No session to export.", 5000)
            return
        prefix = "training-session" if self.session.is_training else "session"  # the CSV's training column says 1
        path, _f = QFileDialog.getSaveFileName(self, "Export CSV", f"{prefix}-{self.session.id}.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def _export_pdf_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.session is None:
            self.statusBar().showMessage("No session to export.", 5000)
            return
        prefix = "training-handover" if self.session.is_training else "handover"
        path, _f = QFileDialog.getSaveFileName(self, "Export PDF handover", f"{prefix}-{self.session.id}.pdf",
                                               "PDF (*.pdf)")
        if path:
            self.statusBar().showMessage(self.export_pdf(Path(path)), 10000)

    def export_pdf(self, path: Path) -> str:
        """The handover PDF; a training session's carries the training mark."""
        from norepi_gui.ui import handover  # loads the report module only when asked

        if self.session is not None and self.session.is_training:
            from norepi_gui.ui.debrief_dialog import export_training_handover_pdf

            return export_training_handover_pdf(self, path)
        return handover.export_pdf(self, path)

    def _print_dialog(self) -> None:
        from norepi_gui.ui import handover

        if self.session is None:
            self.statusBar().showMessage("No session to print.", 5000)
            return
        if self.session.is_training:  # training mode: the printed handover carries the training mark
            from norepi_gui.ui.debrief_dialog import print_training_handover

            self.statusBar().showMessage(print_training_handover(self), 10000)
            return
        self.statusBar().showMessage(handover.print_report(self), 10000)

    def _close_session_dialog(self) -> None:
        if self.recorder.writable and self.confirm("Close session", "Close this session? It stays on disk, "
                                                   "read-only; new entries start a new session."):
            self.recorder.close_current()
            self.undo_stack.clear()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About norepi-gui",
                          f"norepi-gui {package_version()}\n\n{DISCLAIMER}\n\nProtocol: {self.protocol.meta.name} "
                          f"{self.protocol.meta.version} ({self.protocol.source})")

    # ------------------------------------------------------------------------------------------------ closing
    def _ask_yes_no(self, title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.ticker.stop()
        self.view_settings.save_window(self.saveGeometry(), self.saveState())
        self.view_settings.sync()
        self.recorder.close()
        super().closeEvent(event)
