"""Co-infusions: start, change and stop vasopressin, epinephrine, dobutamine and hydrocortisone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QWidget

from norepi_gui.bedside.records import CO_INFUSION_UNITS
from norepi_gui.core.entry_bounds import CO_INFUSION_MAXIMA
from norepi_gui.core.errors import InputError
from norepi_gui.core.units import dimensionality_error, parse_quantity
from norepi_gui.ui.formatting import describe_input_error, fmt_clock
from norepi_gui.ui.widgets import ValidatedField, value_label

if TYPE_CHECKING:
    from norepi_gui.bedside.state import CoInfusionRow
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.ui.controller import BedsideController

LABELS = {
    "vasopressin": "Vasopressin",
    "epinephrine": "Epinephrine",
    "dobutamine": "Dobutamine",
    "hydrocortisone": "Hydrocortisone",
}


def engine_check(drug: str, value: float) -> None:
    """The engine's own bounds for a co-infusion dose (hydrocortisone is only recorded as started/stopped)."""
    from norepi_gui.core.titration.model import CoInfusions  # imports the engine: not before first paint

    if drug == "vasopressin":
        CoInfusions(vasopressin_u_per_min=value)
    elif drug == "epinephrine":
        CoInfusions(epinephrine_mcg_per_kg_per_min=value)
    elif drug == "dobutamine":
        CoInfusions(dobutamine_mcg_per_kg_per_min=value)


@dataclass(frozen=True)
class CoInfusionRequest:
    drug: str
    action: str  # start | change | stop
    dose: float
    unit: str


class CoInfusionPanel(QGroupBox):
    requested = Signal(object)  # CoInfusionRequest

    def __init__(self, protocol: Protocol, parent: QWidget | None = None) -> None:
        super().__init__("Co-infusions", parent)
        self.setObjectName("coInfusionPanel")
        self.inputs: dict[str, ValidatedField] = {}
        self.set_buttons: dict[str, QPushButton] = {}
        self.stop_buttons: dict[str, QPushButton] = {}
        self.status: dict[str, QLabel] = {}
        self._running: dict[str, CoInfusionRow] = {}
        grid = QGridLayout(self)
        for row, (drug, unit) in enumerate(CO_INFUSION_UNITS.items()):
            label = QLabel(f"{LABELS[drug]}\n{unit}")
            field = ValidatedField(f"{drug}DoseInput", f"{LABELS[drug]} dose ({unit})", placeholder=unit)
            label.setBuddy(field.edit)
            field.edit.setMinimumWidth(field.edit.fontMetrics().horizontalAdvance("0.000 mcg"))
            start = QPushButton("Start")
            start.setObjectName(f"{drug}SetButton")
            start.setAccessibleName(f"Start or change {LABELS[drug]}")
            stop = QPushButton("Stop")
            stop.setObjectName(f"{drug}StopButton")
            stop.setAccessibleName(f"Stop {LABELS[drug]}")
            stop.setEnabled(False)
            status = value_label(f"{drug}StatusLabel", f"{LABELS[drug]} running")
            status.setText("off")
            grid.addWidget(label, 2 * row, 0)
            grid.addWidget(field, 2 * row, 1)
            grid.addWidget(start, 2 * row, 2)
            grid.addWidget(stop, 2 * row, 3)
            grid.addWidget(status, 2 * row + 1, 1, 1, 3)
            self.inputs[drug] = field
            self.set_buttons[drug] = start
            self.stop_buttons[drug] = stop
            self.status[drug] = status
            start.clicked.connect(self._set_clicked)
            stop.clicked.connect(self._stop_clicked)
            field.edit.returnPressed.connect(self._set_clicked)
        grid.setColumnStretch(1, 1)
        self.set_protocol(protocol)

    def set_protocol(self, protocol: Protocol) -> None:
        e = protocol.escalation
        hints = {
            "vasopressin": f"usual {e.vasopressin_dose_u_per_min:g}",
            "epinephrine": f"{e.epinephrine_min_dose:g}-{e.epinephrine_max_dose:g}",
            "dobutamine": f"{e.dobutamine_min_dose:g}-{e.dobutamine_max_dose:g}",
            "hydrocortisone": f"usual {e.hydrocortisone_mg_per_day:g}",
        }
        for drug, hint in hints.items():
            self.inputs[drug].edit.setPlaceholderText(f"{hint} {CO_INFUSION_UNITS[drug]}")

    def bind(self, controller: BedsideController) -> None:
        """Record through ``controller``; show what runs whenever the co-infusions change there."""
        self._controller = controller
        self.requested.connect(self._send)
        for signal in (controller.co_infusions_appended, controller.entries_reset, controller.session_changed):
            signal.connect(self._show_running)

    def _send(self, request: CoInfusionRequest) -> None:
        self._controller.co_infusion(request.drug, request.action, request.dose, request.unit)

    def _show_running(self, *_args: object) -> None:
        self.refresh(self._controller.session.state.active_co_infusions)

    def fields(self) -> list[QWidget]:
        out: list[QWidget] = []
        for drug in CO_INFUSION_UNITS:
            out += [self.inputs[drug].edit, self.set_buttons[drug], self.stop_buttons[drug]]
        return out

    def refresh(self, active: dict[str, CoInfusionRow]) -> None:
        self._running = dict(active)
        for drug, unit in CO_INFUSION_UNITS.items():
            row = active.get(drug)
            if row is None:
                self.status[drug].setText("off")
                self.set_buttons[drug].setText("Start")
                self.stop_buttons[drug].setEnabled(False)
            else:
                self.status[drug].setText(f"\u25b6 running {row.dose:g} {unit} since {fmt_clock(row.at)}")
                self.set_buttons[drug].setText("Change")
                self.stop_buttons[drug].setEnabled(True)

    def _drug_of(self, buttons: dict[str, QPushButton]) -> str | None:
        sender = self.sender()
        for drug, button in buttons.items():
            if sender is button or sender is self.inputs[drug].edit:
                return drug
        return None

    def _set_clicked(self) -> None:
        drug = self._drug_of(self.set_buttons)
        if drug is not None:
            self.request_set(drug)

    def _stop_clicked(self) -> None:
        drug = self._drug_of(self.stop_buttons)
        if drug is not None and drug in self._running:
            row = self._running[drug]
            self.requested.emit(CoInfusionRequest(drug, "stop", 0.0, row.unit))

    def parse(self, drug: str) -> float | None:
        field = self.inputs[drug]
        field.clear_error()
        unit = CO_INFUSION_UNITS[drug]
        label = f"{LABELS[drug]} dose"
        try:
            text = field.text().strip()
            if not text:
                raise InputError(label, "enter a dose", f"a number in {unit}")
            q = parse_quantity(text, label, unit, maximum=CO_INFUSION_MAXIMA.get(drug))
            try:
                value = float(q.to(unit).magnitude)
            except dimensionality_error():
                raise InputError(label, f"{text!r} is not in {unit}", unit) from None
            if value <= 0:
                raise InputError(label, f"{value:g} must be above zero (use Stop to stop)", f"a dose above 0 {unit}")
            try:
                engine_check(drug, value)
            except InputError as exc:
                raise InputError(label, exc.problem, exc.accepted) from None
        except InputError as exc:
            field.show_error(describe_input_error(label, exc))
            return None
        return value

    def request_set(self, drug: str) -> None:
        value = self.parse(drug)
        if value is None:
            return
        action = "change" if drug in self._running else "start"
        self.requested.emit(CoInfusionRequest(drug, action, value, CO_INFUSION_UNITS[drug]))
        self.inputs[drug].set_text("")
