"""Training mode in the bedside window: the banner, the scenario picker, the training bar and its controller.

The controller connects a :class:`norepi_gui.sim.training.TrainingRun` to the window without clinical logic of its
own. Simulated time is the window's clock (a :class:`SimulatedClock`), so every recorded event carries simulated
time. On each tick the patient is stepped to the clock and the arterial-line samples go to the plot's monitor trace;
a charted reading goes through the bedside layer's normal operation (``BedsideController.record_reading``), so the
session, table, plot, advice and prompts work exactly as at the bedside. Whatever the trainee records (doses,
co-infusions, a new bag, the patient's details, bedside actions) and whatever the instructor injects or resolves is
recorded first and then applied to the virtual patient from the session's events, at the time it was recorded.

The instructor works in :class:`norepi_gui.ui.instructor_console.InstructorConsole`, a window of its own behind a
PIN. A crashed or closed training session is resumed by rebuilding its run from the record (the scenario's text and
the seed are in its start event); a rewind starts a new attempt from a snapshot the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMenuBar,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.bedside.records import BagRecord
from norepi_gui.core.clock import SimulatedClock
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Reading
from norepi_gui.sim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario_file,
    load_scenario_text,
    scenario_catalogue,
)
from norepi_gui.sim.training import (
    SOURCE_INSTRUCTOR,
    SOURCE_SCENARIO,
    SOURCE_SNAPSHOT,
    SOURCE_START,
    SOURCE_STUDENT,
    SPEEDS,
    Cue,
    MonitorReading,
    Prefill,
    TrainingDebrief,
    TrainingRun,
    event_payload,
    fmt_minutes,
    resolve_payload,
    scenario_prefill,
)
from norepi_gui.ui.coinfusion_panel import CoInfusionPanel, CoInfusionRequest
from norepi_gui.ui.debrief_dialog import TRAINING_COLOUR, TRAINING_MARK, DebriefDialog, timeline_image
from norepi_gui.ui.formatting import fmt_clock, fmt_dose, local_time
from norepi_gui.ui.infusion_panel import CUSTOM, InfusionPanel
from norepi_gui.ui.instructor_console import InstructorConsole
from norepi_gui.ui.patient_panel import ARTERIAL_CHOICES, PatientPanel
from norepi_gui.ui.widgets import scaled_font

if TYPE_CHECKING:
    from datetime import datetime

    from norepi_gui.bedside.changes import Change
    from norepi_gui.core.events import Event as LogEvent
    from norepi_gui.core.events import Payload, SessionInfo
    from norepi_gui.sim.events import Event as SimEvent
    from norepi_gui.ui.controller import BedsideController
    from norepi_gui.ui.map_plot import MapPlot


@dataclass(frozen=True)
class EntryPanels:
    """The window's entry panels, which a scenario start fills in and records the normal way."""

    patient: PatientPanel
    infusion: InfusionPanel
    co_infusions: CoInfusionPanel


_MONITOR_KINDS = frozenset({EventKind.MONITOR_SAMPLES, EventKind.MONITOR_LINK})
DEFAULT_SPEED = 10.0
# (label, action kind of norepi_gui.sim.actions, volume in mL or None). Bolus sizes are the usual 250/500 mL
# crystalloid steps offered as choices, not advice; the simulator's response to them is a model assumption.
BEDSIDE_CHOICES: tuple[tuple[str, str, float | None], ...] = (
    ("Flush the arterial line", "FLUSH_LINE", None),
    ("Fluid bolus 250 mL", "FLUID_BOLUS", 250.0),
    ("Fluid bolus 500 mL", "FLUID_BOLUS", 500.0),
    ("Hang a new bag", "CHANGE_BAG", None),
    ("Restart the pump", "RESTART_PUMP", None),
    ("Reconnect the infusion line", "RECONNECT_LINE", None),
    ("Check the pump against the order", "CHECK_PUMP", None),
    ("Re-site the line", "RESITE_LINE", None),
    ("Give phentolamine (extravasation)", "GIVE_PHENTOLAMINE", None),
    ("Repeat the cuff reading", "REPEAT_CUFF", None),
    ("Ask for an arterial line", "REQUEST_ARTERIAL_LINE", None),
    ("Request central access", "REQUEST_CENTRAL_ACCESS", None),
    ("Call the physician", "CALL_PHYSICIAN", None),
)
_CUE_COLOURS = {"alarm": "#C00000", "finding": "#8A4B00", "info": "#202020"}


def speed_text(speed: float) -> str:
    return f"{speed:g}x"


