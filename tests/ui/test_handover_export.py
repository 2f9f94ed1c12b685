"""File > Export PDF handover: the window's record goes to the core's report builder and Qt's PDF writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.helpers import line, make_window, record_map, start_infusion, type_into


def test_pdf_handover_holds_patient_infusion_advice_and_readings(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    type_into(qtbot, line(window, "vasopressinDoseInput"), "0.03", enter=True)
    record_map(qtbot, window, "58")
    data = window.handover_data()
    assert dict(data.patient_rows)  # weight and population are listed
    assert "INCREASE" in data.advice_text
    assert [line.cells[1] for line in data.flowsheet if line.kind == "reading"] == ["58"]
    assert any("vasopressin" in value for _label, value in data.infusion_rows)
    out = tmp_path / "handover.pdf"
    assert window.export_pdf(out).startswith("Handover written")
    assert out.read_bytes()[:5] == b"%PDF-"


def test_each_export_dialog_offers_the_sessions_name_and_writes_the_file_the_nurse_picks(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _ = make_window(qtbot, tmp_path / "data")
    asked: list[tuple[str, str, str]] = []

    def pick(_parent: QWidget, title: str, name: str, file_filter: str) -> tuple[str, str]:
        asked.append((title, name, file_filter))
        return str(tmp_path / f"picked-{name}"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", pick)
    window.export_csv_dialog()
    assert asked == [] and window.statusBar().currentMessage() == "No session to export."
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    window.export_csv_dialog()
    window.export_flowsheet_dialog()
    window.export_pdf_dialog()
    assert [(title, name.split("-")[0], name.rsplit(".", 1)[1], kind) for title, name, kind in asked] == [
        ("Export CSV", "session", "csv", "CSV (*.csv)"),
        ("Export flowsheet CSV", "flowsheet", "csv", "CSV (*.csv)"),
        ("Export PDF handover", "handover", "pdf", "PDF (*.pdf)"),
    ]
    assert all((tmp_path / f"picked-{name}").stat().st_size > 0 for _title, name, _kind in asked)
    assert window.statusBar().currentMessage().startswith("Handover written to")
