"""UI test fixtures: QSettings' default locations point into the test's temporary folder."""

from __future__ import annotations

import gc
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


@pytest.fixture(autouse=True)
def _application_font_restored() -> Iterator[None]:
    """A test that changes the text size (View > Larger text sets the application's font) leaves it as it found it."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = app.font() if isinstance(app, QApplication) else None
    yield None
    if before is not None and isinstance(app, QApplication) and app.font() != before:
        app.setFont(before)


@pytest.fixture
def english_numbers() -> Iterator[None]:
    """Numbers read the English way ('.' decimal, ',' thousands) whatever the test machine's locale."""
    from norepi_gui.core.units import NumberFormat, number_format, set_number_format

    before = number_format()
    set_number_format(NumberFormat(".", ","))
    yield None
    set_number_format(before)


@pytest.fixture
def kept_training_windows() -> Iterator[None]:
    """Hold each window of ``tests.ui.training_window`` until the test ends, then close and delete it through the
    event loop (modules of training tests use it: ``pytest.mark.usefixtures("kept_training_windows")``).

    A window and its training controller refer to each other; left to the garbage collector, a shown window could
    be deleted whenever a collection runs, even in the middle of painting another window.
    """
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from tests.ui.training_window import KEPT

    yield None
    while KEPT:
        window = KEPT.pop()
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Collect the windows a test closed now, between tests, not whenever the collector next runs.

    pytest-qt closes each window and asks Qt to delete it later. A window held in a reference cycle (its bedside
    session keeps its confirm callback) is then freed by Python's cycle collector, at whatever moment it runs: if that
    moment is inside Qt's event processing, say while the window's own plot scene is polishing its items, the scene is
    destroyed under its own loop and the process crashes. Collecting here, outside any Qt callback, makes that moment
    deterministic and safe.
    """
    gc.collect()