class TrainingBanner(QLabel):
    """Always on top of a training window: colour and words, so it is never taken for a patient."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingBanner")
        self.setAccessibleName("Training mode: simulated patient")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFont(scaled_font(1.3, bold=True))
        self.setStyleSheet(f"background: {TRAINING_COLOUR}; color: #FFFFFF; padding: 4px;")
        self.show_scenario(None)

    def show_scenario(self, title: str | None) -> None:
        self.setText(f"{TRAINING_MARK}" + (f" \u2014 {title}" if title else " \u2014 no scenario running"))


@dataclass(frozen=True)
class PickerChoice:
    """What the picker returns: a scenario file to start (with speed, seed, trainee) or a session to resume."""

    path: Path | None = None
    speed: float = DEFAULT_SPEED
    seed: int = 0
    trainee: str = ""
    resume_session: int | None = None


class ScenarioPicker(QDialog):
    """Pick a scenario (shipped, the site folder's, or a file from anywhere), the speed, the patient variant and the
    trainee's name; or resume an interrupted training session."""

    def __init__(self, parent: QWidget | None = None, *, site_folder: Path | None = None,
                 resumable: list[SessionInfo] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioPicker")
        self.setWindowTitle(f"Start a scenario \u2014 {TRAINING_MARK}")
        self.scenarios: dict[str, tuple[Scenario, str]] = {}
        self.problems: list[str] = []
        self.list = QListWidget()
        self.list.setObjectName("scenarioList")
        self.list.setAccessibleName("Scenarios")
        for entry in scenario_catalogue(site_folder):
            key = str(entry.path)
            try:
                scenario = load_scenario_file(entry.path)
            except ScenarioError as exc:
                self.problems.append(str(exc))
                continue
            self._add(key, scenario, entry.origin)
        self.details = QTextBrowser()
        self.details.setObjectName("scenarioDetails")
        self.open_button = QPushButton("Open a scenario file\u2026")
        self.open_button.setObjectName("openScenarioFileButton")
        self.speed = QComboBox()
        self.speed.setObjectName("pickerSpeedSelect")
        self.speed.setAccessibleName("Speed")
        for s in SPEEDS:
            self.speed.addItem(speed_text(s), s)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.seed = QSpinBox()
        self.seed.setObjectName("pickerSeed")
        self.seed.setAccessibleName("Patient variant (random seed)")
        self.seed.setRange(0, 9999)
        self.trainee = QLineEdit()
        self.trainee.setObjectName("pickerTrainee")
        self.trainee.setAccessibleName("Trainee's name (for the debrief and the class table)")
        self.trainee.setPlaceholderText("optional")
        self.trainee.setMaxLength(60)
        options = QHBoxLayout()
        options.addWidget(QLabel("Speed"))
        options.addWidget(self.speed)
        options.addSpacing(20)
        options.addWidget(QLabel("Patient variant (seed)"))
        options.addWidget(self.seed)
        options.addSpacing(20)
        options.addWidget(QLabel("Trainee"))
        options.addWidget(self.trainee, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Start scenario")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.open_button)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(self.details, 2)
        layout = QVBoxLayout(self)
        self.resume_choice: int | None = None
        if resumable:
            box = QHBoxLayout()
            self.resume_list = QComboBox()
            self.resume_list.setObjectName("resumeSessionSelect")
            for info in resumable:
                self.resume_list.addItem(f"{info.label} (started {fmt_clock(info.created_at)})", info.id)
            resume = QPushButton("Resume")
            resume.setObjectName("resumeSessionButton")
            resume.clicked.connect(self._resume)
            box.addWidget(QLabel("An interrupted training session is open:"))
            box.addWidget(self.resume_list, 1)
            box.addWidget(resume)
            layout.addLayout(box)
        layout.addLayout(top, 1)
        layout.addLayout(options)
        if self.problems:
            problems = QLabel("Not loaded: " + "; ".join(self.problems))
            problems.setObjectName("scenarioProblems")
            problems.setWordWrap(True)
            layout.addWidget(problems)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show_details)
        self.open_button.clicked.connect(self._open_file)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.resize(900, 560)

    def _add(self, key: str, scenario: Scenario, origin: str) -> QListWidgetItem:
        self.scenarios[key] = (scenario, origin)
        text = scenario.title + ("  [site]" if origin == "site" else "  [file]" if origin == "file" else "")
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.list.addItem(item)
        return item

    def add_file(self, path: Path) -> bool:
        """Offer a scenario file from anywhere (File > Open scenario); False (and the reason shown) when refused."""
        try:
            scenario = load_scenario_file(path)
        except ScenarioError as exc:
            self.details.setPlainText(f"Not loaded: {exc}")
            return False
        self.list.setCurrentItem(self._add(str(path), scenario, "file"))
        return True

    def _open_file(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "Open a scenario file", "", "Scenario (*.toml)")
        if path:
            self.add_file(Path(path))

    def _resume(self) -> None:
        self.resume_choice = int(self.resume_list.currentData())
        self.accept()

    def _show_details(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None:
            self.details.clear()
            return
        s, origin = self.scenarios[str(item.data(Qt.ItemDataRole.UserRole))]
        pt = s.patient
        objectives = "".join(f"<li>{escape(o)}</li>" for o in s.learning_objectives)
        self.details.setHtml(
            f"<h3>{escape(s.title)}</h3><p>{escape(s.description)}</p>"
            f"<p><b>Patient:</b> {pt.population}, {pt.weight_kg:g} kg, {pt.line} line, {pt.monitoring} pressure; "
            f"{s.duration_h:g} h simulated; order: MAP {s.target_map_mmhg:g} mmHg.</p>"
            f"<p><b>Learning objectives</b></p><ul>{objectives}</ul>"
            f"<p><small>{escape(origin)}: {escape(s.source)}</small></p>"
        )

    def choice(self) -> PickerChoice | None:
        if self.resume_choice is not None:
            return PickerChoice(resume_session=self.resume_choice)
        if self.list.currentRow() < 0:
            return None
        item = self.list.currentItem()
        return PickerChoice(Path(str(item.data(Qt.ItemDataRole.UserRole))), float(self.speed.currentData()),
                            self.seed.value(), self.trainee.text().strip())


class TrainingPanel(QFrame):
    """The training bar under the banner: scenario clock, speed, monitor, bedside cues, charting, actions, end."""

    speed_chosen = Signal(float)
    pause_toggled = Signal()
    chart_requested = Signal()
    action_requested = Signal(str, object)  # action kind, volume in mL or None
    end_requested = Signal()
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#trainingPanel { border: 2px solid " + TRAINING_COLOUR + "; }")
        self.scenario_label = QLabel("No scenario running.")
        self.scenario_label.setObjectName("trainingScenarioLabel")
        self.scenario_label.setFont(scaled_font(1.0, bold=True))
        self.time_label = QLabel("-")
        self.time_label.setObjectName("simTimeLabel")
        self.time_label.setAccessibleName("Simulated time")
        self.speed = QComboBox()
        self.speed.setObjectName("speedSelect")
        self.speed.setAccessibleName("Simulation speed")
        for s in SPEEDS:
            self.speed.addItem(speed_text(s), s)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseButton")
        self.start_button = QPushButton("Start scenario\u2026")
        self.start_button.setObjectName("startScenarioButton")
        self.end_button = QPushButton("End && debrief")
        self.end_button.setObjectName("endDebriefButton")
        self.monitor = QLabel()
        self.monitor.setObjectName("simMonitorLabel")
        self.monitor.setAccessibleName("Bedside monitor (simulated)")
        self.monitor.setTextFormat(Qt.TextFormat.RichText)
        self.monitor.setStyleSheet("background: #101010; color: #E0E0E0; padding: 3px 8px;")
        self.monitor.setFont(scaled_font(1.15, bold=True))
        self.cues = QLabel()
        self.cues.setObjectName("bedsideCues")
        self.cues.setAccessibleName("At the bedside: pump, infusion site, rhythm")
        self.cues.setTextFormat(Qt.TextFormat.RichText)
        self.cues.setWordWrap(True)
        self.chart_button = QPushButton("Chart monitor reading")
        self.chart_button.setObjectName("chartReadingButton")
        self.chart_button.setToolTip("Record what the monitor shows now (MAP, SBP/DBP, HR; a new lab result and the "
                                     "hour's urine output when they are new)")
        self.auto_chart = QCheckBox("Auto-chart at each due check")
        self.auto_chart.setObjectName("autoChartCheck")
        self.action = QComboBox()
        self.action.setObjectName("bedsideActionSelect")
        self.action.setAccessibleName("Bedside action")
        for label, _kind, _volume in BEDSIDE_CHOICES:
            self.action.addItem(label)
        self.action_button = QPushButton("Do it")
        self.action_button.setObjectName("bedsideActionButton")
        self.message = QLabel()
        self.message.setObjectName("trainingMessage")
        self.message.setStyleSheet(f"color: {TRAINING_COLOUR}; font-weight: bold;")

        row1 = QHBoxLayout()
        row1.addWidget(self.scenario_label, 1)
        row1.addWidget(self.time_label)
        row1.addSpacing(12)
        row1.addWidget(QLabel("Speed"))
        row1.addWidget(self.speed)
        row1.addWidget(self.pause_button)
        row1.addSpacing(12)
        row1.addWidget(self.start_button)
        row1.addWidget(self.end_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.monitor, 1)
        row2.addWidget(self.chart_button)
        row2.addWidget(self.auto_chart)
        row2.addSpacing(12)
        row2.addWidget(QLabel("Bedside"))
        row2.addWidget(self.action)
        row2.addWidget(self.action_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(2)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.cues)
        layout.addWidget(self.message)

        self.speed.activated.connect(self._speed_activated)
        self.pause_button.clicked.connect(self.pause_toggled)
        self.chart_button.clicked.connect(self.chart_requested)
        self.action_button.clicked.connect(self._action_clicked)
        self.end_button.clicked.connect(self.end_requested)
        self.start_button.clicked.connect(self.start_requested)
        self.show_running(False, paused=False)
        self.show_monitor(None)
        self.show_cues([])
        self.show_message("")

    def _speed_activated(self, index: int) -> None:
        self.speed_chosen.emit(float(self.speed.itemData(index)))

    def _action_clicked(self) -> None:
        _label, kind, volume = BEDSIDE_CHOICES[self.action.currentIndex()]
        self.action_requested.emit(kind, volume)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_speed(self, speed: float) -> None:
        index = self.speed.findData(speed)
        if index < 0:
            self.speed.addItem(speed_text(speed), speed)
            index = self.speed.count() - 1
        self.speed.setCurrentIndex(index)

    def show_running(self, running: bool, *, paused: bool, trainee_controls: bool = True) -> None:
        for w in (self.chart_button, self.action_button, self.end_button):
            w.setEnabled(running)
        self.pause_button.setEnabled(running and trainee_controls)
        self.speed.setEnabled(trainee_controls)
        self.pause_button.setText("Resume" if paused else "Pause")

    def show_cues(self, cues: list[Cue]) -> None:
        """The bedside besides the monitor: alarms in red, findings in brown, the pump's display."""
        if not cues:
            self.cues.setText("<span style='color:#606060'>Bedside: -</span>")
            return
        parts = []
        for cue in cues:
            mark = "\u26a0 " if cue.level == "alarm" else ""
            weight = "bold" if cue.level != "info" else "normal"
            parts.append(f"<span style='color:{_CUE_COLOURS[cue.level]}; font-weight:{weight}'>"
                         f"{mark}{escape(cue.text)}</span>")
        self.cues.setText("Bedside: " + " &nbsp;|&nbsp; ".join(parts))

    def show_monitor(self, reading: MonitorReading | None) -> None:
        if reading is None:
            self.monitor.setText("Monitor: -")
            return
        if reading.artefact:
            pressure = "<span style='color:#FF5050'>ART \u2191\u2191 flush</span>"
        else:
            pressure = (f"<span style='color:#FF5050'>ART {reading.sbp_mmhg:.0f}/{reading.dbp_mmhg:.0f} "
                        f"({reading.map_mmhg:.0f})</span>")
        rhythm = " irregular" if reading.irregular else ""
        self.monitor.setText(
            f"{pressure} &nbsp; <span style='color:#40E040'>HR {reading.hr_per_min:.0f}{rhythm}</span> &nbsp; "
            f"<span style='color:#E0E060'>Lactate {reading.lactate_mmol_per_l:.1f} ({fmt_clock(reading.lactate_at)})"
            f"</span> &nbsp; <span style='color:#60C0FF'>Urine {reading.urine_ml_per_kg_per_h:.2f} mL/kg/h</span>"
        )


def prefill_panels(panels: EntryPanels, pre: Prefill) -> None:
    """Fill the patient and infusion panels with the handed-over patient and record them the normal way."""
    pp = panels.patient
    blockers: list[QWidget] = [pp.population, pp.line, pp.arterial, pp.chronic_htn, pp.ards, pp.iah, pp.cardiac]
    for w in blockers:
        w.blockSignals(True)
    try:
        pp.weight.set_text(f"{pre.weight_kg:g} kg")
        pp.population.setCurrentIndex(max(pp.population.findData(pre.population), 0))
        pp.age.set_text(f"{pre.age_years:g}")
        pp.chronic_htn.setChecked(pre.chronic_hypertension)
        pp.baseline_sbp.set_text("" if pre.baseline_sbp_mmhg is None else f"{pre.baseline_sbp_mmhg:g}")
        pp.ards.setChecked(pre.ards)
        pp.iah.setChecked(pre.intra_abdominal_hypertension)
        pp.cardiac.setChecked(pre.cardiac_dysfunction)
        pp.line.setCurrentIndex(max(pp.line.findData(pre.line), 0))
        pp.line_inserted.set_text(local_time(pre.line_inserted_at).strftime("%Y-%m-%d %H:%M"))
        pp.arterial.setCurrentIndex(next(i for i, (_t, v) in enumerate(ARTERIAL_CHOICES) if v == pre.arterial_line))
        pp.fluids.set_text("")
        pp.target.set_text("" if pre.target_map_mmhg is None else f"{pre.target_map_mmhg:g}")
    finally:
        for w in blockers:
            w.blockSignals(False)
    pp.commit()

    ip = panels.infusion
    ip.concentration.blockSignals(True)
    try:
        index = ip.concentration.findData(pre.concentration_mcg_per_ml)
        if index >= 0:
            ip.concentration.setCurrentIndex(index)
        else:  # not a standard concentration of the protocol: the same strength as amount in 250 mL
            ip.concentration.setCurrentIndex(ip.concentration.findData(CUSTOM))
            ip.amount.set_text(f"{pre.concentration_mcg_per_ml * 250.0 / 1000.0:g} mg")
            ip.volume.set_text("250 mL")
    finally:
        ip.concentration.blockSignals(False)
    ip.bag_volume.set_text(f"{pre.bag_volume_ml:g}")
    ip.commit_bag()
    if pre.start_dose_mcg_per_kg_per_min > 0:
        ip.set_dose_text(fmt_dose(pre.start_dose_mcg_per_kg_per_min), "mcg/kg/min")
        ip.request_dose()
    for drug, dose, unit in pre.co_infusions:
        panels.co_infusions.requested.emit(CoInfusionRequest(drug, "start", dose, unit))


@dataclass(frozen=True)
class _Start:
    """What a session's start event says (enough to rebuild its run)."""

    scenario: Scenario
    seed: int
    start: datetime
    speed: float
    trainee: str
    retry_of: int | None
    from_min: float
    start_seq: int


class TrainingController(QObject):
    """Runs a scenario in the bedside window on the simulated ``clock``: its widgets go into ``window``, its records
    through ``controller`` (the bedside layer), its first handover through the entry ``panels``."""

    started = Signal(str)  # scenario name
    ended = Signal(object)  # TrainingDebrief

    def __init__(self, window: QMainWindow, controller: BedsideController, panels: EntryPanels,
                 plot: Callable[[], MapPlot], clock: SimulatedClock) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.panels = panels
        self._plot = plot
        self.clock = clock
        self.run: TrainingRun | None = None
        self.session_id: int | None = None
        self.trainee = ""
        self.snapshots: list[float] = []
        self.trainee_controls = True
        self.last_debrief: TrainingDebrief | None = None
        self.debrief_dialog: DebriefDialog | None = None
        self._busy = False
        self._setting_up = False

        self.banner = TrainingBanner()
        self.panel = TrainingPanel()
        central = window.centralWidget()
        assert central is not None
        layout = central.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.banner)
        layout.insertWidget(1, self.panel)
        self.console = InstructorConsole(window)
        self.instructor = self.console.panel

        self.panel.speed_chosen.connect(self.set_speed)
        self.panel.pause_toggled.connect(self.toggle_pause)
        self.panel.chart_requested.connect(self.chart_reading)
        self.panel.action_requested.connect(self._bedside_requested)
        self.panel.end_requested.connect(self.end)
        self.panel.start_requested.connect(self.pick_scenario)
        self.instructor.inject_requested.connect(self._inject_requested)
        self.instructor.resolve_requested.connect(self.resolve)
        self.instructor.shown.connect(self._show_state)
        self.console.pause_toggled.connect(self.toggle_pause)
        self.console.speed_chosen.connect(self.set_speed)
        self.console.jump_requested.connect(self.jump)
        self.console.snapshot_requested.connect(self.snapshot)
        self.console.rewind_requested.connect(self.rewind)
        self.console.trainee_controls_changed.connect(self._trainee_controls)
        controller.changed.connect(self._recorded_changed)
        self.panel.show_speed(clock.speed)

    # -- menu -----------------------------------------------------------------------------------------------
    def install_menu(self, bar: QMenuBar) -> QMenu:
        """The Training menu, placed before Help; "Open scenario…" also goes into the File menu."""
        menu = QMenu("&Training", self.window)
        menu.setObjectName("trainingMenu")
        actions = bar.actions()
        if actions:
            bar.insertMenu(actions[-1], menu)
        else:
            bar.addMenu(menu)
        self.action_start = self._add(menu, "&Start scenario\u2026", self.pick_scenario, QKeySequence("Ctrl+Shift+S"))
        self.action_open = self._add(menu, "&Open scenario file\u2026", self.open_scenario_file, None)
        self.action_pause = self._add(menu, "&Pause / resume", self.toggle_pause, QKeySequence("Ctrl+Shift+P"))
        speed_menu = menu.addMenu("Spee&d")
        self.speed_group = QActionGroup(self)
        self.speed_actions: dict[float, QAction] = {}
        for s in SPEEDS:
            action = QAction(speed_text(s), self.speed_group)
            action.setCheckable(True)
            action.setChecked(abs(s - self.clock.speed) < 1e-9)
            action.setData(s)
            action.triggered.connect(self._speed_action)
            speed_menu.addAction(action)
            self.speed_actions[s] = action
        self.speed_menu = speed_menu
        self.action_instructor = self._add(menu, "&Instructor console\u2026", self.open_console,
                                           QKeySequence("Ctrl+Shift+I"))
        self.action_class = self._add(menu, "&Class table from debrief files\u2026", self.open_class_table, None)
        menu.addSeparator()
        self.action_end = self._add(menu, "&End && debrief", self.end, QKeySequence("Ctrl+Shift+E"))
        file_menu = next((a.menu() for a in bar.actions() if a.text().replace("&", "") == "File"), None)
        if isinstance(file_menu, QMenu):
            first = file_menu.actions()[0] if file_menu.actions() else None
            open_action = QAction("Open &scenario\u2026", self.window)
            open_action.setObjectName("openScenarioAction")
            open_action.triggered.connect(self.open_scenario_file)
            file_menu.insertAction(first, open_action) if first is not None else file_menu.addAction(open_action)
        self._refresh_controls()
        return menu

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: QKeySequence | None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _speed_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_speed(float(action.data()))

    def open_console(self) -> InstructorConsole:
        """Show the instructor console (its own window, locked until the PIN is given)."""
        self.console.show()
        self.console.raise_()
        self.console.activateWindow()
        self._show_state()
        return self.console

    def open_class_table(self) -> None:
        from norepi_gui.ui.class_table import ClassTableDialog

        dialog = ClassTableDialog(self.window)
        dialog.choose_files()
        dialog.show()

    # -- starting -------------------------------------------------------------------------------------------
    def _site_folder(self) -> Path | None:
        settings = getattr(self.window, "view_settings", None)
        folder = getattr(settings, "scenario_folder", None)
        return folder if isinstance(folder, Path) else None

    def _resumable(self) -> list[SessionInfo]:
        return [s for s in self.controller.session.resumable() if s.id != self.session_id]

    def pick_scenario(self, path: Path | None = None) -> None:
        """The scenario picker; simulated time stands still while it is open."""
        was_running = self.clock.running
        self.clock.pause()
        self._refresh_controls()
        picker = ScenarioPicker(self.window, site_folder=self._site_folder(), resumable=self._resumable())
        if path is not None:
            picker.add_file(path)
        started = False
        if picker.exec() and (choice := picker.choice()) is not None:
            if choice.resume_session is not None:
                started = self.resume(choice.resume_session) is not None
            elif choice.path is not None:
                started = self.start(choice.path, speed=choice.speed, seed=choice.seed,
                                     trainee=choice.trainee) is not None
        if not started and was_running and self.run is not None and not self.run.finished:
            self.clock.resume()
        self._refresh_controls()

    def open_scenario_file(self) -> None:
        """File > Open scenario: a scenario file from anywhere, offered in the picker."""
        path, _f = QFileDialog.getOpenFileName(self.window, "Open a scenario file", "", "Scenario (*.toml)")
        if path:
            self.pick_scenario(Path(path))

    def _load(self, name_or_path: str | Path) -> Scenario:
        path = Path(name_or_path)
        if path.suffix == ".toml" or path.is_file():
            return load_scenario_file(path)
        for entry in scenario_catalogue(self._site_folder()):
            if entry.name == str(name_or_path):
                return load_scenario_file(entry.path)
        names = ", ".join(sorted({e.name for e in scenario_catalogue(self._site_folder())}))
        raise ScenarioError(str(name_or_path), "name", names, "no such scenario")

    def start(self, name_or_path: str | Path, *, speed: float = DEFAULT_SPEED, seed: int = 0,
              trainee: str = "") -> SessionInfo | None:
        """Start a scenario (a name or a file): a new training session, the panels prefilled, a first reading."""
        status = self.window.statusBar()
        try:
            scenario = self._load(name_or_path)
        except ScenarioError as exc:
            status.showMessage(f"Scenario not started: {exc}", 15000)
            self.panel.show_message(f"Scenario not started: {exc}")
            return None
        session = self.controller.session
        if self.run is not None and not session.confirm(
                "Start scenario", "A scenario is running. End it without a debrief and start another?"):
            return None
        self.clock.pause()
        self.clock.set_speed(speed)
        self._setting_up = True
        try:
            self.run = None
            self.controller.new_session(f"Training: {scenario.title}", scenario=scenario.name)
            info = session.info
            assert info is not None
            now = self.clock.now()
            self.run = TrainingRun(scenario, start=now, seed=seed, protocol=session.protocol)
            self.session_id = info.id
            self.trainee = trainee
            self.snapshots = []
            self.controller.record_event(EventKind.SIM_EVENT, {
                "source": SOURCE_START, "scenario": scenario.name, "title": scenario.title, "seed": seed,
                "speed": speed, "duration_h": scenario.duration_h, "trainee": trainee,
                "started_at": now.isoformat(), "scenario_file": scenario.source, "scenario_text": scenario.text})
            prefill_panels(self.panels, scenario_prefill(scenario, now))
            self.run.baseline(session.state.effective_events())
        finally:
            self._setting_up = False
        self._begin(scenario, speed)
        self.chart_reading()  # the handover reading: advice and the first check time follow from it
        self.clock.resume()
        self._refresh_controls()
        self._show_state()
        status.showMessage(f"Scenario started: {scenario.title} at {speed_text(speed)}", 8000)
        self.started.emit(scenario.name)
        return info

    def _begin(self, scenario: Scenario, speed: float) -> None:
        self.last_debrief = None
        self.banner.show_scenario(scenario.title)
        self.panel.show_speed(speed)
        self.panel.show_message("")
        self.console.show_snapshots(self.snapshots)

    # -- resuming and rewinding -------------------------------------------------------------------------------
    def _start_of(self, raw: list[LogEvent]) -> _Start:
        """The start event of a training session's raw log, read back (ScenarioError when it cannot be)."""
        from datetime import datetime

        first = next((e for e in sorted(raw, key=lambda e: e.seq) if e.kind is EventKind.SIM_EVENT
                      and e.payload.get("source") == SOURCE_START), None)
        if first is None:
            raise ScenarioError("(session)", "start", "a training session started by norepi-gui",
                                "the session has no scenario start")
        p: Payload = first.payload
        text = p.get("scenario_text")
        if not isinstance(text, str) or not text:
            raise ScenarioError("(session)", "scenario_text", "a session recorded by this version",
                                "the scenario is not kept with the session")
        scenario = load_scenario_text(text, str(p.get("scenario_file") or p.get("scenario") or "(session)"))
        started = p.get("started_at")
        start = datetime.fromisoformat(started) if isinstance(started, str) else first.at
        seed = p.get("seed")
        speed = p.get("speed")
        retry = p.get("retry_of")
        from_min = p.get("from_min")
        return _Start(scenario, seed if isinstance(seed, int) else 0, start,
                      float(speed) if isinstance(speed, int | float) else DEFAULT_SPEED,
                      str(p.get("trainee") or ""), retry if isinstance(retry, int) else None,
                      float(from_min) if isinstance(from_min, int | float) else 0.0, first.seq)

    def _rebuild(self, session_id: int, until: datetime | None = None) -> tuple[TrainingRun, _Start]:
        """The run of session ``session_id`` as it was (at ``until``), from its record and that of the session it
        retries, if any."""
        store = self.controller.session.store
        raw = store.events(session_id)
        begin = self._start_of(raw)
        protocol = self.controller.session.protocol
        if begin.retry_of is None:
            run = TrainingRun.rebuild(begin.scenario, start=begin.start, seed=begin.seed, raw=raw, until=until,
                                      protocol=protocol)
            return run, begin
        base, _first = self._rebuild(begin.retry_of, begin.start + timedelta(minutes=begin.from_min))
        base.replay(raw, until=until, skip_until_seq=begin.start_seq)
        return base, begin

    def resume(self, session_id: int) -> SessionInfo | None:
        """Resume an interrupted training session: open it and rebuild its patient from the record."""
        status = self.window.statusBar()
        self._setting_up = True
        try:
            raw = self.controller.session.store.events(session_id)
            self._start_of(raw)  # refuse before anything is opened or recorded
            # Simulated time continues from the last entry: set before the session opens, so anything recorded on
            # opening (the advice shown again) carries that time.
            self.clock.pause()
            self.clock.jump_to(max(e.recorded_at for e in raw))
            self.controller.open_session(session_id)
            run, begin = self._rebuild(session_id)
        except ScenarioError as exc:
            self._setting_up = False
            status.showMessage(f"Training session not resumed: {exc}", 15000)
            self.panel.show_message(f"Training session not resumed: {exc}")
            return None
        self.run, self.session_id, self.trainee = run, session_id, begin.trainee
        self.snapshots = self._recorded_snapshots()
        self.clock.jump_to(max(max(e.recorded_at for e in raw), run.time_at(run.elapsed_min)))
        self.clock.set_speed(begin.speed)
        self._setting_up = False
        self._begin(begin.scenario, begin.speed)
        self.redraw_monitor()
        self.panel.show_message("Training session resumed where it stopped: paused. Resume when ready.")
        self._refresh_controls()
        self._show_state()
        status.showMessage(f"Training session resumed: {begin.scenario.title}", 8000)
        self.started.emit(begin.scenario.name)
        return self.controller.session.info

    def _recorded_snapshots(self) -> list[float]:
        info = self.controller.session.info
        if info is None:
            return []
        out = []
        for e in self.controller.session.store.events(info.id):
            minute = e.payload.get("minute") if e.kind is EventKind.SIM_EVENT else None
            if e.payload.get("source") == SOURCE_SNAPSHOT and isinstance(minute, int | float):
                out.append(float(minute))
        return out

    def snapshot(self) -> float | None:
        """Mark this moment to rewind to (recorded, so a resumed session keeps its snapshots)."""
        if self.run is None or not self.controller.session.writable:
            return None
        self._step()
        minute = self.run.elapsed_min
        self.controller.record_event(EventKind.SIM_EVENT, {"source": SOURCE_SNAPSHOT, "minute": minute})
        self.snapshots.append(minute)
        self.console.show_snapshots(self.snapshots)
        return minute

    def rewind(self, minute: float) -> SessionInfo | None:
        """Retry from a snapshot: a new attempt (a new session) whose patient and record are those of this one at
        ``minute``; this attempt is closed as it stands."""
        run, info = self.run, self.controller.session.info
        if run is None or info is None or self.session_id is None:
            return None
        old_id = self.session_id
        at = run.time_at(minute)
        self._setting_up = True
        try:
            rebuilt, begin = self._rebuild(old_id, at)
            kept = [e for e in self.controller.session.state.effective_events()
                    if e.at <= at and e.kind not in (EventKind.SESSION_CLOSED,)
                    and not (e.kind is EventKind.SIM_EVENT and e.payload.get("source") == SOURCE_START)]
            self.controller.record_event(EventKind.SIM_EVENT, {"source": SOURCE_INSTRUCTOR, "rewound_to": minute})
            self.clock.pause()
            self.clock.jump_to(at)
            title = f"Training (retry from {fmt_minutes(minute)}): {begin.scenario.title}"
            self.controller.new_session(title, scenario=begin.scenario.name)
            session = self.controller.session
            copied = session.replay([(e.kind, e.payload, e.at) for e in kept])
            self.controller.announce(copied)
            new_info = session.info
            assert new_info is not None
            self.controller.record_event(EventKind.SIM_EVENT, {
                "source": SOURCE_START, "scenario": begin.scenario.name, "title": begin.scenario.title,
                "seed": begin.seed, "speed": self.clock.speed, "duration_h": begin.scenario.duration_h,
                "trainee": self.trainee, "started_at": begin.start.isoformat(),
                "scenario_file": begin.scenario.source, "scenario_text": begin.scenario.text,
                "retry_of": old_id, "from_min": minute})
            rebuilt.adopt(session.state.effective_events())
            self.run, self.session_id = rebuilt, new_info.id
            self.snapshots = [m for m in self.snapshots if m <= minute]
        finally:
            self._setting_up = False
        self._begin(begin.scenario, self.clock.speed)
        self.redraw_monitor()
        self.panel.show_message(f"Rewound to {fmt_minutes(minute)}: a new attempt from there (paused).")
        self._refresh_controls()
        self._show_state()
        return new_info

    def jump(self, minutes: float) -> None:
        """Move simulated time on by ``minutes`` at once (the patient is stepped through them)."""
        if self.run is None or minutes <= 0:
            return
        self.clock.jump_to(self.clock.now() + timedelta(minutes=minutes))
        self.advance()

    # -- time -----------------------------------------------------------------------------------------------
    def advance(self) -> None:
        """Step the patient to the clock (the window's tick calls this first)."""
        if self.run is None or self._busy or self._setting_up:
            return
        self._busy = True
        try:
            self._step()
            run = self.run
            for fired in run.fired_scenario_events():
                self.controller.record_event(EventKind.SIM_EVENT, event_payload(fired.event, SOURCE_SCENARIO),
                                             at=run.time_at(fired.time_min))
            if self.panel.auto_chart.isChecked() and self._check_due_without_reading():
                self.chart_reading()
            if run.finished and self.clock.running:
                self.clock.pause()
                self.panel.show_message("The scenario's time is over: End & debrief when ready.")
                self._refresh_controls()
        finally:
            self._busy = False
        self._show_state()

    def _step(self, when: datetime | None = None) -> None:
        run = self.run
        if run is None:
            return
        feed = run.advance_to(when if when is not None else self.clock.now())
        if len(feed):
            self._plot().append_monitor_samples(feed.times_epoch, feed.map_mmhg)

    def _check_due_without_reading(self) -> bool:
        session = self.controller.session
        due = session.prompt.due_at
        if due is None or self.clock.now() < due:
            return False
        last = session.state.last_reading
        return last is None or last.at < due

    def redraw_monitor(self) -> None:
        """Put the monitor trace back after the plot was cleared for a redraw from the record."""
        if self.run is None:
            return
        history = self.run.monitor_history()
        if len(history):
            self._plot().append_monitor_samples(history.times_epoch, history.map_mmhg)

    def set_speed(self, speed: float) -> None:
        self.clock.set_speed(speed)
        self.panel.show_speed(speed)
        action = getattr(self, "speed_actions", {}).get(speed)
        if action is not None:
            action.setChecked(True)
        self._show_state()

    def pause(self) -> None:
        self.clock.pause()
        self._refresh_controls()

    def resume_time(self) -> None:
        if self.run is not None and not self.run.finished:
            self.clock.resume()
        self._refresh_controls()

    def toggle_pause(self) -> None:
        if self.clock.running:
            self.pause()
        else:
            self.resume_time()

    def _trainee_controls(self, allowed: bool) -> None:
        self.trainee_controls = allowed
        self._refresh_controls()

    # -- what the trainee and the instructor do -------------------------------------------------------------
    def chart_reading(self) -> Change | None:
        """Chart what the monitor shows now, through the window's normal reading path."""
        if self.run is None:
            return None
        self._step()
        shown = self.run.monitor_reading()
        if shown.artefact:
            self.panel.show_message("The monitor shows a flush square wave, not a pressure: wait and chart again.")
            return None
        try:
            reading = Reading(at=shown.at, map_mmhg=shown.map_mmhg, sbp_mmhg=shown.sbp_mmhg, dbp_mmhg=shown.dbp_mmhg,
                              hr_per_min=shown.hr_per_min,
                              lactate_mmol_per_l=shown.lactate_mmol_per_l if shown.new_lab else None,
                              urine_ml_per_kg_per_h=shown.urine_ml_per_kg_per_h if shown.new_urine else None)
        except InputError as exc:
            self.panel.show_message(f"Monitor reading not charted: {exc}")
            return None
        self.panel.show_message("")
        change = self.controller.record_reading(reading, source="monitor")
        if change.readings.appended and not change.failure:
            self.run.charted(shown)
        return change

    def _bedside_requested(self, kind: str, volume: object) -> None:
        self.bedside_action(kind, float(volume) if isinstance(volume, int | float) else None)

    def bedside_action(self, kind: str, volume_ml: float | None = None) -> Change | None:
        """Record a bedside action; a new bag is recorded as the window records one (the bag panel sees it)."""
        if self.run is None or not self.controller.session.writable:
            return None
        if kind == "CHANGE_BAG":
            return self.hang_new_bag()
        return self.controller.record_event(EventKind.SIM_EVENT, {"source": SOURCE_STUDENT, "action": kind,
                                                                  "volume_ml": volume_ml})

    def hang_new_bag(self) -> Change | None:
        """A full bag of the running concentration, recorded through the bedside layer's bag operation."""
        run = self.run
        bag = self.controller.session.state.bag
        if run is None:
            return None
        volume = run.scenario.infusion.bag_volume_ml
        if bag is None:
            bag = BagRecord(concentration_mcg_per_ml=run.scenario.infusion.concentration_mcg_per_ml)
        return self.controller.set_bag(BagRecord(
            concentration_mcg_per_ml=bag.concentration_mcg_per_ml, standard=bag.standard, description=bag.description,
            amount_entered=bag.amount_entered, volume_entered=bag.volume_entered, salt=bag.salt, diluent=bag.diluent,
            bag_volume_ml=volume, drop_factor=bag.drop_factor))

    def _inject_requested(self, event: SimEvent | None, tag: str) -> None:
        if event is None:
            self.fire_now(tag)
        else:
            self.inject(event)

    def inject(self, event: SimEvent) -> Change | None:
        """Record an instructor injection; the simulator applies it now, from the record."""
        if self.run is None or not self.controller.session.writable:
            return None
        return self.controller.record_event(EventKind.SIM_EVENT, event_payload(event, SOURCE_INSTRUCTOR))

    def fire_now(self, tag: str) -> Change | None:
        """Fire a scenario event that is still to come now (it then leaves the schedule: it never fires twice)."""
        if self.run is None or not self.controller.session.writable:
            return None
        event = next((e for e, t in self.run.upcoming_events() if t == tag), None)
        if event is None:
            return None
        return self.controller.record_event(EventKind.SIM_EVENT, event_payload(event, SOURCE_INSTRUCTOR, tag=tag))

    def resolve(self, kind: str) -> Change | None:
        """Record that the instructor ended an event of ``kind`` now; the simulator applies it from the record."""
        if self.run is None or not self.controller.session.writable:
            return None
        return self.controller.record_event(EventKind.SIM_EVENT, resolve_payload(kind))

    def _recorded_changed(self, change: Change) -> None:
        if self.run is None or self._setting_up:
            return
        info = self.controller.session.info
        if info is None or info.id != self.session_id:  # another session was opened or started
            self.run = None
            self.clock.pause()
            self.banner.show_scenario(None)
            self._refresh_controls()
            return
        if change.monitor_samples and all(e.kind in _MONITOR_KINDS for e in change.recorded):
            return  # the monitor's values change nothing the scenario reads (one message a second must stay cheap)
        # Applied at the time it was recorded, so that a replay of the record gives the same patient.
        when = max((e.recorded_at for e in change.recorded), default=self.clock.now())
        self._step(when)
        self.run.sync(self.controller.session.state.effective_events())
        self._show_state()

    # -- the end --------------------------------------------------------------------------------------------
    def end(self) -> TrainingDebrief | None:
        """Stop the scenario, score it, record the metrics, close the session and show the debrief."""
        run = self.run
        if run is None:
            return None
        session = self.controller.session
        self._step()
        self.clock.pause()
        result = run.debrief(session.state.effective_events(), trainee=self.trainee)
        if session.writable:
            self.controller.record_event(EventKind.SIM_EVENT, result.to_payload())
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        image = timeline_image(result)
        self.run = None
        if session.writable:
            self.controller.close_session()
        self.last_debrief = result
        self.banner.show_scenario(None)
        self.panel.show_message("Scenario ended: see the debrief.")
        self._refresh_controls()
        self._show_state()
        dialog = DebriefDialog(result, image, self.window)
        self.debrief_dialog = dialog
        dialog.show()
        self.ended.emit(result)
        return result

    # -- display --------------------------------------------------------------------------------------------
    def _refresh_controls(self) -> None:
        running = self.run is not None
        self.panel.show_running(running, paused=not self.clock.running, trainee_controls=self.trainee_controls)
        self.console.set_running(running)
        for name in ("action_pause", "action_end"):
            action = getattr(self, name, None)
            if isinstance(action, QAction):
                action.setEnabled(running and (name != "action_pause" or self.trainee_controls))
        speed_menu = getattr(self, "speed_menu", None)
        if isinstance(speed_menu, QMenu):
            speed_menu.setEnabled(self.trainee_controls)

    def _show_state(self) -> None:
        run = self.run
        self.console.show_time(run.elapsed_min if run else None, run.duration_min if run else None,
                               self.clock.running, self.clock.speed)
        if run is None:
            self.console.show_scenario("No scenario running")
        else:
            who = f" \u00b7 trainee {self.trainee}" if self.trainee else ""
            self.console.show_scenario(f"{run.scenario.title} (seed {run.seed}){who}")
        if run is None:
            self.panel.scenario_label.setText("No scenario running. Training > Start scenario\u2026")
            self.panel.time_label.setText("-")
            self.panel.show_monitor(None)
            self.panel.show_cues([])
            self.instructor.show_hidden(None, [])
            return
        state = "paused" if not self.clock.running else speed_text(self.clock.speed)
        self.panel.scenario_label.setText(f"Scenario: {run.scenario.title}")
        self.panel.time_label.setText(f"Simulated {fmt_minutes(run.elapsed_min)} of "
                                      f"{fmt_minutes(run.duration_min)} h:min ({state})")
        self.panel.show_monitor(run.monitor_reading())
        self.panel.show_cues(run.cues())
        if self.console.isVisible() and not self.console.locked:
            self.instructor.show_hidden(run.hidden(), run.upcoming_events())
