"""The handover report as a PDF (Qt's own writer) and on a printer (QtPrintSupport, here printing to a PDF file)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from norepi_gui import DISCLAIMER
from norepi_gui.core.alerts import Alert, Priority
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.handover import (
    AdviceDetails,
    EscalationLine,
    HandoverData,
    HandoverReading,
    InfusionDetails,
    PatientDetails,
    build_handover,
)
from norepi_gui.ui.report import handover_document, print_handover, write_handover_pdf

NOW = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
def data() -> HandoverData:
    return build_handover(
        patient=PatientDetails(weight_kg=70.0, population="adult", line="peripheral"),
        infusion=InfusionDetails(
            concentration="4 mg base in 250 mL = 16 mcg/mL base",
            dose_mcg_per_min=7.0,  # 0.1 mcg/kg/min x 70 kg
            pump_rate_ml_per_h=26.3,  # 7 x 60 / 16 = 26.25 -> 26.3 at the pump's 0.1 mL/h
            dose_mcg_per_kg_per_min=0.1,
        ),
        advice=AdviceDetails(text="Increase to 0.12 mcg/kg/min", rationale="MAP below target"),
        escalations=[EscalationLine("Vasopressin", "NE 0.25 mcg/kg/min or more")],
        alerts=[Alert("EXTRAV", Priority.HIGH, "Check the peripheral site hourly")],
        readings=[HandoverReading(at=NOW - timedelta(minutes=30 * i), map_mmhg=58.0 + i) for i in range(6)],
        protocol_name="Adult default",
        protocol_version="1.2",
        clock=ManualClock(NOW),
        tz=UTC,
    )


@pytest.fixture
def plot_image() -> QImage:
    image = QImage(800, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("#56B4E9"))
    return image


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)  # the PDF's typeset ligatures ("\ufb01") back to letters ("fi")


def test_pdf_is_written_and_holds_the_report_text(
    qtbot: QtBot, tmp_path: Path, data: HandoverData, plot_image: QImage
) -> None:
    path = tmp_path / "handover.pdf"
    write_handover_pdf(path, data, plot_image)
    assert path.read_bytes().startswith(b"%PDF")
    text = " ".join(pdf_text(path).split())  # pdftotext breaks lines where the page does
    for expected in (
        "Norepinephrine infusion handover",
        "Generated 2026-01-01 20:00 UTC",
        "Protocol: Adult default (version 1.2)",
        "70 kg",
        "26.3 mL/h",
        "0.1 mcg/kg/min (7 mcg/min)",
        "Increase to 0.12 mcg/kg/min",
        "Vasopressin: NE 0.25 mcg/kg/min or more",
        "HIGH Check the peripheral site hourly",
        "Readings, last 12 h",
        "01 Jan 17:30 63",  # 20:00 - 5 x 30 min, MAP 58 + 5
    ):
        assert expected in text, expected
    assert DISCLAIMER in text


def test_pdf_embeds_the_plot_image(qtbot: QtBot, tmp_path: Path, data: HandoverData, plot_image: QImage) -> None:
    with_plot, without_plot = tmp_path / "with.pdf", tmp_path / "without.pdf"
    write_handover_pdf(with_plot, data, plot_image)
    write_handover_pdf(without_plot, data, None)
    assert b"/Subtype /Image" in with_plot.read_bytes()
    assert b"/Subtype /Image" not in without_plot.read_bytes()


def test_document_text_is_the_report(qtbot: QtBot, data: HandoverData) -> None:
    text = handover_document(data, None).toPlainText()
    assert "Current advice" in text
    assert "MAP below target" in text
    assert "No readings in this period." not in text


def test_pdf_path_must_end_in_pdf(qtbot: QtBot, tmp_path: Path, data: HandoverData) -> None:
    with pytest.raises(ValueError, match=r"path: .*ending in \.pdf, got 'handover.txt'"):
        write_handover_pdf(tmp_path / "handover.txt", data, None)


def test_printing_sends_the_report_to_the_printer(qtbot: QtBot, tmp_path: Path, data: HandoverData) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a printer that writes a file, so it can be read back
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    print_handover(printer, data, None)
    text = " ".join(pdf_text(tmp_path / "printed.pdf").split())
    assert "Norepinephrine infusion handover" in text
    assert "Increase to 0.12 mcg/kg/min" in text
