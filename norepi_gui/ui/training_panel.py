"""Training mode in the bedside window: the banner, the scenario picker, the training bar and its controller.

The controller connects a :class:`norepi_gui.sim.training.TrainingRun` to the window without clinical logic of its
own. Simulated time is the window's clock (a :class:`SimulatedClock`), so every recorded event carries simulated
time. On each tick the patient is stepped to the clock and the arterial-line samples go to the plot's monitor trace;
a charted reading goes through the bedside layer's normal operation (``BedsideController.record_reading``), so the
session, table, plot, advice and prompts work exactly as at the bedside. Whatever the student records (doses,
co-infusions, bag, target, bedside actions) and whatever the instructor injects is recorded first and then applied to
the virtual patient from the session's events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
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

from norepi_gui.core.clock import SimulatedClock
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Reading
from norepi_gui.sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario
from norepi_gui.sim.training import (
    SOURCE_INSTRUCTOR,
    SOURCE_SCENARIO,
    SOURCE_START,
    SOURCE_STUDENT,
    SPEEDS,
    MonitorReading,
    Prefill,
    TrainingDebrief,
    TrainingRun,
    event_payload,
    fmt_minutes,
    scenario_prefill,
)
from norepi_gui.ui.coinfusion_panel import CoInfusionPanel, CoInfusionRequest
from norepi_gui.ui.debrief_dialog import TRAINING_COLOUR, TRAINING_MARK, DebriefDialog
from norepi_gui.ui.formatting import fmt_clock, fmt_dose, local_time
from norepi_gui.ui.infusion_panel import CUSTOM, InfusionPanel
from norepi_gui.ui.instructor_panel import InstructorPanel
from norepi_gui.ui.patient_panel import ARTERIAL_CHOICES, PatientPanel
from norepi_gui.ui.widgets import scaled_font

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import Change
    from norepi_gui.core.events import SessionInfo
    from norepi_gui.sim.events import Event as SimEvent
    from norepi_gui.ui.controller import BedsideController
    from norepi_gui.ui.map_plot import MapPlot


@dataclass(frozen=True)
class EntryPanels:
    """The window's entry panels, which a scenario start fills in and records the normal way."""

    patient: PatientPanel
    infusion: InfusionPanel
    co_infusions: CoInfusionPanel

DEFAULT_SPEED = 10.0
# (label, action kind of norepi_gui.sim.actions, volume in mL or None). Bolus sizes are the usual 250/500 mL
# crystalloid steps offered as choices, not advice; the simulator's response to them is a model assumption.
BEDSIDE_CHOICES: tuple[tuple[str, str, float | None], ...] = (
    ("Flush the arterial line", "FLUSH_LINE", None),
    ("Fluid bolus 250 mL", "FLUID_BOLUS", 250.0),
    ("Fluid bolus 500 mL", "FLUID_BOLUS", 500.0),
    ("Hang a new bag", "CHANGE_BAG", None),
    ("Re-site the line", "RESITE_LINE", None),
    ("Give phentolamine (extravasation)", "GIVE_PHENTOLAMINE", None),
    ("Request central access", "REQUEST_CENTRAL_ACCESS", None),
    ("Call the physician", "CALL_PHYSICIAN", None),
)


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


