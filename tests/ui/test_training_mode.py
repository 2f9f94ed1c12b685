"""Training mode in the window: a scenario on simulated time feeds the same session, table and plot; the debrief."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMenu, QWidget
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock, SimulatedClock
from norepi_gui.core.events import EventKind
from norepi_gui.core.session_log import SessionStore
from norepi_gui.sim.training import INSTRUCTOR_PRESETS
from norepi_gui.ui.app import Launcher
from norepi_gui.ui.debrief_dialog import TRAINING_MARK
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.map_plot import MapPlot
from norepi_gui.ui.training_panel import TrainingController
from tests.ui.helpers import START, line, raw_events, type_into
from tests.ui.training_window import KEPT, training_window
from tests.ui.training_window import wall_seconds as seconds

pytestmark = [pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise"),
              pytest.mark.usefixtures("kept_training_windows")]


def test_a_scenario_at_60x_feeds_readings_prompts_and_ends_in_a_debrief(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    window.show()
    assert controller.start("septic_responsive", speed=60, seed=0) is not None

    session = window.session
    assert session is not None and session.is_training and session.scenario == "septic_responsive"
    assert line(window, "weightInput").text() == "70 kg"  # the scenario patient, prefilled
    dose = window.state.current_dose
    assert dose is not None and dose.dose_mcg_per_kg_per_min == 0.1  # start_dose_mcg_per_kg_per_min
    plot = window.findChild(MapPlot, "mapPlot")
    assert plot is not None
    assert len(plot.map_curve_data()[1]) == 1  # the handover reading, charted from the monitor
    due = window.bedside.prompt.due_at
    assert due is not None

    # 60x: every wall second is a simulated minute; the prompt falls due at the advised check time.
    seconds(window, clock, round((due - window.clock.now()).total_seconds() / 60) + 1)
    assert not window.banner.isHidden()
    assert len(plot.monitor_curve_data()[0]) >= 12 * 5  # five minutes or more of 5-s arterial samples
    assert controller.chart_reading() is not None  # the student charts the monitor: answers the prompt
    assert window.banner.isHidden()
    assert len(plot.map_curve_data()[1]) == 2
    seconds(window, clock, 3)

    result = controller.end()
    assert result is not None
    dialog = controller.debrief_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text()
    for wanted in (TRAINING_MARK, "Time in the target band shown (65-75 mmHg)", "Time below target - 5",
                   "MAP below the floor (60)", "What was scored", "true MAP",
                   "Time above the band", "Time to first titration", "Prompt response times", "Escalations",
                   "Limit alerts", "Maximum norepinephrine dose", "Total norepinephrine", "Key actions"):
        assert wanted in text
    assert result.metrics.prompts >= 1 and result.metrics.prompt_response_min
    pdf = tmp_path / "debrief.pdf"
    dialog.export_pdf(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert window.session is not None and window.session.closed_at is not None
    ends = [e for e in raw_events(window) if e.kind is EventKind.SIM_EVENT
            and e.payload.get("source") == "debrief"]
    assert len(ends) == 1 and ends[0].payload["prompts"] == result.metrics.prompts


def test_the_students_recorded_dose_drives_the_virtual_patient(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60)
    seconds(window, clock, 2)
    type_into(qtbot, line(window, "doseInput"), "0.2", enter=True)
    assert controller.run is not None
    # 0.2 mcg/kg/min x 70 kg x 60 / 16 mcg/mL = 52.5 mL/h exactly: delivered 14 mcg/min, / 70 kg = 0.2
    assert float(controller.run.sim.ne[0]) == pytest.approx(0.2)
    assert [a.kind for a in controller.run.actions] == ["INCREASE_NE"]


def test_pause_freezes_simulated_time_and_speed_comes_from_the_menu(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=10)
    assert isinstance(window.clock, SimulatedClock)
    seconds(window, clock, 6)  # 6 s x 10 = 1 min
    assert controller.run is not None and controller.run.elapsed_min == 1.0
    controller.toggle_pause()
    seconds(window, clock, 30)
    assert controller.run.elapsed_min == 1.0
    controller.toggle_pause()
    controller.speed_actions[60.0].trigger()
    assert window.clock.speed == 60.0
    seconds(window, clock, 2)
    assert controller.run.elapsed_min == 3.0


def test_the_instructor_injects_events_and_sees_the_hidden_patient(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    window.show()
    controller.start("septic_responsive", speed=60)
    console = controller.open_console()
    assert console.set_pin("2468") and console.unlock("2468")
    bleeding = next(p.event for p in INSTRUCTOR_PRESETS if p.event.kind == "bleeding")
    controller.inject(bleeding)
    assert controller.run is not None
    assert float(controller.run.sim.bleed_rate[0]) > 0.0
    sim_events = [e.payload for e in raw_events(window) if e.kind is EventKind.SIM_EVENT]
    assert {"source": "instructor", "kind": "bleeding"}.items() <= sim_events[-1].items()
    seconds(window, clock, 1)
    clearance = window.findChild(QLabel, "hidden_clearance_l_per_min")
    true_map = window.findChild(QLabel, "hidden_true_map_mmhg")
    assert clearance is not None and clearance.text().endswith("L/min")
    assert true_map is not None and true_map.text().endswith("mmHg")
    assert window.statusBar().currentMessage().find("sim event") < 0  # never announced to the student


def test_training_is_marked_everywhere_and_never_listed_with_patient_sessions(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, _clock = training_window(qtbot, tmp_path)
    controller.start("pediatric_io", speed=60)
    banner = window.findChild(QLabel, "trainingBanner")
    assert banner is not None and TRAINING_MARK in banner.text()
    assert "TRAINING" in window.windowTitle()
    assert window.handover_data().title.startswith(TRAINING_MARK)
    out = tmp_path / "training.csv"
    window.export_csv(out)
    with out.open(encoding="utf-8") as fh:
        assert {row["training"] for row in csv.DictReader(fh)} == {"1"}
    pdf = tmp_path / "handover.pdf"
    assert "Training handover" in window.export_pdf(pdf)
    training_id = window.session.id if window.session is not None else -1
    controller.end()

    patient = MainWindow(data_dir=tmp_path, clock=ManualClock(START + timedelta(hours=1)))
    qtbot.addWidget(patient)
    KEPT.append(patient)
    assert patient.bedside.sessions() == []
    assert training_id in patient.view_settings.recent_sessions()  # shared recent list ...
    patient._fill_recent()
    assert [a.text() for a in patient.recent_menu.actions()] == ["(none)"]  # ... but never shown to a patient window
    with SessionStore(tmp_path, ManualClock(START)) as store:
        assert [s.scenario for s in store.list_sessions(training=True)] == ["pediatric_io"]


def test_the_training_menu_sits_before_help(qtbot: QtBot, tmp_path: Path) -> None:
    window, _controller, _clock = training_window(qtbot, tmp_path)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-2:] == ["&Training", "&Help"]
    menu = window.findChild(QMenu, "trainingMenu")
    assert menu is not None
    assert any("Instructor" in a.text() for a in menu.actions())


def test_a_training_start_opens_the_scenario_picker(qtbot: QtBot, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    picked: list[bool] = []
    monkeypatch.setattr(TrainingController, "pick_scenario", lambda self: picked.append(True))
    launcher = Launcher(tmp_path, protocol_path=None, training=True, interactive=False)
    launcher.ask_disclaimer = lambda parent: True
    qtbot.addWidget(launcher.start())
    qtbot.waitUntil(lambda: launcher.window is not None)
    assert launcher.window is not None
    KEPT.append(launcher.window)
    launcher.questions()
    assert picked == [True]
    assert launcher.window.findChild(QWidget, "trainingPanel") is not None
