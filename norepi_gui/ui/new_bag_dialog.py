"""New bag hung: the volume read on the new bag and its concentration (the running bag's by default).

Recorded by the bedside layer as a bag hung now (``BedsideSession.hang_new_bag``): the volume left starts again from
the volume read; a new concentration under a running per-kg dose is confirmed there with the pump rate that keeps
the dose. Undo takes the bag (and that rate) back as one step.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from norepi_gui.bedside.records import BagRecord
from norepi_gui.core.errors import InputError
from norepi_gui.core.units import Q, parse_quantity
from norepi_gui.ui.formatting import describe_input_error
from norepi_gui.ui.widgets import ValidatedField

if TYPE_CHECKING:
    from norepi_gui.core.protocol import Protocol
    from norepi_gui.ui.formatting import DisplayFormat


class NewBagDialog(QDialog):
    def __init__(self, protocol: Protocol, running: BagRecord | None, display: DisplayFormat,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newBagDialog")
        self.setWindowTitle("New bag hung")
        self._running = running
        self.bag: BagRecord | None = None
        self.concentration = QComboBox()
        self.concentration.setObjectName("newBagConcentrationSelect")
        self.concentration.setAccessibleName("Concentration of the new bag")
        if running is not None and not running.standard:
            self.concentration.addItem(f"Same as now: {running.description}", "same")
        for value in protocol.concentrations.standard_mcg_per_ml:
            self.concentration.addItem(f"{display.concentration(value)} mcg/mL (base)", value)
        default_conc = protocol.concentrations.default_mcg_per_ml
        current = running.concentration_mcg_per_ml if running is not None else default_conc
        custom = running is not None and not running.standard
        index = self.concentration.findData("same") if custom else self.concentration.findData(current)
        self.concentration.setCurrentIndex(max(index, 0))
        self.volume = ValidatedField("newBagVolumeInput", "Volume of the new bag (mL)", placeholder="mL")
        default = protocol.bag.default_volume_ml
        if running is not None and running.volume_entered:
            volume = running.volume_entered
        else:
            volume = f"{default:g}"
        self.volume.set_text(volume)
        note = QLabel("Recorded as hung now: the volume left counts down from this volume.")
        note.setObjectName("newBagNote")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Concentration", self.concentration)
        form.addRow("Volume read, mL", self.volume)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("newBagButtons")
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Record new bag")
            ok.setObjectName("newBagRecordButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.volume.edit.setFocus()
        self.volume.edit.selectAll()

    def build(self) -> BagRecord | None:
        self.volume.clear_error()
        text = self.volume.text().strip()
        try:
            q = parse_quantity(text, "bag volume", "mL")
            if q.dimensionality != Q(1, "mL").dimensionality or q.magnitude <= 0:
                raise InputError("bag volume", f"{text!r} is not a volume above 0 mL", "e.g. 250 mL")
        except InputError as exc:
            self.volume.show_error(describe_input_error("Volume", exc))
            return None
        volume = float(q.to("mL").magnitude)
        choice = self.concentration.currentData()
        if choice == "same" and self._running is not None:
            return replace(self._running, bag_volume_ml=volume, hung=True)
        conc = float(choice)
        base = self._running if self._running is not None else BagRecord(concentration_mcg_per_ml=conc)
        return replace(base, concentration_mcg_per_ml=conc, standard=True, description=f"{conc:g} mcg/mL base",
                       amount_entered=None, volume_entered=None, salt="base", diluent=None, bag_volume_ml=volume,
                       hung=True)

    def accept(self) -> None:
        bag = self.build()
        if bag is None:
            return
        self.bag = bag
        super().accept()
