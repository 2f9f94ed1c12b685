"""The handover report on paper: PDF through Qt's own writer (QPdfWriter) and printing through QtPrintSupport.

The content comes ready-made from :func:`norepi_gui.core.handover.build_handover`; this module only lays it out as a
QTextDocument (HTML subset) with the plot image, and sends it to a PDF file or a printer. Both Qt classes ship in
PySide6-Essentials, so no extra wheel is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPagedPaintDevice, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from norepi_gui import package_version
from norepi_gui.core.alerts import Priority
from norepi_gui.core.handover import HandoverData

PLOT_URL = QUrl("handover://map-plot.png")
PAGE_MARGIN_MM = 15.0
PDF_RESOLUTION_DPI = 300
# IEC 60601-1-8 colours by priority (high red, medium yellow, low cyan); the word is printed too, for grey printers.
PRIORITY_COLOURS = {Priority.HIGH: "#C00000", Priority.MEDIUM: "#B8860B", Priority.LOW: "#007C91"}


def _rows(rows: tuple[tuple[str, str], ...]) -> str:
    cells = "".join(f"<tr><td class='label'>{escape(label)}</td><td>{escape(value)}</td></tr>" for label, value in rows)
    return f"<table class='rows' cellspacing='0' cellpadding='2'>{cells}</table>"


def handover_html(data: HandoverData, plot_width: float | None) -> str:
    """The report as the HTML subset QTextDocument lays out; ``plot_width`` (points) None leaves the plot out."""
    parts = [
        "<html><head><style>",
        "body { font-family: sans-serif; font-size: 9pt; }",
        "h1 { font-size: 15pt; margin-bottom: 2px; }",
        "h2 { font-size: 11pt; margin-top: 10px; margin-bottom: 3px; border-bottom: 1px solid #888; }",
        "td.label { font-weight: bold; padding-right: 10px; }",
        "table.readings th { background-color: #E8E8E8; text-align: left; padding-right: 8px; }",
        "table.readings td { padding-right: 8px; }",
        "p.advice { font-size: 12pt; font-weight: bold; }",
        "p.disclaimer { font-size: 8pt; color: #444; }",
        "</style></head><body>",
        f"<h1>{escape(data.title)}</h1>",
        f"<p>Generated {escape(data.generated_at_text)} &middot; {escape(data.protocol_text)} &middot; "
        f"norepi-gui {escape(package_version())}</p>",
        f"<p class='disclaimer'>{escape(data.disclaimer)}</p>",
        "<h2>Patient</h2>",
        _rows(data.patient_rows),
        "<h2>Infusion</h2>",
        _rows(data.infusion_rows),
        "<h2>Current advice</h2>",
        f"<p class='advice'>{escape(data.advice_text)}</p>",
        _rows(data.advice_rows),
        "<h2>Escalations</h2>",
    ]
    if data.escalations:
        items = "".join(f"<li><b>{escape(e.name)}</b>: {escape(e.reason)}</li>" for e in data.escalations)
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p>None suggested.</p>")
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
    if plot_width is not None:
        parts += [
            "<h2>MAP and dose</h2>",
            f"<p><img src='{PLOT_URL.toString()}' width='{plot_width:.0f}'></p>",
        ]
    parts.append(f"<h2>{escape(data.readings_heading)}</h2>")
    if data.reading_rows:
        head = "".join(f"<th>{escape(c)}</th>" for c in data.reading_columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in data.reading_rows)
        parts.append(f"<table class='readings' cellspacing='0' cellpadding='2'><tr>{head}</tr>{body}</table>")
    else:
        parts.append("<p>No readings in this period.</p>")
    parts += [f"<p class='disclaimer'>{escape(data.disclaimer)}</p>", "</body></html>"]
    return "".join(parts)


def handover_document(
    data: HandoverData, plot_image: QImage | None, page_size_pt: QSizeF | None = None
) -> QTextDocument:
    """The laid-out report (its ``toPlainText()`` is what the PDF says), on pages of ``page_size_pt`` points."""
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, data.title)
    size = page_size_pt if page_size_pt is not None else a4_page_layout().paintRect(QPageLayout.Unit.Point).size()
    document.setPageSize(size)  # lay out in points, so font sizes come out as specified on paper
    plot_width: float | None = None
    if plot_image is not None and not plot_image.isNull():
        document.addResource(QTextDocument.ResourceType.ImageResource, PLOT_URL, plot_image)
        plot_width = size.width() - 2 * document.documentMargin() - 8  # the full text width
    document.setHtml(handover_html(data, plot_width))
    return document


def a4_page_layout() -> QPageLayout:
    margins = QMarginsF(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, margins, QPageLayout.Unit.Millimeter
    )


def _print_to(device: QPagedPaintDevice, data: HandoverData, plot_image: QImage | None) -> None:
    page_size = QSizeF(device.pageLayout().paintRect(QPageLayout.Unit.Point).size())
    handover_document(data, plot_image, page_size).print_(device)


def write_handover_pdf(path: Path, data: HandoverData, plot_image: QImage | None) -> None:
    """Write the handover report as a PDF file (A4) with Qt's own PDF writer."""
    write_document_pdf(path, data.title, "handover report", lambda page: handover_document(data, plot_image, page))


def write_document_pdf(path: Path, title: str, what: str, build: Callable[[QSizeF], QTextDocument]) -> None:
    """Write a document laid out by ``build(page size in points)`` as an A4 PDF with Qt's own writer."""
    if path.suffix.lower() != ".pdf":
        raise ValueError(f"path: the {what} is a PDF; needs a file name ending in .pdf, got {path.name!r}")
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator(f"norepi-gui {package_version()}")
    writer.setResolution(PDF_RESOLUTION_DPI)
    writer.setPageLayout(a4_page_layout())
    build(QSizeF(writer.pageLayout().paintRect(QPageLayout.Unit.Point).size())).print_(writer)
    del writer  # the file is finished and closed when the writer goes
    if not path.exists():
        raise OSError(f"path: could not write the {what} PDF to {path}")


def print_handover(printer: QPrinter, data: HandoverData, plot_image: QImage | None) -> None:
    """Print the handover report on ``printer`` as the caller set it up (e.g. through QPrintDialog: paper, margins)."""
    printer.setDocName(data.title)
    _print_to(printer, data, plot_image)
