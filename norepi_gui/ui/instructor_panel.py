"""The instructor's panel (a dock the student need not see): the hidden patient and event injection.

It shows what :meth:`norepi_gui.sim.training.TrainingRun.hidden` reports and emits the event the instructor picks;
the training controller records the injection in the session and the simulator applies it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.sim.events import Event
from norepi_gui.sim.training import INSTRUCTOR_PRESETS, HiddenState, Injection, describe_event, fmt_minutes

# (attribute of HiddenState, label, format)
HIDDEN_ROWS: tuple[tuple[str, str, str], ...] = (
    ("clearance_l_per_min", "NE clearance", "{:.2f} L/min"),
    ("half_life_min", "NE half-life", "{:.1f} min"),
    ("volume_l", "Volume of distribution", "{:.1f} L"),
    ("ec50_mcg_per_l", "EC50", "{:.2f} mcg/L"),
    ("emax_mmhg", "Emax (MAP rise)", "{:.1f} mmHg"),
    ("baseline_map_mmhg", "Baseline MAP (disease, untreated)", "{:.1f} mmHg"),
    ("true_map_mmhg", "True MAP now", "{:.1f} mmHg"),
    ("plasma_ne_mcg_per_l", "Plasma catecholamine", "{:.2f} mcg/L"),
    ("effect_site_mcg_per_l", "Effect-site concentration", "{:.2f} mcg/L"),
    ("heart_rate_per_min", "Heart rate", "{:.0f} /min"),
    ("cardiac_output", "Cardiac output (relative)", "{:.2f}"),
    ("perfusion", "Perfusion (0-1)", "{:.2f}"),
    ("lactate_mmol_per_l", "Lactate (true)", "{:.1f} mmol/L"),
    ("urine_ml_per_kg_per_h", "Urine output (true)", "{:.2f} mL/kg/h"),
    ("ne_mcg_per_kg_per_min", "NE reaching the pump line", "{:.3f} mcg/kg/min"),
    ("ne_delivered_fraction", "Fraction delivered (line)", "{:.0%}"),
    ("bag_remaining_ml", "Bag left", "{:.0f} mL"),
    ("vasopressin_u_per_min", "Vasopressin", "{:.3f} U/min"),
    ("epinephrine_mcg_per_kg_per_min", "Epinephrine", "{:.3f} mcg/kg/min"),
    ("dobutamine_mcg_per_kg_per_min", "Dobutamine", "{:.1f} mcg/kg/min"),
    ("weight_kg", "True weight", "{:.1f} kg"),
)


class InstructorPanel(QWidget):
    inject_requested = Signal(object)  # norepi_gui.sim.events.Event
    shown = Signal()  # the panel became visible: bring the hidden values up to date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("instructorPanel")
        self.setAccessibleName("Instructor panel: hidden patient parameters and event injection")
        self._injections: list[Injection] = []

        hidden = QGroupBox("Hidden patient (instructor only)")
        hidden.setObjectName("hiddenParams")
        form = QFormLayout(hidden)
        self.time_label = QLabel("-")
        self.time_label.setObjectName("instructorTimeLabel")
        form.addRow("Simulated time", self.time_label)
        self.values: dict[str, QLabel] = {}
        for attr, label, _fmt in HIDDEN_ROWS:
            value = QLabel("-")
            value.setObjectName(f"hidden_{attr}")
            self.values[attr] = value
            form.addRow(label, value)
        self.fluid_label = QLabel("-")
        self.fluid_label.setObjectName("hidden_fluid_responsive")
        form.addRow("Fluid responsive", self.fluid_label)

        inject = QGroupBox("Inject an event now")
        il = QVBoxLayout(inject)
        self.choice = QComboBox()
        self.choice.setObjectName("injectionSelect")
        self.choice.setAccessibleName("Event to inject")
        self.inject_button = QPushButton("Inject now")
        self.inject_button.setObjectName("injectButton")
        self.inject_button.setEnabled(False)
        il.addWidget(self.choice)
        il.addWidget(self.inject_button)

        upcoming = QGroupBox("Scenario events still to come")
        ul = QVBoxLayout(upcoming)
        self.upcoming = QListWidget()
        self.upcoming.setObjectName("upcomingEvents")
        self.upcoming.setMaximumHeight(90)
        ul.addWidget(self.upcoming)

        layout = QVBoxLayout(self)
        layout.addWidget(inject)
        layout.addWidget(hidden)
        layout.addWidget(upcoming)
        layout.addStretch(1)
        self.inject_button.clicked.connect(self._inject_clicked)
        self.set_scenario_events(())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.shown.emit()

    def set_scenario_events(self, events: tuple[Event, ...]) -> None:
        """Offer the presets and each of the scenario's own events."""
        self._injections = list(INSTRUCTOR_PRESETS)
        self._injections += [Injection(f"Scenario: {describe_event(e)}", e) for e in events]
        self.choice.clear()
        self.choice.addItems([i.label for i in self._injections])

    def set_running(self, running: bool) -> None:
        self.inject_button.setEnabled(running)

    def show_hidden(self, state: HiddenState | None, upcoming: list[Event]) -> None:
        if state is None:
            self.time_label.setText("-")
            for label in self.values.values():
                label.setText("-")
            self.fluid_label.setText("-")
            self.upcoming.clear()
            return
        self.time_label.setText(f"{fmt_minutes(state.elapsed_min)} h:min")
        for attr, _label, fmt in HIDDEN_ROWS:
            self.values[attr].setText(fmt.format(float(getattr(state, attr))))
        self.fluid_label.setText("yes" if state.fluid_responsive else "no")
        texts = [f"{fmt_minutes(e.at_min)}  {describe_event(e)}" for e in upcoming]
        if [self.upcoming.item(i).text() for i in range(self.upcoming.count())] != texts:
            self.upcoming.clear()
            self.upcoming.addItems(texts)

    def selected(self) -> Injection | None:
        index = self.choice.currentIndex()
        return self._injections[index] if 0 <= index < len(self._injections) else None

    def _inject_clicked(self) -> None:
        injection = self.selected()
        if injection is not None:
            self.inject_requested.emit(injection.event)
