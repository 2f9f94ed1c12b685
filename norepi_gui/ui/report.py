"""The handover report on paper: PDF through Qt's own writer (QPdfWriter), printing and print preview through
QtPrintSupport.

The content comes ready-made from :func:`norepi_gui.core.handover.build_handover`; this module only lays it out as a
QTextDocument (HTML subset) with the chart drawn by :func:`render_chart`, keeps every heading on the page of what
follows it (:func:`keep_headings_with_next`), and sends the document to a PDF file (through a temporary file and one
rename) or a printer. Both Qt classes ship in PySide6-Essentials, so no extra wheel is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, QUrl
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter

from norepi_gui import package_version
from norepi_gui.core.alerts import Priority
from norepi_gui.core.export_file import check_pdf, export_target
from norepi_gui.core.handover import ChartData, HandoverData

CHART_URL = QUrl("handover://chart.png")
PAGE_MARGIN_MM = 15.0
PDF_RESOLUTION_DPI = 300
CHART_DPI = 220  # the chart is drawn as an image at this resolution (sharp on paper, a few hundred kB)
CHART_ASPECT = 0.40  # height / width
MAX_HEADING_PASSES = 20
KEEP_TOGETHER = 0.4  # a section shorter than this fraction of a page is never split over two pages
# Widths (% of the text width) of the flowsheet's columns: Time, MAP, SBP/DBP, HR, Perfusion, NE, rate, co-infusions,
# what changed and why, by (the text columns get the room).
FLOWSHEET_WIDTHS = (8, 7, 7, 4, 9, 10, 6, 12, 31, 6)
# IEC 60601-1-8 colours by priority (high red, medium yellow, low cyan); the word is printed too, for grey printers.
PRIORITY_COLOURS = {Priority.HIGH: "#C00000", Priority.MEDIUM: "#B8860B", Priority.LOW: "#007C91"}
# Okabe & Ito (2008) colours, as on screen; every series also has its own shape or dash.
MAP_COLOUR = "#0072B2"
DOSE_COLOUR = "#E69F00"
BAND_COLOUR = "#009E73"
FLOOR_COLOUR = "#D55E00"
MARKERS = {  # kind -> (legend label, colour, shape)
    "titration": ("Dose change", "#E69F00", "diamond"),
    "co_infusion": ("Co-infusion", "#009E73", "square"),
    "not_applied": ("Advice not applied", "#D55E00", "cross"),
    "handover": ("Handover", "#CC79A7", "triangle"),
}


# ------------------------------------------------------------------------------------------------------ the chart
def render_chart(chart: ChartData, width_pt: float, dpi: float = CHART_DPI) -> QImage:
    """The chart as an image ``width_pt`` points wide on paper: MAP points against the target band and the floor, the
    dose steps on a right-hand axis, markers in a lane above, local clock times below."""
    scale = dpi / 72.0  # pixels per point
    width = max(200, round(width_pt * scale))
    height = round(width * CHART_ASPECT)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _draw_chart(painter, chart, QRectF(0, 0, width, height), scale)
    finally:
        painter.end()
    return image


def _font(scale: float, points: float, bold: bool = False) -> QFont:
    font = QFont("sans-serif")
    font.setPixelSize(max(1, round(points * scale)))
    font.setBold(bold)
    return font


def _draw_chart(p: QPainter, c: ChartData, area: QRectF, s: float) -> None:
    left, right, top, bottom = 40 * s, 46 * s, 30 * s, 30 * s
    plot = QRectF(area.left() + left, area.top() + top, area.width() - left - right, area.height() - top - bottom)
    lane = QRectF(plot.left(), area.top() + 16 * s, plot.width(), 12 * s)
    span = (c.end - c.start).total_seconds() or 1.0

    def x(t: datetime) -> float:
        return plot.left() + (t - c.start).total_seconds() / span * plot.width()

    def y_map(m: float) -> float:
        return plot.bottom() - (m - c.map_low) / (c.map_high - c.map_low) * plot.height()

    def y_dose(d: float) -> float:
        return plot.bottom() - d / c.dose_high * plot.height()

    small = _font(s, 7.5)
    p.setFont(small)
    grid = QPen(QColor("#D0D0D0"), 0.6 * s)
    if c.band is not None:  # the target band, shaded
        band = QRectF(QPointF(plot.left(), y_map(c.band[1])), QPointF(plot.right(), y_map(c.band[0])))
        colour = QColor(BAND_COLOUR)
        colour.setAlpha(45)
        p.fillRect(band.intersected(plot), colour)
    for value in c.map_ticks:
        p.setPen(grid)
        p.drawLine(QPointF(plot.left(), y_map(value)), QPointF(plot.right(), y_map(value)))
        p.setPen(QColor("#000000"))
        p.drawText(QRectF(area.left(), y_map(value) - 6 * s, left - 4 * s, 12 * s),
                   _align("right"), f"{value:g}")
    for when, text in c.ticks:
        p.setPen(grid)
        p.drawLine(QPointF(x(when), plot.top()), QPointF(x(when), plot.bottom()))
        p.setPen(QColor("#000000"))
        p.drawText(QRectF(x(when) - 20 * s, plot.bottom() + 3 * s, 40 * s, 10 * s), _align("center"), text)
    for fraction in (0.0, 0.5, 1.0):  # the dose axis
        value = c.dose_high * fraction
        p.drawText(QRectF(plot.right() + 4 * s, y_dose(value) - 6 * s, right - 4 * s, 12 * s), _align("left"),
                   f"{value:.3g}")
    if c.floor is not None:
        pen = QPen(QColor(FLOOR_COLOUR), 1.0 * s)
        pen.setDashPattern([4.0, 3.0])
        p.setPen(pen)
        p.drawLine(QPointF(plot.left(), y_map(c.floor)), QPointF(plot.right(), y_map(c.floor)))
    if c.doses:  # dose steps
        path = QPainterPath()
        first_t, first_d = c.doses[0]
        path.moveTo(x(first_t), y_dose(first_d))
        previous = first_d
        for when, dose in c.doses[1:]:
            path.lineTo(x(when), y_dose(previous))
            path.lineTo(x(when), y_dose(dose))
            previous = dose
        p.setPen(QPen(QColor(DOSE_COLOUR), 1.8 * s))
        p.setBrush(QBrush())
        p.drawPath(path)
    if c.readings:  # MAP: a thin line through the points
        p.setPen(QPen(QColor(MAP_COLOUR), 0.8 * s))
        p.drawPolyline(QPolygonF([QPointF(x(t), y_map(m)) for t, m in c.readings]))
        p.setPen(QPen(QColor(MAP_COLOUR), 0.8 * s))
        p.setBrush(QColor(MAP_COLOUR))
        for t, m in c.readings:
            p.drawEllipse(QPointF(x(t), y_map(m)), 2.2 * s, 2.2 * s)
    for when, kind, _text in c.markers:
        _label, hue, shape = MARKERS.get(kind, ("", "#000000", "diamond"))
        _marker(p, shape, QColor(hue), QPointF(x(when), lane.center().y()), 3.2 * s)
    p.setPen(QPen(QColor("#000000"), 0.8 * s))
    p.setBrush(QBrush())
    p.drawRect(plot)
    _legend(p, QRectF(plot.left(), area.top() + 2 * s, plot.width(), 10 * s), s, c)
    p.setFont(_font(s, 7.5, bold=True))  # the axes' units, under each axis
    p.drawText(QRectF(area.left(), area.bottom() - 12 * s, left + 40 * s, 10 * s), _align("left"), "MAP mmHg")
    p.drawText(QRectF(plot.right() - 40 * s, area.bottom() - 12 * s, right + 40 * s, 10 * s), _align("right"),
               "NE mcg/kg/min")
    p.setFont(small)
    p.drawText(QRectF(plot.left(), area.bottom() - 12 * s, plot.width(), 10 * s), _align("center"),
               "local time")


def _legend(p: QPainter, box: QRectF, s: float, c: ChartData) -> None:
    items: list[tuple[str, str, str]] = [("MAP", MAP_COLOUR, "circle"), ("NE dose", DOSE_COLOUR, "line")]
    if c.band is not None:
        items.append(("Target band", BAND_COLOUR, "band"))
    if c.floor is not None:
        items.append(("Floor", FLOOR_COLOUR, "dash"))
    kinds = {kind for _t, kind, _x in c.markers}
    items += [(label, colour, shape) for kind, (label, colour, shape) in MARKERS.items() if kind in kinds]
    p.setFont(_font(s, 7.0))
    metrics = p.fontMetrics()
    xpos = box.left()
    mid = box.center().y()
    for label, colour, shape in items:
        if shape == "line":
            p.setPen(QPen(QColor(colour), 1.8 * s))
            p.drawLine(QPointF(xpos, mid), QPointF(xpos + 10 * s, mid))
        elif shape == "dash":
            pen = QPen(QColor(colour), 1.0 * s)
            pen.setDashPattern([3.0, 2.0])
            p.setPen(pen)
            p.drawLine(QPointF(xpos, mid), QPointF(xpos + 10 * s, mid))
        elif shape == "band":
            fill = QColor(colour)
            fill.setAlpha(60)
            p.fillRect(QRectF(xpos, mid - 3 * s, 10 * s, 6 * s), fill)
        else:
            _marker(p, shape, QColor(colour), QPointF(xpos + 5 * s, mid), 3.0 * s)
        p.setPen(QColor("#000000"))
        p.drawText(QPointF(xpos + 13 * s, mid + metrics.ascent() / 2 - 1 * s), label)
        xpos += 13 * s + metrics.horizontalAdvance(label) + 9 * s


def _marker(p: QPainter, shape: str, colour: QColor, at: QPointF, r: float) -> None:
    p.setPen(QPen(colour, r / 2.5))
    p.setBrush(colour)
    if shape == "circle":
        p.drawEllipse(at, r * 0.7, r * 0.7)
    elif shape == "square":
        p.drawRect(QRectF(at.x() - r * 0.8, at.y() - r * 0.8, r * 1.6, r * 1.6))
    elif shape == "triangle":
        p.drawPolygon(QPolygonF([QPointF(at.x(), at.y() - r), QPointF(at.x() + r, at.y() + r * 0.8),
                                 QPointF(at.x() - r, at.y() + r * 0.8)]))
    elif shape == "cross":
        p.drawLine(QPointF(at.x() - r, at.y() - r), QPointF(at.x() + r, at.y() + r))
        p.drawLine(QPointF(at.x() - r, at.y() + r), QPointF(at.x() + r, at.y() - r))
    else:  # diamond
        p.drawPolygon(QPolygonF([QPointF(at.x(), at.y() - r), QPointF(at.x() + r, at.y()),
                                 QPointF(at.x(), at.y() + r), QPointF(at.x() - r, at.y())]))


def _align(where: str) -> int:
    from PySide6.QtCore import Qt

    flags = {"left": Qt.AlignmentFlag.AlignLeft, "right": Qt.AlignmentFlag.AlignRight,
             "center": Qt.AlignmentFlag.AlignHCenter}[where] | Qt.AlignmentFlag.AlignVCenter
    return int(flags.value)


# ------------------------------------------------------------------------------------------------------ the text
def _rows(rows: tuple[tuple[str, str], ...], css: str = "rows") -> str:
    cells = "".join(f"<tr><td class='label'>{escape(label)}</td><td>{escape(value)}</td></tr>" for label, value in rows)
    return f"<table class='{css}' cellspacing='0' cellpadding='2'>{cells}</table>"


def _grid(head: tuple[str, ...], rows: list[tuple[str, tuple[str, ...]]], css: str,
          widths: tuple[int, ...] = ()) -> str:
    th = "".join(f"<th{f' width={w}%' if w else ''}>{escape(h)}</th>"
                 for h, w in zip(head, widths or (0,) * len(head), strict=True))
    body = "".join(f"<tr{attrs}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>" for attrs, cells in rows)
    return (f"<table class='{css}' width='100%' cellspacing='0' cellpadding='2' border='0.5'>"
            f"<thead><tr>{th}</tr></thead>{body}</table>")


def handover_html(data: HandoverData, chart_width: float | None) -> str:
    """The report as the HTML subset QTextDocument lays out; ``chart_width`` (points) None leaves the chart out."""
    parts = [
        "<html><head><style>",
        "body { font-family: sans-serif; font-size: 8.5pt; }",
        "h1 { font-size: 14pt; margin-bottom: 2px; }",
        "h2 { font-size: 10.5pt; margin-top: 9px; margin-bottom: 3px; border-bottom: 1px solid #888; }",
        "td.label { font-weight: bold; padding-right: 10px; }",
        "table.header td { font-size: 10pt; padding-right: 14px; }",
        "table.grid th { background-color: #E8E8E8; text-align: left; }",
        "table.grid td { padding-right: 4px; }",
        "table.flowsheet th { background-color: #E8E8E8; text-align: left; font-size: 7pt; }",
        "table.flowsheet td { font-size: 7pt; }",
        "tr.summary td { background-color: #EEF5EE; font-style: italic; }",
        "p.advice { font-size: 11pt; font-weight: bold; }",
        "p.support { color: #5B2A86; font-weight: bold; }",
        "p.disclaimer { font-size: 7.5pt; color: #444; }",
        "p.note { font-size: 7.5pt; color: #444; }",
        "</style></head><body>",
        f"<h1>{escape(data.title)}</h1>",
        f"<p>Generated {escape(data.generated_at_text)} &middot; {escape(data.zone_text)} &middot; "
        f"{escape(data.protocol_text)} &middot; norepi-gui {escape(package_version())}</p>",
        _rows(data.header_rows, "header"),
        f"<p class='disclaimer'>{escape(data.disclaimer)}</p>",
        "<h2>Patient</h2>",
        _rows(data.patient_rows),
        "<h2>Titration order</h2>",
        _rows(data.order_rows) if data.order_rows else
        "<p>No titration order recorded: the advice is the protocol's alone. Record the order (Bedside menu).</p>",
        "<h2>Infusion</h2>",
        _rows(data.infusion_rows),
        f"<h2>{escape(data.advice_heading)}</h2>",
        "<p class='support'>Decision support derived from the record, not an order: check it against the titration "
        "order and the patient before acting.</p>",
        f"<p class='advice'>{escape(data.advice_text)}</p>",
        _rows(data.advice_rows),
        "<h2>Escalations considered</h2>",
    ]
    if data.escalation_rows:
        parts.append("<ul>" + "".join(f"<li>{escape(text)}</li>" for text in data.escalation_rows) + "</ul>")
    else:
        parts.append("<p>None suggested in this period.</p>")
    parts.append("<h2>Alerts</h2>")
    if data.alerts:
        items = "".join(
            f"<li><span style='color: {PRIORITY_COLOURS[a.priority]}; font-weight: bold;'>"
            f"{escape(a.priority.value.upper())}</span> {escape(a.message)}</li>"
            for a in data.alerts
        )
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Quality figures</h2>")
    if data.quality_rows:
        parts.append(_grid(data.quality_head, [("", row) for row in data.quality_rows], "grid"))
    parts.append(f"<p class='note'>{escape(data.quality_note)}</p>")
    if data.chart is not None:
        parts.append(f"<h2>{escape(data.chart_heading)}</h2>")
        if chart_width is not None:
            parts.append(f"<p><img src='{CHART_URL.toString()}' width='{chart_width:.0f}'></p>")
        parts.append(f"<p class='note'>{escape(data.chart.caption)}. {escape(data.zone_text)}.</p>")
    parts.append(f"<h2>{escape(data.flowsheet_heading)}</h2>")
    if data.flowsheet:
        rows = [(" class='summary'" if line.summary else "", line.cells) for line in data.flowsheet]
        parts.append(_grid(data.flowsheet_columns, rows, "flowsheet", FLOWSHEET_WIDTHS))
        note = f"{data.zone_text}. 'By': the nurse on duty who recorded the entry."
        if data.summaries:
            note += (" Rows in italics on a tinted background are summaries (block charting): MAP stayed in the band "
                     "with no change; every reading is in the flowsheet CSV.")
        parts.append(f"<p class='note'>{escape(note)}</p>")
    else:
        parts.append("<p>Nothing charted in this period.</p>")
    parts += [f"<p class='disclaimer'>{escape(data.disclaimer)}</p>", "</body></html>"]
    return "".join(parts)


def _page_of(document: QTextDocument, y: float) -> int:
    return int(y // document.pageSize().height())


def heading_follower(block: QTextBlock) -> QTextBlock:
    """The block whose first line must share the heading's page: the next block, or, for a table with a repeated
    header row, its first data row."""
    following = block.next()
    table = QTextCursor(following).currentTable() if following.isValid() else None
    if table is not None:
        header = table.format().headerRowCount()
        if table.rows() > header:
            return table.cellAt(header, 0).firstCursorPosition().block()
    return following


def _first_line_top(block: QTextBlock) -> float:
    """Where the block's first line is laid out (a line too tall for the rest of a page, an image, starts on the next
    page while its block still begins on this one)."""
    top = block.document().documentLayout().blockBoundingRect(block).top()
    lines = block.layout()
    return top + (lines.lineAt(0).y() if lines is not None and lines.lineCount() > 0 else 0.0)


def _section_end(block: QTextBlock) -> float:
    """The bottom of the last block before the next heading (or the end of the document)."""
    layout = block.document().documentLayout()
    bottom = layout.blockBoundingRect(block).bottom()
    following = block.next()
    while following.isValid() and following.blockFormat().headingLevel() == 0:
        bottom = max(bottom, layout.blockBoundingRect(following).bottom())
        following = following.next()
    return bottom


def _needs_break(document: QTextDocument, block: QTextBlock) -> bool:
    """A heading left alone at the foot of a page, or a short section split over two pages."""
    layout = document.documentLayout()
    height = document.pageSize().height()
    top = layout.blockBoundingRect(block).top()
    here = _page_of(document, top)
    follower = heading_follower(block)
    if follower.isValid() and _page_of(document, _first_line_top(follower)) > here:
        return True
    end = _section_end(block)
    return _page_of(document, end - 1.0) > here and end - top <= KEEP_TOGETHER * height


def keep_headings_with_next(document: QTextDocument) -> int:
    """Move each heading left alone at the foot of a page, or whose short section would be split over two pages, to
    the top of the next one; the number moved."""
    moved = 0
    for _pass in range(MAX_HEADING_PASSES):
        block = document.begin()
        found = False
        while block.isValid():
            fmt = block.blockFormat()
            if fmt.headingLevel() > 0 and block != document.begin() and \
                    fmt.pageBreakPolicy() != QTextBlockFormat.PageBreakFlag.PageBreak_AlwaysBefore and \
                    _needs_break(document, block):
                change = QTextBlockFormat()
                change.setPageBreakPolicy(QTextBlockFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).mergeBlockFormat(change)
                moved += 1
                found = True
                break  # the layout after it has changed: look again from the start
            block = block.next()
        if not found:
            break
    return moved


def paper_font() -> QFont:
    """The report's base font on paper (the style sheet sizes every element from it), whatever the window's text
    size (View > Larger text changes the application's font)."""
    font = QFont("sans-serif")
    font.setPointSizeF(8.5)
    return font


def handover_document(data: HandoverData, page_size_pt: QSizeF | None = None) -> QTextDocument:
    """The laid-out report (its ``toPlainText()`` is what the PDF says), on pages of ``page_size_pt`` points."""
    document = QTextDocument()
    document.setDefaultFont(paper_font())  # the paper's layout never follows the window's text size
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, data.title)
    size = page_size_pt if page_size_pt is not None else a4_page_layout().paintRect(QPageLayout.Unit.Point).size()
    document.setPageSize(size)  # lay out in points, so font sizes come out as specified on paper
    chart_width: float | None = None
    if data.chart is not None:
        chart_width = size.width() - 2 * document.documentMargin() - 8  # the full text width
        document.addResource(QTextDocument.ResourceType.ImageResource, CHART_URL,
                             render_chart(data.chart, chart_width))
    document.setHtml(handover_html(data, chart_width))
    keep_headings_with_next(document)
    return document


