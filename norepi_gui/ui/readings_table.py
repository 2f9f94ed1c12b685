"""The table of readings, perfusion entries, dose changes and co-infusions, newest first.

It shows the bedside state; corrections, deletions and undo are operations of the bedside layer. A new entry is
inserted as one row (an entry recorded during a shift costs the same however long the table is); a correction,
deletion or undo redraws the table once. The newest row stays in view; a correction, deletion or undo clears the
selection (so F2 never corrects the wrong row); Tab leaves the table (it does not walk its cells). Doses are in the
nurse's unit at the protocol's resolution.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from norepi_gui.core.events import EventKind
from norepi_gui.ui.formatting import DisplayFormat, fmt_clock, fmt_number
from norepi_gui.ui.qt_values import ALIGN_RIGHT_VCENTER, TEXT_ALIGNMENT_ROLE, USER_ROLE

if TYPE_CHECKING:
    from collections.abc import Iterable

    from norepi_gui.bedside.state import CoInfusionRow, DoseRow, PerfusionRow, ReadingRow, SessionState
    from norepi_gui.ui.controller import BedsideController

COLUMNS = ("Time", "Entry", "MAP", "SBP/DBP", "HR", "NE\nmcg/kg/min", "Rate\nmL/h", "Details")
DOSE_COLUMN = 5
EVENT_ID_ROLE = USER_ROLE
KIND_ROLE = USER_ROLE + 1

Entry = tuple[datetime, int, list[str], EventKind]


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
        self.setTabKeyNavigation(False)  # Tab moves on to the next control, never round the cells (issue 15)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.fit_columns()
        self._keys: list[tuple[float, int]] = []  # (-time, -seq) of each row: ascending = newest first
        self._display = DisplayFormat()

    def fit_columns(self) -> None:
        """Column widths from the font (not from the rows: the same cost however long the shift), re-done when the
        text size changes: no time, entry or number is cut off."""
        metrics = self.fontMetrics()
        samples = ("00:00", "Perfusion", "00 (calc)", "000/000", "000", "mcg/kg/min", "000.0")
        for column, sample in enumerate(samples):
            self.setColumnWidth(column, metrics.horizontalAdvance(sample) + 18)

    # ------------------------------------------------------------------------------------------------ rows
    def _reading_entry(self, r: ReadingRow, state: SessionState) -> Entry:
        pressures = "" if r.sbp_mmhg is None or r.dbp_mmhg is None else f"{r.sbp_mmhg:g}/{r.dbp_mmhg:g}"
        map_text = f"{r.map_mmhg:.0f}" + (" (calc)" if r.map_from_pressures else "")
        details = perfusion_text(r.record.lactate_mmol_per_l, r.record.urine_ml_per_kg_per_h, r.record.crt_s,
                                 r.record.altered_mental_status)
        details = ", ".join(x for x in (_monitor_text(r), details) if x)
        d = state.dose_at_reading(r)  # the dose the pump ran when the reading was taken
        dose_text = rate_text = ""
        if d is not None:
            dose_text = self._dose(d) if d.running else "0"
            rate_text = self._display.rate(d.pump_rate_ml_per_h)
        return (r.at, r.seq, [fmt_clock(r.at), "Reading", map_text, pressures, fmt_number(r.hr_per_min), dose_text,
                              rate_text, details], EventKind.READING)

    def _dose(self, d: DoseRow) -> str:
        """The dose in the column's unit (the other unit goes in the details)."""
        value, _unit = self._display.dose_value(d.dose_mcg_per_kg_per_min, d.dose_mcg_per_min)
        return value

    def _dose_entry(self, d: DoseRow) -> Entry:
        source = {"advice": "applied advice", "manual": "set by nurse"}.get(d.source, d.source)
        entry = "NE stopped" if not d.running else "NE dose"
        other = (f"{self._display.per_kg(d.dose_mcg_per_kg_per_min)} mcg/kg/min" if self._display.flat_first
                 else f"{self._display.flat(d.dose_mcg_per_min)} mcg/min")
        if self._display.flat_first and d.dose_mcg_per_kg_per_min is None:
            other = ""
        return (d.at, d.seq, [fmt_clock(d.at), entry, "", "", "", self._dose(d) if d.running else "0",
                              self._display.rate(d.pump_rate_ml_per_h),
                              ", ".join(x for x in (other, source) if x)], EventKind.NE_DOSE)

    @staticmethod
    def _perfusion_entry(p: PerfusionRow) -> Entry:
        m = p.record
        details = perfusion_text(m.lactate_mmol_per_l, m.urine_ml_per_kg_per_h, m.crt_s, m.altered_mental_status)
        return (p.at, p.seq, [fmt_clock(p.at), "Perfusion", "", "", "", "", "", details], EventKind.PERFUSION)

    @staticmethod
    def _co_entry(c: CoInfusionRow) -> Entry:
        return (c.at, c.seq, [fmt_clock(c.at), c.drug.capitalize(), "", "", "", "", "",
                              f"{c.action} {c.dose:g} {c.unit}" if c.action != "stop" else "stop"],
                EventKind.CO_INFUSION)

    def _fill_row(self, index: int, entry: Entry, event_id: int) -> None:
        _at, _seq, cells, kind = entry
        for j, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(EVENT_ID_ROLE, event_id)
            item.setData(KIND_ROLE, kind.value)
            if j in (2, 5, 6):
                item.setData(TEXT_ALIGNMENT_ROLE, ALIGN_RIGHT_VCENTER)
            if j in (5, 6) and kind is EventKind.READING:  # the dose running then, not a change: muted
                item.setForeground(self.palette().placeholderText())
                item.setToolTip("Running when the reading was taken")
            self.setItem(index, j, item)

    def bind(self, controller: BedsideController) -> None:
        """Insert rows for new entries; redraw when entries change elsewhere or a session opens."""
        self._controller = controller
        controller.readings_appended.connect(self._readings_added)
        controller.doses_appended.connect(self._doses_added)
        controller.co_infusions_appended.connect(self._co_added)
        controller.perfusion_appended.connect(self._perfusion_added)
        for signal in (controller.entries_reset, controller.session_changed, controller.settings_changed,
                       controller.display_changed):
            signal.connect(self._redraw)

    def _redraw(self) -> None:
        session = self._controller.session
        self.rebuild(session.state, self._controller.display)

    def _perfusion_added(self, rows: tuple[PerfusionRow, ...]) -> None:
        self.insert(self._controller.session.state, perfusion=rows)

    def _readings_added(self, rows: tuple[ReadingRow, ...]) -> None:
        self.insert(self._controller.session.state, readings=rows)

    def _doses_added(self, rows: tuple[DoseRow, ...]) -> None:
        self.insert(self._controller.session.state, doses=rows)

    def _co_added(self, rows: tuple[CoInfusionRow, ...]) -> None:
        self.insert(self._controller.session.state, co_infusions=rows)

    # ------------------------------------------------------------------------------------------------ updates
    def rebuild(self, state: SessionState, display: DisplayFormat) -> None:
        """Redraw every row from the state (a session opened; an entry corrected, deleted or restored); the
        selection is cleared, the newest row shown."""
        self._display = display
        header = self.horizontalHeaderItem(DOSE_COLUMN)
        if header is not None:
            header.setText(f"NE\n{display.dose_unit}")
        rows: list[tuple[Entry, int]] = []
        for r in state.readings:
            rows.append((self._reading_entry(r, state), r.event_id))
        for d in state.doses:
            rows.append((self._dose_entry(d), d.event_id))
        for c in state.co_infusion_log:
            rows.append((self._co_entry(c), c.event_id))
        for p in state.perfusion_log:
            rows.append((self._perfusion_entry(p), p.event_id))
        rows.sort(key=lambda row: (row[0][0], row[0][1]), reverse=True)  # newest first
        self.clearSelection()
        self.setSortingEnabled(False)
        self.setUpdatesEnabled(False)
        try:
            self.setRowCount(len(rows))
            self._keys = []
            for i, (entry, event_id) in enumerate(rows):
                self._fill_row(i, entry, event_id)
                self._keys.append(_key(entry))
            self.fit_columns()
        finally:
            self.setUpdatesEnabled(True)
        self.scrollToTop()

    def insert(self, state: SessionState, readings: Iterable[ReadingRow] = (), doses: Iterable[DoseRow] = (),
               co_infusions: Iterable[CoInfusionRow] = (), perfusion: Iterable[PerfusionRow] = ()) -> None:
        """Add new entries as rows in their place (normally the top, kept in view)."""
        new: list[tuple[Entry, int]] = [(self._reading_entry(r, state), r.event_id) for r in readings]
        new += [(self._dose_entry(d), d.event_id) for d in doses]
        new += [(self._co_entry(c), c.event_id) for c in co_infusions]
        new += [(self._perfusion_entry(p), p.event_id) for p in perfusion]
        top = 0
        for entry, event_id in sorted(new, key=lambda row: (row[0][0], row[0][1])):
            key = _key(entry)
            index = bisect_left(self._keys, key)
            self.insertRow(index)
            self._keys.insert(index, key)
            self._fill_row(index, entry, event_id)
            top = index
        if new and top == 0:
            self.scrollToTop()  # the newest entry is the first row: keep it in view

    # ------------------------------------------------------------------------------------------------ selection
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


def _key(entry: Entry) -> tuple[float, int]:
    return -entry[0].timestamp(), -entry[1]


def perfusion_text(lactate: float | None, urine: float | None, crt: float | None, mental: bool | None) -> str:
    """``lactate 3.2 mmol/L, urine 0.3 mL/kg/h, CRT 4 s, altered mental status`` (the markers recorded)."""
    parts = []
    if lactate is not None:
        parts.append(f"lactate {lactate:g} mmol/L")
    if urine is not None:
        parts.append(f"urine {urine:g} mL/kg/h")
    if crt is not None:
        parts.append(f"CRT {crt:g} s")
    if mental:
        parts.append("altered mental status")
    return ", ".join(parts)


def _monitor_text(r: ReadingRow) -> str:
    """Where the reading came from when the monitor feed was on: charted from the monitor's median (and what it left
    out), or typed beside what the monitor showed."""
    shown = r.record.monitor
    if r.record.source == "monitor":
        left_out = ", ".join(f"{n} {why}" for why, n in shown.excluded) if shown is not None else ""
        return "from monitor" + (f" ({left_out} left out)" if left_out else "")
    if shown is not None and shown.map_mmhg is not None:
        return f"typed; monitor showed {shown.map_mmhg:.0f}"
    return ""
