"""Reading entry: time (defaults to now), MAP or SBP/DBP, HR and perfusion markers. Enter records.

Perfusion markers alone (lactate, urine output, capillary refill, mental status, no pressure) are recorded as a
perfusion entry of their own; with a pressure they go with the reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QGridLayout,
    QGroupBox,
    QPushButton,
    QWidget,
)

from norepi_gui.core.errors import InputError
from norepi_gui.core.units import split_number
from norepi_gui.ui.formatting import describe_input_error
from norepi_gui.ui.typed_time import AskWhich, ask_with_dialog, instant_of, wall_time
from norepi_gui.ui.widgets import FieldStatus, ValidatedField, field_label, scale_font, value_label

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import FieldProblem
    from norepi_gui.bedside.records import PerfusionRecord
    from norepi_gui.core.clock import Clock
    from norepi_gui.core.titration.model import Reading
    from norepi_gui.ui.controller import BedsideController

# Engine field names (norepi_gui.core.titration.model.Reading) -> (attribute, label, unit words accepted)
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "map": ("map_input", "MAP", ("mmhg",)),
    "sbp": ("sbp_input", "SBP", ("mmhg",)),
    "dbp": ("dbp_input", "DBP", ("mmhg",)),
    "hr": ("hr_input", "HR", ("/min", "bpm")),
    "lactate_mmol_l": ("lactate_input", "Lactate", ("mmol/l",)),
    "urine_ml_kg_h": ("urine_input", "Urine output", ("ml/kg/h",)),
    "crt_s": ("crt_input", "Capillary refill", ("s", "sec")),
}


@dataclass(frozen=True)
class ReadingEntry:
    """A checked reading (the core's :class:`Reading`) and when it was taken; or perfusion markers alone."""

    reading: Reading | None = None
    perfusion: PerfusionRecord | None = None
    at: datetime | None = None


def to_qdatetime(when: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(round(when.timestamp() * 1000))


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


class ReadingsPanel(QGroupBox):
    record_requested = Signal(object)  # ReadingEntry

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__("New reading", parent)
        self.setObjectName("readingsPanel")
        self._clock = clock
        self._follow_now = True
        #: The local zone a time set by hand is read in (None: as the system reads it); tests set it.
        self.zone: tzinfo | None = None
        #: Asks which time was meant in the hour repeated at the end of daylight saving time; tests replace it.
        self.ask_which: AskWhich = ask_with_dialog
        self.time = QDateTimeEdit()
        self.time.setObjectName("readingTimeInput")
        self.time.setAccessibleName("Reading time")
        self.time.setDisplayFormat("HH:mm  (d MMM)")
        self.time.setToolTip("When the reading was taken; follows the clock until you change it")
        self.time_status = FieldStatus("readingTimeInputStatus")
        self.map_input = ValidatedField("mapInput", "MAP (mmHg)", placeholder="MAP")
        self.sbp_input = ValidatedField("sbpInput", "SBP (mmHg)", placeholder="SBP")
        self.dbp_input = ValidatedField("dbpInput", "DBP (mmHg)", placeholder="DBP")
        self.hr_input = ValidatedField("hrInput", "Heart rate (/min)", placeholder="HR")
        self.lactate_input = ValidatedField("lactateInput", "Lactate (mmol/L)", placeholder="mmol/L")
        self.urine_input = ValidatedField("urineInput", "Urine output (mL/kg/h)", placeholder="mL/kg/h")
        self.crt_input = ValidatedField("crtInput", "Capillary refill (s)", placeholder="s")
        self.mental = QCheckBox("Altered mental status")
        self.mental.setObjectName("mentalStatusCheck")
        self.mental.setAccessibleName("Altered mental status")
        self.map_preview = value_label("mapComputedLabel", "MAP computed from SBP and DBP")
        scale_font(self.map_input.edit, 1.3, bold=True)
        self.add_button = QPushButton("Record (Enter)")
        self.add_button.setObjectName("addReadingButton")
        self.add_button.setAccessibleName("Record reading")
        self.add_button.setDefault(True)
        self.add_button.setAutoDefault(True)

        grid = QGridLayout(self)
        grid.setVerticalSpacing(4)
        pairs: list[tuple[str, QWidget]] = [
            ("&MAP", self.map_input), ("&SBP", self.sbp_input), ("DBP", self.dbp_input), ("HR", self.hr_input),
        ]
        for i, (text, widget) in enumerate(pairs):
            grid.addWidget(field_label(text), 0, 2 * i)
            grid.addWidget(widget, 0, 2 * i + 1)
        perf: list[tuple[str, QWidget]] = [
            ("Lactate", self.lactate_input), ("&Urine", self.urine_input), ("CRT", self.crt_input),
        ]
        for i, (text, widget) in enumerate(perf):
            grid.addWidget(field_label(text), 1, 2 * i)
            grid.addWidget(widget, 1, 2 * i + 1)
        grid.addWidget(self.mental, 1, 6, 1, 2)
        grid.addWidget(field_label("Time"), 2, 0)
        grid.addWidget(self.time, 2, 1, 1, 3)
        grid.addWidget(self.time_status, 2, 4, 1, 2)
        grid.addWidget(self.add_button, 2, 6, 1, 2)
        _retain(self.time_status)
        for column in (1, 3, 5, 7):
            grid.setColumnStretch(column, 1)
        self.fit_fields()

        for field in self._fields():
            field.edit.returnPressed.connect(self.request_record)
            field.edit.textEdited.connect(self._preview)
        self.add_button.clicked.connect(self.request_record)
        self.time.dateTimeChanged.connect(self._time_edited)
        self.tick()

    def fit_fields(self) -> None:
        """Room for the numbers typed (after a change of text size too): no field narrower than its value."""
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:00  (00 May)") + 36)
        self.map_input.edit.setMinimumWidth(self.map_input.edit.fontMetrics().horizontalAdvance("= 000 (calc)") + 12)
        for field in (self.sbp_input, self.dbp_input, self.hr_input, self.crt_input):
            field.edit.setMinimumWidth(field.edit.fontMetrics().horizontalAdvance("0000") + 16)
        for field in (self.lactate_input, self.urine_input):
            field.edit.setMinimumWidth(field.edit.fontMetrics().horizontalAdvance("mL/kg/h") + 16)

    def bind(self, controller: BedsideController) -> None:
        """Record through ``controller``: the fields clear once the reading is on disk, and keep it when not."""
        self._controller = controller
        self.record_requested.connect(self._send)
        controller.problem.connect(self.show_problem)

    def show_problem(self, problem: FieldProblem) -> None:
        """A reading the bedside layer refused: the message goes under the field it names."""
        if problem.field in FIELDS:
            attr = FIELDS[problem.field][0]
            field: ValidatedField = getattr(self, attr)
            field.show_error(problem.message)
            field.edit.setFocus()

    def _send(self, entry: ReadingEntry) -> None:
        if entry.reading is not None:
            change = self._controller.record_reading(entry.reading)
            done = bool(change.readings)
        elif entry.perfusion is not None and entry.at is not None:
            change = self._controller.record_perfusion(entry.perfusion, entry.at)
            done = bool(change.perfusion)
        else:
            return
        if not change.failure and done:
            self.clear_entry()
            self.focus_map()

    def _fields(self) -> list[ValidatedField]:
        return [self.map_input, self.sbp_input, self.dbp_input, self.hr_input, self.lactate_input, self.urine_input,
                self.crt_input]

    def fields(self) -> list[QWidget]:
        return [self.time, self.map_input.edit, self.sbp_input.edit, self.dbp_input.edit, self.hr_input.edit,
                self.lactate_input.edit, self.urine_input.edit, self.crt_input.edit, self.mental, self.add_button]

    # -- time -----------------------------------------------------------------------

    def tick(self) -> None:
        """Keep the time field at the clock's now until the nurse changes it."""
        if self._follow_now:
            self.time.blockSignals(True)
            self.time.setDateTime(to_qdatetime(self._clock.now()))
            self.time.blockSignals(False)

    def _time_edited(self, _value: QDateTime) -> None:
        self._follow_now = False

    def _typed_time(self, show_errors: bool) -> datetime | None:
        """The reading's time: the clock's now while the field follows it; a time the nurse set is read in the local
        zone, asking which one in the hour repeated at the end of daylight saving time."""
        if self._follow_now:
            return from_qdatetime(self.time.dateTime())
        value = self.time.dateTime()
        naive = wall_time(value)
        at = instant_of(naive, self.zone, self.ask_which if show_errors else _never, "Time")
        if isinstance(at, str):
            if show_errors:
                self.time_status.show_error(at)
            return None
        return at

    def follow_now(self) -> None:
        self._follow_now = True
        self.tick()

    # -- entry ----------------------------------------------------------------------

    def _numbers(self) -> dict[str, float | None] | None:
        values: dict[str, float | None] = {}
        ok = True
        for key, (attr, label, units) in FIELDS.items():
            field: ValidatedField = getattr(self, attr)
            field.clear_error()
            text = field.text().strip()
            if not text:
                values[key] = None
                continue
            try:
                value, unit = split_number(text, label)
                if unit and unit.lower().replace(" ", "") not in units:
                    raise InputError(label, f"unexpected unit {unit!r}", f"a number, optionally in {units[0]}")
            except InputError as exc:
                field.show_error(describe_input_error(label, exc))
                ok = False
                continue
            values[key] = value
        return values if ok else None

    def _typed_entry(self, what: str, show_errors: bool) -> tuple[dict[str, float | None], datetime] | None:
        """The numbers typed and the entry's time, not in the future; else None, with the messages under the fields
        and the time when ``show_errors`` (``what`` names the entry: "reading", "entry")."""
        values = self._numbers()
        self.time_status.clear_message()
        if values is None:
            return None
        at = self._typed_time(show_errors)
        if at is None:
            return None
        if at > self._clock.now():
            if show_errors:
                self.time_status.show_error(f"Time: the {what} time is in the future. Accepted: a time up to now")
            return None
        return values, at

    def build(self, *, show_errors: bool = True) -> Reading | None:
        typed = self._typed_entry("reading", show_errors)
        if typed is None:
            return None
        values, at = typed
        from norepi_gui.core.titration.model import Reading  # imports the engine: not before first paint

        try:
            return Reading(
                at=at,
                map_mmhg=values["map"],
                sbp_mmhg=values["sbp"],
                dbp_mmhg=values["dbp"],
                hr_per_min=values["hr"],
                lactate_mmol_per_l=values["lactate_mmol_l"],
                urine_ml_per_kg_per_h=values["urine_ml_kg_h"],
                crt_s=values["crt_s"],
                altered_mental_status=True if self.mental.isChecked() else None,
            )
        except InputError as exc:
            if show_errors:
                key = "map" if "no MAP" in exc.problem else exc.field  # nothing typed: the message goes under MAP
                attr, label, _units = FIELDS.get(key, ("map_input", "MAP", ()))
                field: ValidatedField = getattr(self, attr)
                field.show_error(describe_input_error(label, exc))
            return None

    def _preview(self, _text: str) -> None:
        sbp, dbp = self.sbp_input.text().strip(), self.dbp_input.text().strip()
        if not (sbp and dbp) or self.map_input.text().strip():
            self._show_preview("")
            return
        reading = self.build(show_errors=False)
        if reading is None:
            self._show_preview("")
            for field in self._fields():
                field.clear_error()
            return
        self._show_preview(f"MAP {reading.map:.0f} mmHg (from {sbp}/{dbp})", f"= {reading.map:.0f} (calc)")

    def _show_preview(self, text: str, placeholder: str = "MAP") -> None:
        self.map_preview.setText(text)
        self.map_input.edit.setPlaceholderText(placeholder)
        self.map_input.edit.setToolTip(text)

    def request_record(self) -> None:
        if self._perfusion_only():
            entry = self.build_perfusion()
            if entry is not None:
                self.record_requested.emit(entry)
            return
        reading = self.build()
        if reading is not None:
            self.record_requested.emit(ReadingEntry(reading))

    def _perfusion_only(self) -> bool:
        """No pressure typed but a perfusion marker: a perfusion entry of its own."""
        pressures = any(f.text().strip() for f in (self.map_input, self.sbp_input, self.dbp_input, self.hr_input))
        markers = any(f.text().strip() for f in (self.lactate_input, self.urine_input, self.crt_input))
        return not pressures and (markers or self.mental.isChecked())

    def build_perfusion(self) -> ReadingEntry | None:
        """The perfusion markers typed, checked as the engine checks them; messages under the fields."""
        typed = self._typed_entry("entry", True)
        if typed is None:
            return None
        values, at = typed
        from norepi_gui.bedside.records import PerfusionRecord

        try:
            record = PerfusionRecord.checked(at, lactate_mmol_per_l=values["lactate_mmol_l"],
                                             urine_ml_per_kg_per_h=values["urine_ml_kg_h"], crt_s=values["crt_s"],
                                             altered_mental_status=True if self.mental.isChecked() else None)
        except InputError as exc:
            attr, label, _units = FIELDS.get(exc.field, ("lactate_input", "Lactate", ()))
            field: ValidatedField = getattr(self, attr)
            field.show_error(describe_input_error(label, exc))
            return None
        return ReadingEntry(perfusion=record, at=at)

    def clear_entry(self) -> None:
        for field in self._fields():
            field.set_text("")
            field.clear_error()
        self.mental.setChecked(False)
        self._show_preview("")
        self.follow_now()

    def focus_map(self) -> None:
        self.map_input.edit.setFocus()
        self.map_input.edit.selectAll()


def _retain(widget: QWidget) -> None:
    """Keep ``widget``'s place while it is hidden: a message appearing never moves the fields."""
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


def _never(_question: str, _choices: list[str]) -> int | None:
    return None  # a preview never asks
