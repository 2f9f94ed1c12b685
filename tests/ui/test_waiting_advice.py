"""After a change is applied, the advice panel says what it waits for and until when (issue 13, TIT-AWAIT-READING,
TIT-EFFECT-WAIT): the engine's Advice.waiting, in the window's clock.

Defaults (default.toml): target 65-75, titration.effect_minutes 10, far_below_mmhg 10, intervals.after_change_minutes
5. 70 kg, 16 mcg/mL. The window's clock starts at 08:00 UTC; the tests run with the local zone of the machine, so the
expected times are formatted with the window's own formatter.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.ui.formatting import fmt_clock
from norepi_gui.ui.main_window import MainWindow
from tests.ui.helpers import START, make_window, record_map, start_infusion


def _label(window: MainWindow, name: str) -> QLabel:
    label = window.findChild(QLabel, name)
    assert label is not None, name
    return label


def test_after_applying_a_change_the_panel_says_what_it_waits_for_and_until_when(qtbot: QtBot,
                                                                                   tmp_path: Path) -> None:
    clock = ManualClock(START)
    window, _ = make_window(qtbot, tmp_path, clock)
    start_infusion(qtbot, window, "0.05")
    clock.advance(minutes=10)  # the 0.05 has run 10 min (its effect has had its time)
    window.tick()
    record_map(qtbot, window, "58")  # 08:10, 7 below target: 0.05 x e^0.6 = 0.091 -> 0.09
    waiting = _label(window, "adviceWaitingLabel")
    assert "INCREASE" in _label(window, "adviceLabel").text() and waiting.isHidden()
    clock.advance(minutes=1)
    window.tick()
    window.titration.apply_button.click()  # 0.09 set at 08:11
    set_at = START + timedelta(minutes=11)
    # not yet measured (TIT-AWAIT-READING): the check is 5 min after the change (below target: still titrating)
    assert not waiting.isHidden()
    assert waiting.text() == (f"\u25f7 Waiting for the effect of 0.09 mcg/kg/min set at {fmt_clock(set_at)}: next "
                              f"check {fmt_clock(set_at + timedelta(minutes=5))}; recheck sooner if MAP < 55 or > 75.")
    assert "HOLD" in _label(window, "adviceLabel").text()
    clock.advance(minutes=2)
    window.tick()
    record_map(qtbot, window, "61")  # 08:13, two minutes into the increase: not "no response", no new increase
    assert "HOLD" in _label(window, "adviceLabel").text()
    assert "TIT-EFFECT-WAIT" in _label(window, "rulesLabel").text()
    assert waiting.text().startswith(f"\u25f7 Waiting for the effect of 0.09 mcg/kg/min set at {fmt_clock(set_at)}:")
    clock.advance(minutes=10)
    window.tick()
    record_map(qtbot, window, "68")  # 08:23, 12 min after the change: settled, in the band: nothing to wait for
    assert waiting.isHidden() and "HOLD" in _label(window, "adviceLabel").text()
