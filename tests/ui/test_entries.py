"""Patient, infusion and co-infusion entries: conversions shown, confirmations asked, refusals kept off the record."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from tests.ui.helpers import (
    START,
    choose_concentration,
    combo,
    kinds,
    label,
    line,
    make_window,
    raw_events,
    record_map,
    set_weight,
    start_infusion,
    type_into,
)


def test_weight_in_pounds_is_converted_on_screen_and_recorded_in_kg(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "154 lb")
    # 154 lb x 0.45359237 kg/lb = 69.853 kg
    assert label(window, "weightConvertedLabel").text() == "= 69.9 kg"
    weight = window.state.weight_kg()
    assert weight is not None
    assert abs(weight - 69.85322498) < 1e-6


def test_weight_change_while_infusing_asks_and_declining_keeps_the_record(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    confirmer.answer = False
    before = len(raw_events(window))
    set_weight(qtbot, window, "80")
    assert confirmer.asked, "a weight change during an infusion must ask"
    _title, text = confirmer.asked[-1]
    # 0.1 mcg/kg/min x 80 kg x 60 / 16 mcg/mL = 30.0 mL/h (was 26.3)
    assert "26.3" in text and "30.0" in text
    assert len(raw_events(window)) == before
    assert line(window, "weightInput").text() == "70"


def test_weight_change_while_infusing_confirmed_records_weight_and_new_rate(qtbot: QtBot, tmp_path: Path) -> None:
    window, _confirmer = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    set_weight(qtbot, window, "80")
    assert kinds(window)[-2:] == [EventKind.PATIENT, EventKind.NE_DOSE]
    current = window.state.current_dose
    assert current is not None
    assert current.pump_rate_ml_per_h == 30.0  # 0.1 x 80 x 60 / 16


def test_soft_limit_dose_needs_confirmation_and_is_not_recorded_when_declined(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    confirmer.answer = False
    # 1.5 mcg/kg/min is above the adult soft maximum 1.0 and below the hard maximum 3.0 [protocol populations.adult]
    type_into(qtbot, line(window, "doseInput"), "1.5", enter=True)
    assert confirmer.asked
    assert "soft limit" in confirmer.asked[-1][1]
    assert EventKind.NE_DOSE not in kinds(window)
    confirmer.answer = True
    type_into(qtbot, line(window, "doseInput"), "1.5", enter=True)
    dose = window.state.current_dose
    assert dose is not None
    assert dose.record.confirmed_alerts == ("DOSE_ABOVE_SOFT_MAX",)


def test_hard_limit_dose_is_refused_without_asking(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    # 3.5 mcg/kg/min is above the adult hard maximum 3.0
    type_into(qtbot, line(window, "doseInput"), "3.5", enter=True)
    assert not confirmer.asked
    assert EventKind.NE_DOSE not in kinds(window)
    assert "hard limit" in label(window, "infusionAlertsLabel").text()
    assert "Dose" in label(window, "doseInputStatus").text()


def test_tenfold_jump_asks_about_a_misplaced_decimal(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.08")
    confirmer.answer = False
    # 0.8 is 10x the running 0.08 mcg/kg/min: more than dose_change.large_change_factor (3)
    type_into(qtbot, line(window, "doseInput"), "0.8", enter=True)
    assert "misplaced decimal" in confirmer.asked[-1][1]
    current = window.state.current_dose
    assert current is not None
    assert current.dose_mcg_per_kg_per_min == 0.08


def test_custom_bitartrate_bag_shows_the_base_figure_and_saline_warning(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    select = combo(window, "concentrationSelect")
    index = select.findData("custom")
    select.setCurrentIndex(index)
    select.activated.emit(index)
    salt = combo(window, "saltSelect")
    salt.setCurrentIndex(salt.findData("bitartrate"))
    type_into(qtbot, line(window, "drugAmountInput"), "8 mg")
    type_into(qtbot, line(window, "diluentVolumeInput"), "250 mL", enter=True)
    # 8 mg bitartrate x 169.18 / 337.28 = 4.0128 mg base; / 250 mL = 16.051 mcg/mL base, shown to three
    # significant figures (16.1), not 16.0512
    base = label(window, "concentrationBaseLabel").text()
    assert "bitartrate" in base and "16.1 mcg/mL base" in base and "16.05" not in base
    diluent = combo(window, "diluentSelect")
    diluent.setCurrentIndex(diluent.findText("0.9% saline"))
    diluent.activated.emit(diluent.currentIndex())
    assert "not recommended" in label(window, "diluentNote").text()
    bag = window.state.bag
    assert bag is not None
    assert bag.salt == "bitartrate"
    assert bag.diluent == "0.9% saline"


def test_drops_per_minute_and_bag_time_shown_for_gravity_delivery(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    delivery = combo(window, "deliverySelect")
    delivery.setCurrentIndex(delivery.findData(60))
    delivery.activated.emit(delivery.currentIndex())
    type_into(qtbot, line(window, "doseInput"), "0.1")
    # 26.3 mL/h x 60 gtt/mL / 60 min/h = 26.3 gtt/min -> "26 drops/min"
    assert label(window, "dropsLabel").text() == "26 drops/min"
    # 250 mL / 26.3 mL/h = 9.506 h = 9 h 30 min
    assert label(window, "bagTimeLabel").text() == "9 h 30 min"
    # 7 mcg/min x 1440 min = 10.08 mg
    assert label(window, "dailyTotalLabel").text() == "10.1 mg"


def test_bag_volume_and_time_left_count_down_and_feed_the_bag_alert(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window)  # 70 kg, 16 mcg/mL, 0.1 mcg/kg/min -> pump 26.3 mL/h; the 250 mL bag recorded
    assert label(window, "bagTimeLabel").text() == "9 h 30 min"  # 250 / 26.3 = 9.506 h
    clock.advance(minutes=120)
    window.tick()
    # 250 - 2 h x 26.3 mL/h = 197.4 mL left; 197.4 / 26.3 = 7.5057 h = 7 h 30 min
    assert label(window, "bagTimeLabel").text() == "7 h 30 min (about 197 mL left now)"
    assert line(window, "bagVolumeInput").text() == "250"  # the entry stays what the nurse recorded
    clock.advance(minutes=440)  # 9 h 20 min in: 250 - 9.333 x 26.3 = 4.53 mL, 10.3 min at 26.3 mL/h
    window.tick()
    record_map(qtbot, window, "70")
    advice = window.state.last_advice
    assert advice is not None
    alerts = advice.payload["alerts"]
    assert isinstance(alerts, list)
    # the engine sees the 4.5 mL left, not the 250 mL entered: 10 min < protocol bag.near_empty_minutes
    assert any(isinstance(a, dict) and a["code"] == "BAG_NEAR_EMPTY" and "10 min" in str(a["message"])
               for a in alerts)


def test_reading_rows_show_the_dose_running_when_they_were_taken(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    record_map(qtbot, window, "60")  # before any dose: nothing running
    clock.advance(minutes=1)
    window.tick()
    start_infusion(qtbot, window)  # 0.1 mcg/kg/min = 26.3 mL/h at 08:01
    clock.advance(minutes=5)
    window.tick()
    record_map(qtbot, window, "66")
    table = window.table
    cells = [[table.item(i, j).text() for j in (1, 5, 6)] for i in range(table.rowCount())]  # newest first
    assert cells[0] == ["Reading", "0.1", "26.3"]  # 08:06, the 08:01 dose running
    assert ["Reading", "", ""] in cells  # 08:00, before the infusion


def test_flat_dose_mode_converts_to_per_minute(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 4.0)
    unit = combo(window, "doseUnitSelect")
    unit.setCurrentText("mcg/min")
    unit.activated.emit(unit.currentIndex())
    type_into(qtbot, line(window, "doseInput"), "8")
    # 8 mcg/min x 60 / 4 mcg/mL = 120 mL/h [seed 002 worked example]
    assert line(window, "rateInput").text() == "120.0"


def test_peripheral_line_shows_the_extravasation_pathway(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    select = combo(window, "lineTypeSelect")
    select.setCurrentIndex(select.findData("peripheral"))
    select.activated.emit(select.currentIndex())
    note = label(window, "lineSafetyNote")
    assert not note.isHidden()
    assert "phentolamine" in note.text()
    assert "bicarbonate" in note.text()


def test_co_infusion_start_and_stop_are_recorded(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    type_into(qtbot, line(window, "vasopressinDoseInput"), "0.03", enter=True)
    assert "running 0.03 U/min" in label(window, "vasopressinStatusLabel").text()
    stop = window.findChild(QPushButton, "vasopressinStopButton")
    assert stop is not None
    stop.click()
    log = window.state.co_infusion_log
    assert [(c.drug, c.action, c.dose) for c in log] == [("vasopressin", "start", 0.03), ("vasopressin", "stop", 0.0)]
    assert window.state.active_co_infusions == {}


def test_stopping_the_infusion_asks_and_records_rate_zero(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    stop = window.findChild(QPushButton, "stopInfusionButton")
    assert stop is not None
    stop.click()
    assert "gradually" in confirmer.asked[-1][1]
    current = window.state.current_dose
    assert current is not None
    assert current.pump_rate_ml_per_h == 0.0
    assert "Stopped" in label(window, "runningDoseLabel").text()
