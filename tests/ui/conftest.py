"""UI test fixtures: QSettings' default locations point into the test's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def _qsettings_in_tmp(tmp_path: Path) -> None:
    folder = str(tmp_path / "qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)


@pytest.fixture
def english_numbers() -> Iterator[None]:
    """Numbers read the English way ('.' decimal, ',' thousands) whatever the test machine's locale."""
    from norepi_gui.core.units import NumberFormat, number_format, set_number_format

    before = number_format()
    set_number_format(NumberFormat(".", ","))
    yield None
    set_number_format(before)
