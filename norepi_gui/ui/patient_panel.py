"""Patient details: collected, checked by the core, and committed as one PATIENT snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QWidget

from norepi_gui.bedside.records import PatientRecord
from norepi_gui.core.dosing import parse_weight
from norepi_gui.core.errors import InputError
from norepi_gui.core.infusion import check_weight
from norepi_gui.core.protocol import LineType, Population
from norepi_gui.core.units import Q, dimensionality_error, parse_quantity, split_number
from norepi_gui.ui.formatting import describe_input_error, fmt_date_time, local_time
from norepi_gui.ui.typed_time import AskWhich, ask_with_dialog, instant_of
from norepi_gui.ui.widgets import FieldStatus, ValidatedField, field_label, value_label

if TYPE_CHECKING:
    from norepi_gui.core.alerts import Alert
    from norepi_gui.core.clock import Clock
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.ui.controller import BedsideController

POPULATION_LABELS = {Population.ADULT: "Adult", Population.PEDIATRIC: "Paediatric"}
LINE_LABELS = {
    LineType.CENTRAL: "Central",
    LineType.PERIPHERAL: "Peripheral",
    LineType.INTRAOSSEOUS: "Intraosseous (IO)",
}
ARTERIAL_CHOICES: tuple[tuple[str, bool | None], ...] = (("Not recorded", None), ("Yes", True), ("No", False))


class PatientPanel(QGroupBox):
    """Weight, population, age, comorbidities, line and fluids. ``committed`` carries a checked snapshot."""

    committed = Signal(object)  # PatientCommit

    def __init__(self, protocol: Protocol, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__("Patient", parent)
        self.setObjectName("patientPanel")
        self._protocol = protocol
        self._clock = clock
        self._recorded = PatientRecord()
        #: The local zone typed times are read in (None: as the system reads them); tests set it.
        self.zone: tzinfo | None = None
        #: Asks which time was meant in the hour repeated at the end of daylight saving time; tests replace it.
        self.ask_which: AskWhich = ask_with_dialog

        self.weight = ValidatedField("weightInput", "Weight", placeholder="e.g. 70 kg or 154 lb",
                                     tooltip="Body weight; kg by default, lb accepted and converted")
        self.weight_kg_label = value_label("weightConvertedLabel", "Weight in kilograms")
        self.population = QComboBox()
        self.population.setObjectName("populationSelect")
        self.population.setAccessibleName("Population")
        for pop, text in POPULATION_LABELS.items():
            self.population.addItem(text, pop.value)
        self.age = ValidatedField("ageInput", "Age (years)", placeholder="years")
        self.chronic_htn = QCheckBox("Chronic hypertension")
        self.chronic_htn.setObjectName("chronicHypertensionCheck")
        self.chronic_htn.setAccessibleName("Chronic hypertension")
        self.baseline_sbp = ValidatedField("baselineSbpInput", "Baseline SBP (mmHg)", placeholder="usual SBP, mmHg")
        self.ards = QCheckBox("ARDS")
        self.iah = QCheckBox("Intra-abdominal hypertension")
        self.cardiac = QCheckBox("Cardiac dysfunction")
        for box, name in ((self.ards, "ardsCheck"), (self.iah, "intraAbdominalHypertensionCheck"),
                          (self.cardiac, "cardiacDysfunctionCheck")):
            box.setObjectName(name)
            box.setAccessibleName(box.text())
        self.line = QComboBox()
        self.line.setObjectName("lineTypeSelect")
        self.line.setAccessibleName("Line type")
        for line, text in LINE_LABELS.items():
            self.line.addItem(text, line.value)
        self.line_inserted = ValidatedField("lineInsertedInput", "Line inserted at",
                                            placeholder="HH:MM today, or YYYY-MM-DD HH:MM")
        self.arterial = QComboBox()
        self.arterial.setObjectName("arterialLineSelect")
        self.arterial.setAccessibleName("Arterial line in place")
        for text, _value in ARTERIAL_CHOICES:
            self.arterial.addItem(text)
        self.fluids = ValidatedField("fluidsInput", "Fluids given", placeholder="mL, L or mL/kg",
                                     tooltip="Crystalloid given so far: mL, or mL/kg")
        self.target = ValidatedField("targetMapInput", "Target MAP (mmHg)",
                                     placeholder="protocol target", tooltip="Individual MAP target set by the "
                                     "clinician; leave empty to use the protocol's target")
        self.status = FieldStatus("patientStatus")
        self.set_protocol(protocol)

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        weight_row = QWidget()
        wl = QHBoxLayout(weight_row)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(self.weight, 2)
        wl.addWidget(self.weight_kg_label, 1)
        form.addRow(field_label("&Weight"), weight_row)
        form.addRow(field_label("Population"), self.population)
        form.addRow(field_label("&Age"), self.age)
        form.addRow("", self.chronic_htn)
        form.addRow(field_label("Baseline SBP"), self.baseline_sbp)
        form.addRow("", self.ards)
        form.addRow("", self.iah)
        form.addRow("", self.cardiac)
        form.addRow(field_label("&Line"), self.line)
        form.addRow(field_label("Inserted"), self.line_inserted)
        form.addRow(field_label("Arterial line"), self.arterial)
        form.addRow(field_label("Fluids given"), self.fluids)
        form.addRow(field_label("&Target MAP"), self.target)
        form.addRow(self.status)

        for field in (self.weight, self.age, self.baseline_sbp, self.line_inserted, self.fluids, self.target):
            field.edit.editingFinished.connect(self.commit)
        self.weight.edit.textEdited.connect(self._preview_weight)
        for combo in (self.population, self.line, self.arterial):
            combo.activated.connect(self._commit_index)
        for box in (self.chronic_htn, self.ards, self.iah, self.cardiac):
            box.toggled.connect(self._commit_toggle)
        self._fields = {
            "weight": self.weight, "age": self.age, "baseline-sbp": self.baseline_sbp,
            "line-hours": self.line_inserted, "line inserted": self.line_inserted,
            "fluids-ml-kg": self.fluids, "fluids given": self.fluids, "target": self.target,
        }

    def set_protocol(self, protocol: Protocol) -> None:
        self._protocol = protocol
        target = protocol.start_criteria.fluids_ml_per_kg  # the protocol's fluid volume, as the example
        self.fluids.edit.setPlaceholderText(f"e.g. 2000 mL or {target:g} mL/kg")

    def bind(self, controller: BedsideController) -> None:
        """Record through ``controller``; show the record whenever the patient changes there."""
        self._controller = controller
        self.committed.connect(self._send)
        controller.patient_changed.connect(self._show_recorded)
        controller.session_changed.connect(self._show_recorded)

    def _send(self, commit: PatientCommit) -> None:
        self._controller.set_patient(commit.record, commit.alerts)

    def _show_recorded(self) -> None:
        """The record changed, or a change was declined: the fields show the record."""
        self.refresh(self._controller.session.state.patient)

    def fields(self) -> list[QWidget]:
        """Inputs in tab order."""
        return [self.weight.edit, self.population, self.age.edit, self.chronic_htn, self.baseline_sbp.edit,
                self.ards, self.iah, self.cardiac, self.line, self.line_inserted.edit, self.arterial,
                self.fluids.edit, self.target.edit]

    # -- showing the record ---------------------------------------------------------

    @property
    def recorded(self) -> PatientRecord:
        """The patient as last recorded (what the fields show when nothing is being typed)."""
        return self._recorded

    def refresh(self, patient: PatientRecord) -> None:
        """Show the recorded patient (and drop any uncommitted edit)."""
        self._recorded = patient
        blockers = [self.population, self.line, self.arterial, self.chronic_htn, self.ards, self.iah, self.cardiac]
        for w in blockers:
            w.blockSignals(True)
        try:
            self.weight.set_text(patient.weight_entered)
            self._preview_weight(self.weight.text())
            self._select(self.population, patient.population, Population.ADULT.value)
            self.age.set_text(_num(patient.age_years))
            self.chronic_htn.setChecked(patient.chronic_hypertension)
            self.baseline_sbp.set_text(_num(patient.baseline_sbp_mmhg))
            self.ards.setChecked(patient.ards)
            self.iah.setChecked(patient.intra_abdominal_hypertension)
            self.cardiac.setChecked(patient.cardiac_dysfunction)
            self._select(self.line, patient.line, LineType.CENTRAL.value)
            inserted = patient.line_inserted_at
            self.line_inserted.set_text(fmt_date_time(inserted) if inserted else "")
            self.arterial.setCurrentIndex(next(i for i, (_t, v) in enumerate(ARTERIAL_CHOICES)
                                               if v == patient.arterial_line))
            self.fluids.set_text(patient.fluids_entered)
            self.target.set_text(_num(patient.target_map_mmhg))
        finally:
            for w in blockers:
                w.blockSignals(False)
        for field in self._fields.values():
            field.clear_error()
        self.status.clear_message()

    @staticmethod
    def _select(combo: QComboBox, value: str, default: str) -> None:
        index = combo.findData(value or default)
        combo.setCurrentIndex(max(index, 0))

    def _preview_weight(self, text: str) -> None:
        if not text.strip():
            self.weight_kg_label.setText("")
            return
        try:
            kg = float(parse_weight(text).to("kg").magnitude)
        except InputError:
            self.weight_kg_label.setText("")
            return
        self.weight_kg_label.setText(f"= {kg:.1f} kg")

    # -- committing -----------------------------------------------------------------

    def _commit_index(self, _index: int) -> None:
        self.commit()

    def _commit_toggle(self, _checked: bool) -> None:
        self.commit()

    def commit(self) -> None:
        """Check every field; on success emit ``committed`` with the snapshot (if it differs from the record)."""
        result = self.collect()
        if result is None:
            return
        if result.record == self._recorded:
            return
        self.committed.emit(result)

    def collect(self) -> PatientCommit | None:
        for field in self._fields.values():
            field.clear_error()
        self.status.clear_message()
        population = Population(self.population.currentData())
        alerts: list[Alert] = []
        ok = True
        weight_kg: float | None = None
        if self.weight.text().strip():
            try:
                weight = parse_weight(self.weight.text())
                alerts = check_weight(weight, population, self._protocol)
                weight_kg = float(weight.to("kg").magnitude)
            except InputError as exc:
                self.weight.show_error(describe_input_error("Weight", exc))
                ok = False
        age = self._number(self.age, "Age")
        baseline = self._number(self.baseline_sbp, "Baseline SBP")
        target = self._number(self.target, "Target MAP")
        inserted = self._inserted_at()
        fluids = self._fluids(weight_kg)
        if None in (age, baseline, target, inserted, fluids) or not ok:
            return None
        assert age is not None and baseline is not None and target is not None
        assert inserted is not None and fluids is not None
        age_v, baseline_v, target_v, inserted_v, fluids_v = age[0], baseline[0], target[0], inserted[0], fluids[0]
        line = LineType(self.line.currentData())
        now = self._clock.now()
        line_hours = 0.0 if inserted_v is None else max(0.0, (now - inserted_v).total_seconds() / 3600.0)
        from norepi_gui.bedside.inputs import check_patient
        from norepi_gui.core.titration.model import PatientInfo  # imports the engine: not before first paint

        try:
            # The engine's own checks; a stand-in weight when none is entered yet checks the other fields.
            info = PatientInfo(
                weight_kg=weight_kg if weight_kg is not None else 70.0, population=population, age_years=age_v,
                chronic_hypertension=self.chronic_htn.isChecked(), baseline_sbp_mmhg=baseline_v,
                ards=self.ards.isChecked(), intra_abdominal_hypertension=self.iah.isChecked(),
                cardiac_dysfunction=self.cardiac.isChecked(), line=line, line_hours=line_hours,
                fluids_ml_per_kg=fluids_v, arterial_line=ARTERIAL_CHOICES[self.arterial.currentIndex()][1],
                target_map_mmhg=target_v,
            )
            check_patient(info, self._protocol)  # the protocol's range: neonatal and preterm targets included
        except InputError as exc:
            culprit = self._fields.get(exc.field)
            label = culprit.label if culprit is not None else exc.field
            message = describe_input_error(label, exc)
            if culprit is not None:
                culprit.show_error(message)
            else:
                self.status.show_error(message)
            return None
        record = PatientRecord(
            weight_kg=weight_kg,
            weight_entered=self.weight.text().strip(),
            population=population.value,
            age_years=age_v,
            chronic_hypertension=self.chronic_htn.isChecked(),
            baseline_sbp_mmhg=baseline_v,
            ards=self.ards.isChecked(),
            intra_abdominal_hypertension=self.iah.isChecked(),
            cardiac_dysfunction=self.cardiac.isChecked(),
            line=line.value,
            line_inserted_at=inserted_v,
            arterial_line=ARTERIAL_CHOICES[self.arterial.currentIndex()][1],
            fluids_ml_per_kg=fluids_v,
            fluids_entered=self.fluids.text().strip(),
            target_map_mmhg=target_v,
        )
        return PatientCommit(record, tuple(alerts))

    def _number(self, field: ValidatedField, label: str) -> tuple[float | None] | None:
        text = field.text().strip()
        if not text:
            return (None,)
        try:
            value, unit = split_number(text, label)
            if unit and unit.lower() not in ("mmhg", "years", "y"):
                raise InputError(label, f"unexpected unit {unit!r}", "a plain number")
        except InputError as exc:
            field.show_error(describe_input_error(label, exc))
            return None
        return (value,)

    def _inserted_at(self) -> tuple[datetime | None] | None:
        """When the line went in: "HH:MM" (today, or yesterday if that is still to come) or "YYYY-MM-DD HH:MM", read
        in the local zone (asking which one in the hour repeated at the end of daylight saving time)."""
        text = self.line_inserted.text().strip()
        if not text:
            return (None,)
        now = self._clock.now()
        now_local = now.astimezone(self.zone) if self.zone is not None else local_time(now)
        naive: datetime | None = None
        for fmt in ("%Y-%m-%d %H:%M", "%H:%M"):
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            naive = datetime.combine(now_local.date(), time(parsed.hour, parsed.minute)) if fmt == "%H:%M" \
                else parsed
            if fmt == "%H:%M" and naive > now_local.replace(tzinfo=None):
                naive -= timedelta(days=1)  # "22:00" typed after midnight means yesterday
            break
        if naive is None:
            self.line_inserted.show_error(
                f"Line inserted at: {text!r} is not a time. Accepted: HH:MM (today) or YYYY-MM-DD HH:MM")
            return None
        when = instant_of(naive, self.zone, self.ask_which, "Line inserted at")
        if isinstance(when, str):
            self.line_inserted.show_error(when)
            return None
        if when > now:
            self.line_inserted.show_error("Line inserted at: the time is in the future. Accepted: a time up to now")
            return None
        return (when.astimezone(UTC),)

    def _fluids(self, weight_kg: float | None) -> tuple[float | None] | None:
        text = self.fluids.text().strip()
        if not text:
            return (None,)
        try:
            q = parse_quantity(text, "Fluids given", "mL")
            if q.dimensionality == Q(1, "mL").dimensionality:
                if weight_kg is None:
                    raise InputError("Fluids given", "a volume in mL needs the weight", "mL/kg, or mL with a weight")
                q = q / Q(weight_kg, "kg")
            value = float(q.to("mL/kg").magnitude)
        except dimensionality_error() as exc:
            err = InputError("Fluids given", f"{text!r} is not a fluid volume", "mL, L or mL/kg")
            self.fluids.show_error(describe_input_error("Fluids given", err))
            del exc
            return None
        except InputError as exc:
            self.fluids.show_error(describe_input_error("Fluids given", exc))
            return None
        return (value,)


@dataclass(frozen=True)
class PatientCommit:
    """A checked patient snapshot and its weight alerts (e.g. maybe pounds, which need confirmation)."""

    record: PatientRecord
    alerts: tuple[Alert, ...] = ()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
