"""Bedside > Monitor diagnostics: what the monitor link did, counted (connections, messages, acknowledgements, every
refusal by reason, framing faults) and the last refusals with their senders. Messages for another bed or patient
are counted here and nowhere else: their values are never shown or recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from norepi_gui.ui.formatting import fmt_clock_seconds

if TYPE_CHECKING:
    from collections.abc import Callable

    from norepi_gui.monitor.diagnostics import MonitorDiagnostics

REFRESH_MS = 1000


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class MonitorDiagnosticsDialog(QDialog):
    """``status()`` says where the feed listens and for whom; ``snapshot()`` gives the counters (both re-read every
    second while the dialog is open)."""

    def __init__(self, status: Callable[[], str], snapshot: Callable[[], MonitorDiagnostics],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Monitor diagnostics")
        self.setObjectName("monitorDiagnosticsDialog")
        self._status, self._snapshot = status, snapshot
        self.status = QLabel()
        self.status.setObjectName("monitorDiagnosticsStatus")
        self.status.setWordWrap(True)
        self.counts = _table("monitorDiagnosticsCounts", ["What", "How many"])
        self.recent = _table("monitorDiagnosticsRecent", ["Time", "From", "Answer", "Reason", "Message id", "Detail"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.counts, 1)
        layout.addWidget(QLabel("Last refusals (newest first; no values of a refused message are kept):"))
        layout.addWidget(self.recent, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)
        self.refresh()

    def refresh(self) -> None:
        self.status.setText(self._status())
        d = self._snapshot()
        rows = d.rows()
        self.counts.setRowCount(len(rows))
        for i, (label, value) in enumerate(rows):
            self.counts.setItem(i, 0, QTableWidgetItem(label))
            self.counts.setItem(i, 1, QTableWidgetItem(value))
        recent = list(reversed(d.recent))
        self.recent.setRowCount(len(recent))
        for i, r in enumerate(recent):
            cells = (fmt_clock_seconds(r.at), r.peer, r.ack_code, r.reason.value, r.control_id, r.detail)
            for j, text in enumerate(cells):
                self.recent.setItem(i, j, QTableWidgetItem(text))
        self.counts.resizeColumnToContents(0)
        self.recent.resizeColumnsToContents()

    def counted(self, label: str) -> str:
        """The value shown for ``label`` (tests)."""
        for i in range(self.counts.rowCount()):
            item = self.counts.item(i, 0)
            if item is not None and item.text() == label:
                value = self.counts.item(i, 1)
                return value.text() if value is not None else ""
        return ""
