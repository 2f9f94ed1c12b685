"""The quality figures, live: time in band, below target and below the floor, checks on time / late / missed, dose
changes per hour and the NE-equivalent load, for the last hour, this shift and the whole infusion.

The figures and their texts come from the bedside layer (``BedsideSession.quality``, ``norepi_gui.core.quality``);
the panel redraws after every operation and once a minute (the last hour moves with the clock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from norepi_gui.core.quality import METHOD, figure_rows
from norepi_gui.ui.widgets import value_label

if TYPE_CHECKING:
    from norepi_gui.bedside.changes import Change
    from norepi_gui.core.quality import QualityFigures
    from norepi_gui.ui.controller import BedsideController

EMPTY = "No figures yet: they need the target band (the weight, or the order) and a reading."


class QualityPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Quality of this titration", parent)
        self.setObjectName("qualityPanel")
        self.setAccessibleName("Quality figures: last hour, this shift, the infusion")
        self.setToolTip(METHOD)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(1)
        self.cells: dict[tuple[int, int], QLabel] = {}
        self.nee = value_label("qualityNeeLabel", "Norepinephrine-equivalent load now and its peak")
        self.empty = value_label("qualityEmptyLabel", "Quality figures")
        self.empty.setText(EMPTY)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)
        layout.addWidget(self.nee)
        self.nee.hide()
        self._shown: tuple[object, ...] | None = None

    def bind(self, controller: BedsideController) -> None:
        self._controller = controller
        controller.session_changed.connect(self.refresh)
        controller.clock_minute.connect(self.refresh)
        controller.changed.connect(self._changed)

    def _changed(self, change: Change) -> None:
        if not change.session:  # a session change already redrew through session_changed
            self.refresh()

    def refresh(self) -> None:
        self.show_figures(self._controller.session.quality())

    def _cell(self, row: int, column: int, text: str, accessible: str) -> None:
        label = self.cells.get((row, column))
        if label is None:
            label = value_label(f"quality_{row}_{column}", accessible)
            if row == 0 or column == 0:
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            self.grid.addWidget(label, row, column)
            self.cells[(row, column)] = label
        if label.accessibleName() != accessible:
            label.setAccessibleName(accessible)
        if label.text() != text:
            label.setText(text)

    def show_figures(self, figures: QualityFigures | None) -> None:
        """Show ``figures``; only labels whose text changed are touched (a redraw per operation stays cheap)."""
        if figures is None:
            shown: tuple[object, ...] = ()
        else:
            head, rows = figure_rows(figures)
            peak = figures.windows[-1].nee_peak if figures.windows else None
            nee = (f"NE-equivalent load now {figures.nee_now:.3g} mcg/kg/min"
                   + (f", peak {peak:.3g} ({figures.windows[-1].name})" if peak is not None else ""))
            shown = (head, rows, nee)
        if shown == self._shown:
            return
        self._shown = shown
        if figures is None:
            self.empty.show()
            self.nee.hide()
            for label in self.cells.values():
                label.setVisible(False)
            return
        self.empty.hide()
        wanted: set[tuple[int, int]] = set()
        for column, text in enumerate(head):
            self._cell(0, column, text, f"Window: {text}" if text else "Figure")
            wanted.add((0, column))
        for r, row in enumerate(rows, start=1):
            for column, text in enumerate(row):
                self._cell(r, column, text, row[0] if column == 0 else f"{row[0]}, {head[column]}")
                wanted.add((r, column))
        for key, label in self.cells.items():
            if (key in wanted) == label.isHidden():
                label.setVisible(key in wanted)
        self.nee.setText(nee)
        self.nee.show()

    def text(self) -> str:
        """What the panel shows, row by row (for tests and the accessibility tree)."""
        rows: dict[int, list[str]] = {}
        for (r, _c), label in sorted(self.cells.items()):
            if not label.isHidden():
                rows.setdefault(r, []).append(label.text())
        return "\n".join(" | ".join(cells) for _r, cells in sorted(rows.items()))
