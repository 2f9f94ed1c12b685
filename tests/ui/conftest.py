"""UI test fixtures: QSettings' default locations point into the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def _qsettings_in_tmp(tmp_path: Path) -> None:
    folder = str(tmp_path / "qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)
