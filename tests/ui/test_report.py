"""The handover report on paper: the PDF's text read back (pypdf), headings kept with what follows them, the chart,
printing and the print preview.

The session and its hand-computed figures: tests/bedside/handover_session.py (times UTC, the nurse's clock in Paris,
UTC+1: 08:00 UTC is 09:00 on paper).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from pytestqt.qtbot import QtBot

from norepi_gui import DISCLAIMER
from norepi_gui.core.handover import FlowsheetLine, HandoverData
from norepi_gui.ui.handover import handover_data, preview_dialog
from norepi_gui.ui.report import (
    handover_document,
    heading_follower,
    keep_headings_with_next,
    paper_font,
    print_handover,
    write_handover_pdf,
)
from tests.bedside.handover_session import LABEL, NOT_APPLIED, PARIS, build


@pytest.fixture
def data(qtbot: QtBot) -> HandoverData:
    session, _clock = build()
    return handover_data(session, "{:.1f}", PARIS)


def pdf_text(path: Path) -> str:
    """The PDF's text as one line: a cell's line break after a slash or a dash joined, other breaks as spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    text = unicodedata.normalize("NFKC", text)  # typeset ligatures back to letters
    text = re.sub(r"(?<=[/\u2013])\s*\n", "", text)
    return " ".join(text.split())


def test_the_pdf_says_who_where_when_the_order_the_flowsheet_and_the_figures(tmp_path: Path,
                                                                            data: HandoverData) -> None:
    path = tmp_path / "handover.pdf"
    write_handover_pdf(path, data)
    assert path.read_bytes().startswith(b"%PDF")
    text = pdf_text(path)
    for expected in (
        "Norepinephrine infusion handover",
        f"Patient {LABEL}", "Bed ICU 4", "Nurse on duty CD since 01 Jan 09:10", "Handovers 01 Jan 09:10 AB to CD",
        # local times, the zone named: 09:00 UTC is 10:00 in Paris
        "Generated 2026-01-01 10:00 CET", "Times are local (CET, UTC+01:00)",
        # the order's seven elements
        "Drug norepinephrine (doses as base)", "Route IV continuous infusion, central line",
        "Starting dose 0.1 mcg/kg/min", "Step size up to 0.05 mcg/kg/min per change",
        "How often at most one change every 5 min", "Maximum 0.5 mcg/kg/min; above it, call the prescriber",
        "Measurable goal MAP 65\u201375 mmHg; floor 60 mmHg", "Prescriber Dr Lee",
        # the infusion: 0.15 x 70 = 10.5 mcg/min; 0.15 x 262.5 = 39.375 -> 39.4 mL/h; 211.91 mL left, 5.378 h
        "Running dose 0.15 mcg/kg/min (10.5 mcg/min) since 01 Jan 09:06", "Pump rate 39.4 mL/h",
        "Bag left 212 mL; next bag by 01 Jan 15:22", "vasopressin 0.03 U/min since 09:40",
        "Decision support at 01 Jan 10:00 (not an order)", "HOLD at 0.15 mcg/kg/min = 39.4 mL/h",
        # quality: in band 34 of 60 min (last hour, infusion) and 34 of 50 (this shift, since 09:10)
        "In band 65\u201375 mmHg 57 % 68 % 57 %", "Below target 65 20 % 4 % 20 %", "Below floor 60 10 % 0 % 10 %",
        "Checks on time / late / missed 3 / 2 / 1 2 / 2 / 1 3 / 2 / 1",
        # flowsheet rows, local times
        "09:00 58 0.1 (7) 26.3 AB",
        "09:06 0.15 (10.5) 39.4 Norepinephrine 0.10 -> 0.15 mcg/kg/min; advice applied: MAP 62 < target 65 AB",
        "09:12 66 0.15 (10.5) 39.4 corrected 09:36 by CD CD",
        f"09:26 0.15 (10.5) 39.4 Advice not applied (decrease to 0.105 mcg/kg/min); {NOT_APPLIED} CD",
        "09:38 Entry deleted: reading CD",
        "09:45\u201309:55 69\u201371 0.15 (10.5) 39.4",
        "Summary (block charting): 3 readings, MAP 69\u201371 in band, no change",
    ):
        assert expected in text, expected
    assert " UTC " not in f" {text} " and "UTC 20" not in text  # no time is written in UTC
    assert DISCLAIMER in text


def test_the_pdf_embeds_the_chart(tmp_path: Path, data: HandoverData) -> None:
    with_chart, without_chart = tmp_path / "with.pdf", tmp_path / "without.pdf"
    write_handover_pdf(with_chart, data)
    write_handover_pdf(without_chart, replace(data, chart=None))
    assert b"/Subtype /Image" in with_chart.read_bytes()
    assert b"/Subtype /Image" not in without_chart.read_bytes()


def _orphans(document: QTextDocument) -> list[str]:
    layout = document.documentLayout()
    height = document.pageSize().height()
    found = []
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            follower = heading_follower(block)
            if layout.blockBoundingRect(follower).top() // height > layout.blockBoundingRect(block).top() // height:
                found.append(block.text())
        block = block.next()
    return found


def test_no_heading_is_left_alone_at_the_foot_of_a_page(data: HandoverData) -> None:
    # Longer and longer flowsheets push every heading after it over page ends at some length.
    line = FlowsheetLine(("09:00", "70", "", "", "", "0.1 (7)", "26.3", "", "", "AB"))
    for extra in range(0, 40, 3):
        report = replace(data, alerts=(), escalation_rows=tuple(f"escalation {i}" for i in range(extra)),
                         flowsheet=data.flowsheet + (line,) * extra)
        assert _orphans(handover_document(report)) == [], extra


def test_a_heading_at_the_foot_of_a_page_moves_to_the_next(qtbot: QtBot) -> None:
    from PySide6.QtCore import QSizeF

    def laid_out(words: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(paper_font())
        document.setPageSize(QSizeF(300, 200))
        document.setHtml("<p>" + "text " * words + "</p><h2>Heading</h2><p>" + "more " * 40 + "</p>")
        return document

    # As much text before the heading as leaves it, laid out as it comes, alone at the foot of page 1.
    document = next((d for d in map(laid_out, range(60, 400, 4)) if _orphans(d) == ["Heading"]), None)
    assert document is not None
    assert keep_headings_with_next(document) == 1
    assert _orphans(document) == []


def test_printing_goes_through_the_preview_and_prints_the_report(qtbot: QtBot, tmp_path: Path,
                                                                 data: HandoverData) -> None:
    dialog = preview_dialog(None, data)
    qtbot.addWidget(dialog)
    preview = dialog.findChild(QPrintPreviewWidget)
    assert preview is not None
    preview.updatePreview()
    assert preview.pageCount() == handover_document(data).pageCount()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a printer that writes a file, so it can be read back
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    print_handover(printer, data)
    text = pdf_text(tmp_path / "printed.pdf")
    assert "Norepinephrine infusion handover" in text and f"Patient {LABEL}" in text


def test_pdf_path_must_end_in_pdf(tmp_path: Path, data: HandoverData) -> None:
    with pytest.raises(ValueError, match=r"path: .*ending in \.pdf, got 'handover.txt'"):
        write_handover_pdf(tmp_path / "handover.txt", data)
