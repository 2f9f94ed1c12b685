"""PlotArea: the place of the MAP plot in the window; says "Loading plot…" until the plot is built into it.

The plot (:class:`~norepi_gui.ui.map_plot.MapPlot`) needs numpy and pyqtgraph, about a third of a second to import.
The bedside window is painted first with this light area in the plot's place; the plot is built right after (or at
once, whenever anything asks for :attr:`PlotArea.plot`). ``bench/bench_startup.py`` times both moments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from norepi_gui.ui.qt_values import ALIGN_CENTER, set_enum_property

if TYPE_CHECKING:
    from norepi_gui.ui.map_plot import MapPlot


class PlotArea(QWidget):
    """Holds the MAP plot; ``PlotArea(build_now=False)`` shows a placeholder until :meth:`ensure_built`."""

    built = Signal()  # the plot now exists (it is empty: the window draws its data)

    def __init__(self, parent: QWidget | None = None, *, build_now: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("mapPlotArea")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._plot: MapPlot | None = None
        self._placeholder: QLabel | None = None
        if build_now:
            self.ensure_built()
        else:
            placeholder = QLabel("Loading plot\u2026")
            placeholder.setObjectName("mapPlotPlaceholder")
            placeholder.setAccessibleName("MAP plot, loading")
            set_enum_property(placeholder, "alignment", ALIGN_CENTER)
            placeholder.setStyleSheet("background: #FFFFFF; color: #555555;")  # the plot's white canvas
            placeholder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            self._layout.addWidget(placeholder)
            self._placeholder = placeholder

    @property
    def is_built(self) -> bool:
        return self._plot is not None

    @property
    def plot(self) -> MapPlot:
        """The plot (built now if it was not yet)."""
        return self.ensure_built()

    def ensure_built(self) -> MapPlot:
        """Import numpy and pyqtgraph and build the plot in place of the placeholder (once)."""
        if self._plot is None:
            from norepi_gui.ui.map_plot import MapPlot

            plot = MapPlot(self)
            if self._placeholder is not None:
                self._layout.removeWidget(self._placeholder)
                self._placeholder.hide()
                self._placeholder.setParent(None)  # out of the window at once (freed with its last reference)
                self._placeholder = None
            self._layout.addWidget(plot)
            self._plot = plot
            self.built.emit()
        return self._plot
