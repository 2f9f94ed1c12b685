"""File > Export PDF handover: the window's record goes to the core's report builder and Qt's PDF writer."""

from __future__ import annotations

from pathlib import Path

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
