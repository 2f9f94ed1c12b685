"""The titration order: a compact panel showing its seven elements, and the dialog that enters it once.

The dialog is prefilled from the protocol (``BedsideSession.order_defaults``); each prefilled value says it is a
protocol default, and the [U] ones ask to be reviewed. Nothing here decides anything: the order is checked by the
core (``norepi_gui.core.order.TitrationOrder`` and the protocol's hard maximum) and recorded by the bedside layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.core.errors import InputError
from norepi_gui.core.events import EventKind
from norepi_gui.core.order import TitrationOrder
from norepi_gui.core.protocol import LineType
from norepi_gui.ui.formatting import describe_input_error, fmt_clock
from norepi_gui.ui.summary_panel import SummaryPanel
from norepi_gui.ui.widgets import FieldStatus, ValidatedField

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import Change
    from norepi_gui.ui.controller import BedsideController

ROUTES = (("central line", LineType.CENTRAL), ("peripheral line", LineType.PERIPHERAL),
          ("intraosseous", LineType.INTRAOSSEOUS))
# (element, field key, label, unit kind) of each typed element, in the order's order.
FIELDS = (
    ("start", "start_dose", "Starting dose", "dose"),
    ("step", "step", "Step size (largest change)", "dose"),
    ("frequency", "change_every_min", "Change at most every", "min"),
    ("maximum", "max_dose", "Maximum dose", "dose"),
    ("goal", "goal_map_low", "Goal: MAP from", "mmHg"),
    ("goal", "goal_map_high", "Goal: MAP up to", "mmHg"),
    ("floor", "floor_map", "Floor: MAP never below", "mmHg"),
)
_FIELD_NAMES = {"starting dose": "start_dose", "step size": "step", "how often": "change_every_min",
                "maximum": "max_dose", "goal (lower map)": "goal_map_low", "goal (upper map)": "goal_map_high",
                "floor map": "floor_map", "prescriber": "prescriber"}


def _text(value: float) -> str:
    return f"{value:.6g}"


class OrderDialog(QDialog):
    """Enter or change the titration order. ``submit(order)`` records it and returns the Change; the dialog closes
    when nothing was refused."""

    def __init__(self, order: TitrationOrder, defaults: TitrationOrder, submit: Callable[[TitrationOrder], Change],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.setWindowTitle("Titration order")
        self.setAccessibleName("Titration order: the seven elements")
        self._defaults = defaults
        self._submit = submit
        self.order: TitrationOrder | None = None
        intro = QLabel("Enter the prescriber's titration order. Prefilled values are the protocol's defaults: "
                       "check each against the order; those marked [U] are unverified defaults to review. The "
                       "advice will stay inside this order.")
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel("Drug"), 0, 0)
        drug = QLabel(f"{order.drug} (doses as base)")
        drug.setObjectName("orderDrugLabel")
        drug.setAccessibleName("Drug")
        grid.addWidget(drug, 0, 1, 1, 2)
        self.route = QComboBox()
        self.route.setObjectName("orderRouteSelect")
        self.route.setAccessibleName("Route")
        for text, line in ROUTES:
            self.route.addItem(text, line.value)
        self.route.setCurrentIndex(max(0, self.route.findData(order.route.value)))
        route_label = QLabel("&Route")
        route_label.setBuddy(self.route)
        grid.addWidget(route_label, 1, 0)
        grid.addWidget(self.route, 1, 1)
        self.fields: dict[str, ValidatedField] = {}
        self.notes: dict[str, QLabel] = {}
        row = 2
        for element, key, label, kind in FIELDS:
            unit = order.dose_unit if kind == "dose" else kind
            field = ValidatedField(f"order_{key}", f"{label} ({unit})")
            field.set_text(_text(getattr(order, key)))
            name = QLabel(f"{label}")
            name.setBuddy(field.edit)
            note = QLabel()
            note.setObjectName(f"order_{key}Note")
            note.setAccessibleName(f"{label}: where the value comes from")
            self.fields[key] = field
            self.notes[key] = note
            grid.addWidget(name, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(QLabel(unit), row, 2)
            grid.addWidget(note, row, 3)
            field.edit.textChanged.connect(lambda _t, k=key, e=element: self._mark(k, e))
            self._mark(key, element)
            row += 1
        self.prescriber = ValidatedField("order_prescriber", "Prescriber", placeholder="name of the prescriber")
        self.prescriber.set_text(order.prescriber)
        prescriber_label = QLabel("&Prescriber")
        prescriber_label.setBuddy(self.prescriber.edit)
        grid.addWidget(prescriber_label, row, 0)
        grid.addWidget(self.prescriber, row, 1, 1, 3)
        self.status = FieldStatus("orderDialogStatus")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record order")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def _mark(self, key: str, element: str) -> None:
        """Say whether the field holds the protocol's default, and whether that default is one to review."""
        note = self.notes[key]
        try:
            same = abs(float(self.fields[key].text()) - getattr(self._defaults, key)) < 1e-9
        except ValueError:
            same = False
        if not same:
            note.setText("")
            note.setStyleSheet("")
        elif element in self._defaults.review:
            note.setText("protocol default [U]: review")
            note.setStyleSheet("color: #8a5a00; font-weight: bold;")
        else:
            note.setText("protocol default")
            note.setStyleSheet("color: #444;")

    def build(self) -> TitrationOrder | None:
        """The order as typed, or ``None`` with the refused field marked."""
        for field in (*self.fields.values(), self.prescriber):
            field.clear_error()
        self.status.clear_message()
        values: dict[str, float] = {}
        for key, field in self.fields.items():
            try:
                values[key] = float(field.text().replace(",", "."))
            except ValueError:
                field.show_error(f"{field.label}: {field.text()!r} is not a number")
                return None
        same = {key for _e, key, _l, _k in FIELDS if abs(values[key] - getattr(self._defaults, key)) < 1e-9}
        kept = {element for element, _key, _l, _k in FIELDS
                if all(key in same for other, key, _x, _y in FIELDS if other == element)}
        try:
            return TitrationOrder(
                route=LineType(str(self.route.currentData())), start_dose=values["start_dose"], step=values["step"],
                change_every_min=values["change_every_min"], max_dose=values["max_dose"],
                goal_map_low=values["goal_map_low"], goal_map_high=values["goal_map_high"],
                floor_map=values["floor_map"], dose_unit=self._defaults.dose_unit,
                prescriber=self.prescriber.text().strip(),
                defaults=tuple(e for e in self._defaults.defaults if e in kept),
                review=tuple(e for e in self._defaults.review if e in kept),
            )
        except InputError as exc:
            self._show(exc)
            return None

    def _show(self, exc: InputError) -> None:
        key = _FIELD_NAMES.get(exc.field.lower())
        field = self.prescriber if key == "prescriber" else self.fields.get(key or "")
        message = describe_input_error(exc.field[:1].upper() + exc.field[1:], exc)
        if field is not None:
            field.show_error(message)
            field.setFocus()
        else:
            self.status.show_error(message)

    def accept(self) -> None:
        order = self.build()
        if order is None:
            return
        change = self._submit(order)
        if change.problem is not None:
            self.status.show_error(change.problem.message)
            return
        if change.failure:
            self.status.show_error(change.failure)
            return
        self.order = order
        super().accept()


