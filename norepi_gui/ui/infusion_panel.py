"""Norepinephrine infusion: concentration, dose <-> pump rate both ways, and every figure the core computes."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.bedside.records import BagRecord
from norepi_gui.core.dosing import (
    Concentration,
    Salt,
    concentration_from_amount,
    parse_bag_volume,
    parse_concentration,
    parse_dose,
)
from norepi_gui.core.dosing import parse_rate as core_parse_rate
from norepi_gui.core.errors import InputError
from norepi_gui.core.infusion import InfusionRequest, InfusionSummary, summarise_infusion
from norepi_gui.core.protocol import LineType, Population
from norepi_gui.core.safety_text import DILUENT_NOTE, DILUENTS, NO_BICARBONATE, SALINE_DILUENT, SALINE_WARNING
from norepi_gui.core.units import DoseBasis, Q, parse_quantity
from norepi_gui.ui.formatting import DisplayFormat, describe_input_error, fmt_clock, fmt_rate
from norepi_gui.ui.widgets import PRIORITY_MARK, FieldStatus, ValidatedField, field_label, set_role, value_label

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import FieldProblem
    from norepi_gui.bedside.state import DoseRow
    from norepi_gui.core.alerts import Alert
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.ui.controller import BedsideController

CUSTOM = "custom"
DOSE_UNITS = ("mcg/kg/min", "mcg/min")
FIELD_LABELS = {
    "dose": "Dose",
    "rate": "Rate",
    "weight": "Weight",
    "concentration": "Concentration",
    "concentration (drug amount)": "Drug amount",
    "concentration (volume)": "Diluent volume",
    "drop factor": "Drop factor",
    "bag volume": "Bag read",  # as the field is labelled: the volume read on the bag or pump
}


@dataclass(frozen=True)
class InfusionContext:
    """What the panel needs from the record: the recorded patient and the dose running now."""

    weight_kg: float | None = None
    population: Population = Population.ADULT
    line: LineType = LineType.CENTRAL
    current: DoseRow | None = None
    bag_recorded_ml: float | None = None  # the bag volume as last recorded
    bag_left_ml: float | None = None  # what the core says is left of it now (recorded less the pump's delivery)


@dataclass(frozen=True)
class DoseRequest:
    """The nurse asked to record this dose (the pump is set to ``summary.pump_rate_ml_per_h``)."""

    summary: InfusionSummary
    basis: DoseBasis
    bag: BagRecord


def alert_lines(alerts: tuple[Alert, ...] | list[Alert]) -> str:
    return "\n".join(f"{PRIORITY_MARK[a.priority.value]}: {a.message}" for a in alerts)


class InfusionPanel(QGroupBox):
    bag_committed = Signal(object)  # BagRecord: the bag / concentration set-up to record
    dose_requested = Signal(object)  # DoseRequest
    stop_requested = Signal()

    def __init__(self, protocol: Protocol, parent: QWidget | None = None, *, hold_figures: bool = False) -> None:
        super().__init__("Norepinephrine infusion (doses as base)", parent)
        self.setObjectName("infusionPanel")
        self._protocol = protocol
        # A progressive start paints the window before pint is imported: the figures are computed once the window
        # releases them (release_figures), right after its first paint and before any input reaches the panel.
        self._figures_held = hold_figures
        self._context = InfusionContext()
        self._bag_left_now: float | None = None  # the counted-down volume the figures used, if they used it
        self._driver: str | None = None  # "dose" or "rate": the field the nurse typed last
        self._summary: InfusionSummary | None = None
        self._recorded_bag: BagRecord | None = None
        self._display = DisplayFormat.for_protocol(protocol)

        self.concentration = QComboBox()
        self.concentration.setObjectName("concentrationSelect")
        self.concentration.setAccessibleName("Concentration")
        self.concentration_status = FieldStatus("concentrationSelectStatus")
        self.amount = ValidatedField("drugAmountInput", "Drug amount", placeholder="e.g. 4 mg",
                                     tooltip="Drug in the bag as the vial states it (base or salt)")
        self.volume = ValidatedField("diluentVolumeInput", "Diluent volume", placeholder="e.g. 250 mL")
        self.salt = QComboBox()
        self.salt.setObjectName("saltSelect")
        self.salt.setAccessibleName("Vial states the strength as")
        self.salt.addItem("Base (norepinephrine)", Salt.BASE.value)
        self.salt.addItem("Bitartrate (salt)", Salt.BITARTRATE.value)
        self.diluent = QComboBox()
        self.diluent.setObjectName("diluentSelect")
        self.diluent.setAccessibleName("Diluent")
        self.diluent.addItems(list(DILUENTS))
        self.diluent_note = QLabel(DILUENT_NOTE)
        self.diluent_note.setObjectName("diluentNote")
        self.diluent_note.setWordWrap(True)
        self.base_label = value_label("concentrationBaseLabel", "Concentration as base")
        self.bag_volume = ValidatedField("bagVolumeInput", "Bag volume read (mL)", placeholder="mL left in the bag",
                                         tooltip="Volume left in the bag as read on it or the pump; update it when "
                                         "you check the bag")
        self.delivery = QComboBox()
        self.delivery.setObjectName("deliverySelect")
        self.delivery.setAccessibleName("Delivery (pump or gravity drip chamber)")
        self.dose_unit = QComboBox()
        self.dose_unit.setObjectName("doseUnitSelect")
        self.dose_unit.setAccessibleName("Dose unit")
        self.dose_unit.addItems(list(DOSE_UNITS))
        self.dose = ValidatedField("doseInput", "Dose", placeholder="dose", tooltip="Norepinephrine base dose")
        self.rate = ValidatedField("rateInput", "Rate (mL/h)", placeholder="mL/h",
                                   tooltip="Pump rate in mL/h; the dose follows")
        self.delivered = value_label("deliveredDoseLabel", "Delivered dose at the pump rate")
        self.drops = value_label("dropsLabel", "Drops per minute")
        self.bag_time = value_label("bagTimeLabel", "Bag time left")
        self.daily = value_label("dailyTotalLabel", "Drug per 24 hours")
        self.alerts = value_label("infusionAlertsLabel", "Dosing alerts")
        from norepi_gui.ui.titration_panel import AlarmList

        self.bag_alarm = AlarmList("infusionBagAlarm")  # the bag's alarm, as on the banner (one priority)
        self.bag_alarm.hide()
        self.new_bag_button = QPushButton("New bag hung\u2026")
        self.new_bag_button.setObjectName("infusionNewBagButton")
        self.new_bag_button.setAccessibleName("Record a new bag hung (volume and concentration)")
        self.running = value_label("runningDoseLabel", "Dose running now")
        self.line_safety = QLabel(NO_BICARBONATE)
        self.line_safety.setObjectName("lineSafetyLabel")
        self.line_safety.setWordWrap(True)
        self.set_button = QPushButton("Record dose (pump set)")
        self.set_button.setObjectName("setDoseButton")
        self.set_button.setAccessibleName("Record the dose the pump is set to")
        self.stop_button = QPushButton("Stop infusion")
        self.stop_button.setObjectName("stopInfusionButton")
        self.stop_button.setAccessibleName("Record that the infusion stopped")

        self._custom_box = QWidget()
        custom = QFormLayout(self._custom_box)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.addRow("Drug amount", self.amount)
        custom.addRow("Diluent volume", self.volume)
        custom.addRow("Vial strength", self.salt)
        custom.addRow("Diluent", self.diluent)
        custom.addRow(self.diluent_note)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        conc_box = QWidget()
        cl = QVBoxLayout(conc_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.concentration)
        cl.addWidget(self.concentration_status)
        form.addRow(field_label("&Concentration"), conc_box)
        form.addRow(self._custom_box)
        form.addRow("Base", self.base_label)
        form.addRow(field_label("Bag read, mL"), self.bag_volume)
        form.addRow(field_label("Delivery"), self.delivery)
        dose_row = QWidget()
        dl = QHBoxLayout(dose_row)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.dose, 3)
        dl.addWidget(self.dose_unit, 2)
        form.addRow(field_label("&Dose"), dose_row)
        form.addRow(field_label("&Rate mL/h"), self.rate)
        form.addRow("Delivered", self.delivered)
        form.addRow("Drops", self.drops)
        form.addRow("Bag empty in", self.bag_time)
        form.addRow("Per 24 h", self.daily)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.stop_button)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(self.bag_alarm)
        outer.addWidget(self.new_bag_button)
        outer.addWidget(self.alerts)
        outer.addLayout(buttons)
        outer.addWidget(self.running)
        outer.addWidget(self.line_safety)

        self.set_protocol(protocol)
        self.concentration.activated.connect(self._concentration_chosen)
        self.salt.activated.connect(self._bag_changed)
        self.diluent.activated.connect(self._bag_changed)
        self.delivery.activated.connect(self._bag_changed)
        self.amount.edit.editingFinished.connect(self.commit_bag)
        self.volume.edit.editingFinished.connect(self.commit_bag)
        self.bag_volume.edit.editingFinished.connect(self.commit_bag)
        self.amount.edit.textEdited.connect(self._recalc_any)
        self.volume.edit.textEdited.connect(self._recalc_any)
        self.bag_volume.edit.textEdited.connect(self._recalc_any)
        self.dose.edit.textEdited.connect(self._dose_typed)
        self.rate.edit.textEdited.connect(self._rate_typed)
        self.dose_unit.activated.connect(self._unit_changed)
        self.dose.edit.returnPressed.connect(self.request_dose)
        self.rate.edit.returnPressed.connect(self.request_dose)
        self.set_button.clicked.connect(self.request_dose)
        self.stop_button.clicked.connect(self.stop_requested)

    def bind(self, controller: BedsideController) -> None:
        """Record through ``controller``; follow the record's bag, patient and running dose."""
        self._controller = controller
        self._entry_dose_id: int | None = None
        self.bag_committed.connect(controller.set_bag)
        self.dose_requested.connect(self._send_dose)
        self.stop_requested.connect(controller.stop_infusion)
        controller.session_changed.connect(self._session_changed)
        controller.bag_changed.connect(self._bag_changed_in_record)
        for signal in (controller.patient_changed, controller.doses_appended, controller.entries_reset,
                       controller.settings_changed, controller.clock_minute, controller.display_changed):
            signal.connect(self.follow_record)
        controller.alarms_changed.connect(self._show_bag_alarm)
        controller.session_changed.connect(self._show_bag_alarm)
        controller.problem.connect(self._problem)

    def _show_bag_alarm(self) -> None:
        alarm = self._controller.session.alarm_state.of_source("bag")
        self.bag_alarm.show_alarms([alarm] if alarm is not None else [])

    def _send_dose(self, request: DoseRequest) -> None:
        self._controller.set_dose(request.summary, request.basis, request.bag)

    def _session_changed(self) -> None:
        self._bag_changed_in_record()
        if self._controller.session.state.bag is None:
            self.clear_entry()

    def _bag_changed_in_record(self) -> None:
        bag = self._controller.session.state.bag
        if bag is not None:
            self.show_bag(bag)  # also after a declined change: the fields show the record again
        self.follow_record()

    def follow_record(self, *_args: object) -> None:
        """The recorded patient, running dose and bag (its volume counted down to now) for the figures; a newly
        recorded dose is what the dose and rate fields show."""
        session = self._controller.session
        self._display = self._controller.display
        state = session.state
        population = Population.ADULT
        line = LineType.CENTRAL
        with contextlib.suppress(ValueError):
            population, line = Population(state.patient.population), LineType(state.patient.line)
        self.set_context(InfusionContext(
            weight_kg=state.weight_kg(),
            population=population,
            line=line,
            current=state.current_dose,
            bag_recorded_ml=state.bag.bag_volume_ml if state.bag is not None else None,
            bag_left_ml=None if self._figures_held else session.bag_left_ml(),  # pint: not before the first paint
        ))
        current = state.current_dose
        shown = current.event_id if current is not None else None
        if shown == self._entry_dose_id:
            return
        self._entry_dose_id = shown
        if current is None or not current.running:
            self.clear_entry()
        elif current.record.basis == DoseBasis.FLAT.value or current.dose_mcg_per_kg_per_min is None:
            self.set_dose_text(self._display.flat(current.dose_mcg_per_min), "mcg/min")
        else:
            self.set_dose_text(self._display.per_kg(current.dose_mcg_per_kg_per_min), "mcg/kg/min")

    def _problem(self, problem: FieldProblem) -> None:
        if problem.field == "dose":
            self.dose.show_error(problem.message)
        elif problem.field == "concentration":
            self.concentration_status.show_error(problem.message)

    def fields(self) -> list[QWidget]:
        return [self.concentration, self.amount.edit, self.volume.edit, self.salt, self.diluent, self.bag_volume.edit,
                self.delivery, self.dose.edit, self.dose_unit, self.rate.edit, self.set_button, self.stop_button]

    # -- protocol and record --------------------------------------------------------

    def set_protocol(self, protocol: Protocol) -> None:
        self._protocol = protocol
        current = self.concentration.currentData()
        self.concentration.clear()
        for value in protocol.concentrations.standard_mcg_per_ml:
            self.concentration.addItem(f"{value:g} mcg/mL (base)", value)
        self.concentration.addItem("Custom: amount in volume\u2026", CUSTOM)
        index = self.concentration.findData(current if current is not None else
                                            protocol.concentrations.default_mcg_per_ml)
        self.concentration.setCurrentIndex(max(index, 0))
        self.delivery.clear()
        self.delivery.addItem("Infusion pump", None)
        for factor in protocol.pump.drop_factors_gtt_per_ml:
            self.delivery.addItem(f"Gravity, {factor} gtt/mL", factor)
        if not self.bag_volume.text():
            self.bag_volume.set_text(f"{protocol.bag.default_volume_ml:g}")
        self._custom_box.setVisible(self.concentration.currentData() == CUSTOM)
        self.recalculate()

    def set_context(self, context: InfusionContext) -> None:
        self._context = context
        dose = context.current
        if dose is None:
            self.running.setText("Not running: no dose recorded yet.")
        elif dose.pump_rate_ml_per_h <= 0:
            self.running.setText(f"Stopped at {fmt_clock(dose.at)}.")
        else:
            self.running.setText(
                f"\u25b6 Running: {self._display.dose(dose.dose_mcg_per_kg_per_min, dose.dose_mcg_per_min)} at "
                f"{self._display.rate(dose.pump_rate_ml_per_h)} mL/h since {fmt_clock(dose.at)}"
            )
        self.stop_button.setEnabled(dose is not None and dose.pump_rate_ml_per_h > 0)
        self.recalculate()

    @property
    def recorded_bag(self) -> BagRecord | None:
        return self._recorded_bag

    def show_bag(self, bag: BagRecord | None) -> None:
        """Show the recorded bag set-up (drops any uncommitted change to it)."""
        self._recorded_bag = bag
        if bag is None:
            return
        widgets: list[QWidget] = [self.concentration, self.salt, self.diluent, self.delivery]
        for w in widgets:
            w.blockSignals(True)
        try:
            if bag.standard:
                self.concentration.setCurrentIndex(max(self.concentration.findData(bag.concentration_mcg_per_ml), 0))
            else:
                self.concentration.setCurrentIndex(self.concentration.findData(CUSTOM))
                self.amount.set_text(bag.amount_entered or "")
                self.volume.set_text(bag.volume_entered or "")
            self.salt.setCurrentIndex(max(self.salt.findData(bag.salt), 0))
            if bag.diluent is not None and bag.diluent in DILUENTS:
                self.diluent.setCurrentIndex(DILUENTS.index(bag.diluent))
            self.delivery.setCurrentIndex(max(self._delivery_index(bag.drop_factor), 0))
            volume = bag.bag_volume_ml
            self.bag_volume.set_text("" if volume is None else f"{volume:g}")
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._custom_box.setVisible(self.concentration.currentData() == CUSTOM)
        self.recalculate()

    def _delivery_index(self, drop_factor: float | None) -> int:
        if drop_factor is None:
            return 0
        for i in range(self.delivery.count()):
            data = self.delivery.itemData(i)
            if isinstance(data, int | float) and abs(float(data) - drop_factor) < 1e-9:
                return i
        return 0

    # -- the bag ---------------------------------------------------------------------

    def _concentration_chosen(self, _index: int) -> None:
        self._custom_box.setVisible(self.concentration.currentData() == CUSTOM)
        if self.concentration.currentData() == CUSTOM and not (self.amount.text() and self.volume.text()):
            self.recalculate()
            self.amount.edit.setFocus()
            return
        self.commit_bag()

    def _bag_changed(self, _index: int) -> None:
        self.commit_bag()

    def concentration_value(self) -> Concentration | None:
        """The concentration entered, or ``None`` with the message shown under the offending field."""
        self.concentration_status.clear_message()
        self.amount.clear_error()
        self.volume.clear_error()
        choice = self.concentration.currentData()
        salt = Salt(self.salt.currentData())
        self._update_diluent_note()
        try:
            if choice != CUSTOM:
                return parse_concentration(f"{float(choice):g} mcg/mL", Salt.BASE)
            if not self.amount.text().strip():
                raise InputError("concentration (drug amount)", "enter the drug amount in the bag", "e.g. 4 mg")
            if not self.volume.text().strip():
                raise InputError("concentration (volume)", "enter the diluent volume", "e.g. 250 mL")
            amount = parse_quantity(self.amount.text(), "concentration (drug amount)", "mg")
            volume = parse_quantity(self.volume.text(), "concentration (volume)", "mL")
            conc = concentration_from_amount(amount, volume, salt)
            c = self._protocol.concentrations
            if not c.min_mcg_per_ml <= conc.mcg_per_ml <= c.max_mcg_per_ml:
                raise InputError("concentration", f"{conc.mcg_per_ml:.4g} mcg/mL base is outside the protocol's "
                                 "range", f"{c.min_mcg_per_ml:g} to {c.max_mcg_per_ml:g} mcg/mL")
            return conc
        except InputError as exc:
            self._show_concentration_error(exc)
            return None

    def _show_concentration_error(self, exc: InputError) -> None:
        key = exc.field
        if "drug amount" in key:
            self.amount.show_error(describe_input_error("Drug amount", exc))
        elif "volume" in key:
            self.volume.show_error(describe_input_error("Diluent volume", exc))
        else:
            self.concentration_status.show_error(describe_input_error("Concentration", exc))

    def _update_diluent_note(self) -> None:
        saline = self.diluent.currentText() == SALINE_DILUENT
        self.diluent_note.setText(SALINE_WARNING + "\n" + DILUENT_NOTE if saline else DILUENT_NOTE)

    def _bag_volume(self) -> float | InputError | None:
        text = self.bag_volume.text().strip()
        if not text:
            return None
        try:
            return parse_bag_volume(text, "bag volume")
        except InputError as exc:
            return exc

    def _checked_bag_volume(self) -> tuple[bool, float | None]:
        """(False, None) with the field's message shown when the bag volume is wrong; else (True, mL or None)."""
        volume = self._bag_volume()
        if isinstance(volume, InputError):
            self.bag_volume.show_error(describe_input_error(FIELD_LABELS["bag volume"], volume))
            return False, None
        self.bag_volume.clear_error()
        return True, volume

    def bag_record(self) -> BagRecord | None:
        """The bag set-up entered, or ``None`` with the message under the offending field."""
        conc = self.concentration_value()
        valid, volume = self._checked_bag_volume()
        if not valid:
            return None
        if conc is None:
            return None
        standard = self.concentration.currentData() != CUSTOM
        factor = self.delivery.currentData()
        return BagRecord(
            concentration_mcg_per_ml=conc.mcg_per_ml,
            standard=standard,
            description=conc.describe(),
            amount_entered=None if standard else self.amount.text().strip(),
            volume_entered=None if standard else self.volume.text().strip(),
            salt=conc.salt.value,
            diluent=None if standard else self.diluent.currentText(),
            bag_volume_ml=volume,
            drop_factor=None if factor is None else float(factor),
        )

    def commit_bag(self) -> None:
        record = self.bag_record()
        self.recalculate()
        if record is not None and (self._recorded_bag is None or not record.same_setup(self._recorded_bag)):
            self.bag_committed.emit(record)

    # -- dose <-> rate --------------------------------------------------------------

    def _dose_typed(self, _text: str) -> None:
        self._driver = "dose"
        self.recalculate()

    def _rate_typed(self, _text: str) -> None:
        self._driver = "rate"
        self.recalculate()

    def _recalc_any(self, _text: str) -> None:
        self.recalculate()

    def _unit_changed(self, _index: int) -> None:
        if self._driver == "dose" and self._summary is not None:
            self.dose.set_text(self._dose_text(self._summary))
        self.recalculate()

    def _basis(self) -> DoseBasis:
        return DoseBasis.PER_KG if self.dose_unit.currentText() == "mcg/kg/min" else DoseBasis.FLAT

    def _dose_text(self, summary: InfusionSummary) -> str:
        if self._basis() is DoseBasis.PER_KG and summary.dose_mcg_per_kg_per_min is not None:
            return self._display.per_kg(summary.dose_mcg_per_kg_per_min)
        return self._display.flat(summary.dose_mcg_per_min)

    def build_request(self) -> InfusionRequest | None:
        """The core request from the fields, or ``None`` (messages shown) when a field is wrong or empty."""
        conc = self.concentration_value()
        valid, volume = self._checked_bag_volume()
        if not valid:
            return None
        self.dose.clear_error()
        self.rate.clear_error()
        if conc is None or self._driver is None:
            return None
        ctx = self._context
        weight = Q(ctx.weight_kg, "kg") if ctx.weight_kg is not None else None
        basis = self._basis()
        current = ctx.current.dose_mcg_per_min if ctx.current is not None else None
        try:
            if self._driver == "dose":
                text = self.dose.text().strip()
                if not text:
                    return None
                dose = parse_dose(text, "dose", self.dose_unit.currentText())
                rate = None
            else:
                text = self.rate.text().strip()
                if not text:
                    return None
                rate = core_parse_rate(text, "rate")
                dose = None
                if basis is DoseBasis.PER_KG and weight is None:
                    basis = DoseBasis.FLAT
        except InputError as exc:
            self._field_error(exc)
            return None
        factor = self.delivery.currentData()
        self._bag_left_now = None
        if (volume is not None and ctx.bag_left_ml is not None and ctx.bag_recorded_ml is not None
                and abs(volume - ctx.bag_recorded_ml) < 1e-9  # the recorded bag, not a volume being typed
                and ctx.bag_left_ml < volume - 1e-9):  # and some of it has run in since
            volume = self._bag_left_now = ctx.bag_left_ml
        return InfusionRequest(
            concentration=conc,
            weight=weight,
            population=ctx.population,
            dose=dose,
            rate=rate,
            basis=basis,
            line=ctx.line,
            drop_factor_gtt_per_ml=None if factor is None else float(factor),
            bag_volume_left=None if volume is None else Q(volume, "mL"),
            current_dose_mcg_per_min=current,
        )

    def _field_error(self, exc: InputError) -> None:
        label = FIELD_LABELS.get(exc.field, exc.field)
        target = self.rate if self._driver == "rate" else self.dose
        target.show_error(describe_input_error(label, exc))

    def release_figures(self) -> None:
        """Compute the figures held back by ``hold_figures=True`` (and every time from now on)."""
        if self._figures_held:
            self._figures_held = False
            self.recalculate()

    def recalculate(self) -> InfusionSummary | None:
        """Recompute every figure from the core; the field the nurse did not type follows."""
        if self._figures_held:
            self._show(None)  # the blank figures, laid out as they will be (no pint needed)
            return None
        conc = self.concentration_value()
        self.base_label.setText("-" if conc is None else concentration_text(conc, self._display))
        request = self.build_request()
        summary: InfusionSummary | None = None
        if request is not None:
            try:
                summary = summarise_infusion(request, self._protocol)
            except InputError as exc:
                self._field_error(exc)
        self._summary = summary
        self._show(summary)
        return summary

    def _show(self, summary: InfusionSummary | None) -> None:
        resolution = self._protocol.pump.resolution_ml_per_h
        if summary is None:
            for label in (self.delivered, self.drops, self.bag_time, self.daily):
                label.setText("-")
            self.alerts.setText("")
            self.alerts.hide()
            if self._driver == "dose" and not self.dose.error_text():
                self.rate.set_text("")
            elif self._driver == "rate" and not self.rate.error_text():
                self.dose.set_text("")
            return
        if self._driver == "dose":
            self.rate.set_text(fmt_rate(summary.pump_rate_ml_per_h, resolution))
        elif self._driver == "rate":
            self.dose.set_text(self._dose_text(summary))
        pump = fmt_rate(summary.pump_rate_ml_per_h, resolution)
        delivered = self._display.dose(summary.delivered_dose_mcg_per_kg_per_min, summary.delivered_dose_mcg_per_min)
        self.delivered.setText(f"At {pump} mL/h: {delivered}")
        self.drops.setText("pump" if summary.drops_per_min is None else f"{summary.drops_per_min:.0f} drops/min")
        if summary.bag_hours_left is None:
            self.bag_time.setText("-")
        else:
            hours, minutes = divmod(round(summary.bag_hours_left * 60), 60)
            left = "" if self._bag_left_now is None else f" (about {self._bag_left_now:.0f} mL left now)"
            self.bag_time.setText(f"{hours} h {minutes:02d} min{left}")
        self.daily.setText(f"{summary.mg_per_24h:.1f} mg")
        # the bag's alarm is the bedside layer's (bag_alarm, as on the banner), not a second one at the typed rate
        shown = [a for a in summary.alerts if (a.code != "NONSTANDARD_CONCENTRATION" or
                 self.concentration.currentData() == CUSTOM) and a.code not in ("BAG_NEAR_EMPTY", "BAG_EMPTY")]
        self.alerts.setText(alert_lines(shown))
        self.alerts.setVisible(bool(shown))
        set_role(self.alerts, "refused" if summary.refused else "")

    @property
    def summary(self) -> InfusionSummary | None:
        return self._summary

    def request_dose(self) -> None:
        """The nurse pressed Record (or Enter in the dose/rate field)."""
        self.release_figures()  # a dose is never requested on held figures
        if self._driver is None:
            start = self._protocol.population(self._context.population).start_dose
            self.dose.show_error(f"Dose: enter a dose or a pump rate. Accepted: e.g. {start:g} mcg/kg/min, or mL/h")
            return
        summary = self.recalculate()
        bag = self.bag_record()
        if summary is None or bag is None:
            return
        basis = self._basis()
        if basis is DoseBasis.PER_KG and summary.dose_mcg_per_kg_per_min is None:
            basis = DoseBasis.FLAT
        self.dose_requested.emit(DoseRequest(summary, basis, bag))

    def set_dose_text(self, text: str, unit: str) -> None:
        """Fill the dose field (e.g. from the advice) and recompute; nothing is recorded."""
        self.dose_unit.setCurrentText(unit)
        self.dose.set_text(text)
        self._driver = "dose"
        self.recalculate()

    def clear_entry(self) -> None:
        self._driver = None
        self.dose.set_text("")
        self.rate.set_text("")
        self.dose.clear_error()
        self.rate.clear_error()
        self.recalculate()


def concentration_text(conc: Concentration, display: DisplayFormat) -> str:
    """The core's description of a concentration with its base figure to three significant figures
    (``4 mg bitartrate in 250 mL = 8.02 mcg/mL base``, not 8.02497)."""
    exact = f"{conc.mcg_per_ml:g} mcg/mL base"
    return conc.describe().replace(exact, f"{display.concentration(conc.mcg_per_ml)} mcg/mL base")
