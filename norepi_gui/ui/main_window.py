"""The bedside window: layout, the action table, settings and files. Nothing clinical happens here.

Every entry goes to the bedside layer (:class:`norepi_gui.bedside.session.BedsideSession`) through
:class:`norepi_gui.ui.controller.BedsideController`; the panels subscribe to the controller's signals and redraw what
they show, once per operation. ``docs/architecture.md`` follows one reading from the Enter key to the screen.

Start-up can be progressive (``MainWindow(..., progressive=True)``, what the launcher uses): the window, with every
panel, field and menu, is built and painted before numpy, pint and pyqtgraph are imported; the plot area says
"Loading plot…" and the infusion figures wait. Right after that first paint (:meth:`MainWindow.complete`) the
session database is opened, the unit registry and the titration engine loaded, the figures computed and the plot
built and drawn; then ``completed`` is emitted. Built the default way, everything is there when the constructor
returns.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QScrollArea, QSplitter, QVBoxLayout, QWidget

from norepi_gui import DISCLAIMER, package_version
from norepi_gui.bedside.records import SETTING_PUMP_RESOLUTION, SETTING_SOUND
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import Clock, SystemClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.protocol import Protocol, load_protocol_or_shipped
from norepi_gui.ui.coinfusion_panel import CoInfusionPanel
from norepi_gui.ui.controller import BedsideController
from norepi_gui.ui.formatting import decimals_for, fmt_clock, fmt_date_time
from norepi_gui.ui.infusion_panel import InfusionPanel
from norepi_gui.ui.patient_panel import PatientPanel
from norepi_gui.ui.plot_area import PlotArea
from norepi_gui.ui.plot_view import PlotView
from norepi_gui.ui.prompt_banner import PromptBanner
from norepi_gui.ui.qt_values import SCROLL_BAR_ALWAYS_OFF, WIDGET_WITH_CHILDREN_SHORTCUT, set_enum_property
from norepi_gui.ui.readings_panel import ReadingsPanel
from norepi_gui.ui.readings_table import ReadingsTable
from norepi_gui.ui.sound import PromptSound
from norepi_gui.ui.ticker import ClockTicker
from norepi_gui.ui.titration_panel import TitrationPanel
from norepi_gui.ui.view_settings import ViewSettings

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.bedside.changes import Change, FieldProblem
    from norepi_gui.bedside.session import Store
    from norepi_gui.bedside.state import SessionState
    from norepi_gui.core.events import Event, SessionInfo
    from norepi_gui.core.handover import HandoverData
    from norepi_gui.core.titration import Reading
    from norepi_gui.ui.map_plot import MapPlot
    from norepi_gui.ui.settings_dialog import SettingsChoice
    from norepi_gui.ui.training_panel import TrainingController

ConfirmFn = Callable[[str, str], bool]

COMPLETE_WITHOUT_PAINT_MS = 2000  # a progressive window completes by then even if it was never painted
#: Events that are part of the record but not announced on the status line (what was shown, training internals).
QUIET_KINDS = frozenset({EventKind.PROMPT_SHOWN, EventKind.ADVICE, EventKind.SIM_EVENT})


@dataclass(frozen=True)
class ActionInfo:
    """One menu action: ``MainWindow.action_<key>`` runs ``MainWindow.<slot>``."""

    key: str
    menu: str  # file | edit | bedside | help
    text: str
    slot: str
    shortcut: str | QKeySequence.StandardKey | None = None
    table_only: bool = False  # a shortcut that acts only while the readings table has focus
    separator_before: bool = False


ACTIONS: tuple[ActionInfo, ...] = (
    ActionInfo("new", "file", "&New session\u2026", "new_session_dialog", QKeySequence.StandardKey.New),
    ActionInfo("open", "file", "&Open session\u2026", "open_session_dialog", QKeySequence.StandardKey.Open),
    ActionInfo("export_csv", "file", "Export &CSV\u2026", "export_csv_dialog", separator_before=True),
    ActionInfo("export_pdf", "file", "Export &PDF handover\u2026", "export_pdf_dialog"),
    ActionInfo("print", "file", "&Print handover\u2026", "print_dialog", QKeySequence.StandardKey.Print),
    ActionInfo("close_session", "file", "C&lose session", "close_session_dialog", separator_before=True),
    ActionInfo("quit", "file", "&Quit", "close", QKeySequence.StandardKey.Quit),
    ActionInfo("undo", "edit", "&Undo", "undo", QKeySequence.StandardKey.Undo),
    ActionInfo("redo", "edit", "&Redo", "redo", QKeySequence.StandardKey.Redo),
    ActionInfo("edit_entry", "edit", "&Correct selected entry\u2026", "edit_selected", "F2", table_only=True,
               separator_before=True),
    ActionInfo("delete_entry", "edit", "&Delete selected entry", "delete_selected", QKeySequence.StandardKey.Delete,
               table_only=True),
    ActionInfo("settings", "edit", "&Settings\u2026", "open_settings", QKeySequence.StandardKey.Preferences,
               separator_before=True),
    ActionInfo("record", "bedside", "&Record reading", "record_typed_reading", "Ctrl+Return"),
    ActionInfo("focus_map", "bedside", "&Focus MAP entry", "focus_map_entry", "Ctrl+M"),
    ActionInfo("acknowledge", "bedside", "&Acknowledge prompt (applied)", "acknowledge_shortcut", "Ctrl+K"),
    ActionInfo("about", "help", "&About norepi-gui", "show_about"),
)
MENUS = (("file", "&File"), ("edit", "&Edit"), ("bedside", "&Bedside"), ("help", "&Help"))


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
    # one per entry of ACTIONS (set by _build_menus)
    action_new: QAction
    action_open: QAction
    action_export_csv: QAction
    action_export_pdf: QAction
    action_print: QAction
    action_close_session: QAction
    action_quit: QAction
    action_undo: QAction
    action_redo: QAction
    action_edit_entry: QAction
    action_delete_entry: QAction
    action_settings: QAction
    action_record: QAction
    action_focus_map: QAction
    action_acknowledge: QAction
    action_about: QAction

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
        self._shown_once = False
        self.is_complete = not progressive
        self.data_dir = Path(data_dir)
        import time

        self._started_at = time.time()  # file times are wall-clock: a raise request after this start is for us
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.training = training
        self.training_controller: TrainingController | None = None
        if training:  # simulated time is the window's clock
            from norepi_gui.core.clock import SimulatedClock

            if not isinstance(self.clock, SimulatedClock):
                self.clock = SimulatedClock(self.clock)
        self.view_settings = ViewSettings(self.data_dir)
        self._protocol_path = protocol_path if protocol_path is not None else self.view_settings.protocol_path
        self.protocol_problem: str | None = None
        if protocol is None:
            protocol, self.protocol_problem = self._load_protocol(self._protocol_path)
        self.bedside = BedsideSession(self._open_store, self.clock, protocol, training=training,
                                      confirm=self._ask_yes_no)
        self.controller = BedsideController(self.bedside, self)
        self.sound = PromptSound(enabled=self.view_settings.sound_enabled)
        self.ticker = ClockTicker(parent=self)

        self._build()
        self._build_menus()
        self._bind()
        if training:  # training mode: banner, training bar, instructor dock, Training menu
            from norepi_gui.core.clock import SimulatedClock
            from norepi_gui.ui.training_panel import EntryPanels, TrainingController

            assert isinstance(self.clock, SimulatedClock)
            self.training_controller = TrainingController(
                self, self.controller, EntryPanels(self.patient_panel, self.infusion_panel, self.co_panel),
                lambda: self.plot, self.clock)
            self.training_controller.install_menu(self.menuBar())
        self._set_tab_order()
        self.resize(1440, 900)
        geometry = self.view_settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.view_settings.window_state()
        if state is not None:
            self.restoreState(state)
        if not progressive:
            self._open_database()
        self.controller.session_changed.emit()  # every view draws the (empty) state once
        self.tick()
        if self.protocol_problem:
            self.statusBar().showMessage(self.protocol_problem)

    # ------------------------------------------------------------------------------------------------ building
    def _open_store(self) -> Store:
        from norepi_gui.core.session_log import SessionStore

        return SessionStore(self.data_dir, self.clock)

    def _open_database(self) -> None:
        """Open the session database now: a problem is shown at once, never at the first entry."""
        problem = self.bedside.open_store()
        if problem:
            self._show_failure(problem)

    @staticmethod
    def _load_protocol(path: Path | None) -> tuple[Protocol, str | None]:
        """The protocol file, or the shipped protocol and the reason the file was refused."""
        return load_protocol_or_shipped(path)

    def _build(self) -> None:
        p = self.bedside.protocol
        self.patient_panel = PatientPanel(p, self.clock)
        self.infusion_panel = InfusionPanel(p, hold_figures=self._progressive)
        self.infusion_panel.dose_unit.setCurrentText(self.view_settings.dose_unit)
        self.co_panel = CoInfusionPanel(p)
        self.readings_panel = ReadingsPanel(self.clock)
        self.table = ReadingsTable()
        self.plot_area = PlotArea(build_now=not self._progressive)
        self.titration = TitrationPanel()
        self.banner = PromptBanner()
        self.recording_alarm = QLabel()
        self.recording_alarm.setObjectName("recordingAlarm")
        self.recording_alarm.setAccessibleName("Not recorded: alarm")
        self.recording_alarm.setWordWrap(True)
        # high priority (IEC 60601-1-8): red, with the words and the symbol, never colour alone
        self.recording_alarm.setStyleSheet("background: #C00000; color: #FFFFFF; font-weight: bold; padding: 6px;")
        self.recording_alarm.hide()
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
        cl.addWidget(self.recording_alarm)
        cl.addWidget(self.banner)
        cl.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.session_label = QLabel()
        self.session_label.setObjectName("sessionLabel")
        self.statusBar().addPermanentWidget(self.session_label)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        menus: dict[str, QMenu] = {key: bar.addMenu(title) for key, title in MENUS}
        for info in ACTIONS:
            menu = menus[info.menu]
            if info.separator_before:
                menu.addSeparator()
            action = QAction(info.text, self)
            action.setObjectName(f"action_{info.key}")
            # setShortcuts, not setShortcut: choosing among setShortcut's overloads makes PySide6 build the enums of
            # the whole Qt namespace (see qt_values), ~25 ms before the first paint.
            if isinstance(info.shortcut, QKeySequence.StandardKey):
                action.setShortcuts(info.shortcut)  # the platform's key(s) for it
            elif info.shortcut is not None:
                action.setShortcuts([QKeySequence(info.shortcut)])
            if info.table_only:
                set_enum_property(action, "shortcutContext", WIDGET_WITH_CHILDREN_SHORTCUT)
                self.table.addAction(action)
            action.triggered.connect(getattr(self, info.slot))
            menu.addAction(action)
            setattr(self, f"action_{info.key}", action)
            if info.key == "open":
                self.recent_menu = QMenu("Open &recent", self)
                self.recent_menu.setObjectName("recentMenu")
                self.recent_menu.aboutToShow.connect(self._fill_recent)
                menu.addMenu(self.recent_menu)
        native = QKeySequence.SequenceFormat.NativeText
        self.readings_panel.add_button.setToolTip(f"Enter, or {QKeySequence('Ctrl+Return').toString(native)}")
        self.banner.acknowledge.setToolTip(QKeySequence("Ctrl+K").toString(native))
        self._show_undo()

    def _bind(self) -> None:
        """Each panel records through the controller and subscribes to what it shows."""
        c = self.controller
        self.patient_panel.bind(c)
        self.infusion_panel.bind(c)
        self.co_panel.bind(c)
        self.readings_panel.bind(c)
        self.table.bind(c)
        self.titration.bind(c, self.resolution_format)
        self.banner.bind(c)
        self.plot_view = PlotView(c, self.plot_area, self)
        self.banner.new_reading.connect(self.focus_map_entry)
        self.table.doubleClicked.connect(self.edit_selected)
        c.session_changed.connect(self._session_changed)
        c.settings_changed.connect(self._settings_changed)
        c.patient_changed.connect(self._show_line_note)
        c.prompt_changed.connect(self._show_prompt)
        c.undo_changed.connect(self._show_undo)
        c.events_recorded.connect(self._announce)
        c.message.connect(self._show_message)
        c.failed.connect(self._show_failure)
        c.problem.connect(self._show_problem)

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

        self._open_database()
        registry()  # pint and the unit definitions: loaded now, not on the nurse's first entry
        importlib.import_module("norepi_gui.core.titration.engine")  # the titration engine: likewise
        self.infusion_panel.release_figures()
        self.plot_area.ensure_built()  # drawn from the record by the plot view (built signal)
        self.is_complete = True
        self.infusion_panel.follow_record()  # now with the bag counted down
        self.tick()  # the advice and the check cycle, derived from the record now
        self.completed.emit()

    # ------------------------------------------------------------------------------------------------ the record
    @property
    def state(self) -> SessionState:
        return self.bedside.state

    @property
    def session(self) -> SessionInfo | None:
        return self.bedside.info

    @property
    def protocol(self) -> Protocol:
        return self.bedside.protocol

    @property
    def confirm(self) -> ConfirmFn:
        """Asked before anything the core says needs confirmation; tests replace it."""
        return self.bedside.confirm

    @confirm.setter
    def confirm(self, ask: ConfirmFn) -> None:
        self.bedside.confirm = ask

    def resolution_format(self) -> str:
        """A format for rates at the pump's resolution, e.g. "{:.1f}"."""
        return "{:." + str(decimals_for(self.protocol.pump.resolution_ml_per_h)) + "f}"

    def record_reading(self, reading: Reading) -> None:
        """Chart a reading (as the Enter key in the reading entry does)."""
        self.controller.record_reading(reading)

    def record_typed_reading(self) -> None:
        self.readings_panel.request_record()

    def resumable_sessions(self) -> list[SessionInfo]:
        """Sessions never closed (e.g. after a crash): what the start-up offers to resume."""
        return self.bedside.resumable()

    def offer_resume(self, ask: ConfirmFn | None = None) -> SessionInfo | None:
        """Offer the most recent open session; load it when the nurse agrees."""
        ask = ask if ask is not None else self.confirm
        open_sessions = self.resumable_sessions()
        if not open_sessions:
            return None
        latest = open_sessions[-1]
        count = len(self.bedside.store.events(latest.id))
        text = (f"Session \u201c{latest.label}\u201d started {fmt_date_time(latest.created_at)} was not closed "
                f"({count} recorded events). Resume it?")
        if ask("Resume session", text):
            return self.load_session(latest.id)
        return None

    def load_session(self, session_id: int) -> SessionInfo:
        self.controller.open_session(session_id)
        info = self.bedside.info
        assert info is not None
        return info

    def new_session(self, label: str | None = None) -> SessionInfo:
        self.controller.new_session(label or self.bedside.default_label())
        info = self.bedside.info
        assert info is not None
        return info

    # ------------------------------------------------------------------------------------------------ redraw
    def _session_changed(self) -> None:
        if self.session is not None:
            self.view_settings.add_recent(self.session.id)
        self._settings_changed()
        self._show_line_note()
        self._show_title()
        self._show_prompt()

    def _settings_changed(self) -> None:
        for panel in (self.patient_panel, self.infusion_panel, self.co_panel):
            panel.set_protocol(self.protocol)
        self._show_title()

    def _show_line_note(self) -> None:
        note = self.bedside.line_note()
        self.line_note.setVisible(note is not None)
        self.line_note.setText(note or "")

    def _show_title(self) -> None:
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

    def _show_prompt(self) -> None:
        now = self.clock.now()
        self.titration.show_due(self.bedside.prompt.due_at, now)
        self.banner.follow(now)

    def _show_undo(self) -> None:
        stack = self.bedside.undo_stack
        self.action_undo.setEnabled(stack.can_undo)
        self.action_undo.setText(f"&Undo {stack.undo_text}" if stack.can_undo else "&Undo")
        self.action_redo.setEnabled(stack.can_redo)
        self.action_redo.setText(f"&Redo {stack.redo_text}" if stack.can_redo else "&Redo")

    def _announce(self, events: tuple[Event, ...]) -> None:
        if any(e.kind is EventKind.PROMPT_SHOWN for e in events):
            self.sound.alert()
        shown = next((e for e in events if e.kind not in QUIET_KINDS), None)
        if shown is not None:
            if not self.bedside.recording_stopped:
                self.recording_alarm.hide()  # recording works again (e.g. space on the disk was freed)
            self.statusBar().showMessage(f"\u2713 Recorded {shown.kind.value.lower().replace('_', ' ')} at "
                                         f"{fmt_clock(shown.recorded_at)}", 8000)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def _show_failure(self, text: str) -> None:
        """A write that failed: shown at once, in the high-priority colours, until an entry is recorded again
        (for good when recording has stopped); the value stays in its field."""
        stopped = self.bedside.recording_stopped
        prefix = "RECORDING STOPPED" if stopped else "NOT RECORDED"
        self.recording_alarm.setText(f"\u26a0 !!! {prefix}: {text}")
        self.recording_alarm.show()
        self.statusBar().showMessage(f"\u26a0 !!! {text}")

    def _show_problem(self, problem: FieldProblem) -> None:
        if problem.field == "weight":
            self.patient_panel.weight.show_error(problem.message)
        elif problem.field == "reason":
            self.banner.reason_status.show_error(problem.message)
            self.banner.reason.setFocus()

    def startup_notes(self) -> str:
        """What was refused or set aside at start, in words (empty when nothing was)."""
        notes = list(self.view_settings.warnings)
        if self.protocol_problem:
            notes.append(self.protocol_problem)
        store = self.bedside.store_if_open()
        if store is not None:
            notes.extend(getattr(store, "warnings", []))
        return "\n\n".join(notes)

    def show_startup_notes(self, show: Callable[[QWidget, str], None]) -> None:
        notes = self.startup_notes()
        if notes:
            self.statusBar().showMessage(notes.replace("\n\n", " | "), 30000)
            show(self, notes)

    def _raise_if_asked(self) -> None:
        """A second start on this data folder asked for this window: bring it forward."""
        from norepi_gui.core.instance_lock import raise_requested

        asked = raise_requested(self.data_dir)
        if asked is not None and asked > self._started_at:
            self._started_at = asked
            self.showNormal()
            self.raise_()
            self.activateWindow()

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
        """Once a second (and whenever a test moves the clock): the record's time-dependent parts, countdowns."""
        if self.training_controller is not None:  # training mode: the virtual patient catches up with the clock
            self.training_controller.advance()
        if self.is_complete:  # the engine and pint are loaded: time may re-derive the advice
            self.controller.tick()
        self.readings_panel.tick()
        now = self.clock.now()
        prompt = self.bedside.prompt
        self.titration.show_due(prompt.due_at, now)
        self.banner.follow(now)
        self.sound.tick(prompt.priority if prompt.open else None)
        self._raise_if_asked()

    # ------------------------------------------------------------------------------------------------ actions
    def focus_map_entry(self) -> None:
        self.readings_panel.focus_map()

    def acknowledge_shortcut(self) -> None:
        if self.bedside.due_now():
            self.controller.answer_applied()

    def snooze_prompt(self) -> Change:
        return self.controller.snooze()

    def undo(self) -> None:
        self.controller.undo()

    def redo(self) -> None:
        self.controller.redo()

    def delete_selected(self) -> None:
        event_id = self.table.selected_event_id()
        if event_id is not None:
            self.controller.delete_entry(event_id)

    def correct_reading(self, event_id: int, reading: Reading) -> None:
        self.controller.correct_reading(event_id, reading)

    def correct_entry_time(self, event_id: int, at: datetime) -> None:
        self.controller.correct_entry_time(event_id, at)

    def edit_selected(self) -> None:
        event_id = self.table.selected_event_id()
        if event_id is None:
            return
        row = self.bedside.timed_entry(event_id)
        if row is not None:
            from norepi_gui.ui.entry_time_dialog import EntryTimeDialog  # rarely used: loaded when needed

            what = self.bedside.describe_entry(row)  # not str.capitalize(): that would turn "mL/h" into "ml/h"
            time_dialog = EntryTimeDialog(what[:1].upper() + what[1:], row.at, self.clock, self)
            if time_dialog.exec() and time_dialog.at is not None:
                self.correct_entry_time(event_id, time_dialog.at)
            return
        event = self.state.effective_event(event_id)
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
            protocol=self.bedside.base_protocol,
            scenario_folder=self.view_settings.scenario_folder,
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
        self.view_settings.scenario_folder = choice.scenario_folder
        self.infusion_panel.dose_unit.setCurrentText(choice.dose_unit)
        if choice.protocol_path != self._protocol_path or choice.protocol.meta != self.bedside.base_protocol.meta:
            self._protocol_path = choice.protocol_path
            self.view_settings.protocol_path = choice.protocol_path
            self.controller.set_base_protocol(choice.protocol)
        if sound_changed and self.bedside.writable:  # silencing prompts is part of the record
            self.controller.set_setting(SETTING_SOUND, choice.sound_enabled)
        if abs(choice.pump_resolution_ml_per_h - self.protocol.pump.resolution_ml_per_h) > 1e-12:
            self.controller.set_setting(SETTING_PUMP_RESOLUTION, choice.pump_resolution_ml_per_h)

    # ------------------------------------------------------------------------------------------------ file menu
    def new_session_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        label, ok = QInputDialog.getText(self, "New session", "Patient / bed label:")
        if ok:
            if self.bedside.writable and not self.confirm(
                    "New session", "The current session will be closed (it stays on disk). Continue?"):
                return
            self.new_session(label.strip() or None)

    def open_session_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        sessions = self.bedside.sessions()
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
        known = {s.id: s for s in self.bedside.sessions()}
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

    def export_csv(self, path: Path) -> str:
        """The raw event log as CSV, written atomically; the message says what happened (a failure in words)."""
        from norepi_gui.core.session_log import SessionStore
        from norepi_gui.core.storage_errors import StorageError

        if self.session is None:
            raise RuntimeError("no session to export")
        store = self.bedside.store
        assert isinstance(store, SessionStore)
        try:
            store.export_csv(self.session.id, path)
        except StorageError as exc:
            message = f"\u26a0 CSV not exported: {exc}"
            self._show_export_failure(message)
            return message
        message = f"Exported {path}"
        self.statusBar().showMessage(message, 8000)
        return message

    def _show_export_failure(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.statusBar().showMessage(message, 30000)
        if self.isVisible():
            QMessageBox.warning(self, "Export failed", message)

    def export_csv_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.session is None:
            self.statusBar().showMessage("No session to export.", 5000)
            return
        prefix = "training-session" if self.session.is_training else "session"  # the CSV's training column says 1
        path, _f = QFileDialog.getSaveFileName(self, "Export CSV", f"{prefix}-{self.session.id}.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))  # shows its own message

    def export_pdf_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.session is None:
            self.statusBar().showMessage("No session to export.", 5000)
            return
        prefix = "training-handover" if self.session.is_training else "handover"
        path, _f = QFileDialog.getSaveFileName(self, "Export PDF handover", f"{prefix}-{self.session.id}.pdf",
                                               "PDF (*.pdf)")
        if path:
            self.statusBar().showMessage(self.export_pdf(Path(path)), 10000)

    def handover_data(self) -> HandoverData:
        """The handover report's content now; a training session's carries the training mark."""
        from norepi_gui.ui.handover import handover_data

        data = handover_data(self.bedside, self.resolution_format())
        if self.session is not None and self.session.is_training:
            from norepi_gui.ui.debrief_dialog import mark_handover

            data = mark_handover(data, self.session.scenario)
        return data

    def export_pdf(self, path: Path) -> str:
        """The handover PDF, written to a temporary file, checked and renamed: a failure leaves any file at ``path``
        as it was and says so."""
        from norepi_gui.core.export_file import check_pdf, export_target
        from norepi_gui.core.handover import DEFAULT_WINDOW_HOURS
        from norepi_gui.core.storage_errors import StorageError
        from norepi_gui.ui.report import write_handover_pdf

        what = "Training handover" if self.session is not None and self.session.is_training else "Handover"
        try:
            with export_target(path, verify=check_pdf) as temporary:
                write_handover_pdf(temporary, self.handover_data(),
                                   self.plot.render_image(DEFAULT_WINDOW_HOURS * 3600))
        except StorageError as exc:
            message = f"\u26a0 {what} not written: {exc}"
            self._show_export_failure(message)
            return message
        return f"{what} written to {path}"

    def print_dialog(self) -> None:
        from norepi_gui.core.handover import DEFAULT_WINDOW_HOURS
        from norepi_gui.ui.handover import print_report

        if self.session is None:
            self.statusBar().showMessage("No session to print.", 5000)
            return
        image = self.plot.render_image(DEFAULT_WINDOW_HOURS * 3600)
        self.statusBar().showMessage(print_report(self, self.handover_data(), image), 10000)

    def close_session_dialog(self) -> None:
        if self.bedside.writable and self.confirm("Close session", "Close this session? It stays on disk, "
                                                  "read-only; new entries start a new session."):
            self.controller.close_session()

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
        self.bedside.close_store()
        super().closeEvent(event)
