"""Issue 15, "The bedside screen at 3 a.m.": each defect found at the bedside, driven through the real window by
object names and keys.

Defaults (default.toml): 70 kg, 16 mcg/mL: 0.1 mcg/kg/min = 0.1 x 70 x 60 / 16 = 26.25 -> 26.3 mL/h (pump 0.1 mL/h);
0.1 x 70 = 7 mcg/min. Target 65-75. titration.dose_resolution 0.005, flat 0.5 mcg/min. bag.change_reminder_minutes
60, near_empty 30; lines.peripheral 24 h, site checks every 2 h; dose_change.repeat_entry_minutes 2;
alarms.audio_pause_minutes 2.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.core.events import EventKind
from norepi_gui.ui.main_window import ACTIONS, DEFAULT_SIZE, MENUS, MINIMUM_SIZE, MNEMONICS, TABS, MainWindow
from norepi_gui.ui.new_bag_dialog import NewBagDialog
from norepi_gui.ui.widgets import PriorityBadge
from tests.ui.helpers import (
    START,
    Confirmer,
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

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note on show()


def _shown(qtbot: QtBot, tmp_path: Path, size: tuple[int, int] = (1280, 720)) -> tuple[MainWindow, Confirmer]:
    window, confirmer = make_window(qtbot, tmp_path)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.ticker.stop()  # the clock moves only when the test says so
    return window, confirmer


def _key(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
         ) -> None:
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)


def _clock(window: MainWindow) -> ManualClock:
    assert isinstance(window.clock, ManualClock)
    return window.clock


# ------------------------------------------------------------------------------------------------ one glance
def test_the_strip_shows_map_trend_dose_in_both_units_bag_line_and_time_in_band(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    _clock(window).advance(minutes=6)
    window.tick()
    record_map(qtbot, window, "58")
    assert label(window, "stripMapValue").text() == "MAP 58 \u2198"  # falling: 12 mmHg > the 2 mmHg dead band
    assert "at 08:06" in label(window, "stripMapCaption").text().replace(_time(window, 6), "08:06")
    assert "target 65\u201375" in label(window, "stripMapCaption").text()
    assert label(window, "stripDoseValue").text() == "NE 0.1 mcg/kg/min \u00b7 26.3 mL/h"
    assert label(window, "stripDoseCaption").text().startswith("7 mcg/min")
    # 250 mL at 26.3 mL/h from 08:00: 6 min later 250 - 26.3 x 0.1 = 247.37 mL left -> "247 mL"
    assert label(window, "stripBagValue").text() == "Bag 247 mL left"
    # 247.37 / 26.3 h = 9.406 h = 9 h 24 min from 08:06: empty at 17:30, next bag by 16:30 (60 min before)
    caption = label(window, "stripBagCaption").text()
    assert f"hang next bag by {_time(window, 8 * 60 + 30)}" in caption
    assert f"empty {_time(window, 9 * 60 + 30)}" in caption
    # 08:00-08:06 MAP 70 in the band, 08:06 on MAP 58 out (it holds until now): 6 of 6 minutes in the last hour
    assert label(window, "stripInBandValue").text() == "In band 100%"


def _time(window: MainWindow, minutes: int) -> str:
    from norepi_gui.ui.formatting import fmt_clock

    return fmt_clock(START + timedelta(minutes=minutes))


def test_the_window_opens_inside_the_screen_and_fits_1280x720_without_cut_numbers(qtbot: QtBot,
                                                                                  tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)  # opened to the available screen (never larger): the offscreen one
    screen = window.screen().availableGeometry()
    # the default 1600x1000 cut to the screen (800x800 offscreen), not below the window's minimum 1024x600
    assert (window.width(), window.height()) == (max(MINIMUM_SIZE[0], min(DEFAULT_SIZE[0], screen.width())),
                                                 max(MINIMUM_SIZE[1], min(DEFAULT_SIZE[1], screen.height())))
    window, _ = _shown(qtbot, tmp_path / "at-1280x720")  # the smallest size the issue asks for
    start_infusion(qtbot, window)
    record_map(qtbot, window, "55")
    _clock(window).advance(minutes=20)
    window.tick()
    QApplication.processEvents()
    for name in ("stripMapValue", "stripDoseValue", "stripBagValue", "stripNextCheckValue", "stripLineValue",
                 "stripInBandValue", "adviceLabel"):
        shown = label(window, name)
        assert shown.isVisible(), name
        assert shown.width() >= shown.minimumSizeHint().width(), f"{name} is cut: {shown.text()!r}"
        assert shown.mapTo(window, QPoint(0, shown.height())).y() <= window.height(), name
    assert window.statusBar().isVisible() and window.statusBar().geometry().bottom() <= window.height()


def test_an_alarm_appearing_moves_no_control(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    QApplication.processEvents()
    map_field = line(window, "mapInput")
    def places() -> tuple[object, ...]:
        return (map_field.mapTo(window, QPoint(0, 0)), window.alarm_area.height(),
                window.table.mapTo(window, QPoint(0, 0)))

    before = places()
    assert window.banner.isHidden()
    _clock(window).advance(minutes=20)  # the check is due: the prompt shows in the alarm area
    window.tick()
    QApplication.processEvents()
    assert not window.banner.isHidden()
    assert places() == before


def test_doses_weights_and_concentrations_are_shown_at_the_protocols_resolutions(qtbot: QtBot,
                                                                                 tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "180 lb")  # 180 x 0.45359237 = 81.6466 kg
    assert label(window, "weightConvertedLabel").text() == "= 81.6 kg"
    choose_concentration(window, 16.0)
    type_into(qtbot, line(window, "rateInput"), "30", enter=True)
    # 30 mL/h x 16 / 60 = 8 mcg/min; / 81.6466 kg = 0.09798 -> 0.1 at the 0.005 resolution (not 0.098)
    assert line(window, "doseInput").text() == "0.1"
    record_map(qtbot, window, "55")
    advice = label(window, "adviceLabel").text()
    assert "0.2 mcg/kg/min" in advice  # the engine's 0.2, no 0.20000 or 0.1980
    assert "mL/h" in advice
    assert "16.0512" not in window.findChild(QWidget, "infusionPanel").findChild(  # type: ignore[union-attr]
        QLabel, "concentrationBaseLabel").text()


def test_the_dose_unit_setting_reaches_the_advice_the_table_the_plot_and_the_strip(qtbot: QtBot,
                                                                                   tmp_path: Path) -> None:
    from dataclasses import replace

    from norepi_gui.ui.settings_dialog import SettingsChoice

    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")  # increase 0.1 -> 0.15 mcg/kg/min = 10.5 mcg/min
    choice = SettingsChoice("mcg/min", window.protocol.pump.resolution_ml_per_h, True, 80, None,
                            window.bedside.base_protocol)
    window.apply_settings(replace(choice))
    assert label(window, "adviceLabel").text().splitlines()[1] == "to 10.5 mcg/min"
    assert label(window, "adviceDetailLabel").text() == "that is 0.15 mcg/kg/min"
    assert label(window, "stripDoseValue").text().startswith("NE 7 mcg/min")
    header = window.table.horizontalHeaderItem(5)
    assert header is not None and header.text() == "NE\nmcg/min"
    assert "mcg/min" in window.plot._plot_item.getAxis("right").labelText
    _x, doses = window.plot.dose_curve_data()
    assert list(doses) == [7.0]  # the plot's dose step in mcg/min


def test_norepinephrine_equivalents_are_of_the_running_dose_not_the_advised_one(qtbot: QtBot,
                                                                                tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window, "0.3")
    window.controller.co_infusion("vasopressin", "start", 0.03, "U/min")
    record_map(qtbot, window, "55")  # advice: increase beyond 0.3
    # NEE-SUM: 0.3 + 0.03 U/min x 2.5 = 0.375 mcg/kg/min, of what runs now
    assert label(window, "neeLabel").text().endswith("0.375 mcg/kg/min")


# ------------------------------------------------------------------------------------------------ alarms
def test_one_priority_per_condition_on_banner_panel_and_badge(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    type_into(qtbot, line(window, "bagVolumeInput"), "2", enter=True)  # 2 mL at 26.3 mL/h: 4.6 min left
    bag = window.bedside.alarm_state.of_source("bag")
    # runs out before the next check, 5 min after the reading (intervals.after_change_minutes): high
    assert bag is not None and bag.priority == "high"
    badge = window.findChild(PriorityBadge, "alarmPriorityBadge")
    assert badge is not None and badge.text() == "!!! HIGH"
    assert label(window, "alarmTitle").text().startswith("Bag runs out in")
    # the infusion panel and the advice panel show the same alarm at the same priority, once each
    assert window.infusion_panel.bag_alarm.text().startswith("!!! HIGH: Bag runs out")
    listed = window.titration.alerts.text().splitlines()
    assert sum("Bag runs out" in x for x in listed) == 1 and all(x.startswith("!!! HIGH") for x in listed
                                                                  if "Bag runs out" in x)
    assert "BAG_NEAR_EMPTY" not in label(window, "infusionAlertsLabel").text()
    assert "Bag" not in label(window, "infusionAlertsLabel").text()


def test_an_empty_bag_is_on_the_banner_and_never_headlined_as_increase(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    type_into(qtbot, line(window, "bagVolumeInput"), "5", enter=True)
    _clock(window).advance(minutes=12)  # 12 min x 26.3 mL/h = 5.26 mL: empty
    window.tick()
    record_map(qtbot, window, "55")  # MAP falls (the drug ran out): the engine would say increase
    assert window.bedside.alarm_state.top is not None and window.bedside.alarm_state.top.code == "BAG_EMPTY"
    assert label(window, "adviceLabel").text().startswith("\u25a0 BAG EMPTY")
    assert "INCREASE" not in label(window, "adviceLabel").text()
    assert "INCREASE" in label(window, "adviceAfterBagLabel").text()
    assert not window.titration.apply_button.isEnabled()


def test_the_audio_pause_is_limited_and_counts_down_on_screen(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    record_map(qtbot, window, "70")
    _clock(window).advance(minutes=21)  # the check 6 min overdue: high
    window.tick()
    assert window.bedside.alarm_state.sounding == "high"
    window.action_pause_audio.trigger()
    assert window.bedside.alarm_state.sounding is None
    assert kinds(window)[-1] is EventKind.AUDIO_PAUSED
    assert label(window, "audioPauseLabel").text() == "Sound paused 2:00"
    _clock(window).advance(minutes=1)
    window.tick()
    assert label(window, "audioPauseLabel").text() == "Sound paused 1:00"
    _clock(window).advance(minutes=1)
    window.tick()
    assert window.bedside.alarm_state.sounding == "high"  # two minutes, then it sounds again
    assert window.findChild(QLabel, "audioPauseLabel").isHidden()  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------ the keyboard
def test_tab_leaves_the_readings_table(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    record_map(qtbot, window, "70")
    record_map(qtbot, window, "72")
    table = window.findChild(QTableWidget, "readingsTable")
    assert table is not None
    table.setFocus()
    _key(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table  # 70 presses never left it before


def test_shortcuts_apply_snooze_and_not_applied_with_return_submitting_the_reason(qtbot: QtBot,
                                                                                  tmp_path: Path) -> None:
    window, confirmer = _shown(qtbot, tmp_path)
    assert window.action_apply_advice.shortcut().toString() == "Ctrl+Shift+A"
    assert window.action_snooze.shortcut().toString() == "Ctrl+Shift+S"
    assert window.action_not_applied.shortcut().toString() == "Ctrl+Shift+K"
    start_infusion(qtbot, window)
    record_map(qtbot, window, "58")
    _clock(window).advance(minutes=6)
    window.tick()
    _key(qtbot, window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert kinds(window)[-1] is EventKind.PROMPT_SNOOZED
    _clock(window).advance(minutes=3)
    window.tick()
    _key(qtbot, window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    editor = window.banner.reason.lineEdit()
    assert editor is not None and QApplication.focusWidget() in (editor, window.banner.reason)
    qtbot.keyClicks(editor, "Surgeon asked to wait")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    answers = [e for e in raw_events(window) if e.kind is EventKind.PROMPT_ANSWERED]
    assert answers[-1].payload["answer"] == "not_applied"
    assert answers[-1].payload["reason"] == "Surgeon asked to wait"
    confirmer.asked.clear()
    _key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert confirmer.asked and confirmer.asked[-1][0] == "Set the pump"


def test_alt_letters_reach_their_field_on_any_tab_and_never_clash(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    letters = [m.letter for m in MNEMONICS]
    letters += [title[title.index("&") + 1].upper() for _key_, title, _name in TABS]
    letters += [title[title.index("&") + 1].upper() for _key_, title in MENUS]
    assert len(letters) == len(set(letters)), letters
    for widget in window.findChildren(QLabel):  # every underlined letter in a label is one of the table's
        mnemonic = widget.property("mnemonic")
        if isinstance(mnemonic, str) and "&" in mnemonic:
            assert mnemonic[mnemonic.index("&") + 1].upper() in letters, mnemonic
    window.tabs.setCurrentIndex(0)  # the Infusion tab: the weight is out of sight
    _key(qtbot, window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is line(window, "weightInput")
    _key(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is line(window, "doseInput")
    _key(qtbot, window, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is line(window, "mapInput")


def test_a_new_session_puts_the_focus_in_the_weight(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    assert QApplication.focusWidget() is line(window, "weightInput")  # nothing recorded: the weight first
    start_infusion(qtbot, window)
    window.new_session("Bed 4")
    assert QApplication.focusWidget() is line(window, "weightInput")
    qtbot.keyClicks(QApplication.focusWidget(), "82")
    assert line(window, "weightInput").text() == "82" and line(window, "mapInput").text() == ""


def test_ctrl_z_in_a_cleared_field_undoes_the_last_entry(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    window.focus_map_entry()
    qtbot.keyClicks(line(window, "mapInput"), "64")
    qtbot.keyClick(line(window, "mapInput"), Qt.Key.Key_Return)
    assert [r.map_mmhg for r in window.state.readings] == [64.0]
    assert QApplication.focusWidget() is line(window, "mapInput")
    _key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.readings == []  # the reading was undone (a DELETION), not swallowed by the empty field
    qtbot.keyClicks(line(window, "mapInput"), "7")
    _key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # typing to undo: the field's own
    assert line(window, "mapInput").text() == "" and kinds(window).count(EventKind.DELETION) == 1


def test_f1_opens_the_keyboard_sheet_listing_every_shortcut(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    _key(qtbot, window, Qt.Key.Key_F1)
    sheet = window.keyboard_sheet
    qtbot.addWidget(sheet)
    assert sheet.isVisible() and sheet.objectName() == "keyboardSheet"
    rows = sheet.rows()
    keys = {keys for _group, keys, _what in rows}
    for info in ACTIONS:
        action = getattr(window, f"action_{info.key}")
        if action.shortcuts():
            assert any(action.shortcuts()[0].toString(
                action.shortcuts()[0].SequenceFormat.NativeText) in k for k in keys), info.key
    assert any(what == "Weight" for _g, _k, what in rows)
    sheet.close()


# ------------------------------------------------------------------------------------------------ the hand
def test_the_wheel_over_an_unfocused_combo_box_changes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    start_infusion(qtbot, window)
    window.tabs.setCurrentIndex(0)
    delivery = combo(window, "deliverySelect")
    line(window, "mapInput").setFocus()
    before = (delivery.currentIndex(), len(raw_events(window)))
    centre = QPointF(delivery.width() / 2, delivery.height() / 2)
    for _ in range(3):
        event = QWheelEvent(centre, delivery.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(delivery, event)
    assert (delivery.currentIndex(), len(raw_events(window))) == before


def test_a_delivery_change_while_running_asks_first(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    confirmer.answer = False
    delivery = combo(window, "deliverySelect")
    delivery.setCurrentIndex(delivery.findData(60))
    delivery.activated.emit(delivery.currentIndex())
    assert confirmer.asked[-1][0] == "Delivery change during the infusion"
    assert window.state.bag is not None and window.state.bag.drop_factor is None
    assert delivery.currentIndex() == 0  # the field shows the record again: Infusion pump


def test_record_dose_pressed_twice_asks_before_a_second_row(qtbot: QtBot, tmp_path: Path) -> None:
    window, confirmer = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    confirmer.answer = False
    window.infusion_panel.set_button.click()
    assert confirmer.asked[-1][0] == "Same dose again"
    assert kinds(window).count(EventKind.NE_DOSE) == 1


def test_the_selection_is_cleared_after_an_edit_and_the_newest_row_stays_in_view(qtbot: QtBot,
                                                                                tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    for minutes, value in enumerate(range(60, 90)):
        _clock(window).set(START + timedelta(minutes=minutes))
        record_map(qtbot, window, str(value))
    table = window.table
    table.selectRow(5)
    window.action_delete_entry.trigger()  # an edit of the past: the table is redrawn
    assert table.selectedItems() == []
    table.scrollToBottom()
    record_map(qtbot, window, "71")  # a new reading: the top row, in view
    QApplication.processEvents()
    assert table.verticalScrollBar().value() == 0
    first = table.item(0, 2)
    assert first is not None and first.text() == "71"


def test_perfusion_markers_are_recorded_without_a_pressure(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    type_into(qtbot, line(window, "lactateInput"), "3.2")
    type_into(qtbot, line(window, "urineInput"), "0.3", enter=True)
    assert kinds(window)[-1] in (EventKind.PERFUSION, EventKind.ADVICE)
    assert EventKind.PERFUSION in kinds(window) and EventKind.READING not in kinds(window)
    assert line(window, "lactateInput").text() == ""  # recorded: the fields clear
    entry = window.table.item(0, 1)
    assert entry is not None and entry.text() == "Perfusion"
    assert line(window, "sbpInput").parentWidget().findChild(QLabel, "sbpInputStatus").isHidden()  # type: ignore


# ------------------------------------------------------------------------------------------------ bag, line, night
def test_new_bag_hung_is_one_key_and_records_the_volume(qtbot: QtBot, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window, _ = _shown(qtbot, tmp_path)
    start_infusion(qtbot, window)
    type_into(qtbot, line(window, "bagVolumeInput"), "2", enter=True)
    assert window.bedside.alarm_state.of_source("bag") is not None

    def answer(dialog: NewBagDialog) -> int:
        type_into(qtbot, line(dialog, "newBagVolumeInput"), "250")  # type: ignore[arg-type]
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(NewBagDialog, "exec", answer)
    assert window.action_new_bag.shortcut().toString() == "Ctrl+B"
    _key(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    bags = [e for e in raw_events(window) if e.kind is EventKind.INFUSION]
    assert bags[-1].payload["hung"] is True and bags[-1].payload["bag_volume_ml"] == 250.0
    assert window.bedside.alarm_state.of_source("bag") is None
    assert label(window, "stripBagValue").text() == "Bag 250 mL left"


def test_a_peripheral_line_shows_its_hours_asks_for_site_checks_and_alarms_at_24_hours(qtbot: QtBot,
                                                                                       tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    line_select = combo(window, "lineTypeSelect")
    line_select.setCurrentIndex(line_select.findData("peripheral"))
    line_select.activated.emit(line_select.currentIndex())
    type_into(qtbot, line(window, "lineInsertedInput"), "2025-12-31 15:00", enter=True)  # 17 h before 08:00
    assert label(window, "stripLineValue").text() == "Peripheral 17 h of 24 h"
    _clock(window).advance(minutes=2 * 60 + 1)  # 2 h after the infusion started on it: the site check is due
    window.tick()
    assert label(window, "alarmTitle").text() == "Site check due"
    window.findChild(QWidget, "siteCheckedButton").click()  # type: ignore[union-attr]
    assert kinds(window)[-1] is EventKind.SITE_CHECK
    assert window.bedside.alarm_state.by_code("SITE_CHECK_DUE") is None
    _clock(window).advance(minutes=5 * 60)  # 17 + 7 h = 24 h 1 min > 24 h
    window.tick()
    assert window.bedside.alarm_state.by_code("LINE_TIME_LIMIT") is not None


def test_night_mode_is_one_key_darkens_window_and_plot_and_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    assert window.action_night_mode.shortcut().toString() == "Ctrl+Shift+D"
    was_night = window.theme.night
    _key(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.theme.night is not was_night
    window.action_night_mode.trigger() if not window.theme.night else None
    assert window.theme.night
    window_colour = QApplication.palette().window().color()
    assert window_colour.lightness() < 60  # a dark window
    canvas = window.plot.findChild(QWidget, "mapPlotCanvas")
    assert canvas is not None and canvas.backgroundBrush().color().lightness() < 60  # type: ignore[attr-defined]
    assert window.view_settings.night_mode == "night"
    window.action_night_mode.trigger()
    assert not window.theme.night and window.view_settings.night_mode == "day"


def test_ctrl_plus_enlarges_the_text_and_it_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = _shown(qtbot, tmp_path)
    before = label(window, "stripMapValue").font().pointSizeF()
    _key(qtbot, window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    _key(qtbot, window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view_settings.font_steps == 2
    assert label(window, "stripMapValue").font().pointSizeF() > before
    window.close()
    again = MainWindow(data_dir=tmp_path, clock=ManualClock(START))
    qtbot.addWidget(again)
    assert again.view_settings.font_steps == 2
    again.usual_text()
    assert again.view_settings.font_steps == 0
