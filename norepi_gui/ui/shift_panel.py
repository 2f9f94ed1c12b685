"""Who is on duty: the nurse's initials (or name) at session start and at each shift change, and the handover.

No accounts and no login: the initials are a field. The bedside layer stores them on every event it records from then
on; this module only collects them and shows who is on duty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from norepi_gui.bedside.records import check_initials
from norepi_gui.core.errors import InputError
from norepi_gui.core.events import EventKind
from norepi_gui.ui.formatting import describe_input_error, fmt_clock
from norepi_gui.ui.summary_panel import SummaryPanel
from norepi_gui.ui.widgets import FieldStatus, ValidatedField

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import Change
    from norepi_gui.ui.controller import BedsideController


class _FormDialog(QDialog):
    """A small form whose OK runs ``submit`` and stays open, the refused field marked, when it refuses."""

    def __init__(self, title: str, object_name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout(self)
        self.status = FieldStatus(f"{object_name}Status")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.fields: dict[str, ValidatedField] = {}

    def add_field(self, key: str, object_name: str, label: str, text: str = "", placeholder: str = "") -> None:
        field = ValidatedField(object_name, label, placeholder=placeholder)
        field.set_text(text)
        self.fields[key] = field
        self.form.addRow(label, field)

    def finish(self) -> None:
        self.form.addRow(self.status)
        self.form.addRow(self.buttons)

    def show_change(self, change: Change) -> bool:
        """True when the change went through; else the refusal is shown under its field."""
        for each in self.fields.values():
            each.clear_error()
        if change.problem is not None:
            field = self.fields.get(change.problem.field)
            if field is not None:
                field.show_error(change.problem.message)
                field.setFocus()
            else:
                self.status.show_error(change.problem.message)
            return False
        if change.failure:
            self.status.show_error(change.failure)
            return False
        return True


class HandoverDialog(_FormDialog):
    """The incoming nurse takes over (or the first nurse signs on): initials, the bed, a note."""

    def __init__(self, outgoing: str | None, bed: str, submit: Callable[[str, str, str], Change],
                 parent: QWidget | None = None) -> None:
        title = "Hand over" if outgoing else "Sign on"
        super().__init__(title, "handoverDialog", parent)
        self._submit = submit
        who = QLabel(f"Outgoing nurse: {outgoing}" if outgoing else "Nobody is signed on for this patient yet.")
        who.setObjectName("outgoingNurseLabel")
        who.setAccessibleName("Outgoing nurse")
        self.form.addRow(who)
        self.add_field("initials", "incomingInitialsInput", "Incoming nurse (initials or name)",
                       placeholder="e.g. AB")
        self.add_field("bed", "handoverBedInput", "Bed", bed)
        self.add_field("handover note", "handoverNoteInput", "Handover note (optional)")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Hand over" if outgoing else "Sign on")
        self.finish()

    def accept(self) -> None:
        change = self._submit(self.fields["initials"].text(), self.fields["bed"].text(),
                              self.fields["handover note"].text())
        if self.show_change(change):
            super().accept()


class NewSessionDialog(_FormDialog):
    """File > New session: the patient label, the bed and the initials of the nurse starting it."""

    def __init__(self, submit: Callable[[str, str, str], Change], parent: QWidget | None = None) -> None:
        super().__init__("New session", "newSessionDialog", parent)
        self._submit = submit
        self.add_field("label", "sessionLabelInput", "Patient label", placeholder="name or identifier")
        self.add_field("bed", "sessionBedInput", "Bed")
        self.add_field("initials", "sessionInitialsInput", "Your initials (or name)", placeholder="e.g. AB")
        self.finish()

    def accept(self) -> None:
        initials = self.fields["initials"]
        try:
            check_initials(initials.text(), "Your initials")
        except InputError as exc:
            initials.show_error(describe_input_error("Your initials", exc))
            initials.setFocus()
            return
        change = self._submit(self.fields["label"].text().strip(), self.fields["bed"].text(), initials.text())
        if self.show_change(change):
            super().accept()


class ShiftPanel(SummaryPanel):
    """The nurse on duty and the bed, with the button for the handover (or the sign-on)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Nurse on duty", "shiftPanel", summary=("nurseOnDutyLabel", "Nurse on duty"),
                         button=("Sign on\u2026", "handOverButton", "Sign on, or hand over to the next nurse"),
                         redraw_on=EventKind.HANDOVER, parent=parent)
        self.summary.setText("Nobody signed on: entries are recorded without initials.")

    def refresh(self) -> None:
        session = self._controller.session
        state = session.state
        nurse = state.nurse if session.writable else None
        if nurse is None:
            self.summary.setText("Nobody signed on: entries are recorded without initials.")
            self.summary.setStyleSheet("color: #8a5a00;")
            self.button.setText("Sign on\u2026")
            return
        since = state.shift_start
        text = f"{nurse}" + (f" since {fmt_clock(since)}" if since is not None else "")
        if state.bed:
            text += f", bed {state.bed}"
        self.summary.setText(text)
        self.summary.setStyleSheet("")
        self.button.setText("Hand over\u2026")


def open_handover_dialog(controller: BedsideController, parent: QWidget | None) -> bool:
    session = controller.session
    outgoing = session.state.nurse if session.writable else None
    dialog = HandoverDialog(outgoing, session.state.bed if session.writable else "",
                            lambda initials, bed, note: controller.hand_over(initials, bed=bed, note=note), parent)
    return bool(dialog.exec())


def open_new_session_dialog(controller: BedsideController, parent: QWidget | None, default_label: str) -> bool:
    dialog = NewSessionDialog(lambda label, bed, initials: controller.new_session(
        label or default_label, nurse=initials, bed=bed), parent)
    return bool(dialog.exec())
