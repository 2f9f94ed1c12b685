"""The bedside window: layout, the action table, settings and files. Nothing clinical happens here.

Every entry goes to the bedside layer (:class:`norepi_gui.bedside.session.BedsideSession`) through
:class:`norepi_gui.ui.controller.BedsideController`; the panels subscribe to the controller's signals and redraw what
they show, once per operation. ``docs/architecture.md`` follows one reading from the Enter key to the screen.

Layout, top to bottom: the bedside strip (the latest MAP, the dose, the bag, the line, time in band, the next check:
always in view), the alarm area (always there, one height, so nothing moves when an alarm comes), then the entry tabs
(Infusion, Patient, Co-infusions), the plot with the reading entry and the table, and the advice. The window opens
to the available screen and remembers where it was; every part reflows down to 1280x720.

Keys: the declarative ``ACTIONS`` table (menus and shortcuts) and ``MNEMONICS`` (Alt+letter to a field, on whichever
tab it is); Help > Keyboard (F1) lists both. Ctrl+Z undoes the last entry unless the field being typed in has its
own text to undo. The wheel never changes a field without the focus.

The bedside monitor feed (Settings > Monitor, off by default) runs in :class:`~norepi_gui.ui.monitor_service.
MonitorService`, started once the database is open; its values reach the session through the controller, the strip
shows the linked bed and the feed's state, and a due check offers the monitor's summary (F3 charts it).

Start-up can be progressive (``MainWindow(..., progressive=True)``, what the launcher uses): the window, with every
panel, field and menu, is built and painted before numpy, pint and pyqtgraph are imported; the plot area says
"Loading plot…" and the infusion figures wait. Right after that first paint (:meth:`MainWindow.complete`) the
session database is opened, the unit registry and the titration engine loaded, the figures computed and the plot
built and drawn; then ``completed`` is emitted. Built the default way, everything is there when the constructor
returns.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPaintEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from norepi_gui import DISCLAIMER, package_version
from norepi_gui.bedside.records import SETTING_PUMP_RESOLUTION, SETTING_SOUND, SITE_OK, SITE_PROBLEM
from norepi_gui.bedside.session import BedsideSession
from norepi_gui.core.clock import Clock, SteadyClock, SystemClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.protocol import Protocol, load_protocol_or_shipped
from norepi_gui.ui import theme as themes
from norepi_gui.ui.bedside_strip import BedsideStrip
from norepi_gui.ui.coinfusion_panel import CoInfusionPanel
from norepi_gui.ui.controller import BedsideController
from norepi_gui.ui.formatting import DisplayFormat, decimals_for, fmt_clock, fmt_date_time
from norepi_gui.ui.infusion_panel import InfusionPanel
from norepi_gui.ui.order_panel import OrderPanel
from norepi_gui.ui.patient_panel import PatientPanel
from norepi_gui.ui.plot_area import PlotArea
from norepi_gui.ui.plot_view import PlotView
from norepi_gui.ui.prompt_banner import AlarmArea, PromptBanner
from norepi_gui.ui.qt_values import SCROLL_BAR_ALWAYS_OFF, WIDGET_WITH_CHILDREN_SHORTCUT, set_enum_property
from norepi_gui.ui.quality_panel import QualityPanel
from norepi_gui.ui.readings_panel import ReadingsPanel
from norepi_gui.ui.readings_table import ReadingsTable
from norepi_gui.ui.shift_panel import ShiftPanel
from norepi_gui.ui.sound import AlarmSound, RecordingPlayer, platform_player
from norepi_gui.ui.ticker import ClockTicker
from norepi_gui.ui.titration_panel import TitrationPanel
from norepi_gui.ui.view_settings import MAX_FONT_STEPS, MIN_FONT_STEPS, ViewSettings
from norepi_gui.ui.widgets import WheelGuard, guard_wheel, rescale_fonts, set_role

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import Change, FieldProblem
    from norepi_gui.bedside.session import Store
    from norepi_gui.bedside.state import SessionState
    from norepi_gui.core.events import Event, SessionInfo
    from norepi_gui.core.handover import HandoverData
    from norepi_gui.core.titration import Reading
    from norepi_gui.monitor.settings import MonitorSettings
    from norepi_gui.ui.map_plot import MapPlot
    from norepi_gui.ui.monitor_service import MonitorService
    from norepi_gui.ui.settings_dialog import SettingsChoice
    from norepi_gui.ui.training_panel import TrainingController

ConfirmFn = Callable[[str, str], bool]

COMPLETE_WITHOUT_PAINT_MS = 2000  # a progressive window completes by then even if it was never painted
#: Events that are part of the record but not announced on the status line (what was shown, training internals).
QUIET_KINDS = frozenset({EventKind.PROMPT_SHOWN, EventKind.ADVICE, EventKind.SIM_EVENT, EventKind.MONITOR_SAMPLES,
                         EventKind.MONITOR_LINK})
RECORDED_WORDS = {
    EventKind.READING: "reading", EventKind.NE_DOSE: "norepinephrine dose", EventKind.INFUSION: "bag",
    EventKind.PERFUSION: "perfusion entry", EventKind.PATIENT: "patient details", EventKind.SITE_CHECK: "site check",
    EventKind.AUDIO_PAUSED: "alarm sound pause", EventKind.PROMPT_ANSWERED: "answer", EventKind.PROMPT_SNOOZED:
    "snooze", EventKind.CO_INFUSION: "co-infusion", EventKind.DELETION: "deletion", EventKind.CORRECTION:
    "correction", EventKind.SETTING: "setting",
}


@dataclass(frozen=True)
class ActionInfo:
    """One menu action: ``MainWindow.action_<key>`` runs ``MainWindow.<slot>``."""

    key: str
    menu: str  # file | edit | view | bedside | help
    text: str
    slot: str
    shortcut: str | tuple[str, ...] | QKeySequence.StandardKey | None = None
    table_only: bool = False  # a shortcut that acts only while the readings table has focus
    separator_before: bool = False
    checkable: bool = False


ACTIONS: tuple[ActionInfo, ...] = (
    ActionInfo("new", "file", "&New session\u2026", "new_session_dialog", QKeySequence.StandardKey.New),
    ActionInfo("open", "file", "&Open session\u2026", "open_session_dialog", QKeySequence.StandardKey.Open),
    ActionInfo("export_flowsheet", "file", "Export &flowsheet CSV\u2026", "export_flowsheet_dialog",
               separator_before=True),
    ActionInfo("export_csv", "file", "Export event &log CSV (audit)\u2026", "export_csv_dialog"),
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
    ActionInfo("night_mode", "view", "&Night mode", "toggle_night_mode", "Ctrl+Shift+D", checkable=True),
    ActionInfo("zoom_in", "view", "&Larger text", "larger_text", ("Ctrl++", "Ctrl+="), separator_before=True),
    ActionInfo("zoom_out", "view", "&Smaller text", "smaller_text", "Ctrl+-"),
    ActionInfo("zoom_reset", "view", "&Usual text size", "usual_text", "Ctrl+0"),
    ActionInfo("record", "bedside", "&Record reading", "record_typed_reading", "Ctrl+Return"),
    ActionInfo("focus_map", "bedside", "&Focus MAP entry (new reading)", "focus_map_entry", "Ctrl+M"),
    ActionInfo("acknowledge", "bedside", "&Acknowledge prompt (applied)", "acknowledge_shortcut", "Ctrl+K",
               separator_before=True),
    ActionInfo("not_applied", "bedside", "Advice &not applied (reason)\u2026", "not_applied_shortcut",
               "Ctrl+Shift+K"),
    ActionInfo("snooze", "bedside", "&Snooze prompt", "snooze_prompt", "Ctrl+Shift+S"),
    ActionInfo("apply_advice", "bedside", "Apply advised &dose\u2026", "apply_advice", "Ctrl+Shift+A"),
    ActionInfo("chart_monitor", "bedside", "C&hart the monitor's MAP", "chart_monitor_value", "F3"),
    ActionInfo("new_bag", "bedside", "New &bag hung\u2026", "new_bag_dialog", "Ctrl+B", separator_before=True),
    ActionInfo("site_checked", "bedside", "Line &site checked", "site_checked", "Ctrl+Shift+L"),
    ActionInfo("pause_audio", "bedside", "Silence alarm s&ound (limited)", "pause_audio", "Ctrl+Shift+M"),
    ActionInfo("next_alarm", "bedside", "Show ne&xt alarm", "next_alarm", "Ctrl+Shift+X"),
    ActionInfo("monitor_diagnostics", "bedside", "Monitor dia&gnostics\u2026", "show_monitor_diagnostics",
               separator_before=True),
    ActionInfo("keyboard", "help", "&Keyboard\u2026", "show_keyboard_sheet", "F1"),
    ActionInfo("order", "bedside", "Titration &order\u2026", "order_dialog", separator_before=True),
    ActionInfo("hand_over", "bedside", "&Hand over / sign on\u2026", "hand_over_dialog"),
    ActionInfo("about", "help", "&About norepi-gui", "show_about"),
)
MENUS = (("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("bedside", "&Bedside"), ("help", "&Help"))


@dataclass(frozen=True)
class Mnemonic:
    """Alt+``letter`` puts the focus in a field, bringing its entry tab to the front (``&`` in its label)."""

    letter: str
    what: str
    target: str  # the field, as an attribute path from the window
    tab: str | None = None  # "infusion" | "patient" | "co" (None: always in view)


MNEMONICS: tuple[Mnemonic, ...] = (
    Mnemonic("W", "Weight", "patient_panel.weight.edit", "patient"),
    Mnemonic("A", "Age", "patient_panel.age.edit", "patient"),
    Mnemonic("L", "Line", "patient_panel.line", "patient"),
    Mnemonic("T", "Target MAP", "patient_panel.target.edit", "patient"),
    Mnemonic("C", "Concentration", "infusion_panel.concentration", "infusion"),
    Mnemonic("D", "Dose", "infusion_panel.dose.edit", "infusion"),
    Mnemonic("R", "Rate", "infusion_panel.rate.edit", "infusion"),
    Mnemonic("M", "MAP", "readings_panel.map_input.edit"),
    Mnemonic("S", "SBP", "readings_panel.sbp_input.edit"),
    Mnemonic("U", "Urine output", "readings_panel.urine_input.edit"),
)
#: The entry tabs: key, title (its & letter switches to it), objectName of the page.
TABS = (("infusion", "&Infusion", "infusionTab"), ("patient", "&Patient", "patientTab"),
        ("co", "C&o-infusions", "coInfusionTab"))
PLOT_KEYS = (("F or End", "Plot: follow the latest reading again (while the plot has the focus)"),)
DEFAULT_SIZE = (1600, 1000)  # the size asked for on a large screen; never more than the screen's available area
MINIMUM_SIZE = (1024, 600)


class UndoKeyFilter(QObject):
    """Ctrl+Z (and redo) reaches the Edit menu unless the text field in focus has its own typing to undo: a field
    cleared after recording a reading no longer swallows the key that undoes that reading."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QLineEdit) \
                and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Undo) and not watched.isUndoAvailable():
                return True  # not accepted: the shortcut (Edit > Undo) takes it
            if event.matches(QKeySequence.StandardKey.Redo) and not watched.isRedoAvailable():
                return True
        return False


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
    action_export_flowsheet: QAction
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
    action_night_mode: QAction
    action_zoom_in: QAction
    action_zoom_out: QAction
    action_zoom_reset: QAction
    action_record: QAction
    action_focus_map: QAction
    action_acknowledge: QAction
    action_not_applied: QAction
    action_snooze: QAction
    action_apply_advice: QAction
    action_chart_monitor: QAction
    action_monitor_diagnostics: QAction
    action_new_bag: QAction
    action_site_checked: QAction
    action_pause_audio: QAction
    action_next_alarm: QAction
    action_keyboard: QAction
    action_order: QAction
    action_hand_over: QAction
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
        self._started_at = time.time()  # file times are wall-clock: a raise request after this start is for us
        # At the bedside the wall clock, kept from running backwards (SteadyClock); tests inject their own.
        self.clock: Clock = clock if clock is not None else SteadyClock(SystemClock(), time.monotonic)
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
        self.controller.set_display(DisplayFormat.for_protocol(protocol, self.view_settings.dose_unit))
        offscreen = QGuiApplication.platformName() in ("offscreen", "minimal")  # no speaker: record what would play
        self.sound = AlarmSound(protocol.alarms, enabled=self.view_settings.sound_enabled,
                                volume=self.view_settings.sound_volume,
                                player=RecordingPlayer() if offscreen else platform_player())
        self.ticker = ClockTicker(parent=self)
        self.monitor_service: MonitorService | None = None  # created when the monitor feed is turned on
        self._wheel_guard = WheelGuard(self)
        self._undo_keys = UndoKeyFilter(self)
        app = QApplication.instance()
        self._base_point_size = app.font().pointSizeF() if isinstance(app, QApplication) else 0.0
        self.theme = themes.resolve(self.view_settings.night_mode, ask_scheme=False)

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
        self._build_mnemonics()
        guard_wheel(self, self._wheel_guard)
        for edit in self.findChildren(QLineEdit):
            edit.installEventFilter(self._undo_keys)
        self._apply_font_steps(self.view_settings.font_steps, remember=False)
        self._apply_theme()
        self._place_on_screen()
        if not progressive:
            self._open_database()
            self._use_local_zone()
        self.controller.session_changed.emit()  # every view draws the (empty) state once
        self.tick()
        if self.protocol_problem:
            self.statusBar().showMessage(self.protocol_problem)

    # ------------------------------------------------------------------------------------------------ building
    def _open_store(self) -> Store:
        from norepi_gui.core.session_log import SessionStore

        return SessionStore(self.data_dir, self.clock)

    def _use_local_zone(self) -> None:
        """Typed times are read in the system's zone with its daylight-saving rules (asking in the repeated hour)."""
        from norepi_gui.ui.typed_time import system_zone

        zone = system_zone()
        self.readings_panel.zone = zone
        self.patient_panel.zone = zone

    def _open_database(self) -> None:
        """Open the session database now: a problem is shown at once, never at the first entry. Then the monitor
        feed starts if it is on (its values need the database)."""
        problem = self.bedside.open_store()
        if problem:
            self._show_failure(problem)
        if self.view_settings.monitor_enabled:
            self.start_monitor(self.view_settings.monitor)

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
        self.strip = BedsideStrip()
        self.alarm_area = AlarmArea()
        self.banner: PromptBanner = self.alarm_area.prompt  # the due-check prompt inside the alarm area
        self.shift_panel = ShiftPanel()
        self.order_panel = OrderPanel()
        self.quality_panel = QualityPanel()
        self.line_note = QLabel()
        self.line_note.setObjectName("lineSafetyNote")
        self.line_note.setWordWrap(True)
        set_role(self.line_note, "note")
        self.line_note.hide()

        self.tabs = QTabWidget()
        self.tabs.setObjectName("entryTabs")
        self.tabs.setAccessibleName("Infusion, patient and co-infusion entries")
        self.tabs.setUsesScrollButtons(False)  # three tabs always fit
        self._tab_pages: dict[str, int] = {}
        for key, title, name in TABS:
            panel = {"infusion": self.infusion_panel, "patient": self.patient_panel, "co": self.co_panel}[key]
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.addWidget(panel)
            hl.addStretch(1)
            area = _scroll(holder)
            area.setObjectName(name)
            self._tab_pages[key] = self.tabs.addTab(area, title)
        self.tabs.setMinimumWidth(max(self.infusion_panel.minimumSizeHint().width(),
                                      self.patient_panel.minimumSizeHint().width()) + 24)

        entry = QWidget()
        el = QVBoxLayout(entry)
        el.setContentsMargins(0, 0, 0, 0)
        el.addWidget(self.readings_panel)
        el.addWidget(self.table, 1)
        middle = QSplitter()
        middle.setObjectName("middleSplitter")
        set_enum_property(middle, "orientation", 2)  # Qt.Orientation.Vertical
        middle.setChildrenCollapsible(False)
        middle.addWidget(self.plot_area)
        middle.addWidget(entry)
        middle.setStretchFactor(0, 1)
        middle.setStretchFactor(1, 1)
        self.plot_area.setMinimumHeight(160)
        self.table.setMinimumHeight(90)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.titration)  # the advice first: what the nurse looks for at a glance
        rl.addWidget(self.line_note)
        rl.addWidget(self.shift_panel)
        rl.addWidget(self.order_panel)
        rl.addWidget(self.quality_panel)

        splitter = QSplitter()  # horizontal
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        right_area = _scroll(right)
        right_area.setObjectName("adviceArea")
        right_area.setMinimumWidth(300)
        splitter.addWidget(self.tabs)
        splitter.addWidget(middle)
        splitter.addWidget(right_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 6)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([380, 620, 340])
        self.main_splitter = splitter
        self.middle_splitter = middle
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(4, 4, 4, 4)
        cl.setSpacing(4)
        cl.addWidget(self.strip)
        cl.addWidget(self.alarm_area)
        cl.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.session_label = QLabel()
        self.session_label.setObjectName("sessionLabel")
        self.statusBar().addPermanentWidget(self.session_label)
        self.setMinimumSize(*MINIMUM_SIZE)

    def _place_on_screen(self) -> None:
        """Open to the available screen (never larger), where the window was last time if that still fits."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        width, height = DEFAULT_SIZE
        if available is not None:
            width, height = min(width, available.width()), min(height, available.height())
        self.resize(width, height)
        geometry = self.view_settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.view_settings.window_state()
        if state is not None:
            self.restoreState(state)
        if available is not None:  # a geometry saved on a larger screen: back inside this one
            frame = self.frameGeometry()
            w, h = min(self.width(), available.width()), min(self.height(), available.height())
            if (w, h) != (self.width(), self.height()):
                self.resize(w, h)
            if not available.contains(frame.topLeft()) or not available.contains(self.frameGeometry().bottomRight()):
                self.move(max(available.left(), min(frame.left(), available.right() - self.frameGeometry().width())),
                          max(available.top(), min(frame.top(), available.bottom() - self.frameGeometry().height())))

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
            elif isinstance(info.shortcut, tuple):
                action.setShortcuts([QKeySequence(key) for key in info.shortcut])
            elif info.shortcut is not None:
                action.setShortcuts([QKeySequence(info.shortcut)])
            if info.table_only:
                set_enum_property(action, "shortcutContext", WIDGET_WITH_CHILDREN_SHORTCUT)
                self.table.addAction(action)
            if info.checkable:
                action.setCheckable(True)
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
        for button, key in ((self.banner.acknowledge, "acknowledge"), (self.banner.not_applied_button, "not_applied"),
                            (self.banner.snooze_button, "snooze"), (self.banner.new_reading_button, "focus_map"),
                            (self.titration.apply_button, "apply_advice"), (self.alarm_area.pause_button,
                                                                            "pause_audio"),
                            (self.banner.chart_button, "chart_monitor"),
                            (self.alarm_area.other.new_bag_button, "new_bag"),
                            (self.infusion_panel.new_bag_button, "new_bag"),
                            (self.alarm_area.other.site_ok_button, "site_checked"),
                            (self.alarm_area.next_button, "next_alarm")):
            keys = getattr(self, f"action_{key}").shortcuts()
            if keys:
                button.setToolTip(keys[0].toString(native))
        self._show_undo()

    def _build_mnemonics(self) -> None:
        """Alt+letter of each MNEMONICS entry: the field takes the focus, its tab comes to the front."""
        self.mnemonic_actions: dict[str, QAction] = {}
        for mnemonic in MNEMONICS:
            action = QAction(f"Go to {mnemonic.what}", self)  # a window action (QShortcut would build the Qt enums)
            action.setObjectName(f"mnemonic_{mnemonic.letter}")
            action.setShortcuts([QKeySequence(f"Alt+{mnemonic.letter}")])
            action.triggered.connect(lambda _checked=False, m=mnemonic: self.focus_field(m.target, m.tab))
            self.addAction(action)
            self.mnemonic_actions[mnemonic.letter] = action

    def field(self, target: str) -> QWidget:
        """The widget at an attribute path from the window (``"patient_panel.weight.edit"``)."""
        obj: object = self
        for part in target.split("."):
            obj = getattr(obj, part)
        assert isinstance(obj, QWidget)
        return obj

    def focus_field(self, target: str, tab: str | None = None) -> None:
        if tab is not None:
            self.tabs.setCurrentIndex(self._tab_pages[tab])
        widget = self.field(target)
        widget.setFocus()
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def _bind(self) -> None:
        """Each panel records through the controller and subscribes to what it shows."""
        c = self.controller
        self.patient_panel.bind(c)
        self.infusion_panel.bind(c)
        self.co_panel.bind(c)
        self.readings_panel.bind(c)
        self.table.bind(c)
        self.titration.bind(c)
        self.alarm_area.bind(c)
        self.strip.bind(c)
        self.shift_panel.bind(c, self.hand_over_dialog)
        self.order_panel.bind(c, self.order_dialog)
        self.quality_panel.bind(c)
        self.plot_view = PlotView(c, self.plot_area, self)
        self.plot_area.built.connect(self._theme_plot)
        self.alarm_area.new_reading_requested.connect(self.focus_map_entry)
        self.alarm_area.new_bag_requested.connect(self.new_bag_dialog)
        self.infusion_panel.new_bag_button.clicked.connect(self.new_bag_dialog)
        self.table.doubleClicked.connect(self.edit_selected)
        c.session_changed.connect(self._session_changed)
        c.settings_changed.connect(self._settings_changed)
        c.patient_changed.connect(self._show_line_note)
        c.prompt_changed.connect(self._show_prompt)
        c.alarms_changed.connect(self._show_prompt)
        c.monitor_changed.connect(self._show_feed)
        c.undo_changed.connect(self._show_undo)
        c.events_recorded.connect(self._announce)
        c.message.connect(self._show_message)
        c.failed.connect(self._show_failure)
        c.notice.connect(self._show_notice)
        c.problem.connect(self._show_problem)

    def _set_tab_order(self) -> None:
        # The screen's reading order: prompt, left column, centre (entry, table), advice.
        chain: list[QWidget] = [
            *self.alarm_area.fields(),
            self.tabs,
            *self.infusion_panel.fields(),
            self.infusion_panel.new_bag_button,
            *self.patient_panel.fields(),
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
        self._follow_system_scheme()
        self.is_complete = True
        self._use_local_zone()
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
        if self._shown_once:
            self.focus_first_entry()

    def _settings_changed(self) -> None:
        for panel in (self.patient_panel, self.infusion_panel, self.co_panel):
            panel.set_protocol(self.protocol)
        self.controller.set_display(DisplayFormat.for_protocol(self.protocol, self.view_settings.dose_unit))
        self.sound.settings = self.protocol.alarms
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
        due = self.bedside.prompt.due_at
        self.titration.show_due(due, now)
        self.strip.show_due(due, now)
        self.alarm_area.follow(now)
        self.sound.follow(self.bedside.alarm_state.sounding, now)
        self._show_feed()

    def _show_feed(self) -> None:
        """The monitor tile of the strip: shown while the feed is on, or when this session was fed by one."""
        feed = self.bedside.monitor
        if not feed.enabled and self.state.monitor_link is None:
            self.strip.show_feed(None)
            return
        link = feed.link_record() if feed.enabled else self.state.monitor_link
        short = " \u00b7 ".join(x for x in (link.bed, link.patient_id) if x) if link is not None else ""
        self.strip.show_feed(self.bedside.monitor_state(), short, feed.problem)

    def _show_undo(self) -> None:
        stack = self.bedside.undo_stack
        self.action_undo.setEnabled(stack.can_undo)
        self.action_undo.setText(f"&Undo {stack.undo_text}" if stack.can_undo else "&Undo")
        self.action_redo.setEnabled(stack.can_redo)
        self.action_redo.setText(f"&Redo {stack.redo_text}" if stack.can_redo else "&Redo")

    def _announce(self, events: tuple[Event, ...]) -> None:
        shown = next((e for e in events if e.kind not in QUIET_KINDS), None)
        if shown is not None:
            what = RECORDED_WORDS.get(shown.kind, shown.kind.value.lower().replace("_", " "))
            self.statusBar().showMessage(f"\u2713 Recorded {what} at {fmt_clock(shown.recorded_at)}", 8000)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def _show_failure(self, text: str) -> None:
        """A write that failed: the alarm area shows it (high priority, NOT RECORDED or RECORDING STOPPED) until an
        entry records again; the value stays in its field. The status line says it too."""
        self.statusBar().showMessage(f"\u26a0 !!! {text}")

    def _show_notice(self, text: str) -> None:
        self.statusBar().showMessage(f"\u26a0 {text}", 30000)

    def _show_problem(self, problem: FieldProblem) -> None:
        if problem.field == "weight":
            self.patient_panel.weight.show_error(problem.message)
        elif problem.field == "reason":
            self.banner.reason_status.show_error(problem.message)
            self.banner.ask_reason()

    def startup_notes(self) -> str:
        """What was refused or set aside at start, in words (empty when nothing was)."""
        notes = list(self.view_settings.warnings)
        if self.protocol_problem:
            notes.append(self.protocol_problem)
        store = self.bedside.store_if_open()
        if store is not None:
            notes.extend(getattr(store, "warnings", []))
            recovery = getattr(store, "recovery", None)
            if recovery is not None:
                kept = recovery.entries()
                if kept.entries:
                    where = ", ".join(str(p) for p in recovery.paths() if p.exists())
                    notes.append(f"{len(kept.entries)} entr{'y' if len(kept.entries) == 1 else 'ies'} typed earlier "
                                 f"could not be recorded and {'is' if len(kept.entries) == 1 else 'are'} kept in "
                                 f"{where}: check them against the record and enter what is missing.")
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
            height = self.middle_splitter.height()
            self.middle_splitter.setSizes([round(height * 0.52), height - round(height * 0.52)])
            self.focus_first_entry()
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
        self._show_prompt()
        self._raise_if_asked()

    # ------------------------------------------------------------------------------------------------ actions
    def focus_map_entry(self) -> None:
        self.readings_panel.focus_map()

    def focus_first_entry(self) -> None:
        """What to type first: the weight while none is recorded (a new session), else the MAP."""
        if self.state.patient.weight_kg is None:
            self.focus_field("patient_panel.weight.edit", "patient")
        else:
            self.focus_map_entry()

    def acknowledge_shortcut(self) -> None:
        if self.bedside.due_now():
            self.controller.answer_applied()

    def not_applied_shortcut(self) -> None:
        """Not applied from the keyboard: the reason takes the focus (Return there records it)."""
        if self.bedside.due_now() and not self.banner.isHidden():
            self.banner.ask_reason()

    def snooze_prompt(self) -> Change:
        return self.controller.snooze()

    def apply_advice(self) -> Change:
        """Apply advised dose: the pump setting is shown to confirm before anything is recorded."""
        if not self.titration.apply_button.isEnabled():
            return self.bedside_nothing("No dose change to apply now.")
        return self.controller.apply_advice()

    def bedside_nothing(self, message: str) -> Change:
        from norepi_gui.bedside.changes import Change

        self.statusBar().showMessage(message, 5000)
        return Change()

    def site_checked(self) -> None:
        self.controller.check_site(SITE_OK)

    def site_problem(self) -> None:
        self.controller.check_site(SITE_PROBLEM)

    def pause_audio(self) -> None:
        self.controller.pause_audio()

    def next_alarm(self) -> None:
        self.alarm_area.show_next()

    def new_bag_dialog(self) -> None:
        """New bag hung: its volume and concentration (the running bag's by default), recorded at once."""
        from norepi_gui.ui.new_bag_dialog import NewBagDialog

        dialog = NewBagDialog(self.protocol, self.state.bag, self.controller.display, self)
        if dialog.exec() and dialog.bag is not None:
            self.controller.hang_new_bag(dialog.bag)

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
            time_dialog.zone = self.readings_panel.zone
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

        dialog = ReadingDialog(event, self.clock, self, check=self.bedside.reading_problem)
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
            sound_player=self.sound.player.name,
            night_mode=self.view_settings.night_mode,
            monitor=self.view_settings.monitor,
            protocol_path=self._protocol_path,
            protocol=self.bedside.base_protocol,
            scenario_folder=self.view_settings.scenario_folder,
            parent=self,
        )
        if dialog.exec() and dialog.choice is not None:
            self.apply_settings(dialog.choice)

    def apply_settings(self, choice: SettingsChoice) -> None:
        """Store view preferences; record settings that change the session's numbers as SETTING events; start,
        restart or stop the monitor feed as its settings say."""
        self.view_settings.dose_unit = choice.dose_unit
        sound_changed = choice.sound_enabled != self.view_settings.sound_enabled
        self.view_settings.sound_enabled = choice.sound_enabled
        self.view_settings.sound_volume = choice.sound_volume
        self.sound.enabled = choice.sound_enabled
        self.sound.volume = choice.sound_volume
        if choice.night_mode != self.view_settings.night_mode:
            self.view_settings.night_mode = choice.night_mode
            self._apply_theme()
        self.view_settings.scenario_folder = choice.scenario_folder
        self.infusion_panel.dose_unit.setCurrentText(choice.dose_unit)
        self.controller.set_display(DisplayFormat.for_protocol(self.protocol, choice.dose_unit))
        if choice.protocol_path != self._protocol_path or choice.protocol.meta != self.bedside.base_protocol.meta:
            # The session log first, then the settings file: killed in between, the next start finds the session
            # under the protocol it recorded (and resumes under that one, or says that it changed).
            change = self.controller.set_base_protocol(choice.protocol)
            if not change.failure:
                self._protocol_path = choice.protocol_path
                self.view_settings.protocol_path = choice.protocol_path
        if sound_changed and self.bedside.writable:  # silencing prompts is part of the record
            self.controller.set_setting(SETTING_SOUND, choice.sound_enabled)
        if abs(choice.pump_resolution_ml_per_h - self.protocol.pump.resolution_ml_per_h) > 1e-12:
            self.controller.set_setting(SETTING_PUMP_RESOLUTION, choice.pump_resolution_ml_per_h)
        if choice.monitor is not None:
            before = self.view_settings.monitor if self.view_settings.monitor_enabled else None
            self.view_settings.monitor = choice.monitor
            service = self.monitor_service
            if not choice.monitor.enabled:
                self.stop_monitor()
            elif choice.monitor != before or service is None or not service.running \
                    or service.rules != self.protocol.monitor:  # a new protocol: its [monitor] time checks
                self.start_monitor(choice.monitor)

    # ------------------------------------------------------------------------------------------------ monitor
    def start_monitor(self, settings: MonitorSettings, *, bind_port: int | None = None) -> str:
        """Listen for the bedside monitor as ``settings`` say (``bind_port`` 0: any free port, for tests); the
        session records the link. Returns why it could not listen ("" when it does); the strip and, after the
        protocol's stale time, the stale alarm say so too."""
        from norepi_gui.monitor.localtime import system_local_timezone
        from norepi_gui.ui.monitor_service import MonitorService

        if not settings.enabled:
            self.stop_monitor()
            return ""
        if self.monitor_service is None:
            self.monitor_service = MonitorService(self.controller.take_monitor, self.clock, self)
        problem = self.monitor_service.start(settings, self.protocol.monitor, system_local_timezone(),
                                             bind_port=bind_port)
        where = f"{settings.listen_address}:{bind_port if bind_port is not None else settings.port}"
        if not problem and bind_port == 0:
            where = f"{settings.listen_address}:{self.monitor_service.port}"
        self.controller.set_monitor(enabled=True, listening=not problem, bed=settings.link.bed,
                                    patient_id=settings.link.patient_id, address=where, problem=problem)
        self.statusBar().showMessage(f"\u26a0 Monitor feed: {problem}" if problem else
                                     f"Monitor feed listening on {where} for {settings.link.describe()}", 15000)
        self._show_feed()
        return problem

    def stop_monitor(self) -> None:
        """Stop listening; the session records that the feed stopped."""
        if self.monitor_service is not None:
            self.monitor_service.stop()
        if self.bedside.monitor.enabled:
            self.controller.set_monitor(enabled=False, listening=False)
        self._show_feed()

    def chart_monitor_value(self) -> Change:
        """F3: chart the monitor's summary of the last minutes as a reading (source monitor)."""
        if not self.bedside.monitor.enabled:
            return self.bedside_nothing("The monitor feed is off (Settings > Monitor).")
        return self.controller.chart_monitor()

    def monitor_status(self) -> str:
        """Where the feed listens and for whom, in words (the diagnostics view)."""
        feed = self.bedside.monitor
        service = self.monitor_service
        if not feed.enabled:
            return "The monitor feed is off (Settings > Monitor)."
        if feed.problem or service is None or not service.running:
            return f"The monitor feed is on but not listening: {feed.problem or 'stopped'}."
        return (f"Listening on {feed.address} for {feed.link_record().describe()}; "
                f"{service.connection_count()} connection(s) open. {self.bedside.monitor_state().describe()}.")

    def show_monitor_diagnostics(self) -> None:
        from norepi_gui.monitor.diagnostics import MonitorDiagnostics
        from norepi_gui.ui.monitor_diagnostics import MonitorDiagnosticsDialog

        def snapshot() -> MonitorDiagnostics:
            service = self.monitor_service
            return service.diagnostics_snapshot() if service is not None else MonitorDiagnostics()

        self.monitor_diagnostics = MonitorDiagnosticsDialog(self.monitor_status, snapshot, self)
        self.monitor_diagnostics.show()

    # ------------------------------------------------------------------------------------------------ file menu
    def new_session_dialog(self) -> None:
        """File > New session: patient label, bed and the initials of the nurse starting it."""
        from norepi_gui.ui.shift_panel import open_new_session_dialog

        if self.bedside.writable and not self.confirm(
                "New session", "The current session will be closed (it stays on disk). Continue?"):
            return
        open_new_session_dialog(self.controller, self, self.bedside.default_label())

    def order_dialog(self) -> None:
        """Bedside > Titration order: the seven elements, prefilled from the protocol."""
        from norepi_gui.ui.order_panel import open_order_dialog

        open_order_dialog(self.controller, self)

    def hand_over_dialog(self) -> None:
        """Bedside > Hand over / sign on: the incoming nurse's initials; every entry from then on carries them."""
        from norepi_gui.ui.shift_panel import open_handover_dialog

        open_handover_dialog(self.controller, self)

    def export_flowsheet_csv(self, path: Path) -> str:
        """The flowsheet CSV (one row per time point, local time with its offset) beside the raw event log; the
        message says what happened (a failure in words, the file at ``path`` left as it was)."""
        return self._export(lambda: self.bedside.export_flowsheet_csv(path), "Flowsheet not written",
                            f"Flowsheet written to {path}")

    def export_flowsheet_dialog(self) -> None:
        path = self._ask_export_path("flowsheet", "Export flowsheet CSV", "CSV (*.csv)")
        if path is not None:
            self.statusBar().showMessage(self.export_flowsheet_csv(path), 10000)

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

        if self.session is None:
            raise RuntimeError("no session to export")
        store = self.bedside.store
        assert isinstance(store, SessionStore)
        session_id, done = self.session.id, f"Exported {path}"
        message = self._export(lambda: store.export_csv(session_id, path), "CSV not exported", done)
        if message == done:
            self.statusBar().showMessage(message, 8000)
        return message

    def _export(self, write: Callable[[], object], failed: str, done: str) -> str:
        """Run an export (``write``) and return what happened: ``done``, or ``failed`` with the reason in words, also
        in the status bar and, when the window is on screen, in a message box (the file at the path is left as it
        was)."""
        from PySide6.QtWidgets import QMessageBox

        from norepi_gui.core.storage_errors import StorageError

        try:
            write()
        except StorageError as exc:
            message = f"\u26a0 {failed}: {exc}"
            self.statusBar().showMessage(message, 30000)
            if self.isVisible():
                QMessageBox.warning(self, "Export failed", message)
            return message
        return done

    def _ask_export_path(self, kind: str, title: str, file_filter: str) -> Path | None:
        """The file the nurse picks for an export of the open session, or None (no session, or cancelled).

        The name offered holds the session's label, the local date and its uid (ids restart at 1 in every data
        folder); Qt asks before replacing a file.
        """
        from PySide6.QtWidgets import QFileDialog

        if self.session is None:
            self.statusBar().showMessage("No session to export.", 5000)
            return None
        from norepi_gui.core.export_file import default_export_name

        name = default_export_name(self.session, kind, tz=datetime.now().astimezone().tzinfo)
        path, _f = QFileDialog.getSaveFileName(self, title, name, file_filter)
        return Path(path) if path else None

    def export_csv_dialog(self) -> None:
        path = self._ask_export_path("csv", "Export CSV", "CSV (*.csv)")
        if path is not None:
            self.export_csv(path)  # shows its own message

    def export_pdf_dialog(self) -> None:
        path = self._ask_export_path("pdf", "Export PDF handover", "PDF (*.pdf)")
        if path is not None:
            self.statusBar().showMessage(self.export_pdf(path), 10000)

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
        from norepi_gui.ui.report import write_handover_pdf

        what = "Training handover" if self.session is not None and self.session.is_training else "Handover"
        return self._export(lambda: write_handover_pdf(path, self.handover_data()), f"{what} not written",
                            f"{what} written to {path}")

    def print_dialog(self) -> None:
        """Print handover: the print preview first; the nurse prints from it."""
        from norepi_gui.ui.handover import print_report

        if self.session is None:
            self.statusBar().showMessage("No session to print.", 5000)
            return
        self.statusBar().showMessage(print_report(self, self.handover_data()), 10000)

    def close_session_dialog(self) -> None:
        if self.bedside.writable and self.confirm("Close session", "Close this session? It stays on disk, "
                                                  "read-only; new entries start a new session."):
            self.controller.close_session()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About norepi-gui",
                          f"norepi-gui {package_version()}\n\n{DISCLAIMER}\n\nProtocol: {self.protocol.meta.name} "
                          f"{self.protocol.meta.version} ({self.protocol.source})")

    # ------------------------------------------------------------------------------------------------ view
    def _apply_theme(self) -> None:
        mode = self.view_settings.night_mode
        self.theme = themes.resolve(mode, ask_scheme=self.is_complete)
        themes.apply(self, self.theme)
        self.alarm_area.set_theme(self.theme)
        self.action_night_mode.setChecked(self.theme.night)
        self._theme_plot()

    def _theme_plot(self) -> None:
        if self.plot_area.is_built:
            self.plot_area.plot.set_colours(self.theme.plot_background, self.theme.plot_foreground)

    def _follow_system_scheme(self) -> None:
        """After the first paint: the system's colour scheme decides "system" mode, and a change of it is followed."""
        hints = QGuiApplication.styleHints()
        changed = getattr(hints, "colorSchemeChanged", None)
        if changed is not None:
            changed.connect(self._system_scheme_changed)
        self._system_scheme_changed()

    def _system_scheme_changed(self, *_args: object) -> None:
        if self.view_settings.night_mode == themes.MODE_SYSTEM:
            self._apply_theme_resolved(themes.resolve(themes.MODE_SYSTEM))

    def _apply_theme_resolved(self, theme: themes.Theme) -> None:
        if theme != self.theme:
            self.theme = theme
            themes.apply(self, theme)
            self.alarm_area.set_theme(theme)
            self.action_night_mode.setChecked(theme.night)
            self._theme_plot()

    def toggle_night_mode(self) -> None:
        """Night mode on or off (one key); from then on the choice stays, whatever the system says."""
        self.view_settings.night_mode = themes.MODE_DAY if self.theme.night else themes.MODE_NIGHT
        self._apply_theme()
        self.controller.display_changed.emit()

    def larger_text(self) -> None:
        self._apply_font_steps(self.view_settings.font_steps + 1)

    def smaller_text(self) -> None:
        self._apply_font_steps(self.view_settings.font_steps - 1)

    def usual_text(self) -> None:
        self._apply_font_steps(0)

    def _apply_font_steps(self, steps: int, *, remember: bool = True) -> None:
        """The text size, in steps of 10 % of the system's, remembered in the view settings."""
        steps = max(MIN_FONT_STEPS, min(MAX_FONT_STEPS, steps))
        if remember:
            self.view_settings.font_steps = steps
        app = QApplication.instance()
        if not isinstance(app, QApplication) or self._base_point_size <= 0:
            return
        font = app.font()
        size = round(self._base_point_size * (1.0 + 0.1 * steps), 1)
        if abs(font.pointSizeF() - size) > 1e-6:
            font.setPointSizeF(size)
            app.setFont(font)
        rescale_fonts(self)
        self.alarm_area.fit_height()
        self.readings_panel.fit_fields()
        self.table.fit_columns()
        self.action_zoom_in.setEnabled(steps < MAX_FONT_STEPS)
        self.action_zoom_out.setEnabled(steps > MIN_FONT_STEPS)

    def show_keyboard_sheet(self) -> None:
        from norepi_gui.ui.keyboard_sheet import KeyboardSheet

        sheet = KeyboardSheet(self.keyboard_rows(), self)
        self.keyboard_sheet = sheet
        sheet.show()

    def keyboard_rows(self) -> list[tuple[str, str, str]]:
        """(group, keys, what) for every shortcut: the menus' actions, the Alt letters, the tabs and the plot."""
        native = QKeySequence.SequenceFormat.NativeText
        titles = dict(MENUS)
        rows: list[tuple[str, str, str]] = []
        for info in ACTIONS:
            action: QAction = getattr(self, f"action_{info.key}")
            shortcuts = action.shortcuts()
            if isinstance(info.shortcut, QKeySequence.StandardKey):
                shortcuts = shortcuts[:1]  # the platform's first key for it (not its Undo-key aliases)
            keys = " or ".join(k.toString(native) for k in shortcuts)
            if keys:
                what = info.text.replace("&", "").replace("\u2026", "")
                where = " (in the table)" if info.table_only else ""
                rows.append((titles[info.menu].replace("&", ""), keys, what + where))
        alt = QKeySequence("Alt+X").toString(native)[:-1]
        for mnemonic in MNEMONICS:
            rows.append(("Fields", f"{alt}{mnemonic.letter}", mnemonic.what))
        for _key, title, _name in TABS:
            letter = title[title.index("&") + 1]
            rows.append(("Tabs", f"{alt}{letter}", title.replace("&", "") + " tab"))
        for _menu, title in MENUS:
            letter = title[title.index("&") + 1]
            rows.append(("Menus", f"{alt}{letter}", title.replace("&", "") + " menu"))
        rows += [("Plot", keys, what) for keys, what in PLOT_KEYS]
        rows += [("Entry", "Enter", "Record the reading, dose or reason typed"),
                 ("Entry", "Tab / Shift+Tab", "Next / previous field (the table passes Tab on)")]
        return rows

    # ------------------------------------------------------------------------------------------------ closing
    def _ask_yes_no(self, title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.ticker.stop()
        if self.monitor_service is not None:
            self.monitor_service.stop()  # no value is taken after this; the last batch is written below
        self.view_settings.save_window(self.saveGeometry(), self.saveState())
        self.view_settings.sync()
        self.bedside.close_store()
        super().closeEvent(event)
