"""What the instructor works with (inside the instructor console): the hidden patient, events to inject at a size of
their choosing, the events acting now with "Resolve", and the scenario's events still to come with "Fire now".

It shows what :meth:`norepi_gui.sim.training.TrainingRun.hidden` reports and emits what the instructor asks for; the
training controller records each injection or resolution in the session and the simulator applies it from there.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.sim.events import EVENT_LABELS, FIELD_RANGES, SIZE_FIELD, Event, with_size
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
    ("ne_mcg_per_kg_per_min", "NE programmed", "{:.3f} mcg/kg/min"),
    ("pump_factor", "Pump delivers (share of order)", "{:.0%}"),
    ("ne_delivered_fraction", "Reaching the circulation (line)", "{:.0%}"),
    ("bag_remaining_ml", "Bag left", "{:.0f} mL"),
    ("vasopressin_u_per_min", "Vasopressin", "{:.3f} U/min"),
    ("epinephrine_mcg_per_kg_per_min", "Epinephrine", "{:.3f} mcg/kg/min"),
    ("dobutamine_mcg_per_kg_per_min", "Dobutamine", "{:.1f} mcg/kg/min"),
    ("hydrocortisone_mg_per_day", "Hydrocortisone", "{:.0f} mg/day"),
    ("hydrocortisone_effect", "Hydrocortisone effect", "{:.0%}"),
    ("weight_kg", "True weight", "{:.1f} kg"),
)


class InstructorPanel(QWidget):
    inject_requested = Signal(object, str)  # norepi_gui.sim.events.Event, the scenario tag ("" for a new event)
    resolve_requested = Signal(str)  # the event kind to end now
    shown = Signal()  # the panel became visible: bring the hidden values up to date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("instructorPanel")
        self.setAccessibleName("Instructor: hidden patient parameters, events, resolve")
        self._injections: list[Injection] = list(INSTRUCTOR_PRESETS)

        inject = QGroupBox("Inject an event now")
        il = QFormLayout(inject)
        self.choice = QComboBox()
        self.choice.setObjectName("injectionSelect")
        self.choice.setAccessibleName("Event to inject")
        self.choice.addItems([EVENT_LABELS[i.event.kind] for i in self._injections])
        self.size_box = QDoubleSpinBox()
        self.size_box.setObjectName("injectionSize")
        self.size_box.setAccessibleName("Size of the event")
        self.size_box.setDecimals(2)
        self.size_unit = QLabel()
        size_row = QWidget()
        sl = QHBoxLayout(size_row)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.size_box, 1)
        sl.addWidget(self.size_unit)
        self.inject_button = QPushButton("Inject now")
        self.inject_button.setObjectName("injectButton")
        self.inject_button.setEnabled(False)
        il.addRow("Event", self.choice)
        il.addRow("Size", size_row)
        il.addRow(self.inject_button)

        active, self.active, self.resolve_button = _list_with_action(
            "Acting now", "activeEvents", ("Resolve selected", "resolveButton"),
            "End the event now: a pressure drop fades, bleeding stops, the pump runs as ordered, the rhythm returns")
        upcoming, self.upcoming, self.fire_button = _list_with_action(
            "Scenario events still to come", "upcomingEvents", ("Fire selected now", "fireNowButton"),
            "It fires now instead of at its time (once: it leaves this list)")

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

        left = QVBoxLayout()
        left.addWidget(inject)
        left.addWidget(active)
        left.addWidget(upcoming)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addWidget(hidden, 1)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.inject_button.clicked.connect(self._inject_clicked)
        self.resolve_button.clicked.connect(self._resolve_clicked)
        self.fire_button.clicked.connect(self._fire_clicked)
        self._choice_changed(0)
        self.set_running(False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.shown.emit()

    def _choice_changed(self, index: int) -> None:
        if not 0 <= index < len(self._injections):
            return
        ev = self._injections[index].event
        name = SIZE_FIELD[ev.kind]
        self.size_box.setEnabled(name is not None)
        if name is None:
            self.size_unit.setText("(no size)")
            return
        lo, hi, unit = FIELD_RANGES[name]
        self.size_box.setRange(lo, hi)
        self.size_box.setSingleStep(0.05 if hi <= 1.0 else 1.0)
        self.size_box.setValue(float(getattr(ev, name)))
        self.size_unit.setText(unit or name.replace("_", " "))

    def set_running(self, running: bool) -> None:
        for button in (self.inject_button, self.resolve_button, self.fire_button):
            button.setEnabled(running)

    def show_hidden(self, state: HiddenState | None, upcoming: list[tuple[Event, str]]) -> None:
        if state is None:
            self.time_label.setText("-")
            for label in self.values.values():
                label.setText("-")
            self.fluid_label.setText("-")
            self.upcoming.clear()
            self.active.clear()
            return
        self.time_label.setText(f"{fmt_minutes(state.elapsed_min)} h:min")
        for attr, _label, fmt in HIDDEN_ROWS:
            value = float(getattr(state, attr))
            self.values[attr].setText(fmt.format(value) if math.isfinite(value) else "-")
        self.fluid_label.setText("yes" if state.fluid_responsive else "no")
        self._fill(self.upcoming, [(f"{fmt_minutes(e.at_min) if e.when is None else 'armed'}  {describe_event(e)}",
                                    tag) for e, tag in upcoming])
        self._fill(self.active, [(EVENT_LABELS[kind], kind) for kind in state.active_events])

    @staticmethod
    def _fill(widget: QListWidget, items: list[tuple[str, str]]) -> None:
        current = [(widget.item(i).text(), widget.item(i).data(Qt.ItemDataRole.UserRole))
                   for i in range(widget.count())]
        if current == items:
            return
        selected = widget.currentItem().data(Qt.ItemDataRole.UserRole) if widget.currentItem() else None
        widget.clear()
        for text, data in items:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            widget.addItem(item)
            if data == selected:
                widget.setCurrentItem(item)

    def selected(self) -> Injection | None:
        index = self.choice.currentIndex()
        return self._injections[index] if 0 <= index < len(self._injections) else None

    def select_kind(self, kind: str, size: float | None = None) -> None:
        """Choose the event of ``kind`` (and its size) as the instructor would."""
        index = next(i for i, inj in enumerate(self._injections) if inj.event.kind == kind)
        self.choice.setCurrentIndex(index)
        if size is not None:
            self.size_box.setValue(size)

    def chosen_event(self) -> Event | None:
        injection = self.selected()
        if injection is None:
            return None
        return with_size(injection.event, self.size_box.value())

    def _inject_clicked(self) -> None:
        event = self.chosen_event()
        if event is not None:
            self.inject_requested.emit(event, "")

    def _resolve_clicked(self) -> None:
        kind = _selected(self.active)
        if kind is not None:
            self.resolve_requested.emit(kind)

    def _fire_clicked(self) -> None:
        name = _selected(self.upcoming)
        if name is not None:
            self.inject_requested.emit(None, name)


def _list_with_action(title: str, list_name: str, button: tuple[str, str], tooltip: str
                      ) -> tuple[QGroupBox, QListWidget, QPushButton]:
    """A titled box with a short list of events and the button acting on the one selected: ``button`` is (text,
    object name), ``tooltip`` says what it does."""
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    items = QListWidget()
    items.setObjectName(list_name)
    items.setMaximumHeight(90)
    text, button_name = button
    action = QPushButton(text)
    action.setObjectName(button_name)
    action.setToolTip(tooltip)
    layout.addWidget(items)
    layout.addWidget(action)
    return box, items, action


def _selected(items: QListWidget) -> str | None:
    """What the selected row stands for (its user data), the first row when none is selected; None when empty."""
    item = items.currentItem() or (items.item(0) if items.count() else None)
    return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
