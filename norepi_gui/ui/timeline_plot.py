"""The debrief's timeline: true and displayed MAP, the bands shown, the floor, events and the trainee's actions as
markers, and norepinephrine, all in h:min since the start of the scenario. Drawn with QPainter into an image (the
same picture in the dialog and in the PDF); the data is :class:`norepi_gui.sim.training.Timeline`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF

from norepi_gui.sim.training import Timeline, fmt_minutes

TRUE_COLOUR = QColor("#1F4E9E")
SHOWN_COLOUR = QColor("#9A9A9A")
CHARTED_COLOUR = QColor("#000000")
BAND_COLOUR = QColor(60, 170, 90, 55)
FLOOR_COLOUR = QColor("#C00000")
EVENT_COLOUR = QColor("#D06000")
ACTION_COLOUR = QColor("#5B2A86")
NE_COLOUR = QColor("#5B2A86")


def _ticks(end_min: float) -> list[float]:
    """Tick minutes: every 15, 30, 60 or 120 min so that 4-12 ticks fit."""
    for step in (5.0, 15.0, 30.0, 60.0, 120.0, 240.0):
        if end_min / step <= 12:
            return [i * step for i in range(int(end_min // step) + 1)]
    return [0.0, end_min]


#: Norepinephrine dose changes are drawn as ticks (the dose strip shows their size); other actions are labelled.
NE_CHANGES = frozenset({"Start NE", "Increase NE", "Decrease NE", "Stop NE"})


def _rows(items: Sequence[tuple[float, str]], x_of: object, metrics: QFontMetricsF, rows: int,
          right: float) -> list[tuple[int, bool]]:
    """A row for each label so that labels in a row do not overlap (greedy, left to right), and whether the label
    goes to the left of its marker (near the right edge)."""
    ends = [-math.inf] * rows
    out: list[tuple[int, bool]] = []
    for t, text in items:
        x = x_of(t)  # type: ignore[operator]
        width = metrics.horizontalAdvance(text) + 12
        left = x + width > right
        start = x - width if left else x
        row = next((r for r in range(rows) if ends[r] <= start), min(range(rows), key=lambda r: ends[r]))
        ends[row] = start + width
        out.append((row, left))
    return out


def render_timeline(tl: Timeline, width: int = 1100, height: int = 640) -> QImage:
    """The timeline as an image of ``width`` x ``height`` pixels."""
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#FFFFFF"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(13)
    p.setFont(font)
    fm = QFontMetricsF(font)
    small = QFont(font)
    small.setPixelSize(11)
    fms = QFontMetricsF(small)

    left, right, top = 62.0, 66.0, 58.0
    events_h, actions_h, ne_h, axis_h = 18.0 * 3, 16.0 + 18.0 * 2, 90.0, 28.0
    map_top = top + events_h
    map_bottom = height - axis_h - ne_h - actions_h - 14.0
    actions_top = map_bottom + 8.0
    ne_top = actions_top + actions_h + 6.0
    ne_bottom = height - axis_h
    end = max(tl.end_min, 1.0)

    def x_of(t: float) -> float:
        return left + (width - left - right) * max(0.0, min(t, end)) / end

    values = [v for v in (*tl.true_map, *tl.shown_map, *(m for _t, m in tl.charted)) if math.isfinite(v) and v < 240]
    highs = [b.high_mmhg for b in tl.bands] or [75.0]
    lo = min([*values, tl.floor_mmhg, *[b.low_mmhg for b in tl.bands]], default=40.0) - 8.0
    hi = max([*values, *highs], default=100.0) + 8.0
    lo, hi = 10.0 * math.floor(lo / 10.0), 10.0 * math.ceil(hi / 10.0)

    def y_of(m: float) -> float:
        return map_bottom - (map_bottom - map_top) * (min(max(m, lo), hi) - lo) / (hi - lo)

    # Title and legend.
    p.setPen(QColor("#000000"))
    bold = QFont(font)
    bold.setBold(True)
    bold.setPixelSize(15)
    p.setFont(bold)
    p.drawText(QPointF(left, 22.0), "MAP, events, actions and norepinephrine (h:min since the start)")
    p.setFont(small)
    legend = [(TRUE_COLOUR, "true MAP (scored)", 3.0), (SHOWN_COLOUR, "displayed MAP", 1.5),
              (CHARTED_COLOUR, "charted", 0.0), (BAND_COLOUR, "band shown", 10.0), (FLOOR_COLOUR, "floor", 1.5),
              (EVENT_COLOUR, "event", 1.5), (ACTION_COLOUR, "trainee's action", 1.5)]
    x = left
    for colour, text, w in legend:
        if w == 0.0:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(QPointF(x + 9, 38.0), 3.5, 3.5)
        else:
            pen = QPen(colour, w)
            if colour == FLOOR_COLOUR:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(x, 38.0), QPointF(x + 18, 38.0))
        p.setPen(QColor("#000000"))
        p.drawText(QPointF(x + 24, 42.0), text)
        x += 24 + fms.horizontalAdvance(text) + 22

    # Bands shown, then the floor.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(BAND_COLOUR)
    for i, band in enumerate(tl.bands):
        until = tl.bands[i + 1].from_min if i + 1 < len(tl.bands) else end
        p.drawRect(QRectF(QPointF(x_of(band.from_min), y_of(band.high_mmhg)),
                          QPointF(x_of(until), y_of(band.low_mmhg))))
    pen = QPen(FLOOR_COLOUR, 1.5, Qt.PenStyle.DashLine)
    p.setPen(pen)
    floor_y = round(y_of(tl.floor_mmhg)) + 0.5  # on a pixel: a crisp line
    p.drawLine(QPointF(left, floor_y), QPointF(width - right, floor_y))

    # Grid and MAP axis.
    p.setFont(small)
    for level in range(int(lo), int(hi) + 1, 10):
        p.setPen(QPen(QColor("#E2E2E2"), 1.0))
        p.drawLine(QPointF(left, y_of(level)), QPointF(width - right, y_of(level)))
        p.setPen(QColor("#333333"))
        p.drawText(QRectF(0, y_of(level) - 8, left - 6, 16),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{level}")
    for t in _ticks(end):  # vertical grid under the data
        p.setPen(QPen(QColor("#E2E2E2"), 1.0))
        p.drawLine(QPointF(x_of(t), map_top), QPointF(x_of(t), map_bottom))
    p.setPen(QColor("#333333"))
    p.save()
    p.translate(14.0, (map_top + map_bottom) / 2.0)
    p.rotate(-90)
    p.drawText(QRectF(-60, -10, 120, 20), Qt.AlignmentFlag.AlignCenter, "MAP mmHg")
    p.restore()

    # Displayed MAP (thin), charted readings (dots), true MAP (thick).
    def line(ts: Sequence[float], ms: Sequence[float], pen: QPen) -> None:
        path = QPainterPath()
        started = False
        for t, m in zip(ts, ms, strict=False):
            if not math.isfinite(m):
                started = False
                continue
            point = QPointF(x_of(t), y_of(min(m, hi)))
            if started:
                path.lineTo(point)
            else:
                path.moveTo(point)
                started = True
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)

    if len(tl.shown_t) > 200:
        line(tl.shown_t, tl.shown_map, QPen(SHOWN_COLOUR, 1.0))
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(SHOWN_COLOUR)
        for t, m in zip(tl.shown_t, tl.shown_map, strict=False):
            p.drawEllipse(QPointF(x_of(t), y_of(m)), 3.0, 3.0)
    line(tl.true_t, tl.true_map, QPen(TRUE_COLOUR, 2.4))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(CHARTED_COLOUR)
    for t, m in tl.charted:
        p.drawEllipse(QPointF(x_of(t), y_of(m)), 3.2, 3.2)

    # Events: dashed lines through the MAP panel, labels in up to three rows above it.
    p.setFont(small)
    labels = [(t, f"\u25bc {text} ({fmt_minutes(t)})") for t, text in tl.events]
    for (t, text), (row, left_side) in zip(labels, _rows(labels, x_of, fms, 3, width - 4.0), strict=True):
        x = round(x_of(t)) + 0.5  # on a pixel: a crisp line
        p.setPen(QPen(EVENT_COLOUR, 1.4, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, top + 4 + 18.0 * row + 6), QPointF(x, map_bottom))
        p.setPen(EVENT_COLOUR)
        w = fms.horizontalAdvance(text)
        p.drawText(QPointF(x - w - 3 if left_side else x + 3, top + 14 + 18.0 * row), text)

    # Actions under the MAP panel: dose changes as ticks in the first row, other actions labelled below them.
    ticks = [t for t, text in tl.actions if text in NE_CHANGES]
    p.setPen(QPen(NE_COLOUR, 1.5))
    for t in ticks:
        p.drawLine(QPointF(x_of(t), actions_top), QPointF(x_of(t), actions_top + 10))
    p.setPen(QColor("#444444"))
    if ticks:
        p.drawText(QPointF(width - right + 4, actions_top + 10), "NE")
    others = [(t, text) for t, text in tl.actions if text not in NE_CHANGES]
    for (t, text), (row, left_side) in zip(others, _rows(others, x_of, fms, 2, width - 4.0), strict=True):
        x = x_of(t)
        y = actions_top + 16.0 + 18.0 * row
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ACTION_COLOUR)
        p.drawPolygon(QPolygonF([QPointF(x, y + 2), QPointF(x - 5, y + 12), QPointF(x + 5, y + 12)]))
        p.setPen(ACTION_COLOUR)
        w = fms.horizontalAdvance(text)
        p.drawText(QPointF(x - w - 7 if left_side else x + 7, y + 12), text)

    # Norepinephrine (step line) with its own axis on the right.
    doses = [d for _t, d in tl.ne] or [0.0]
    top_dose = max(max(doses) * 1.15, 0.05)
    p.setPen(QPen(QColor("#BBBBBB"), 1.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(QPointF(left, ne_top), QPointF(width - right, ne_bottom)))

    def y_dose(d: float) -> float:
        return ne_bottom - (ne_bottom - ne_top) * d / top_dose

    path = QPainterPath()
    points = [*tl.ne, (end, tl.ne[-1][1])] if tl.ne else []
    for i, (t, d) in enumerate(points):
        if i == 0:
            path.moveTo(QPointF(x_of(t), y_dose(d)))
        else:
            path.lineTo(QPointF(x_of(t), y_dose(points[i - 1][1])))
            path.lineTo(QPointF(x_of(t), y_dose(d)))
    p.setPen(QPen(NE_COLOUR, 2.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.setPen(QColor("#333333"))
    for d in (0.0, top_dose / 2.0, top_dose):
        p.drawText(QRectF(width - right + 4, y_dose(d) - 8, right - 4, 16), Qt.AlignmentFlag.AlignLeft, f"{d:.2g}")
    p.save()
    p.translate(14.0, (ne_top + ne_bottom) / 2.0)
    p.rotate(-90)
    p.drawText(QRectF(-70, -10, 140, 20), Qt.AlignmentFlag.AlignCenter, "NE mcg/kg/min")
    p.restore()

    # Time axis.
    p.setFont(font)
    for t in _ticks(end):
        x = x_of(t)
        p.setPen(QColor("#333333"))
        p.drawLine(QPointF(x, ne_bottom), QPointF(x, ne_bottom + 5))
        label = fmt_minutes(t)
        p.drawText(QPointF(x - fm.horizontalAdvance(label) / 2.0, ne_bottom + 20), label)
    p.setPen(QPen(QColor("#666666"), 1.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(QPointF(left, map_top), QPointF(width - right, map_bottom)))
    p.end()
    return image