class ScenarioPicker(QDialog):
    """Pick a scenario, the speed and the patient variant (seed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioPicker")
        self.setWindowTitle(f"Start a scenario \u2014 {TRAINING_MARK}")
        self.scenarios: dict[str, Scenario] = {}
        self.problems: list[str] = []
        for name in list_scenarios():
            try:
                self.scenarios[name] = load_scenario(name)
            except ScenarioError as exc:
                self.problems.append(str(exc))
        self.list = QListWidget()
        self.list.setObjectName("scenarioList")
        self.list.setAccessibleName("Scenarios")
        for name, scenario in self.scenarios.items():
            item = QListWidgetItem(scenario.title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self.details = QTextBrowser()
        self.details.setObjectName("scenarioDetails")
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
        options = QHBoxLayout()
        options.addWidget(QLabel("Speed"))
        options.addWidget(self.speed)
        options.addSpacing(20)
        options.addWidget(QLabel("Patient variant (seed)"))
        options.addWidget(self.seed)
        options.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Start scenario")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addWidget(self.details, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(options)
        if self.problems:
            problems = QLabel("Not loaded: " + "; ".join(self.problems))
            problems.setWordWrap(True)
            layout.addWidget(problems)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show_details)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.resize(860, 520)

    def _show_details(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None:
            self.details.clear()
            return
        s = self.scenarios[str(item.data(Qt.ItemDataRole.UserRole))]
        pt = s.patient
        objectives = "".join(f"<li>{o}</li>" for o in s.learning_objectives)
        self.details.setHtml(
            f"<h3>{s.title}</h3><p>{s.description}</p>"
            f"<p><b>Patient:</b> {pt.population}, {pt.weight_kg:g} kg, {pt.line} line, {pt.monitoring} pressure; "
            f"{s.duration_h:g} h simulated; order: MAP {s.target_map_mmhg:g} mmHg.</p>"
            f"<p><b>Learning objectives</b></p><ul>{objectives}</ul>"
        )

    def choice(self) -> tuple[str, float, int] | None:
        if self.list.currentRow() < 0:
            return None
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)), float(self.speed.currentData()), self.seed.value()


class TrainingPanel(QFrame):
    """The training bar under the banner: scenario clock, speed, monitor, charting, bedside actions, end."""

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
        self.chart_button = QPushButton("Chart monitor reading")
        self.chart_button.setObjectName("chartReadingButton")
        self.chart_button.setToolTip("Record what the monitor shows now (MAP, SBP/DBP, HR, last lactate, urine)")
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
        layout.addWidget(self.message)

        self.speed.activated.connect(self._speed_activated)
        self.pause_button.clicked.connect(self.pause_toggled)
        self.chart_button.clicked.connect(self.chart_requested)
        self.action_button.clicked.connect(self._action_clicked)
        self.end_button.clicked.connect(self.end_requested)
        self.start_button.clicked.connect(self.start_requested)
        self.show_running(False, paused=False)
        self.show_monitor(None)
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

    def show_running(self, running: bool, *, paused: bool) -> None:
        for w in (self.pause_button, self.chart_button, self.action_button, self.end_button):
            w.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")

    def show_monitor(self, reading: MonitorReading | None) -> None:
        if reading is None:
            self.monitor.setText("Monitor: -")
            return
        if reading.artefact:
            pressure = "<span style='color:#FF5050'>ART \u2191\u2191 flush</span>"
        else:
            pressure = (f"<span style='color:#FF5050'>ART {reading.sbp_mmhg:.0f}/{reading.dbp_mmhg:.0f} "
                        f"({reading.map_mmhg:.0f})</span>")
        self.monitor.setText(
            f"{pressure} &nbsp; <span style='color:#40E040'>HR {reading.hr_per_min:.0f}</span> &nbsp; "
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
        self.instructor = InstructorPanel()
        self.instructor_dock = QDockWidget("Instructor (hidden from the student)", window)
        self.instructor_dock.setObjectName("instructorDock")
        self.instructor_dock.setWidget(self.instructor)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.instructor_dock)
        self.instructor_dock.hide()

        self.panel.speed_chosen.connect(self.set_speed)
        self.panel.pause_toggled.connect(self.toggle_pause)
        self.panel.chart_requested.connect(self.chart_reading)
        self.panel.action_requested.connect(self._bedside_requested)
        self.panel.end_requested.connect(self.end)
        self.panel.start_requested.connect(self.pick_scenario)
        self.instructor.inject_requested.connect(self.inject)
        self.instructor.shown.connect(self._show_state)
        controller.changed.connect(self._recorded_changed)
        self.panel.show_speed(clock.speed)

    # -- menu -----------------------------------------------------------------------------------------------
    def install_menu(self, bar: QMenuBar) -> QMenu:
        """The Training menu, placed before Help."""
        menu = QMenu("&Training", self.window)
        menu.setObjectName("trainingMenu")
        actions = bar.actions()
        if actions:
            bar.insertMenu(actions[-1], menu)
        else:
            bar.addMenu(menu)
        self.action_start = self._add(menu, "&Start scenario\u2026", self.pick_scenario, QKeySequence("Ctrl+Shift+S"))
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
        self.action_instructor = self.instructor_dock.toggleViewAction()
        self.action_instructor.setText("&Instructor panel")
        self.action_instructor.setShortcut(QKeySequence("Ctrl+Shift+I"))
        menu.addAction(self.action_instructor)
        menu.addSeparator()
        self.action_end = self._add(menu, "&End && debrief", self.end, QKeySequence("Ctrl+Shift+E"))
        self._refresh_controls()
        return menu

    def _add(self, menu: QMenu, text: str, slot: object, shortcut: QKeySequence) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _speed_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_speed(float(action.data()))

    # -- starting -------------------------------------------------------------------------------------------
    def pick_scenario(self) -> None:
        picker = ScenarioPicker(self.window)
        if picker.exec() and (choice := picker.choice()) is not None:
            name, speed, seed = choice
            self.start(name, speed=speed, seed=seed)

    def start(self, name: str, *, speed: float = DEFAULT_SPEED, seed: int = 0) -> SessionInfo | None:
        """Start scenario ``name``: a new training session, the panels prefilled, a first charted reading."""
        status = self.window.statusBar()
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            status.showMessage(f"Scenario not started: {exc}", 15000)
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
            self.run = TrainingRun(scenario, start=now, seed=seed)
            self.session_id = info.id
            self.controller.record_event(EventKind.SIM_EVENT, {
                "source": SOURCE_START, "scenario": scenario.name, "title": scenario.title, "seed": seed,
                "speed": speed, "duration_h": scenario.duration_h})
            prefill_panels(self.panels, scenario_prefill(scenario, now))
            self.run.baseline(session.state.effective_events())
        finally:
            self._setting_up = False
        self.last_debrief = None
        self.banner.show_scenario(scenario.title)
        self.instructor.set_scenario_events(scenario.events)
        self.panel.show_speed(speed)
        self.panel.show_message("")
        self.chart_reading()  # the handover reading: advice and the first check time follow from it
        self.clock.resume()
        self._refresh_controls()
        self._show_state()
        status.showMessage(f"Scenario started: {scenario.title} at {speed_text(speed)}", 8000)
        self.started.emit(scenario.name)
        return info

    # -- time -----------------------------------------------------------------------------------------------
    def advance(self) -> None:
        """Step the patient to the clock (the window's tick calls this first)."""
        if self.run is None or self._busy or self._setting_up:
            return
        self._busy = True
        try:
            self._step()
            run = self.run
            for ev in run.fired_scenario_events():
                self.controller.record_event(EventKind.SIM_EVENT, event_payload(ev, SOURCE_SCENARIO),
                                             at=run.time_at(ev.at_min))
            if self.panel.auto_chart.isChecked() and self._check_due_without_reading():
                self.chart_reading()
            if run.finished and self.clock.running:
                self.clock.pause()
                self.panel.show_message("The scenario's time is over: End & debrief when ready.")
                self._refresh_controls()
        finally:
            self._busy = False
        self._show_state()

    def _step(self) -> None:
        run = self.run
        if run is None:
            return
        feed = run.advance_to(self.clock.now())
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

    def pause(self) -> None:
        self.clock.pause()
        self._refresh_controls()

    def resume(self) -> None:
        if self.run is not None and not self.run.finished:
            self.clock.resume()
        self._refresh_controls()

    def toggle_pause(self) -> None:
        if self.clock.running:
            self.pause()
        else:
            self.resume()

    # -- what the student and the instructor do -------------------------------------------------------------
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
                              hr_per_min=shown.hr_per_min, lactate_mmol_per_l=shown.lactate_mmol_per_l,
                              urine_ml_per_kg_per_h=shown.urine_ml_per_kg_per_h)
        except InputError as exc:
            self.panel.show_message(f"Monitor reading not charted: {exc}")
            return None
        self.panel.show_message("")
        return self.controller.record_reading(reading, source="monitor")

    def _bedside_requested(self, kind: str, volume: object) -> None:
        self.bedside_action(kind, float(volume) if isinstance(volume, int | float) else None)

    def bedside_action(self, kind: str, volume_ml: float | None = None) -> Change | None:
        """Record a bedside action (flush, bolus, new bag, ...); the simulator applies it from the record."""
        if self.run is None or not self.controller.session.writable:
            return None
        return self.controller.record_event(EventKind.SIM_EVENT, {"source": SOURCE_STUDENT, "action": kind,
                                                                  "volume_ml": volume_ml})

    def inject(self, event: SimEvent) -> Change | None:
        """Record an instructor injection; the simulator applies it now, from the record."""
        if self.run is None or not self.controller.session.writable:
            return None
        return self.controller.record_event(EventKind.SIM_EVENT, event_payload(event, SOURCE_INSTRUCTOR))

    def _recorded_changed(self, _change: Change) -> None:
        if self.run is None or self._setting_up:
            return
        info = self.controller.session.info
        if info is None or info.id != self.session_id:  # another session was opened or started
            self.run = None
            self.clock.pause()
            self.banner.show_scenario(None)
            self._refresh_controls()
            return
        self._step()
        self.run.sync(self.controller.session.state.effective_events())

    # -- the end --------------------------------------------------------------------------------------------
    def end(self) -> TrainingDebrief | None:
        """Stop the scenario, score it, record the metrics, close the session and show the debrief."""
        run = self.run
        if run is None:
            return None
        session = self.controller.session
        self._step()
        self.clock.pause()
        result = run.debrief(session.state.effective_events())
        if session.writable:
            self.controller.record_event(EventKind.SIM_EVENT, result.to_payload())
        # The plot relaid its legend when the record redrew it: let that layout happen before the picture is taken.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        image = self._plot().render_image(max(run.elapsed_min, 1.0) * 60.0 * 1.15)  # the whole run, start included
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
        self.panel.show_running(running, paused=not self.clock.running)
        self.instructor.set_running(running)
        for name in ("action_pause", "action_end"):
            action = getattr(self, name, None)
            if isinstance(action, QAction):
                action.setEnabled(running)

    def _show_state(self) -> None:
        run = self.run
        if run is None:
            self.panel.scenario_label.setText("No scenario running. Training > Start scenario\u2026")
            self.panel.time_label.setText("-")
            self.panel.show_monitor(None)
            self.instructor.show_hidden(None, [])
            return
        state = "paused" if not self.clock.running else speed_text(self.clock.speed)
        self.panel.scenario_label.setText(f"Scenario: {run.scenario.title}")
        self.panel.time_label.setText(f"Simulated {fmt_minutes(run.elapsed_min)} of "
                                      f"{fmt_minutes(run.duration_min)} h:min ({state})")
        self.panel.show_monitor(run.monitor_reading())
        if self.instructor_dock.isVisible():
            self.instructor.show_hidden(run.hidden(), run.upcoming_events())
