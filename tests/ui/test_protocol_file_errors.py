"""A bad protocol file never stops the window: at start the shipped protocol is used and the problem shown; in
Settings the dialog shows the problem and the protocol in use is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from norepi_gui.core.clock import ManualClock
from norepi_gui.ui.main_window import MainWindow
from norepi_gui.ui.settings_dialog import SettingsDialog
from tests.ui.helpers import START

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.toml"

BAD_FILES = {
    "utf16": (lambda text: text.encode("utf-16"), "UTF-16"),
    "latin1": (lambda text: (text + "\n# caf\u00e9\n").encode("latin-1"), "not UTF-8"),
    "deep": (lambda text: (text + "\nx = " + "[" * 5000 + "]" * 5000 + "\n").encode("utf-8"), "nested more than"),
    "long-number": (lambda text: text.replace("hard_max_dose = 3.0", "hard_max_dose = 1" + "0" * 399).encode(),
                    "a number of 400 characters"),
}


def _bad_file(tmp_path: Path, case: str) -> tuple[Path, str]:
    make, problem = BAD_FILES[case]
    path = tmp_path / f"{case}.toml"
    path.write_bytes(make(DEFAULT.read_text(encoding="utf-8")))
    return path, problem


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_window_started_with_a_bad_site_protocol_uses_the_shipped_one_and_says_why(
    qtbot: QtBot, tmp_path: Path, case: str
) -> None:
    path, problem = _bad_file(tmp_path, case)
    window = MainWindow(data_dir=tmp_path / "data", clock=ManualClock(START), protocol_path=path)
    qtbot.addWidget(window)
    assert window.protocol.source == "default.toml (shipped)"
    assert window.protocol_problem is not None
    assert str(path) in window.protocol_problem and problem in window.protocol_problem
    assert str(path) in window.statusBar().currentMessage()


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_settings_with_a_bad_protocol_file_show_the_problem_and_keep_the_protocol(
    qtbot: QtBot, tmp_path: Path, case: str
) -> None:
    path, problem = _bad_file(tmp_path, case)
    window = MainWindow(data_dir=tmp_path / "data", clock=ManualClock(START))
    qtbot.addWidget(window)
    in_use = window.protocol
    dialog = SettingsDialog(dose_unit="mcg/kg/min", pump_resolution=0.1, sound_enabled=True, sound_volume=50,
                            protocol_path=None, protocol=in_use, parent=window)
    qtbot.addWidget(dialog)
    dialog.protocol_file.set_text(str(path))
    dialog.accept()  # OK pressed: refused, the dialog stays open
    assert dialog.choice is None
    message = dialog.protocol_file.error_text()
    assert str(path) in message and problem in message
    assert "kept" in dialog.protocol_status.text()
    assert window.protocol is in_use
