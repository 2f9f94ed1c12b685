"""The window's order, nurse-on-duty and quality panels, their dialogs, and the File menu's exports and print preview.

70 kg, 16 mcg/mL (tests/ui/helpers.start_infusion): 0.1 mcg/kg/min = 26.3 mL/h. Default band 65-75.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from norepi_gui.core.events import EventKind
from norepi_gui.ui.formatting import fmt_clock
from norepi_gui.ui.order_panel import OrderDialog
from norepi_gui.ui.shift_panel import HandoverDialog, NewSessionDialog
from tests.ui.helpers import START, make_window, raw_events, record_map, start_infusion


def test_the_order_dialog_is_prefilled_marks_defaults_to_review_and_records_the_order(qtbot: QtBot,
                                                                                       tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    session = window.bedside
    defaults = session.order_defaults()
    dialog = OrderDialog(defaults, defaults, window.controller.set_order, window)
    qtbot.addWidget(dialog)
    assert dialog.fields["max_dose"].text() == "1" and dialog.notes["max_dose"].text() == \
        "protocol default [U]: review"
    assert dialog.notes["start_dose"].text() == "protocol default"
    dialog.fields["step"].set_text("abc")
    dialog.accept()
    assert dialog.result() == 0 and "Step size (largest change)" in dialog.fields["step"].error_text()
    dialog.fields["step"].set_text("0.02")
    assert dialog.notes["step"].text() == ""  # no longer the protocol's value
    dialog.fields["max_dose"].set_text("4")  # above the protocol's hard maximum 3
    dialog.accept()
    assert "hard maximum" in dialog.status.text() and session.state.order is None
    dialog.fields["max_dose"].set_text("0.5")
    dialog.prescriber.set_text("Dr Lee")
    dialog.accept()
    order = session.state.order
    assert order is not None and (order.step, order.max_dose, order.prescriber) == (0.02, 0.5, "Dr Lee")
    assert "step" not in order.review and "maximum" not in order.review and "goal" in order.review
    assert "Step size: up to 0.02 mcg/kg/min per change" in window.order_panel.summary.text()
    assert window.order_panel.button.text() == "Change order\u2026"
    assert any(e.kind is EventKind.ORDER for e in raw_events(window))


def test_a_nurse_signs_on_and_hands_over_and_entries_carry_the_initials(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    panel = window.shift_panel
    assert panel.summary.text().startswith("Nobody signed on")
    sign_on = HandoverDialog(None, "", lambda i, b, n: window.controller.hand_over(i, bed=b, note=n), window)
    qtbot.addWidget(sign_on)
    sign_on.fields["initials"].set_text("AB")
    sign_on.fields["bed"].set_text("ICU 4")
    sign_on.accept()
    assert panel.summary.text() == f"AB since {fmt_clock(START)}, bed ICU 4"
    assert panel.button.text() == "Hand over\u2026"
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    again = HandoverDialog("AB", "ICU 4", lambda i, b, n: window.controller.hand_over(i, bed=b, note=n), window)
    qtbot.addWidget(again)
    again.fields["initials"].set_text("ab")  # the nurse on duty again: refused under the field
    again.accept()
    assert "already on duty" in again.fields["initials"].error_text()
    again.fields["initials"].set_text("CD")
    again.accept()
    record_map(qtbot, window, "72")
    nurses = [(e.kind, e.payload.get("nurse")) for e in raw_events(window) if e.kind is EventKind.READING]
    assert nurses == [(EventKind.READING, "AB"), (EventKind.READING, "CD")]
    assert panel.summary.text().startswith("CD since")


def test_a_new_session_asks_for_the_label_the_bed_and_the_initials(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    dialog = NewSessionDialog(lambda label, bed, initials: window.controller.new_session(label, nurse=initials,
                                                                                         bed=bed), window)
    qtbot.addWidget(dialog)
    dialog.fields["label"].set_text("J. Doe")
    dialog.accept()
    assert window.session is None and "Your initials: nothing entered" in dialog.fields["initials"].error_text()
    dialog.fields["initials"].set_text("EF")
    dialog.fields["bed"].set_text("7")
    dialog.accept()
    assert window.session is not None and window.session.label == "J. Doe"
    assert window.bedside.state.nurse == "EF" and window.shift_panel.summary.text().endswith("bed 7")


def test_the_quality_panel_follows_the_record_and_the_clock(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    panel = window.quality_panel
    assert not panel.empty.isHidden()
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")  # 09:00 local is START; below target
    clock = window.clock
    clock.advance(minutes=30)  # type: ignore[attr-defined]
    window.tick()  # the reading's time field follows the clock
    record_map(qtbot, window, "70")
    text = panel.text()
    assert "In band 65\u201375 mmHg" in text
    # the last hour so far: 58 for 30 min (below), 70 for 0 min: 0 % in band, 100 % below target
    assert "In band 65\u201375 mmHg | 0 % | 0 % | 0 %" in text and "Below target 65 | 100 % |" in text
    clock.advance(minutes=30)  # type: ignore[attr-defined]
    window.tick()  # a new minute: the panel redraws from the clock
    assert "In band 65\u201375 mmHg | 50 % |" in panel.text()  # 30 of 60 min


def test_the_bedside_menu_has_the_order_and_the_handover_and_the_file_menu_the_flowsheet(qtbot: QtBot,
                                                                                         tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    assert window.action_order.text() == "Titration &order\u2026"
    assert window.action_hand_over.text() == "&Hand over / sign on\u2026"
    assert window.action_export_flowsheet.text() == "Export &flowsheet CSV\u2026"
    assert window.action_export_csv.text() == "Export event &log CSV (audit)\u2026"


def test_the_flowsheet_csv_export_sits_beside_the_raw_log(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    out = tmp_path / "flowsheet.csv"
    assert window.export_flowsheet_csv(out) == f"Flowsheet written to {out}"
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    reading = next(r for r in rows if r["event"] == "Reading")
    assert reading["map_mmhg"] == "58" and reading["rate_ml_per_h"] == "26.3"
    offset = START.astimezone().strftime("%z")
    assert reading["time"].endswith(f"{offset[:3]}:{offset[3:]}")  # local time with its offset
    window.export_csv(tmp_path / "log.csv")  # the raw event log stays
    assert (tmp_path / "log.csv").read_text(encoding="utf-8").startswith('"session_id"')


def test_print_shows_the_preview_first(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from norepi_gui.ui import handover

    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    shown: list[int] = []

    def exec_preview(dialog: handover.HandoverPreview) -> int:
        shown.append(1)
        assert dialog.objectName() == "handoverPrintPreview"
        return 0  # closed without printing

    monkeypatch.setattr(handover.HandoverPreview, "exec", exec_preview)
    window.print_dialog()
    assert shown == [1] and window.statusBar().currentMessage() == "Printing cancelled."