def a4_page_layout() -> QPageLayout:
    margins = QMarginsF(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, margins, QPageLayout.Unit.Millimeter
    )


def print_document(device: QPagedPaintDevice, data: HandoverData) -> None:
    page_size = QSizeF(device.pageLayout().paintRect(QPageLayout.Unit.Point).size())
    handover_document(data, page_size).print_(device)


def write_handover_pdf(path: Path, data: HandoverData) -> None:
    """Write the handover report as a PDF file (A4) with Qt's own PDF writer."""
    write_document_pdf(path, data.title, "handover report", lambda page: handover_document(data, page))


def write_document_pdf(path: Path, title: str, what: str, build: Callable[[QSizeF], QTextDocument]) -> None:
    """Write a document laid out by ``build(page size in points)`` as an A4 PDF with Qt's own writer, through a
    checked temporary file renamed over ``path`` (:func:`~norepi_gui.core.export_file.export_target`): a failed
    export raises :class:`~norepi_gui.core.storage_errors.ExportError` and leaves the previous file whole."""
    if path.suffix.lower() != ".pdf":
        raise ValueError(f"path: the {what} is a PDF; needs a file name ending in .pdf, got {path.name!r}")
    with export_target(path, verify=check_pdf) as temporary:
        writer = QPdfWriter(str(temporary))
        writer.setTitle(title)
        writer.setCreator(f"norepi-gui {package_version()}")
        writer.setResolution(PDF_RESOLUTION_DPI)
        writer.setPageLayout(a4_page_layout())
        build(QSizeF(writer.pageLayout().paintRect(QPageLayout.Unit.Point).size())).print_(writer)
        del writer  # the file is finished and closed when the writer goes


def print_handover(printer: QPrinter, data: HandoverData) -> None:
    """Print the handover report on ``printer`` as the caller set it up (print dialog or preview: paper, margins)."""
    printer.setDocName(data.title)
    print_document(printer, data)
