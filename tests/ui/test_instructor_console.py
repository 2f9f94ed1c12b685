"""The instructor console (its own window, behind a PIN), scenario files from anywhere, the debrief's timeline and
exports, and the class table on paper."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from norepi_gui.cli import main
from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.sim.class_table import collect
from norepi_gui.ui.class_table import ClassTableDialog
from norepi_gui.ui.instructor_console import InstructorConsole
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.training_panel import ScenarioPicker, TrainingController
from tests.ui.helpers import START, raw_events
from tests.ui.training_window import KEPT, training_window
from tests.ui.training_window import wall_seconds as minutes

pytestmark = [pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise"),
              pytest.mark.usefixtures("kept_training_windows")]

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"


def unlocked(controller: TrainingController) -> InstructorConsole:
    console = controller.open_console()
    if console.locked:
        assert console.set_pin("4321") or console.has_pin
        assert console.unlock("4321")
    return console


# ------------------------------------------------------------------------------------------- the lock
def test_the_console_is_a_window_of_its_own_locked_until_the_instructors_pin(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, _clock = training_window(qtbot, tmp_path)
    window.show()
    controller.start("septic_responsive", speed=60)
    console = controller.open_console()
    assert console.isWindow() and console.isVisible()  # a top-level window: it can go to a second screen
    assert console.locked
    qtbot.keyClicks(console.pin, "12")
    qtbot.keyClicks(console.pin_again, "12")
    console.unlock_button.click()
    assert console.locked and "at least 4" in console.lock_message.text()
    console.pin.clear()
    console.pin_again.clear()
    qtbot.keyClicks(console.pin, "2580")
    qtbot.keyClicks(console.pin_again, "2580")
    console.unlock_button.click()
    assert not console.locked
    true_map = window.findChild(QLabel, "hidden_true_map_mmhg")
    assert true_map is not None and true_map.text().endswith("mmHg")
    console.close()  # closing locks it
    controller.open_console()
    assert console.locked and not console.pin_again.isVisible()
    assert not console.unlock("0000") and console.lock_message.text() == "Wrong PIN."
    assert console.unlock("2580")


def test_a_locked_console_shows_the_trainee_nothing_hidden(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    window.show()
    controller.start("septic_responsive", speed=60)
    controller.open_console()
    minutes(window, clock, 3)
    label = window.findChild(QLabel, "hidden_clearance_l_per_min")
    assert label is not None and label.text() == "-"


# ------------------------------------------------------------------------------------------- time
def test_the_instructor_pauses_sets_any_speed_from_1_to_60_and_jumps(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=10)
    console = unlocked(controller)
    console.pause_button.click()
    minutes(window, clock, 30)
    assert controller.run is not None and controller.run.elapsed_min == 0.0
    console.pause_button.click()
    console.speed.setValue(37)  # any speed in 1-60x, not only the menu's steps
    assert window.clock.speed == 37.0
    clock.advance(seconds=60)
    window.tick()
    assert controller.run.elapsed_min == 37.0
    console.jump_buttons[30.0].click()
    assert controller.run.elapsed_min == 67.0
    fired = [e.payload.get("kind") for e in raw_events(window) if e.kind is EventKind.SIM_EVENT]
    assert "damped_line" not in fired  # at 150 min: not yet
    console.jump_buttons[60.0].click()
    console.jump_buttons[30.0].click()
    assert controller.run.elapsed_min == 157.0
    assert "damped_line" in [e.payload.get("kind") for e in raw_events(window) if e.kind is EventKind.SIM_EVENT]


def test_the_instructor_can_take_the_trainees_speed_and_pause_away(qtbot: QtBot, tmp_path: Path) -> None:
    _window, controller, _clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=10)
    console = unlocked(controller)
    console.trainee_controls.setChecked(False)
    assert not controller.panel.pause_button.isEnabled() and not controller.panel.speed.isEnabled()
    console.trainee_controls.setChecked(True)
    assert controller.panel.pause_button.isEnabled()


# ------------------------------------------------------------------------------------------- events
def test_each_event_is_injected_at_the_size_the_instructor_sets_and_resolved(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60)
    console = unlocked(controller)
    panel = console.panel
    minutes(window, clock, 5)
    panel.select_kind("bleeding", 35.0)
    panel.inject_button.click()
    assert controller.run is not None
    assert float(controller.run.sim.bleed_rate[0]) == pytest.approx(35.0 / 70.0)  # 35 mL/min, 70 kg
    panel.select_kind("pump_tenfold", 10.0)
    panel.inject_button.click()
    minutes(window, clock, 1)
    # 0.1 x 70 x 60 / 16 = 26.25 mL/h, programmed as 26.3 (pump resolution 0.1): the pump shows 263.0
    assert "Pump display: 263.0 mL/h" in window.findChild(QLabel, "bedsideCues").text()
    assert {panel.active.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.active.count())} == {
        "bleeding", "pump_tenfold"}
    panel.active.setCurrentRow([panel.active.item(i).data(Qt.ItemDataRole.UserRole)
                                for i in range(panel.active.count())].index("pump_tenfold"))
    panel.resolve_button.click()
    assert "pump_tenfold" not in controller.run.sim.active(0)
    payloads = [e.payload for e in raw_events(window) if e.kind is EventKind.SIM_EVENT]
    assert {"source": "instructor", "resolve": "pump_tenfold"} in payloads  # recorded: a replay resolves it too


def test_fire_selected_now_fires_the_chosen_scenario_event_or_the_first_when_none_is_chosen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60)
    panel = unlocked(controller).panel
    minutes(window, clock, 10)
    assert controller.run is not None
    run = controller.run
    kind_of = {tag: event.kind for event, tag in run.upcoming_events()}
    assert sorted(kind_of.values()) == ["bleeding", "damped_line"]  # septic_responsive's two scenario events
    panel.shown.emit()
    rows = [str(panel.upcoming.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(panel.upcoming.count())]
    panel.upcoming.setCurrentRow(1)  # the second row: not the one fired when nothing is chosen
    panel.fire_button.click()
    assert [event.kind for event, _tag in run.upcoming_events()] == [kind_of[rows[0]]]
    panel.shown.emit()
    panel.upcoming.setCurrentRow(-1)  # nothing chosen: the first row
    panel.fire_button.click()
    assert run.upcoming_events() == []


# ------------------------------------------------------------------------------------------- snapshot and rewind
def test_rewind_to_a_snapshot_starts_a_new_attempt_with_the_patient_as_it_was(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("septic_responsive", speed=60, trainee="Dee")
    console = unlocked(controller)
    minutes(window, clock, 20)
    console.snapshot_button.click()
    assert console.snapshots.count() == 1
    assert controller.run is not None
    at_snapshot = controller.run.sim.rec_true_map.copy()
    first_session = window.session.id if window.session is not None else -1
    minutes(window, clock, 15)
    controller.bedside_action("FLUID_BOLUS", 500.0)  # the attempt goes another way
    minutes(window, clock, 10)
    console.rewind_button.click()
    run = controller.run
    assert run is not None and run.elapsed_min == 20.0
    np.testing.assert_array_equal(run.sim.rec_true_map, at_snapshot)
    assert window.session is not None and window.session.id != first_session
    assert "retry from 0:20" in window.session.label
    assert window.clock.now() == START + timedelta(minutes=20)
    assert len(window.bedside.state.readings) >= 1  # the record up to the snapshot came with it
    controller.resume_time()
    minutes(window, clock, 5)
    assert run.elapsed_min == 25.0
    assert "FLUID_BOLUS" not in [a.kind for a in run.actions]
    # and the new attempt itself resumes exactly after a crash (from its last entry: the reading charted now)
    assert controller.chart_reading() is not None
    session_id = window.session.id
    expected = run.sim.rec_true_map.copy()
    window.bedside.close_store()
    _window2, controller2, _clock2 = training_window(qtbot, tmp_path)
    assert controller2.resume(session_id) is not None
    assert controller2.run is not None
    np.testing.assert_array_equal(controller2.run.sim.rec_true_map, expected)


# ------------------------------------------------------------------------------------------- scenario files
def test_a_scenario_file_from_anywhere_and_the_site_folder_are_offered(qtbot: QtBot, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    text = (SCENARIOS / "bag_runs_out.toml").read_text(encoding="utf-8")
    (site / "ward_bag.toml").write_text(text.replace('name = "bag_runs_out"', 'name = "ward_bag"')
                                        .replace('title = "The bag runs out"', 'title = "Ward bag case"'),
                                        encoding="utf-8")
    elsewhere = tmp_path / "elsewhere" / "my_case.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(text.replace('name = "bag_runs_out"', 'name = "my_case"'), encoding="utf-8")
    window, controller, _clock = training_window(qtbot, tmp_path / "data")
    window.view_settings.scenario_folder = site
    picker = ScenarioPicker(window, site_folder=site)
    titles = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert titles[0] == "Ward bag case  [site]"
    assert picker.add_file(elsewhere)
    choice = picker.choice()
    assert choice is not None and choice.path == elsewhere
    picker.deleteLater()
    assert controller.start(elsewhere, speed=60) is not None
    assert window.session is not None and window.session.scenario == "my_case"
    assert controller.start("ward_bag", speed=60) is not None  # a site scenario by name
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    assert any(a.objectName() == "openScenarioAction" for a in file_menu.actions())


def test_a_bad_scenario_file_is_refused_with_its_key(qtbot: QtBot, tmp_path: Path) -> None:
    _window, controller, _clock = training_window(qtbot, tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text((SCENARIOS / "bag_runs_out.toml").read_text(encoding="utf-8")
                   .replace('name = "bag_runs_out"', 'name = "bad"').replace("weight_kg = 70", "weight_kg = 700"),
                   encoding="utf-8")
    assert controller.start(bad) is None
    assert "patient.weight_kg" in controller.panel.message.text()


# ------------------------------------------------------------------------------------------- the debrief
def test_the_debrief_shows_the_timeline_the_statement_and_exports_named_metrics(qtbot: QtBot, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    controller.start("peripheral_extravasation", speed=60, trainee="Eve")
    minutes(window, clock, 95)
    controller.bedside_action("RESITE_LINE")
    minutes(window, clock, 5)
    result = controller.end()
    assert result is not None and result.timeline is not None
    dialog = controller.debrief_dialog
    assert dialog is not None and dialog.plot_image is not None and not dialog.plot_image.isNull()
    text = dialog.text()
    for wanted in ("What was scored", "true MAP", "band the advice showed", "Key actions (counted only inside",
                   "Re-site line" if "Re-site line" in text else "Resite line", "Response to each event",
                   "Extravasation at the infusion site", "Errors flagged", "Advice to consider"):
        assert wanted in text
    csv_path, json_path = tmp_path / "eve.csv", tmp_path / "eve.json"
    assert dialog.export_metrics(json_path) == f"Metrics written to {csv_path} and {json_path}"
    row = next(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert row["trainee"] == "Eve" and row["scenario"] == "peripheral_extravasation"
    assert float(row["time_in_band_pct"]) == pytest.approx(result.metrics.time_in_band_pct, abs=0.01)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    resite = next(k for k in doc["key_actions"] if k["action"].startswith("Resite line"))
    assert resite["verdict"] == "on time" and resite["points"] == "2 of 2"
    assert doc["statement"].startswith("Scored on the patient's true MAP")
    pdf = tmp_path / "eve.pdf"
    assert dialog.export_pdf(pdf) == f"Debrief written to {pdf}"
    assert pdf.read_bytes().startswith(b"%PDF")
    # A folder that cannot take the file: said under the buttons, in words; nothing half written.
    boxes: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda _p, _t, text: boxes.append(text))
    missing = tmp_path / "no such folder" / "eve.pdf"
    failed = dialog.export_pdf(missing)
    assert boxes == [failed]  # the dialog is on screen: a message box says it too
    assert failed.startswith("\u26a0 Not written:") and dialog.status.text() == failed
    assert not missing.parent.exists()


def test_the_class_table_pdf_and_dialog_read_exported_debriefs(qtbot: QtBot, tmp_path: Path) -> None:
    window, controller, clock = training_window(qtbot, tmp_path)
    folder = tmp_path / "debriefs"
    folder.mkdir()
    for who in ("Fay", "Gil"):
        controller.start("bag_runs_out", speed=60, trainee=who)
        minutes(window, clock, 25)
        controller.bedside_action("CHANGE_BAG")
        minutes(window, clock, 5)
        controller.end()
        assert controller.debrief_dialog is not None
        controller.debrief_dialog.export_metrics(folder / f"{who}.json")
        controller.debrief_dialog.close()
    out = tmp_path / "class.pdf"
    assert main(["class-table", str(folder), "--pdf", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    dialog = ClassTableDialog(window)
    qtbot.addWidget(dialog)
    dialog.add_files([folder / "Fay.json", folder / "Gil.json"])
    assert dialog.table.rowCount() == 3  # two trainees and the class mean
    assert dialog.table.item(2, 0).text() == "Class mean"
    rows, problems = collect([folder])
    assert len(rows) == 4 and problems == []  # each debrief as JSON and CSV
    assert dialog.result() == int(QDialog.DialogCode.Rejected)


def test_the_site_scenario_folder_is_set_in_settings(qtbot: QtBot, tmp_path: Path) -> None:
    from norepi_gui.ui.settings_dialog import SettingsDialog

    window, _controller, _clock = training_window(qtbot, tmp_path / "data")
    dialog = SettingsDialog(dose_unit="mcg/kg/min", pump_resolution=0.1, sound_enabled=True, sound_volume=50,
                            protocol_path=None, protocol=window.bedside.base_protocol, scenario_folder=None,
                            parent=window)
    dialog.scenario_folder.set_text(str(tmp_path / "missing"))
    assert dialog.validate() is None
    assert "is not a folder" in dialog.scenario_folder.status.text()
    site = tmp_path / "site"
    site.mkdir()
    dialog.scenario_folder.set_text(str(site))
    choice = dialog.validate()
    assert choice is not None and choice.scenario_folder == site
    window.apply_settings(choice)
    assert window.view_settings.scenario_folder == site
    again = MainWindow(data_dir=tmp_path / "data", clock=ManualClock(START))
    qtbot.addWidget(again)
    KEPT.append(again)
    assert again.view_settings.scenario_folder == site  # kept in the data folder's settings file
