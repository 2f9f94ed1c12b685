"""Numbers typed into the window are never misread (thousands separators) and never unbounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from norepi_gui.core.events import EventKind
from norepi_gui.core.units import NumberFormat, number_format
from norepi_gui.ui.app import use_locale_number_format
from norepi_gui.ui.main_window import MainWindow
from tests.ui.helpers import line, make_window, raw_events, set_weight, start_infusion, type_into

pytestmark = pytest.mark.usefixtures("english_numbers")


def _status(window: MainWindow, name: str) -> str:
    label = window.findChild(QLabel, name + "Status")
    assert label is not None, name
    return label.text() if not label.isHidden() else ""


def test_fluids_of_2000_ml_with_a_separator_are_2000_ml(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    set_weight(qtbot, window, "70")
    type_into(qtbot, line(window, "fluidsInput"), "2,000 mL", enter=True)
    # 2000 mL / 70 kg = 28.571... mL/kg (it was stored as 2 mL / 70 kg = 0.029 mL/kg)
    assert window.state.patient.fluids_ml_per_kg == pytest.approx(2000 / 70)


def test_bag_of_1000_with_a_separator_is_1000_ml(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    type_into(qtbot, line(window, "bagVolumeInput"), "1,000", enter=True)
    assert window.state.bag is not None
    assert window.state.bag.bag_volume_ml == 1000.0  # it was recorded as 1 mL


def test_a_decimal_comma_on_an_english_computer_is_refused_not_misread(qtbot: QtBot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    before = len(raw_events(window))
    type_into(qtbot, line(window, "bagVolumeInput"), "0,5 L", enter=True)
    assert "',' separates thousands on this computer" in _status(window, "bagVolumeInput")
    assert len(raw_events(window)) == before


@pytest.mark.parametrize(
    ("field", "names", "bound"),
    [
        ("doseInput", "Dose", "20 mcg/kg/min"),
        ("rateInput", "Rate", "9999 mL/h"),
        ("bagVolumeInput", "Bag read", "10000 mL"),
        ("hydrocortisoneDoseInput", "Hydrocortisone dose", "1000 mg/day"),
    ],
)
def test_1e300_in_any_field_is_refused_naming_it_and_nothing_is_recorded(
    qtbot: QtBot, tmp_path: Path, field: str, names: str, bound: str
) -> None:
    window, _ = make_window(qtbot, tmp_path)
    start_infusion(qtbot, window)
    before = [e.kind for e in raw_events(window)]
    type_into(qtbot, line(window, field), "1e300", enter=True)  # it was recorded, or gave a traceback
    if field == "hydrocortisoneDoseInput":
        button = window.findChild(QPushButton, "hydrocortisoneSetButton")
        assert button is not None
        button.click()
    message = _status(window, field)
    assert names in message and bound in message, message
    assert [e.kind for e in raw_events(window)] == before
    assert EventKind.CO_INFUSION not in before


def test_the_window_reads_numbers_the_way_the_locale_writes_them(qtbot: QtBot) -> None:
    default = QLocale()
    try:
        QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
        use_locale_number_format()
        assert number_format() == NumberFormat(",", ".")
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        use_locale_number_format()
        assert number_format() == NumberFormat(".", ",")
    finally:
        QLocale.setDefault(default)
