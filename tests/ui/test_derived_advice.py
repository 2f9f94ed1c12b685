"""Advice is derived from the record, never kept: whatever changes the record re-derives it, every view gives one
answer, and one entry costs one redraw of each view (issue 12's three wrong answers).

Defaults (default.toml): target 65-75 (middle 70), titration.step_up 0.05, vasopressin from NE 0.25 with MAP below
target, pump resolution 0.1 mL/h, near-empty bag 30 min. 70 kg, 16 mcg/mL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel
from pytestqt.qtbot import QtBot

from norepi_gui.cli import main as cli_main
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.titration import Advice, Reading
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.map_plot import MapPlot
from norepi_gui.ui.readings_table import ReadingsTable
from norepi_gui.ui.titration_panel import TitrationPanel
from tests.ui.helpers import (
    START,
    choose_concentration,
    label,
    line,
    make_window,
    raw_events,
    record_map,
    set_weight,
    start_infusion,
    type_into,
)


def _advice_text(window: MainWindow) -> str:
    return label(window, "adviceLabel").text()


def _escalations(window: MainWindow) -> str:
    return label(window, "escalationList").text()


def test_a_corrected_reading_re_derives_the_advice(qtbot: QtBot, tmp_path: Path) -> None:
    # MAP 58 < 65 at 0.1: increase. Corrected to 76 (> 75, above the band on one reading): a decrease, not the old
    # increase.
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.1")
    record_map(qtbot, window, "58")
    assert "INCREASE" in _advice_text(window)
    reading = window.state.readings[-1]
    window.correct_reading(reading.event_id, Reading(at=reading.at, map_mmhg=76.0))
    assert window.state.readings[-1].map_mmhg == 76.0
    assert "INCREASE" not in _advice_text(window)
    assert "DECREASE" in _advice_text(window)


def test_starting_vasopressin_removes_the_suggestion_to_add_it(qtbot: QtBot, tmp_path: Path) -> None:
    # NE 0.3 >= escalation.vasopressin_ne_threshold 0.25 and MAP 58 < 65: add vasopressin; once it runs, not any more.
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.3")
    record_map(qtbot, window, "58")
    assert "Add vasopressin" in _escalations(window)
    type_into(qtbot, line(window, "vasopressinDoseInput"), "0.03", enter=True)
    assert window.state.active_co_infusions["vasopressin"].dose == 0.03
    assert "Add vasopressin" not in _escalations(window)


def test_a_dose_set_by_hand_is_never_shown_under_the_old_increase(qtbot: QtBot, tmp_path: Path) -> None:
    # MAP 58 at 0.1: increase to 0.15. The nurse sets 0.05 by hand instead (a decrease): the advice panel no longer
    # says INCREASE; it holds the dose just set until a reading shows its effect (TIT-AWAIT-READING).
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.1")
    record_map(qtbot, window, "58")
    assert "INCREASE" in _advice_text(window)
    type_into(qtbot, line(window, "doseInput"), "0.05", enter=True)
    assert window.state.current_dose is not None and window.state.current_dose.dose_mcg_per_kg_per_min == 0.05
    assert "INCREASE" not in _advice_text(window)
    assert "HOLD" in _advice_text(window) and "at 0.05 mcg/kg/min" in _advice_text(window)


def test_applying_the_advice_uses_the_bag_left_now_as_the_infusion_panel_does(qtbot: QtBot, tmp_path: Path) -> None:
    # 0.1 mcg/kg/min x 70 kg x 60 / 16 = 26.25 -> 26.3 mL/h from a 250 mL bag. After 9 h: 26.3 x 9 = 236.7 mL gone,
    # 13.3 mL left. MAP 58 then: increase to 0.15 = 39.375 -> 39.4 mL/h, at which 13.3 mL last 13.3 / 39.4 h = 20 min
    # < bag.near_empty_minutes 30: the recorded dose carries BAG_NEAR_EMPTY, as the panel says.
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window, "0.1")
    clock.advance(minutes=9 * 60)
    window.tick()
    record_map(qtbot, window, "58")
    window.titration.apply_button.click()
    applied = window.state.current_dose
    assert applied is not None and applied.source == "advice" and applied.pump_rate_ml_per_h == 39.4
    assert "BAG_NEAR_EMPTY" in applied.record.alerts
    bag_time = window.findChild(QLabel, "bagTimeLabel")
    assert bag_time is not None and bag_time.text() == "0 h 20 min (about 13 mL left now)"


class _Calls:
    def __init__(self) -> None:
        self.count: dict[str, int] = {}

    def spy(self, monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> None:
        original = getattr(cls, name)

        def counted(obj: object, *args: object, **kwargs: object) -> object:
            self.count[name] = self.count.get(name, 0) + 1
            return original(obj, *args, **kwargs)

        monkeypatch.setattr(cls, name, counted)


def test_one_reading_is_one_append_and_one_redraw_of_each_view(qtbot: QtBot, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window, "0.1")
    for minute, value in enumerate(("58", "61", "63")):
        clock.set(START + timedelta(minutes=5 * (minute + 1)))
        record_map(qtbot, window, value)
    calls = _Calls()
    for cls, name in ((MapPlot, "clear"), (MapPlot, "set_readings"), (MapPlot, "add_reading"),
                      (ReadingsTable, "rebuild"), (ReadingsTable, "insert"), (TitrationPanel, "show_advice")):
        calls.spy(monkeypatch, cls, name)
    rows = window.table.rowCount()
    clock.advance(minutes=5)
    record_map(qtbot, window, "66")
    assert calls.count == {"add_reading": 1, "insert": 1, "show_advice": 1}  # no clear, no full redraw
    assert window.table.rowCount() == rows + 1
    assert list(window.plot.map_curve_data()[1]) == [58.0, 61.0, 63.0, 66.0]


def test_the_window_and_the_advise_command_give_the_same_advice(qtbot: QtBot, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # One record, two ways in: typed into the window, and as the CSV a script would pass to `norepi-gui advise`.
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window, "0.1")
    record_map(qtbot, window, "58")
    window.titration.apply_button.click()  # 0.15 from 08:00
    clock.advance(minutes=6)
    window.tick()
    record_map(qtbot, window, "62")
    shown = window.bedside.advice
    assert isinstance(shown, Advice)
    assert any(e.kind is EventKind.ADVICE for e in raw_events(window))

    csv = tmp_path / "readings.csv"
    csv.write_text("time,map,ne_dose_mcg_kg_min\n2026-01-01T08:00:00Z,58,0.1\n2026-01-01T08:06:00Z,62,0.15\n",
                   encoding="utf-8")
    bag = window.bedside.bag_left_ml()
    assert bag is not None
    code = cli_main(["advise", "--readings", str(csv), "--weight", "70 kg", "--concentration", "16 mcg/mL",
                     "--bag-volume-left", f"{bag!r} mL", "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    expected = shown.to_json()
    for key in ("action", "dose_mcg_per_kg_per_min", "rate_ml_per_h", "rules", "alerts", "escalations",
                "next_check_due", "rationale", "target_map", "reminders"):
        assert printed[key] == expected[key], key


def test_a_child_without_a_written_target_is_asked_for_one_and_never_shown_an_adult_target(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Children have no flat protocol target (rule TGT-PEDIATRIC-REVIEW): the window asks for the written target
    # and shows no adult 65-75 band; once the clinician's 55 is entered, the band is 55 and up.
    window, _ = make_window(qtbot, tmp_path)
    population = window.findChild(QComboBox, "populationSelect")
    assert population is not None
    index = population.findText("Paediatric")
    population.setCurrentIndex(index)
    population.activated.emit(index)
    set_weight(qtbot, window, "20")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "doseInput"), "0.05", enter=True)
    record_map(qtbot, window, "50")
    target = window.findChild(QLabel, "targetLabel")
    assert target is not None
    assert "No MAP target written" in target.text()
    assert "65" not in target.text()
    type_into(qtbot, line(window, "targetMapInput"), "55", enter=True)
    assert target.text().startswith("Target MAP 55")


def test_rules_resting_on_a_protocol_default_are_marked_for_review(qtbot: QtBot, tmp_path: Path) -> None:
    # MAP 58 at 0.1: TGT-DEFAULT (its band width is [U] in docs/rules.md) is marked; INT-AFTER-CHANGE (seeds 000,
    # 004, no [U]) is not. The tooltip gives each rule's statement.
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.1")
    record_map(qtbot, window, "58")
    rules = window.findChild(QLabel, "rulesLabel")
    assert rules is not None
    text = rules.text()
    assert "TGT-DEFAULT \u25c7" in text and "(\u25c7 rests on a protocol default to review)" in text
    assert "INT-AFTER-CHANGE" in text and "INT-AFTER-CHANGE \u25c7" not in text
    assert "TGT-DEFAULT \u25c7: " in rules.toolTip()