class OrderPanel(SummaryPanel):
    """The titration order in force, compactly; "Enter order..." / "Change order..." opens the dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Titration order", "orderPanel", summary=("orderSummary", "The titration order in force"),
                         button=("Enter order\u2026", "orderEditButton", "Enter or change the titration order"),
                         redraw_on=EventKind.ORDER, parent=parent)
        self.summary.setText("No titration order recorded: the advice follows the protocol alone.")

    def refresh(self) -> None:
        state = self._controller.session.state
        order = state.order
        if order is None:
            self.summary.setText("No titration order recorded: the advice follows the protocol alone.")
            self.button.setText("Enter order\u2026")
            return
        lines = [f"{label}: {text}" for label, text in order.describe()[1:]]
        event = state.order_event
        if event is not None:
            lines.append(f"Recorded {fmt_clock(event.at)}")
        self.summary.setText("\n".join(lines))
        self.button.setText("Change order\u2026")


def open_order_dialog(controller: BedsideController, parent: QWidget | None) -> TitrationOrder | None:
    """The order dialog prefilled with the order in force (or the protocol's defaults); records what is accepted."""
    session = controller.session
    defaults = session.order_defaults()
    current = session.state.order
    shown = dataclasses.replace(current, defaults=defaults.defaults, review=defaults.review) \
        if current is not None else defaults
    dialog = OrderDialog(shown, defaults, controller.set_order, parent)
    dialog.exec()
    return dialog.order
