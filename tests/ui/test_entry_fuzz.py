"""Generated text typed into every entry field of the window: nothing escapes as an exception, and nothing is recorded
while the field says it refused the entry (issue 14: 'nothing is recorded unless the field's message says it was
accepted')."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from norepi_gui.ui.main_window import MainWindow
from tests.ui.helpers import make_window, raw_events, start_infusion

# Every typed entry of the window (line edits with an inline message under them).
FIELDS = (
    "weightInput", "ageInput", "baselineSbpInput", "lineInsertedInput", "fluidsInput", "targetMapInput",
    "drugAmountInput", "diluentVolumeInput", "bagVolumeInput", "doseInput", "rateInput",
    "mapInput", "sbpInput", "dbpInput", "hrInput", "lactateInput", "urineInput", "crtInput",
    "vasopressinDoseInput", "epinephrineDoseInput", "dobutamineDoseInput", "hydrocortisoneDoseInput",
)
# What a hurried or careless hand produces: digits with separators and units, exponents, words, control characters.
TYPED = st.one_of(
    st.text(alphabet="0123456789.,-+eE %/kgmLhinu\u00a0\u202f", max_size=18),
    st.text(max_size=24),
    st.sampled_from(["1e300", "nan", "inf", "-0", "2,000", "0,1", "1.000,5", "70 lb", "4 mg in 250 mL", "∞",
                     "0x10", "1_000", "٣", "12:61", "2026-13-40 25:00"]),
)


pytestmark = pytest.mark.usefixtures("english_numbers")


def _status(window: MainWindow, name: str) -> str:
    label = window.findChild(QLabel, name + "Status")
    return label.text() if label is not None and not label.isHidden() else ""


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), text=TYPED)
def test_generated_text_in_any_field_never_raises_and_is_never_recorded_when_refused(
        qtbot: QtBot, tmp_path_factory: pytest.TempPathFactory, field: str, text: str) -> None:
    window = _window(qtbot, tmp_path_factory)
    edit = window.findChild(QLineEdit, field)
    assert edit is not None, field
    before = len(raw_events(window))
    edit.setFocus()
    edit.clear()
    edit.insert(text)  # as typed (keyClicks cannot type every generated character)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    edit.clearFocus()  # editingFinished on focus-out too
    message = _status(window, field)
    if message.startswith("\u26a0"):  # the field refused it
        assert len(raw_events(window)) == before, f"{field}: {text!r} was refused ({message}) but recorded"


_WINDOWS: dict[int, MainWindow] = {}


def _window(qtbot: QtBot, factory: pytest.TempPathFactory) -> MainWindow:
    """One window for all examples of a run (the session grows as a careless shift would)."""
    key = id(factory)
    if key not in _WINDOWS:
        window, _ = make_window(qtbot, factory.mktemp("fuzz"))
        window.show()
        start_infusion(qtbot, window)
        _WINDOWS.clear()
        _WINDOWS[key] = window
    return _WINDOWS[key]


def test_the_field_list_is_every_line_edit_with_a_message(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    with_messages = {e.objectName() for e in window.findChildren(QLineEdit)
                     if window.findChild(QLabel, e.objectName() + "Status") is not None}
    assert with_messages == set(FIELDS)
