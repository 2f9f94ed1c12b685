"""Issue 17's defects as the trainee and the instructor meet them in the window (the Qt-free half: tests/sim)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.sim.events import Event
from norepi_gui.sim.training import action_rows
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.training_panel import ScenarioPicker
from tests.ui.helpers import START, label, line, raw_events, type_into
from tests.ui.training_window import training_window
from tests.ui.training_window import wall_seconds as minutes

pytestmark = [pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise"),
              pytest.mark.usefixtures("kept_training_windows")]


def cues(window: MainWindow) -> str:
    return label(window, "bedsideCues").text()


# ------------------------------------------------------------------------------- 2. the handover
def test_the_chronic_hypertension_handover_leaves_the_history_to_the_trainee(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, _clock = training_window(qtbot, tmp_path)
    controller.start("chronic_hypertension", speed=60)
    box = window.findChild(QCheckBox, "chronicHtnCheck") or window.patient_panel.chronic_htn
    assert not box.isChecked()  # before: ticked, and "Raise target" then scored "not done"


# ------------------------------------------------------------------------------- 4. bedside cues
def test_hanging_a_new_bag_is_seen_by_the_windows_bag(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("bag_runs_out", speed=60)  # 20 mL at 39.4 mL/h: empty after about 30 min
    minutes(window, clock, 20)
    left = window.bedside.bag_left_ml()
    assert left is not None and left < 10.0
    controller.bedside_action("CHANGE_BAG")
    assert window.bedside.bag_left_ml() == pytest.approx(250.0)  # before: the window kept counting the old bag down
    assert controller.run is not None and float(controller.run.sim.bag_remaining_ml[0]) == pytest.approx(250.0)
    assert [a.kind for a in controller.run.actions][-1] == "CHANGE_BAG"


def test_an_empty_bag_and_an_infiltrated_site_show_on_the_trainees_screen(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("bag_runs_out", speed=60)
    minutes(window, clock, 40)
    assert "bag empty" in cues(window)
    window2, controller2, clock2 = training_window(qtbot, tmp_path / "b")
    controller2.start("peripheral_extravasation", speed=60)
    minutes(window2, clock2, 92)
    assert "swollen" in cues(window2)  # before: only a falling MAP told of it


# ------------------------------------------------------------------------------- 5. events fire once
def test_a_scenario_event_fired_early_by_the_instructor_does_not_fire_again(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60)
    console = controller.open_console()
    assert console.set_pin("1357") and console.unlock("1357")
    minutes(window, clock, 10)
    tag = next(t for e, t in controller.run.upcoming_events() if e.kind == "bleeding")  # type: ignore[union-attr]
    controller.fire_now(tag)
    assert controller.run is not None
    assert [e.kind for e, _t in controller.run.upcoming_events()] == ["damped_line"]
    console.panel.shown.emit()
    texts = [console.panel.upcoming.item(i).text() for i in range(console.panel.upcoming.count())]
    assert not any("Bleeding" in t for t in texts)
    until = float(controller.run.sim.bleed_until[0])
    controller.jump(300.0)
    assert float(controller.run.sim.bleed_until[0]) == until  # before: the bleed fired again at 5:00


# ------------------------------------------------------------------------------- 6. hydrocortisone
def test_hydrocortisone_typed_in_the_co_infusion_panel_reaches_the_patient_and_the_debrief(
        qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("refractory_septic", speed=60)
    minutes(window, clock, 2)
    type_into(qtbot, line(window, "hydrocortisoneDoseInput"), "200", enter=True)
    assert controller.run is not None and float(controller.run.sim.hydrocortisone[0]) == 200.0
    minutes(window, clock, 3)
    result = controller.end()
    assert result is not None
    assert ("0:02", "Add hydrocortisone 200 mg/day") in action_rows(result)


def test_the_instructor_sees_hydrocortisone_and_how_far_it_acts(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("refractory_septic", speed=60)
    console = controller.open_console()
    assert console.set_pin("9753") and console.unlock("9753")
    type_into(qtbot, line(window, "hydrocortisoneDoseInput"), "200", enter=True)
    minutes(window, clock, 120)
    dose = window.findChild(QLabel, "hidden_hydrocortisone_mg_per_day")
    effect = window.findChild(QLabel, "hidden_hydrocortisone_effect")
    assert dose is not None and dose.text() == "200 mg/day"  # before: not shown to the instructor at all
    # two 120-min stages: after 2 h, 1 - e^-1 (1 + 1) = 26 % of the full effect
    assert effect is not None and effect.text() == "26%"


# ------------------------------------------------------------------------------- 8. time and resume
def test_time_stands_still_behind_the_scenario_picker(qtbot: QtBot, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60)
    minutes(window, clock, 5)
    assert controller.run is not None and controller.run.elapsed_min == 5.0

    def exec_a_while(self: ScenarioPicker) -> int:
        minutes(window, clock, 30)  # half a minute of wall time with the picker open (30 min at 60x)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(ScenarioPicker, "exec", exec_a_while)
    controller.pick_scenario()
    assert controller.run.elapsed_min == 5.0  # before: 35 min had passed behind the dialog
    assert window.clock.now() == START + timedelta(minutes=5)
    minutes(window, clock, 1)
    assert controller.run.elapsed_min == 6.0  # cancelled: the scenario runs on


def test_a_crashed_training_session_resumes_with_the_same_patient(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60, seed=3, trainee="A. Nurse")
    minutes(window, clock, 12)
    type_into(qtbot, line(window, "doseInput"), "0.15", enter=True)
    minutes(window, clock, 6)
    controller.bedside_action("FLUID_BOLUS", 500.0)
    controller.inject(Event("map_drop", 0.0, mmhg=10.0, recovery_tau_min=20.0))
    minutes(window, clock, 9)
    controller.chart_reading()
    run = controller.run
    assert run is not None
    session_id = window.session.id if window.session is not None else -1
    expected_map = run.sim.rec_true_map.copy()
    expected_actions = run.actions
    elapsed = run.elapsed_min
    window.bedside.close_store()  # the program stops here: no end, no debrief

    later = ManualClock(START + timedelta(hours=2))
    window2, controller2, clock2 = training_window(qtbot, tmp_path, later)
    info = controller2.resume(session_id)
    assert info is not None and info.id == session_id
    resumed = controller2.run
    assert resumed is not None
    np.testing.assert_array_equal(resumed.sim.rec_true_map, expected_map)
    assert resumed.actions == expected_actions
    assert resumed.elapsed_min == elapsed
    assert window2.clock.now() == START + timedelta(minutes=elapsed)  # simulated time continues where it stopped
    assert controller2.trainee == "A. Nurse"
    controller2.resume_time()
    minutes(window2, clock2, 3)
    assert resumed.elapsed_min == elapsed + 3.0
    assert any(e.kind is EventKind.READING for e in raw_events(window2))
