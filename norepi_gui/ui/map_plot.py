"""MapPlot: MAP over time against the target band, with the norepinephrine dose on a second axis.

The widget only displays what the window hands it; it holds no clinical logic. Times are timezone-aware
datetimes (the core's UTC) or epoch seconds; the x axis shows them in local clock time.

Built to stay fast with a monitor feed (72 h at one sample per second = 259,200 points): every curve is created once
and updated with ``setData``; samples live in a preallocated numpy buffer that doubles when full (never ``np.append``
per sample); curves clip to the view and downsample by peak; gaps are NaN drawn with ``connect='finite'``.
Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies) and every marker kind also has
its own shape, so nothing is told apart by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

FloatArray = npt.NDArray[np.float64]

# Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class MarkerStyle:
    """How one kind of marker looks and which lane (fraction of the plot height) it sits in."""

    label: str
    symbol: str
    colour: str
    lane: float


MARKER_STYLES: dict[str, MarkerStyle] = {
    "titration": MarkerStyle("Titration", "d", OKABE_ITO["orange"], 0.96),
    "escalation": MarkerStyle("Escalation", "t1", OKABE_ITO["reddish_purple"], 0.90),
    "acknowledgement": MarkerStyle("Acknowledged", "s", OKABE_ITO["black"], 0.84),
    "co_infusion": MarkerStyle("Co-infusion", "star", OKABE_ITO["bluish_green"], 0.78),
}
MARKER_KINDS = tuple(MARKER_STYLES)

DEFAULT_FOLLOW_SPAN_S = 4 * 3600.0  # the last 4 hours are in view while following
DEFAULT_MONITOR_GAP_S = 30.0  # monitor samples further apart than this are drawn with a gap between them
HOVER_TOLERANCE_PX = 12.0
FOLLOW_LEAD = 0.05  # while following, the view jumps ahead by this fraction of its span once the data reaches the edge
FOLLOW_MARGIN = 0.01  # ... once the data come within this fraction of the span of the right edge
DEFAULT_MAP_RANGE = (40.0, 120.0)  # mmHg shown before there is any data or band (display only)
LEGEND_COLUMN_PX = 140  # room one legend entry needs ("Acknowledged" and its symbol at the default font)
DATA_HEIGHT = 0.75  # data use the lower three quarters of the MAP axis; the marker lanes sit above
MONITOR_CHUNK = 65_536  # monitor points per chunk curve (about 18 h at one per second); fastest of 16k/64k/all-in-one
# Peak downsampling keeps min and max per bin; pyqtgraph defaults to 5 bins per pixel. One bin per pixel still draws
# the full min-max envelope (compared by eye on 72 h of data) at a fifth of the drawing work.
AUTO_DOWNSAMPLE_FACTOR = 1.0


class OverlayView(pg.ViewBox):  # type: ignore[misc]  # pyqtgraph ships no type information
    """A view drawn over the MAP view (dose axis, marker lanes) that lets every mouse drag, click and wheel through.

    A plain ViewBox accepts every drag even with its mouse disabled, which would stop panning the MAP view beneath.
    """

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=False, y=False)

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:  # noqa: N802 - pyqtgraph's name
        ev.ignore()

    def mouseClickEvent(self, ev: Any) -> None:  # noqa: N802 - pyqtgraph's name
        ev.ignore()

    def wheelEvent(self, ev: Any, axis: int | None = None) -> None:  # noqa: N802 - Qt's name
        ev.ignore()


def to_epoch(time: datetime, field: str = "time") -> float:
    """Epoch seconds for a timezone-aware datetime; a naive one is refused (it has no defined instant)."""
    if time.tzinfo is None or time.tzinfo.utcoffset(time) is None:
        raise ValueError(f"{field}: needs a timezone-aware datetime (UTC from the core's clock); got naive {time!r}")
    return time.timestamp()


class SeriesBuffer:
    """x/y samples in preallocated numpy arrays that double when full; x is kept in increasing order."""

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = max(16, capacity)
        self._x: FloatArray = np.empty(self._capacity, dtype=np.float64)
        self._y: FloatArray = np.empty(self._capacity, dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def x(self) -> FloatArray:
        """A view of the filled part (no copy)."""
        return self._x[: self._n]

    @property
    def y(self) -> FloatArray:
        return self._y[: self._n]

    @property
    def last_x(self) -> float | None:
        return float(self._x[self._n - 1]) if self._n else None

    def clear(self) -> None:
        self._n = 0

    def _reserve(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = self._capacity
        while capacity < needed:
            capacity *= 2
        x = np.empty(capacity, dtype=np.float64)
        y = np.empty(capacity, dtype=np.float64)
        x[: self._n] = self._x[: self._n]
        y[: self._n] = self._y[: self._n]
        self._x, self._y, self._capacity = x, y, capacity

    def extend(self, xs: FloatArray, ys: FloatArray) -> int:
        """Add samples; the fast path is samples at or after the last one, anything else is merged in order.

        Returns the first index whose content changed (the old length on the fast path).
        """
        count = len(xs)
        if count == 0:
            return self._n
        in_order = (self._n == 0 or xs[0] >= self._x[self._n - 1]) and (count == 1 or bool(np.all(np.diff(xs) >= 0)))
        self._reserve(self._n + count)
        if in_order:
            self._x[self._n : self._n + count] = xs
            self._y[self._n : self._n + count] = ys
            self._n += count
            return self._n - count
        first = int(np.searchsorted(self._x[: self._n], xs.min(), side="right"))
        x = np.concatenate((self._x[: self._n], xs))
        y = np.concatenate((self._y[: self._n], ys))
        order = np.argsort(x, kind="stable")
        self._n += count
        self._x[: self._n] = x[order]
        self._y[: self._n] = y[order]
        return first

    def replace(self, xs: FloatArray, ys: FloatArray) -> None:
        self._n = 0
        self.extend(xs, ys)


def _as_float_array(values: Sequence[float] | FloatArray, field: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: needs numbers; got {values!r}") from exc
    if array.ndim != 1:
        raise ValueError(f"{field}: needs a one-dimensional sequence of numbers; got shape {array.shape}")
    return array


def _same_length(times: FloatArray, values: FloatArray, times_field: str, values_field: str) -> None:
    if len(times) != len(values):
        raise ValueError(
            f"{values_field}: needs one value per entry of {times_field}; got {len(values)} values for "
            f"{len(times)} times"
        )


def _require_finite(values: FloatArray, field: str) -> None:
    if not bool(np.all(np.isfinite(values))):
        raise ValueError(f"{field}: needs finite numbers (no NaN or infinity)")


def _format_number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class MapPlot(QWidget):
    """MAP readings and monitor samples, the target band, the NE dose steps and event markers over clock time."""

    followChanged = Signal(bool)  # noqa: N815 - Qt signal naming

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        follow_span_s: float = DEFAULT_FOLLOW_SPAN_S,
        monitor_gap_s: float = DEFAULT_MONITOR_GAP_S,
        dose_unit: str = "mcg/kg/min",
    ) -> None:
        super().__init__(parent)
        if not follow_span_s > 0:
            raise ValueError(f"follow_span_s: needs a positive number of seconds; got {follow_span_s!r}")
        if not monitor_gap_s > 0:
            raise ValueError(f"monitor_gap_s: needs a positive number of seconds; got {monitor_gap_s!r}")
        self.setObjectName("mapPlot")
        self.setAccessibleName("MAP and norepinephrine dose over time")
        self._follow_span_s = float(follow_span_s)
        self._monitor_gap_s = float(monitor_gap_s)
        self._dose_unit = dose_unit
        self._following = True
        self._end_x: float | None = None  # latest time known to the plot (data or extend_to)
        self._band: tuple[float, float] | None = None
        self._y_range: tuple[float, float] = DEFAULT_MAP_RANGE  # what the MAP axis shows
        self._y_data: tuple[float, float] = DEFAULT_MAP_RANGE  # the part of it meant for data (below the lanes)
        self._monitor_in_legend = False

        self._readings = SeriesBuffer(256)
        self._monitor = SeriesBuffer(4096)
        self._dose = SeriesBuffer(64)
        self._markers: dict[str, SeriesBuffer] = {kind: SeriesBuffer(64) for kind in MARKER_KINDS}
        self._marker_texts: dict[str, list[str]] = {kind: [] for kind in MARKER_KINDS}

        self._build_widgets()
        self._build_items()

    # ----------------------------------------------------------------------------------------------------- building
    def _build_widgets(self) -> None:
        self._date_axis = pg.DateAxisItem(orientation="bottom")  # utcOffset=None: local clock time
        self._plot_widget = pg.PlotWidget(background="w", axisItems={"bottom": self._date_axis})
        self._plot_widget.setObjectName("mapPlotCanvas")
        self._plot_widget.setAccessibleName("MAP plot canvas")
        self._follow_button = QPushButton("Follow latest (F)")
        self._follow_button.setObjectName("followLatestButton")
        self._follow_button.setAccessibleName("Follow the latest reading")
        self._follow_button.setToolTip("Scroll with the newest reading again (key F or End)")
        self._follow_button.clicked.connect(self.follow_latest)
        self._follow_button.setEnabled(False)
        self._hover_label = QLabel(" ")
        self._hover_label.setObjectName("plotHoverLabel")
        self._hover_label.setAccessibleName("Values under the pointer")
        self._hover_label.setTextFormat(Qt.TextFormat.PlainText)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self._hover_label, 1)
        bar.addWidget(self._follow_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot_widget, 1)
        layout.addLayout(bar)

        for key in (Qt.Key.Key_F, Qt.Key.Key_End):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.follow_latest)

    def _build_items(self) -> None:
        item = self._plot_widget.getPlotItem()
        self._plot_item = item
        item.hideButtons()  # the auto-range button would fight follow mode; "Follow latest" replaces it
        item.setMenuEnabled(False)
        for name in ("left", "bottom", "right"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(OKABE_ITO["black"]))
            axis.setTextPen(pg.mkPen(OKABE_ITO["black"]))
        item.setLabel("left", "MAP (mmHg)")
        item.setLabel("bottom", "Time (local)")
        item.showAxis("right")
        item.setLabel("right", f"NE dose ({self._dose_unit})")

        vb = item.getViewBox()
        self._vb = vb
        vb.setMouseEnabled(x=True, y=False)  # pan/zoom in time; MAP scale follows the visible data
        # The MAP scale is fitted here (_fit_y) rather than by pyqtgraph's auto-range, which would ask every curve
        # for its bounds on every repaint; ours looks only at what is in view, and only when that can change.
        vb.disableAutoRange()
        vb.setYRange(*DEFAULT_MAP_RANGE, padding=0)
        vb.sigXRangeChanged.connect(self._on_x_range_changed)
        vb.sigRangeChangedManually.connect(self._on_range_changed_by_user)

        # Second y axis: the dose view, linked in x.
        self._dose_vb = OverlayView()
        item.scene().addItem(self._dose_vb)
        item.getAxis("right").linkToView(self._dose_vb)
        self._dose_vb.setXLink(vb)
        self._dose_vb.setYRange(0.0, 0.1, padding=0)  # 0.1 mcg/kg/min until a dose arrives
        # Marker lanes: y fixed to 0..1 of the plot height, linked in x.
        self._lane_vb = OverlayView()
        item.scene().addItem(self._lane_vb)
        self._lane_vb.setXLink(vb)
        self._lane_vb.setYRange(0.0, 1.0, padding=0)
        # Drawn above the MAP view so the dose stays visible over dense monitor data; as OverlayViews they pass
        # wheel and drag events through to the MAP view below.
        self._dose_vb.setZValue(vb.zValue() + 1)
        self._lane_vb.setZValue(vb.zValue() + 2)
        vb.sigResized.connect(self._sync_views)

        for name in ("left", "right"):
            # no SI rescaling (a dose of 0.2 shown as "200 (x0.001)"): an empty set of ranges where it applies.
            # enableAutoSIPrefix(False) is not enough in pyqtgraph 0.14: it freezes whatever scale was last computed.
            item.getAxis(name).setSIPrefixEnableRanges(())
        # The legend sits below the time axis, so it never hides data or markers.
        self._legend = pg.LegendItem(colCount=4, frame=False, labelTextColor=OKABE_ITO["black"])
        item.layout.addItem(self._legend, 4, 1)
        self._legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static: no repaint per sample
        self._band_sample = pg.PlotDataItem(
            pen=pg.mkPen(OKABE_ITO["bluish_green"], width=1, style=Qt.PenStyle.DashLine),
            fillLevel=0.0,
            fillBrush=pg.mkBrush(0x00, 0x9E, 0x73, 45),
        )

        self._band_item = pg.LinearRegionItem(
            values=(0.0, 0.0),
            orientation="horizontal",
            movable=False,
            brush=pg.mkBrush(0x00, 0x9E, 0x73, 45),  # Okabe-Ito bluish green, translucent
            pen=pg.mkPen(OKABE_ITO["bluish_green"], width=1, style=Qt.PenStyle.DashLine),
        )
        self._band_item.setZValue(-10)
        self._band_item.hide()
        vb.addItem(self._band_item)

        # The monitor series is drawn as consecutive chunk curves of MONITOR_CHUNK points (each overlapping the next
        # by one point so the line is continuous): a new sample re-sends only the last chunk to pyqtgraph, whose
        # per-setData work (bounds, finite checks) is linear in the points it is given.
        self._monitor_chunks: list[pg.PlotDataItem] = []
        self._monitor_chunk(0)  # first, so the legend lists it first
        self._readings_curve = pg.PlotDataItem(
            pen=pg.mkPen(OKABE_ITO["blue"], width=2),
            symbol="o",
            symbolSize=7,
            symbolPen=pg.mkPen(OKABE_ITO["blue"]),
            symbolBrush=pg.mkBrush(OKABE_ITO["blue"]),
            connect="finite",
            name="MAP reading",
        )
        # PlotItem.addItem overwrites a curve's own clip/downsample options with the plot-wide ones, so set both.
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        item.addItem(self._readings_curve)
        self._readings_curve.setClipToView(True)
        self._readings_curve.setDownsampling(auto=True, method="peak")
        self._readings_curve.setZValue(10)  # nurse readings above the monitor trace
        self._legend.addItem(self._readings_curve, self._readings_curve.name())

        self._dose_curve = pg.PlotDataItem(
            stepMode="center",
            pen=pg.mkPen(OKABE_ITO["vermillion"], width=2),
            name="NE dose",
        )
        self._dose_vb.addItem(self._dose_curve)
        self._legend.addItem(self._dose_curve, self._dose_curve.name())

        self._marker_items: dict[str, pg.ScatterPlotItem] = {}
        for kind, style in MARKER_STYLES.items():
            scatter = pg.ScatterPlotItem(
                symbol=style.symbol,
                size=12,
                pen=pg.mkPen(OKABE_ITO["black"], width=1),
                brush=pg.mkBrush(style.colour),
                name=style.label,
            )
            self._lane_vb.addItem(scatter)
            self._legend.addItem(scatter, style.label)
            self._marker_items[kind] = scatter

        self._hover_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((80, 80, 80), width=1))
        self._hover_line.hide()
        vb.addItem(self._hover_line, ignoreBounds=True)
        item.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_dose_unit(self, unit: str) -> None:
        """The unit of the dose axis and readout (the nurse's unit: mcg/kg/min or mcg/min)."""
        if unit != self._dose_unit:
            self._dose_unit = unit
            self._set_label("right", f"NE dose ({unit})")

    def set_colours(self, background: str, foreground: str) -> None:
        """Day or night: the canvas, the axes and their labels, the legend text and the hover readout."""
        self._foreground = foreground
        self._plot_widget.setBackground(background)
        for name in ("left", "bottom", "right"):
            axis = self._plot_item.getAxis(name)
            axis.setPen(pg.mkPen(foreground))
            axis.setTextPen(pg.mkPen(foreground))
        self._set_label("left", "MAP (mmHg)")
        self._set_label("bottom", "Time (local)")
        self._set_label("right", f"NE dose ({self._dose_unit})")
        self._legend.setLabelTextColor(foreground)
        for _sample, label in self._legend.items:
            label.setText(label.text, color=foreground)
        for kind, scatter in self._marker_items.items():
            brush = MARKER_STYLES[kind].colour
            if kind == "acknowledgement":  # black on a dark canvas would vanish: the canvas's text colour
                brush = foreground
            scatter.setBrush(pg.mkBrush(brush))
            scatter.setPen(pg.mkPen(background if kind == "acknowledgement" else OKABE_ITO["black"], width=1))
        self._hover_line.setPen(pg.mkPen(foreground, width=1))
        self._legend.update()

    def _set_label(self, name: str, text: str) -> None:
        # siPrefixEnableRanges=(): setLabel would otherwise switch SI rescaling back on (a dose of 0.2 as 200 x0.001)
        self._plot_item.getAxis(name).setLabel(text, siPrefixEnableRanges=(),
                                               color=getattr(self, "_foreground", OKABE_ITO["black"]))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Fewer legend columns on a narrow plot, so the legend never makes the plot wider than its widget."""
        super().resizeEvent(event)
        columns = max(1, min(4, event.size().width() // LEGEND_COLUMN_PX))
        if columns != self._legend.columnCount:
            self._legend.setColumnCount(columns)

    def _sync_views(self) -> None:
        rect = self._vb.sceneBoundingRect()
        for view in (self._dose_vb, self._lane_vb):
            view.setGeometry(rect)
            view.linkedViewChanged(self._vb, pg.ViewBox.XAxis)

    # ----------------------------------------------------------------------------------------------------- MAP data
    def set_readings(self, times: Sequence[datetime], maps: Sequence[float]) -> None:
        """Replace the charted MAP readings (e.g. after an undo or when a session is opened)."""
        xs = np.array([to_epoch(t, "times") for t in times], dtype=np.float64)
        ys = _as_float_array(maps, "maps")
        _same_length(xs, ys, "times", "maps")
        _require_finite(ys, "maps")
        self._readings.replace(xs, ys)
        self._readings_changed()

    def add_reading(self, time: datetime, map_mmhg: float) -> None:
        """Chart one MAP reading; a reading older than the last is put in time order."""
        x = to_epoch(time, "time")
        if not math.isfinite(map_mmhg):
            raise ValueError(f"map: needs a finite number in mmHg; got {map_mmhg!r}")
        self._readings.extend(np.array([x]), np.array([float(map_mmhg)]))
        self._readings_changed()

    def append_monitor_samples(
        self, times_epoch: FloatArray | Sequence[float], maps: FloatArray | Sequence[float]
    ) -> None:
        """Add monitor MAP samples (epoch seconds). NaN MAP values are gaps; so is a pause longer than the gap limit."""
        xs = _as_float_array(times_epoch, "times_epoch")
        ys = _as_float_array(maps, "maps")
        _same_length(xs, ys, "times_epoch", "maps")
        _require_finite(xs, "times_epoch")
        if len(xs) == 0:
            return
        last = self._monitor.last_x
        prev = np.concatenate(([last], xs[:-1])) if last is not None else np.concatenate(([xs[0]], xs[:-1]))
        gap_after = np.nonzero(xs - prev > self._monitor_gap_s)[0]
        if len(gap_after):
            # a NaN point halfway across each pause breaks the line there (drawn with connect='finite')
            xs = np.insert(xs, gap_after, 0.5 * (xs[gap_after] + prev[gap_after]))
            ys = np.insert(ys, gap_after, np.nan)
        if not self._monitor_in_legend:  # listed once there is a monitor trace to explain
            self._monitor_in_legend = True
            self._legend.addItem(self._monitor_chunks[0], "MAP monitor")
        first_changed = self._monitor.extend(xs, ys)
        self._refresh_monitor_chunks(max(0, first_changed - 1) // MONITOR_CHUNK)
        self._data_extends_to(self._monitor.last_x)
        self._fit_y_for(xs, ys)

    def set_monitor_gap(self, seconds: float) -> None:
        """Monitor samples further apart than ``seconds`` are drawn with a gap between them (from the next append
        on): a gateway sending one value a minute draws a line, a feed that stopped draws a gap."""
        if not seconds > 0:
            raise ValueError(f"monitor_gap_s: needs a positive number of seconds; got {seconds!r}")
        self._monitor_gap_s = float(seconds)

    def _monitor_chunk(self, index: int) -> pg.PlotDataItem:
        """The chunk curve ``index``, created (once) on first use."""
        while len(self._monitor_chunks) <= index:
            first = not self._monitor_chunks
            curve = pg.PlotDataItem(
                pen=pg.mkPen(OKABE_ITO["sky_blue"], width=1),
                connect="finite",
                name="MAP monitor" if first else None,
            )
            self._plot_item.addItem(curve)
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
            curve.opts["autoDownsampleFactor"] = AUTO_DOWNSAMPLE_FACTOR
            self._monitor_chunks.append(curve)
        return self._monitor_chunks[index]

    def _refresh_monitor_chunks(self, from_chunk: int) -> None:
        n = len(self._monitor)
        needed = -(-n // MONITOR_CHUNK)  # ceiling division
        x, y = self._monitor.x, self._monitor.y
        for index in range(from_chunk, max(needed, len(self._monitor_chunks))):
            curve = self._monitor_chunk(index) if index < needed else self._monitor_chunks[index]
            start = index * MONITOR_CHUNK
            stop = min(start + MONITOR_CHUNK + 1, n)  # +1: overlap the next chunk's first point
            if start < n:
                curve.setData(x[start:stop], y[start:stop])
            else:
                curve.setData(x=np.empty(0), y=np.empty(0))

    def _readings_changed(self) -> None:
        self._readings_curve.setData(self._readings.x, self._readings.y)
        self._data_extends_to(self._readings.last_x)
        self._fit_y()

    # ---------------------------------------------------------------------------------------------------- dose data
    def set_dose_steps(self, times: Sequence[datetime], doses_mcg_kg_min: Sequence[float]) -> None:
        """Replace the dose history: each dose runs from its time until the next step (or the latest time shown)."""
        xs = np.array([to_epoch(t, "times") for t in times], dtype=np.float64)
        ys = _as_float_array(doses_mcg_kg_min, "doses_mcg_kg_min")
        _same_length(xs, ys, "times", "doses_mcg_kg_min")
        _require_finite(ys, "doses_mcg_kg_min")
        if bool(np.any(ys < 0)):
            raise ValueError("doses_mcg_kg_min: needs doses of 0 or more")
        self._dose.replace(xs, ys)
        self._dose_changed()

    def add_dose_step(self, time: datetime, dose: float) -> None:
        x = to_epoch(time, "time")
        if not (math.isfinite(dose) and dose >= 0):
            raise ValueError(f"dose: needs a finite dose of 0 or more ({self._dose_unit}); got {dose!r}")
        self._dose.extend(np.array([x]), np.array([float(dose)]))
        self._dose_changed()

    def _dose_changed(self) -> None:
        if len(self._dose):
            top = float(np.max(self._dose.y))
            self._dose_vb.setYRange(0.0, max(top * 1.1, 0.1) / DATA_HEIGHT, padding=0)  # below the marker lanes
        self._data_extends_to(self._dose.last_x)
        self._update_dose_curve()

    def _update_dose_curve(self) -> None:
        if not len(self._dose):
            self._dose_curve.setData(x=np.empty(0), y=np.empty(0), stepMode=None)
            return
        last = float(self._dose.x[-1])
        end = max(last, self._end_x if self._end_x is not None else last)
        x = np.concatenate((self._dose.x, [end]))
        self._dose_curve.setData(x=x, y=self._dose.y.copy(), stepMode="center")

    # ------------------------------------------------------------------------------------------------------ markers
    def add_marker(self, time: datetime, kind: str, text: str) -> None:
        """Mark an event: kind is one of titration, escalation, acknowledgement, co_infusion; text shows on hover."""
        if kind not in MARKER_STYLES:
            raise ValueError(f"kind: needs one of {', '.join(MARKER_KINDS)}; got {kind!r}")
        x = to_epoch(time, "time")
        buffer = self._markers[kind]
        texts = self._marker_texts[kind]
        last = buffer.last_x
        if last is None or x >= last:
            texts.append(text)
        else:
            texts.insert(int(np.searchsorted(buffer.x, x, side="right")), text)
        buffer.extend(np.array([x]), np.array([MARKER_STYLES[kind].lane]))
        self._marker_items[kind].setData(x=buffer.x.copy(), y=buffer.y.copy(), data=list(texts))
        self._data_extends_to(x)

    def marker_data(self, kind: str) -> tuple[FloatArray, list[str]]:
        """Epoch times and texts of one kind of marker, in time order (for tests and automation)."""
        if kind not in MARKER_STYLES:
            raise ValueError(f"kind: needs one of {', '.join(MARKER_KINDS)}; got {kind!r}")
        return self._markers[kind].x.copy(), list(self._marker_texts[kind])

    # ------------------------------------------------------------------------------------------------- target band
    def set_target_band(self, low: float, high: float) -> None:
        """Shade the target MAP band (mmHg)."""
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"target band: needs finite low and high MAP in mmHg; got {low!r}, {high!r}")
        if low > high:
            raise ValueError(f"target band: low ({low}) must not be above high ({high})")
        self._band = (float(low), float(high))
        self._band_item.setRegion(self._band)
        self._band_item.show()
        self._legend.removeItem(self._band_sample)
        self._legend.addItem(self._band_sample, f"Target {low:g}–{high:g}")
        self._fit_y()

    def target_band(self) -> tuple[float, float] | None:
        return self._band

    # ----------------------------------------------------------------------------------------------- clearing, data
    def clear(self, *, monitor: bool = True) -> None:
        """Drop every reading, dose step and marker, and the monitor samples unless ``monitor`` is False (the target
        band stays: it is a setting)."""
        buffers = [self._readings, self._dose, *self._markers.values()]
        if monitor:
            buffers.append(self._monitor)
        for buffer in buffers:
            buffer.clear()
        for texts in self._marker_texts.values():
            texts.clear()
        self._readings_curve.setData(x=np.empty(0), y=np.empty(0))
        if monitor:
            self._refresh_monitor_chunks(0)
        for scatter in self._marker_items.values():
            scatter.clear()
        self._end_x = None if monitor else self._monitor.last_x
        self._update_dose_curve()
        self._dose_vb.setYRange(0.0, 0.1, padding=0)
        self._hover_line.hide()
        self._hover_label.setText(" ")
        self._fit_y()

    def map_curve_data(self) -> tuple[FloatArray, FloatArray]:
        """The MAP readings curve as it holds them: (epoch seconds, mmHg)."""
        return self._original(self._readings_curve)

    def monitor_curve_data(self) -> tuple[FloatArray, FloatArray]:
        """The monitor MAP curves joined: (epoch seconds, mmHg); NaN marks a gap."""
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        for index, curve in enumerate(self._monitor_chunks):
            x, y = self._original(curve)
            skip = 1 if index and len(x) else 0  # the point shared with the previous chunk
            xs.append(x[skip:])
            ys.append(y[skip:])
        return np.concatenate(xs), np.concatenate(ys)

    def dose_curve_data(self) -> tuple[FloatArray, FloatArray]:
        """The dose step curve: x holds step edges (epoch seconds, one more than y), y the doses."""
        return self._original(self._dose_curve)

    @staticmethod
    def _original(curve: pg.PlotDataItem) -> tuple[FloatArray, FloatArray]:
        x, y = curve.getOriginalDataset()
        if x is None or y is None:
            return np.empty(0), np.empty(0)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def render_image(self, last_s: float | None = None) -> QImage:
        """The plot canvas as an image (for the handover report), without the follow button and readout.

        With ``last_s``, the image shows the last ``last_s`` seconds up to the latest data; the view on screen is put
        back as it was afterwards.
        """
        if last_s is None or self._end_x is None:
            return self._grab_canvas()
        if not last_s > 0:
            raise ValueError(f"last_s: needs a positive number of seconds; got {last_s!r}")
        saved = self.x_range()
        right = self._end_x + FOLLOW_LEAD * last_s
        self._vb.setXRange(right - last_s, right, padding=0)
        try:
            return self._grab_canvas()
        finally:
            self._vb.setXRange(*saved, padding=0)

    def _grab_canvas(self) -> QImage:
        image: QImage = self._plot_widget.grab().toImage()
        return image

    # ------------------------------------------------------------------------------------------------------ follow
    @property
    def is_following(self) -> bool:
        return self._following

    def x_range(self) -> tuple[float, float]:
        """The visible time range (epoch seconds)."""
        low, high = self._vb.viewRange()[0]
        return float(low), float(high)

    def set_x_range(self, start_epoch: float, end_epoch: float) -> None:
        """Show a time range chosen by the user (stops following, as a pan does)."""
        self._vb.setXRange(start_epoch, end_epoch, padding=0)
        self._set_following(False)

    def follow_latest(self) -> None:
        """Scroll with the newest data again."""
        self._set_following(True)
        self._apply_follow(force=True)

    def extend_to(self, time: datetime) -> None:
        """Let the time axis (and the running dose step) reach ``time``, e.g. the clock's now."""
        self._data_extends_to(to_epoch(time, "time"))

    def _data_extends_to(self, x: float | None) -> None:
        if x is None:
            return
        if self._end_x is None or x > self._end_x:
            self._end_x = x
            if len(self._dose):
                self._update_dose_curve()
        self._apply_follow()

    def _apply_follow(self, force: bool = False) -> None:
        """While following, keep the newest data in view; the view moves in jumps, not on every sample."""
        if not self._following or self._end_x is None:
            return
        low, high = self.x_range()
        # jump before the newest point reaches the very edge (a marker there would be cut in half)
        if force or self._end_x > high - FOLLOW_MARGIN * self._follow_span_s or self._end_x < low:
            right = self._end_x + FOLLOW_LEAD * self._follow_span_s
            self._vb.setXRange(right - self._follow_span_s, right, padding=0)

    # ----------------------------------------------------------------------------------------------- MAP y range
    def _on_x_range_changed(self, *_: object) -> None:
        self._fit_y()

    def _visible_extremes(self, values: Sequence[FloatArray]) -> tuple[float, float] | None:
        finite = [v[np.isfinite(v)] for v in values]
        finite = [v for v in finite if len(v)]
        if not finite:
            return None
        return min(float(v.min()) for v in finite), max(float(v.max()) for v in finite)

    def _in_view(self, buffer: SeriesBuffer) -> FloatArray:
        low, high = self.x_range()
        x = buffer.x
        return buffer.y[int(np.searchsorted(x, low)) : int(np.searchsorted(x, high, side="right"))]

    def _fit_y(self) -> None:
        """Fit the MAP axis to the band and the readings and samples in view (data in the lower part)."""
        extremes = self._visible_extremes([self._in_view(self._readings), self._in_view(self._monitor)])
        low, high = DEFAULT_MAP_RANGE if extremes is None and self._band is None else (math.inf, -math.inf)
        for pair in (extremes, self._band):
            if pair is not None:
                low, high = min(low, pair[0]), max(high, pair[1])
        margin = max(2.0, 0.05 * (high - low))
        low, high = low - margin, high + margin
        top = low + (high - low) / DATA_HEIGHT
        self._y_data = (low, high)
        if (low, top) != self._y_range:
            self._y_range = (low, top)
            self._vb.setYRange(low, top, padding=0)

    def _fit_y_for(self, xs: FloatArray, ys: FloatArray) -> None:
        """After new data: refit only if a new value in view lies outside what the axis shows."""
        low, high = self.x_range()
        shown = ys[(xs >= low) & (xs <= high) & np.isfinite(ys)]
        if len(shown) and (float(shown.min()) < self._y_data[0] or float(shown.max()) > self._y_data[1]):
            self._fit_y()

    def _set_following(self, following: bool) -> None:
        if following == self._following:
            return
        self._following = following
        self._follow_button.setEnabled(not following)
        self.followChanged.emit(following)

    def _on_range_changed_by_user(self, mask: object) -> None:
        self._set_following(False)

    # ------------------------------------------------------------------------------------------------------- hover
    def hover_text_at(self, x: float, tolerance_s: float = 0.0) -> str:
        """What the hover readout says at epoch second ``x``: time, nearest MAP, dose running, markers nearby."""
        parts = [datetime.fromtimestamp(x).strftime("%d %b %H:%M:%S")]
        nearest = self._nearest(self._readings, x, tolerance_s)
        source = "MAP"
        if nearest is None:
            nearest = self._nearest(self._monitor, x, tolerance_s)
            source = "MAP (monitor)"
        if nearest is not None:
            parts.append(f"{source} {_format_number(nearest, 0)} mmHg")
        if len(self._dose):
            index = int(np.searchsorted(self._dose.x, x, side="right")) - 1
            if index >= 0:
                parts.append(f"NE {_format_number(float(self._dose.y[index]), 3)} {self._dose_unit}")
        for kind in MARKER_KINDS:
            xs = self._markers[kind].x
            if len(xs):
                close = np.nonzero(np.abs(xs - x) <= tolerance_s)[0]
                parts.extend(f"{MARKER_STYLES[kind].label}: {self._marker_texts[kind][i]}" for i in close)
        return "  ·  ".join(parts)

    @staticmethod
    def _nearest(buffer: SeriesBuffer, x: float, tolerance_s: float) -> float | None:
        xs = buffer.x
        if not len(xs):
            return None
        i = int(np.searchsorted(xs, x))
        best: int | None = None
        for j in (i - 1, i):
            if 0 <= j < len(xs) and math.isfinite(buffer.y[j]) and (best is None or abs(xs[j] - x) < abs(xs[best] - x)):
                best = j
        if best is None or abs(xs[best] - x) > tolerance_s:
            return None
        return float(buffer.y[best])

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if not self._vb.sceneBoundingRect().contains(pos):
            self._hover_line.hide()
            return
        x = float(self._vb.mapSceneToView(pos).x())
        pixel_w = self._vb.viewPixelSize()[0]
        self._hover_line.setPos(x)
        self._hover_line.show()
        self._hover_label.setText(self.hover_text_at(x, tolerance_s=HOVER_TOLERANCE_PX * pixel_w))
