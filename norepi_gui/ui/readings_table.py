"""The table of readings, dose changes and co-infusions, with undoable corrections and deletions.

Nothing is rewritten: an edit records a CORRECTION event, a deletion a DELETION event, and undoing a deletion
records the entry again (a new event that names the one it restores). Every step is on disk before the table
changes, because the table redraws only from the recorder's state.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from norepi_gui.core.events import EventKind, Payload
from norepi_gui.ui.formatting import fmt_clock, fmt_dose, fmt_number, fmt_rate
from norepi_gui.ui.qt_values import ALIGN_RIGHT_VCENTER, TEXT_ALIGNMENT_ROLE, USER_ROLE

if TYPE_CHECKING:
    from norepi_gui.ui.recorder import SessionRecorder
    from norepi_gui.ui.session_state import SessionState

COLUMNS = ("Time", "Entry", "MAP", "SBP/DBP", "HR", "NE mcg/kg/min", "Rate mL/h", "Details")
EVENT_ID_ROLE = USER_ROLE
KIND_ROLE = USER_ROLE + 1


class ReadingsTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("readingsTable")
        self.setAccessibleName("Readings and dose changes")
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def refresh(self, state: SessionState, resolution: float) -> None:
        rows: list[tuple[datetime, int, list[str], EventKind]] = []
        for r in state.readings:
            pressures = "" if r.sbp_mmhg is None or r.dbp_mmhg is None else f"{r.sbp_mmhg:g}/{r.dbp_mmhg:g}"
            map_text = f"{r.map_mmhg:.0f}" + (" (calc)" if r.map_from_pressures else "")
            details = ", ".join(f"{k} {v}" for k, v in r.perfusion.items() if v is not None)
            d = state.dose_at(r.at)  # the dose the pump ran when the reading was taken
            dose_text = rate_text = ""
            if d is not None:
                dose_text = fmt_dose(d.dose_mcg_per_kg_per_min if d.pump_rate_ml_per_h > 0 else 0.0)
                rate_text = fmt_rate(d.pump_rate_ml_per_h, resolution)
            rows.append((r.at, r.event_id, [fmt_clock(r.at), "Reading", map_text, pressures,
                                            fmt_number(r.hr_per_min), dose_text, rate_text, details],
                         EventKind.READING))
        for d in state.doses:
            source = {"advice": "applied advice", "manual": "set by nurse"}.get(d.source, d.source)
            entry = "NE stopped" if d.pump_rate_ml_per_h <= 0 else "NE dose"
            rows.append((d.at, d.event_id, [fmt_clock(d.at), entry, "", "", "", fmt_dose(d.dose_mcg_per_kg_per_min),
                                            fmt_rate(d.pump_rate_ml_per_h, resolution),
                                            f"{fmt_dose(d.dose_mcg_per_min)} mcg/min, {source}"], EventKind.NE_DOSE))
        for c in state.co_infusion_log:
            rows.append((c.at, c.event_id, [fmt_clock(c.at), c.drug.capitalize(), "", "", "", "", "",
                                            f"{c.action} {c.dose:g} {c.unit}" if c.action != "stop" else "stop"],
                         EventKind.CO_INFUSION))
        rows.sort(key=lambda row: (row[0], row[1]), reverse=True)  # newest first
        selected = self.selected_event_id()
        self.setSortingEnabled(False)
        self.setRowCount(len(rows))
        for i, (_at, event_id, cells, kind) in enumerate(rows):
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(EVENT_ID_ROLE, event_id)
                item.setData(KIND_ROLE, kind.value)
                if j in (2, 5, 6):
                    item.setData(TEXT_ALIGNMENT_ROLE, ALIGN_RIGHT_VCENTER)
                if j in (5, 6) and kind is EventKind.READING:  # the dose running then, not a change: muted
                    item.setForeground(self.palette().placeholderText())
                    item.setToolTip("Running when the reading was taken")
                self.setItem(i, j, item)
            if event_id == selected:
                self.selectRow(i)

    def selected_event_id(self) -> int | None:
        items = self.selectedItems()
        if not items:
            return None
        value = items[0].data(EVENT_ID_ROLE)
        return int(value) if value is not None else None

    def event_id_at(self, row: int) -> int | None:
        item = self.item(row, 0)
        if item is None:
            return None
        value = item.data(EVENT_ID_ROLE)
        return int(value) if value is not None else None


class CorrectEntryCommand(QUndoCommand):
    """Replace an entry's payload (and time) by a CORRECTION; undo records the old values as another CORRECTION."""

    def __init__(self, recorder: SessionRecorder, event_id: int, old: tuple[Payload, datetime],
                 new: tuple[Payload, datetime], text: str) -> None:
        super().__init__(text)
        self._recorder = recorder
        self._event_id = event_id
        self._old = old
        self._new = new

    def redo(self) -> None:
        payload, at = self._new
        self._recorder.record(EventKind.CORRECTION, payload, at=at, supersedes=self._event_id)

    def undo(self) -> None:
        payload, at = self._old
        self._recorder.record(EventKind.CORRECTION, payload, at=at, supersedes=self._event_id)


class DeleteEntryCommand(QUndoCommand):
    """Delete an entry by a DELETION event; undo records the entry again, naming the one it restores."""

    def __init__(self, recorder: SessionRecorder, event_id: int, kind: EventKind, payload: Payload, at: datetime,
                 text: str) -> None:
        super().__init__(text)
        self._recorder = recorder
        self._event_id = event_id
        self._kind = kind
        self._payload = payload
        self._at = at

    @property
    def current_event_id(self) -> int:
        return self._event_id

    def redo(self) -> None:
        self._recorder.record(EventKind.DELETION, {"reason": self.text()}, supersedes=self._event_id)

    def undo(self) -> None:
        payload = {k: v for k, v in self._payload.items() if k != "restores"}
        event = self._recorder.record(self._kind, {**payload, "restores": self._event_id}, at=self._at)
        self._event_id = event.id
