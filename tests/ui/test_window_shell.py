"""The window's shell: object and accessible names, shortcuts, settings, geometry, files."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from norepi_gui.core.events import EventKind
from norepi_gui.ui import MainWindow
from norepi_gui.ui.settings_dialog import SettingsDialog
from norepi_gui.ui.view_settings import SETTINGS_FILE
from tests.ui.helpers import line, make_window, raw_events, record_map, start_infusion, type_into

OBJECT_NAMES = (
    "weightInput", "populationSelect", "lineTypeSelect", "targetMapInput", "concentrationSelect", "drugAmountInput",
    "diluentVolumeInput", "doseInput", "doseUnitSelect", "rateInput", "deliveredDoseLabel", "mapInput", "sbpInput",
    "dbpInput", "hrInput", "addReadingButton", "readingsTable", "mapPlot", "adviceLabel", "nextCheckCountdown",
    "escalationPanel", "promptBanner", "acknowledgeButton",
)


def test_main_window_is_importable_from_the_package_and_builds_on_a_data_dir(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow(data_dir=tmp_path)
    qtbot.addWidget(window)
    assert window.data_dir == tmp_path


def test_every_named_widget_exists_exactly_once(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    for name in OBJECT_NAMES:
        found = window.findChildren(QWidget, name)
        assert len(found) == 1, name


def test_every_input_has_an_accessible_name(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    inputs: list[QWidget] = []
    for kind in (QLineEdit, QComboBox, QCheckBox, QDateTimeEdit, QAbstractButton):
        inputs += window.findChildren(kind)
    unnamed = [w.objectName() or type(w).__name__ for w in inputs
               if not w.accessibleName() and not isinstance(w.parentWidget(), QComboBox | QDateTimeEdit)
               and not (isinstance(w, QAbstractButton) and w.text())
               and not w.objectName().startswith("qt_")]  # Qt's own parts (table corner, scroll arrows)
    assert unnamed == []


def test_shortcuts_focus_map_record_and_acknowledge(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    assert window.action_focus_map.shortcut() == QKeySequence("Ctrl+M")
    assert window.action_record.shortcut() == QKeySequence("Ctrl+Return")
    assert window.action_acknowledge.shortcut() == QKeySequence("Ctrl+K")
    line(window, "weightInput").setFocus()
    window.action_focus_map.trigger()
    assert window.focusWidget() is line(window, "mapInput")  # the focus the window gives when it is active

    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    window.clock.advance(minutes=6)  # type: ignore[attr-defined]
    window.tick()
    assert not window.banner.isHidden()
    window.action_acknowledge.trigger()
    assert window.banner.isHidden()
    answers = [e for e in raw_events(window) if e.kind is EventKind.PROMPT_ANSWERED]
    assert len(answers) == 1


def test_enter_in_the_map_field_records_the_reading(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    edit = line(window, "mapInput")
    qtbot.keyClicks(edit, "64")
    qtbot.keyClick(edit, Qt.Key.Key_Enter)
    assert [r.map_mmhg for r in window.state.readings] == [64.0]
    assert edit.text() == ""


def test_sbp_and_dbp_give_the_map_shown_and_recorded(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    type_into(qtbot, line(window, "sbpInput"), "90")
    type_into(qtbot, line(window, "dbpInput"), "45")
    # DBP + (SBP - DBP) / 3 = 45 + 45 / 3 = 60
    assert "MAP 60" in window.readings_panel.map_preview.text()
    qtbot.keyClick(line(window, "dbpInput"), Qt.Key.Key_Return)
    reading = window.state.readings[0]
    assert reading.map_mmhg == 60.0
    assert reading.map_from_pressures


def test_settings_refuse_a_bad_protocol_naming_file_and_key(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 'x'\nversion = '1'\n[pump]\nresolution_ml_per_h = 'fine'\n")
    dialog = SettingsDialog(dose_unit="mcg/kg/min", pump_resolution=0.1, sound_enabled=True, sound_volume=50,
                            protocol_path=None, protocol=window.protocol, parent=window)
    qtbot.addWidget(dialog)
    dialog.protocol_file.set_text(str(bad))
    assert dialog.validate() is None
    message = dialog.protocol_file.error_text()
    assert str(bad) in message
    assert "accepted" in message.lower()
    assert dialog.choice is None  # nothing to apply: the window keeps the protocol it has


def test_pump_resolution_setting_is_recorded_and_changes_the_rate(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    dialog = SettingsDialog(dose_unit="mcg/kg/min", pump_resolution=0.1, sound_enabled=False, sound_volume=50,
                            protocol_path=None, protocol=window.protocol, parent=window)
    qtbot.addWidget(dialog)
    dialog.resolution.set_text("0.01")
    choice = dialog.validate()
    assert choice is not None
    window.apply_settings(choice)
    settings = [e for e in raw_events(window) if e.kind is EventKind.SETTING]
    # turning the prompt sound off is recorded too (silencing is part of the record)
    assert [(s.payload["key"], s.payload["value"]) for s in settings] == [
        ("sound_enabled", False), ("pump_resolution_ml_per_h", 0.01)]
    type_into(qtbot, line(window, "doseInput"), "0.1")
    assert line(window, "rateInput").text() == "26.25"  # 0.1 x 70 x 60 / 16 at 0.01 mL/h resolution
    assert window.sound.enabled is False


def test_geometry_and_view_preferences_live_in_the_data_dir(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    window.resize(760, 580)  # within the 800 x 600 offscreen screen, which restoreGeometry clamps to
    size = window.size()
    window.view_settings.dose_unit = "mcg/min"
    window.close()
    assert (tmp_path / SETTINGS_FILE).exists()
    again, _ = make_window(qtbot, tmp_path)
    assert again.size() == size
    assert again.infusion_panel.dose_unit.currentText() == "mcg/min"


def test_csv_export_has_one_row_per_event(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    out = tmp_path / "session.csv"
    window.export_csv(out)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(raw_events(window))
    assert {r["kind"] for r in rows} >= {"PATIENT", "INFUSION", "NE_DOSE", "READING", "ADVICE"}


def test_training_window_keeps_training_sessions_apart(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow(data_dir=tmp_path, training=True)
    qtbot.addWidget(window)
    record_map(qtbot, window, "70")
    assert window.session is not None and window.session.is_training
    assert "TRAINING" in window.windowTitle()
    assert window.bedside.store.list_sessions(training=False) == []
