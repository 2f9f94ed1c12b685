"""The acceptance path: weight, bag and dose in, rate out; a reading; advice; the due prompt; the answer on disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore
from norepi_gui.ui.formatting import fmt_clock
from tests.ui.helpers import START, choose_concentration, line, make_window, record_map, set_weight, type_into


def test_70_kg_16_mcg_per_ml_at_0_1_mcg_kg_min_shows_26_3_ml_per_h(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "doseInput"), "0.1")
    # 0.1 mcg/kg/min x 70 kg x 60 min/h / 16 mcg/mL = 26.25 mL/h, rounded half-up to the 0.1 mL/h pump: 26.3
    assert line(window, "rateInput").text() == "26.3"
    delivered = window.findChild(QLabel, "deliveredDoseLabel")
    assert delivered is not None
    # 26.3 mL/h x 16 mcg/mL / 60 = 7.0133 mcg/min; / 70 kg = 0.10019 mcg/kg/min, shown at the protocol's
    # resolutions (titration.dose_resolution 0.005 -> 0.1; flat_dose_resolution 0.5 mcg/min -> 7): no false precision
    assert delivered.text() == "At 26.3 mL/h: 0.1 mcg/kg/min (7 mcg/min)"


def test_typing_a_rate_makes_the_dose_follow(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "rateInput"), "52.5")
    # 52.5 mL/h x 16 mcg/mL / 60 = 14 mcg/min; / 70 kg = 0.2 mcg/kg/min
    assert line(window, "doseInput").text() == "0.2"
    type_into(qtbot, line(window, "rateInput"), "30")
    # 30 x 16 / 60 = 8 mcg/min; / 70 = 0.114286 -> at the protocol's dose resolution 0.005: 23 x 0.005 = 0.115
    assert line(window, "doseInput").text() == "0.115"


def test_map_58_is_plotted_advice_increases_and_the_next_check_is_5_min_out(qtbot: QtBot, tmp_path: Path) -> None:
    # MAP 58 < default target 65 [protocol targets.default_map]: the engine advises an increase and the check
    # after a change comes intervals.below_target_minutes = 5 min later.
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "doseInput"), "0.1", enter=True)
    record_map(qtbot, window, "58")

    x, y = window.plot.map_curve_data()
    assert list(y) == [58.0]
    assert list(x) == [START.timestamp()]
    advice = window.findChild(QLabel, "adviceLabel")
    assert advice is not None
    assert "INCREASE" in advice.text()
    countdown = window.findChild(QLabel, "nextCheckCountdown")
    assert countdown is not None
    assert "5:00" in countdown.text()
    assert window.bedside.prompt.due_at == START + timedelta(minutes=5)
    assert f"(at {fmt_clock(START + timedelta(minutes=5))})" in countdown.text()  # in local clock time
    # At the due second the check is due, not "overdue by 0:00"; a second later it is overdue.
    due = START + timedelta(minutes=5)
    window.clock.set(due)  # type: ignore[attr-defined]
    window.tick()
    assert countdown.text() == f"\u26a0 Check due now ({fmt_clock(due)})"
    assert window.strip.check_value.text() == "Check due now"
    window.clock.set(due + timedelta(seconds=1))  # type: ignore[attr-defined]
    window.tick()
    assert countdown.text() == f"\u26a0 Check overdue by 0:01 (due {fmt_clock(due)})"
    assert window.strip.check_value.text() == "Check overdue 0:01"
    # nothing is applied by the advice itself: the pump still runs the recorded 0.1 mcg/kg/min
    current = window.state.current_dose
    assert current is not None
    assert current.dose_mcg_per_kg_per_min == 0.1


def test_prompt_appears_past_due_and_acknowledging_records_the_answer(qtbot: QtBot, tmp_path: Path) -> None:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    set_weight(qtbot, window, "70")
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "doseInput"), "0.1", enter=True)
    record_map(qtbot, window, "58")
    banner = window.banner
    assert banner.isHidden()

    clock.advance(minutes=4, seconds=59)
    window.tick()
    assert banner.isHidden()
    clock.advance(seconds=2)  # 08:05:01, one second past due
    window.tick()
    assert not banner.isHidden()
    assert banner.objectName() == "promptBanner"

    ack = window.findChild(QPushButton, "acknowledgeButton")
    assert ack is not None
    qtbot.mouseClick(ack, Qt.MouseButton.LeftButton)
    assert banner.isHidden()

    session = window.session
    assert session is not None
    with SessionStore(tmp_path, ManualClock(datetime(2026, 1, 2, tzinfo=UTC))) as store:
        kinds = [e.kind for e in store.events(session.id)]
        answers = [e for e in store.events(session.id) if e.kind is EventKind.PROMPT_ANSWERED]
        doses = [e for e in store.events(session.id) if e.kind is EventKind.NE_DOSE]
    assert EventKind.PROMPT_SHOWN in kinds
    assert [a.payload["answer"] for a in answers] == ["applied"]
    # "Applied" records the advised dose first. MAP 58 is 7 below target 65, less than titration.far_below_mmhg
    # (10), so the step is titration.step_up 0.05: 0.1 -> 0.15 mcg/kg/min; 0.15 x 70 x 60 / 16 = 39.375 -> 39.4 mL/h
    assert [d.payload["source"] for d in doses] == ["manual", "advice"]
    assert doses[1].payload["dose_mcg_per_kg_per_min"] == 0.15
    assert doses[1].payload["pump_rate_ml_per_h"] == 39.4
