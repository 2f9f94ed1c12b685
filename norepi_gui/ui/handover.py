"""File > Export PDF handover / Print handover: the bedside layer's report content laid out on paper, with a print
preview before anything goes to the printer.

The content (which rows, in what order, how written) is decided by ``norepi_gui.core.handover`` from inputs the
bedside layer reads (``norepi_gui.bedside.handover``); the layout by ``norepi_gui.ui.report``. This module only adds
the advice headline as the window writes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from norepi_gui.bedside.handover import handover_report
from norepi_gui.ui.titration_panel import advice_headline

if TYPE_CHECKING:
    from datetime import tzinfo
    from pathlib import Path

    from PySide6.QtWidgets import QWidget

    from norepi_gui.bedside.session import BedsideSession
    from norepi_gui.core.handover import HandoverData


def handover_data(session: BedsideSession, resolution_text: str, tz: tzinfo | None = None) -> HandoverData:
    """The report's content from the bedside session's record and its advice now (times in ``tz``, None: local)."""
    return handover_report(session, advice_text=lambda advice: advice_headline(advice, resolution_text)
                           .replace("\n", " "), tz=tz)


def export_pdf(data: HandoverData, path: Path) -> str:
    from norepi_gui.ui.report import write_handover_pdf

    write_handover_pdf(path, data)
    return f"Handover written to {path}"


class HandoverPreview(QPrintPreviewDialog):
    """The print preview of the handover report: the report as it will print; its Print button prints it."""

    def __init__(self, data: HandoverData, parent: QWidget | None = None) -> None:
        from norepi_gui.ui.report import print_handover

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(data.title)
        super().__init__(printer, parent)
        self.handover_printer = printer  # the dialog only points at the printer: it lives as long as the dialog
        self.setObjectName("handoverPrintPreview")
        self.setWindowTitle(f"Print preview: {data.title}")
        self.setAccessibleName("Print preview of the handover report")
        self.paintRequested.connect(lambda target: print_handover(target, data))


def preview_dialog(parent: QWidget | None, data: HandoverData) -> HandoverPreview:
    return HandoverPreview(data, parent)


def print_report(parent: QWidget, data: HandoverData) -> str:
    """Show the print preview; the nurse prints from it (or closes it)."""
    dialog = preview_dialog(parent, data)
    if dialog.exec() != QPrintPreviewDialog.DialogCode.Accepted:
        return "Printing cancelled."
    return "Handover sent to the printer."
