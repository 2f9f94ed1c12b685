"""Bad input in any field: a message under that field naming it, and nothing already recorded changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from norepi_gui.core.titration import Reading
from norepi_gui.ui.main_window import MainWindow
from tests.ui.helpers import (
    choose_concentration,
    combo,
    line,
    make_window,
    raw_events,
    record_map,
    set_weight,
    start_infusion,
    status_text,
    type_into,
)


@dataclass(frozen=True)
class Case:
    field: str  # objectName of the input
    text: str
    names: str  # what the message must name
    custom_bag: bool = False


CASES = [
    Case("weightInput", "heavy", "Weight"),
    Case("weightInput", "5", "Weight"),  # 5 kg is below the adult plausibility minimum (30 kg)
    Case("weightInput", "70 mL", "Weight"),
    Case("ageInput", "old", "Age"),
    Case("ageInput", "200", "Age"),
    Case("baselineSbpInput", "high", "Baseline SBP"),
    Case("lineInsertedInput", "25:99", "Line inserted at"),
    Case("fluidsInput", "lots", "Fluids given"),
    Case("fluidsInput", "2 kg", "Fluids given"),
    Case("targetMapInput", "200", "Target MAP"),
    Case("targetMapInput", "125", "Target MAP"),  # above the protocol's targets.individual_max_mmhg (120)
    Case("drugAmountInput", "some", "Drug amount", custom_bag=True),
    Case("diluentVolumeInput", "0 mL", "Diluent volume", custom_bag=True),
    Case("bagVolumeInput", "-5", "Bag read: "),
    Case("doseInput", "a lot", "Dose"),
    Case("doseInput", "0.1 mL/h", "Dose"),
    Case("rateInput", "fast", "Rate"),
    Case("rateInput", "-3", "Rate"),
    Case("mapInput", "low", "MAP"),
    Case("mapInput", "500", "MAP"),
    Case("hrInput", "fast", "HR"),
    Case("lactateInput", "x", "Lactate"),
    Case("urineInput", "some", "Urine output"),
    Case("crtInput", "slow", "Capillary refill"),
    Case("vasopressinDoseInput", "lots", "Vasopressin dose"),
    Case("vasopressinDoseInput", "5", "Vasopressin dose"),  # above the engine's 1 U/min plausibility bound
    Case("epinephrineDoseInput", "0.1 mcg/min", "Epinephrine dose"),
    Case("hydrocortisoneDoseInput", "-1", "Hydrocortisone dose"),
]


def _status(window: MainWindow, name: str) -> str:
    label = window.findChild(QLabel, name + "Status")
    assert label is not None, name
    return label.text() if not label.isHidden() else ""


def _snapshot(window: MainWindow) -> tuple[int, object]:
    return len(raw_events(window)), window.state


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.field}={c.text}")
def test_bad_input_names_the_field_and_records_nothing(qtbot: QtBot, tmp_path: Path, case: Case) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    if case.custom_bag:
        select = combo(window, "concentrationSelect")
        index = select.findData("custom")
        select.setCurrentIndex(index)
        select.activated.emit(index)
        type_into(qtbot, line(window, "drugAmountInput"), "4 mg")
        type_into(qtbot, line(window, "diluentVolumeInput"), "250 mL")
    before = _snapshot(window)
    weight_before = window.state.weight_kg()

    edit = line(window, case.field)
    type_into(qtbot, edit, case.text, enter=True)
    if case.field.endswith("DoseInput") and case.field not in ("doseInput",):
        button = window.findChild(QPushButton, case.field.replace("DoseInput", "SetButton"))
        assert button is not None
        button.click()

    message = _status(window, case.field)
    assert case.names in message, message
    assert message.startswith("\u26a0")  # a symbol as well as colour
    assert _snapshot(window) == before
    assert window.state.weight_kg() == weight_before == 70.0


def test_sbp_not_above_dbp_is_refused_naming_dbp(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    before = _snapshot(window)
    type_into(qtbot, line(window, "sbpInput"), "80")
    type_into(qtbot, line(window, "dbpInput"), "90", enter=True)
    assert "DBP" in _status(window, "dbpInput")
    assert _snapshot(window) == before


def test_not_applied_without_a_reason_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    clock = window.clock
    assert hasattr(clock, "advance")
    clock.advance(minutes=6)
    window.tick()
    before = _snapshot(window)
    button = window.findChild(QPushButton, "notAppliedButton")
    assert button is not None
    button.click()
    assert "Reason" in _status(window, "notAppliedReason")
    assert _snapshot(window) == before
    assert not window.banner.isHidden()


def test_reading_time_in_the_future_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    panel = window.readings_panel
    panel.time.setDateTime(panel.time.dateTime().addSecs(3600))
    before = _snapshot(window)
    type_into(qtbot, line(window, "mapInput"), "70", enter=True)
    assert _status(window, "readingTimeInput") == (
        "\u26a0 Time: the reading time is in the future. Accepted: a time up to now")
    assert _snapshot(window) == before


def test_a_perfusion_entry_time_in_the_future_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    panel = window.readings_panel
    panel.time.setDateTime(panel.time.dateTime().addSecs(3600))
    before = _snapshot(window)
    type_into(qtbot, line(window, "lactateInput"), "2.1", enter=True)  # markers alone: a perfusion entry
    assert _status(window, "readingTimeInput") == (
        "\u26a0 Time: the entry time is in the future. Accepted: a time up to now")
    assert _snapshot(window) == before


def test_a_map_outside_the_protocols_plausible_range_is_refused_in_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    # readings.map_min_mmhg 20 .. map_max_mmhg 200 [U]: 250 (a flush square wave read off the monitor) is refused
    # under the MAP field, nothing is recorded, and the value stays for the nurse to correct.
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    type_into(qtbot, line(window, "mapInput"), "250", enter=True)
    assert window.state.readings == []
    message = status_text(window, "mapInput")
    assert "MAP 250 mmHg is outside the plausible range" in message and "20 to 200 mmHg" in message
    assert line(window, "mapInput").text() == "250"


def test_a_correction_outside_the_plausible_range_is_refused_and_the_dialog_stays_open(qtbot: QtBot,
                                                                                       tmp_path: Path) -> None:
    # Correcting MAP 70 to 250 (> readings.map_max_mmhg 200): the dialog says why under its MAP field and stays
    # open; the bedside layer refuses it too if asked directly; the recorded 70 stands.
    from norepi_gui.ui.reading_dialog import ReadingDialog

    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    type_into(qtbot, line(window, "mapInput"), "70", enter=True)
    row = window.state.readings[-1]
    event = window.state.effective_event(row.event_id)
    assert event is not None
    dialog = ReadingDialog(event, window.clock, window, check=window.bedside.reading_problem)
    qtbot.addWidget(dialog)
    dialog.entry.map_input.set_text("250")
    dialog.accept()
    assert dialog.reading is None and dialog.result() == 0  # not accepted
    assert "MAP 250 mmHg is outside the plausible range" in dialog.entry.map_input.status.text()
    refused = window.bedside.correct_reading(row.event_id, Reading(at=row.at, map_mmhg=250.0))
    assert refused.problem is not None and refused.problem.field == "map" and not refused.recorded
    assert [r.map_mmhg for r in window.state.readings] == [70.0]


def test_a_first_dose_above_the_usual_maximum_asks_before_it_is_recorded(qtbot: QtBot, tmp_path: Path) -> None:
    # 0.8 typed for 0.08 at 55 kg, nothing running yet: above populations.adult.usual_max_dose 0.5 (seed 000:
    # 0.1-0.5), so the nurse is asked; declined, nothing is recorded.
    window, confirmer = make_window(qtbot, tmp_path)
    confirmer.answer = False
    set_weight(qtbot, window, "55")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "doseInput"), "0.8", enter=True)
    assert confirmer.asked and "0.5" in confirmer.asked[-1][1]
    assert window.state.doses == []
