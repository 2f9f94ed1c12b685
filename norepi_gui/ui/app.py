"""Start the window: QApplication, data folder, first-start disclaimer, resume after a crash, event loop.

Start-up is progressive: the bedside window is built and painted before numpy, pint and pyqtgraph are imported
(its plot area says "Loading plot…" and the dose figures are blank for that moment); right after the first paint the
plot is built, the unit registry loaded and the figures computed (``MainWindow.complete``). ``bench/bench_startup.py``
times both moments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from norepi_gui import DISCLAIMER

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from norepi_gui.core.instance_lock import InstanceLock
    from norepi_gui.ui.main_window import MainWindow

APP_NAME = "norepi-gui"


def default_data_dir() -> Path:
    """The per-user data folder (platformdirs), e.g. ~/.local/share/norepi-gui on Linux."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, ensure_exists=True)


def locale_safe_environment() -> None:
    """Under LANG=C or no locale at all, Qt warns and may not use UTF-8 for file names: use C.UTF-8 then."""
    lang = os.environ.get("LC_ALL") or os.environ.get("LC_CTYPE") or os.environ.get("LANG") or ""
    if lang in ("", "C", "POSIX"):
        os.environ["LC_ALL"] = "C.UTF-8"


def use_locale_number_format() -> None:
    """Read typed numbers the way this computer's locale writes them (its decimal mark and thousands separator)."""
    from PySide6.QtCore import QLocale

    from norepi_gui.core.units import NumberFormat, set_number_format

    locale = QLocale()
    try:
        set_number_format(NumberFormat(decimal=locale.decimalPoint(), group=locale.groupSeparator()))
    except ValueError:
        set_number_format(NumberFormat())  # a decimal mark other than '.' or ',': the program's own way


class Launcher(QObject):
    """Builds the bedside window progressively and shows it; asks the first-start questions once it is complete."""

    shown = Signal(object)  # the MainWindow, first painted (its plot and dose figures are still loading)
    ready = Signal(object)  # the MainWindow, complete

    def __init__(self, folder: Path, *, protocol_path: Path | None, training: bool, interactive: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.protocol_path = protocol_path
        self.training = training
        self.interactive = interactive  # False: no disclaimer or resume questions (benchmarks, tests)
        #: The bedside window from start() on (shown before it is complete).
        self.shown_window: MainWindow | None = None
        #: The bedside window once it is complete (``ready``); None before.
        self.window: MainWindow | None = None
        #: Shows what was refused or set aside at start (a bad settings or protocol file); tests replace it.
        self.ask_notes: Callable[[QWidget, str], None] = self._notes_box
        #: The first-start disclaimer question (True = accepted); tests replace it.
        self.ask_disclaimer: Callable[[QWidget], bool] = self._disclaimer_box
        #: Replaces the window's confirmation dialogs when set (tests).
        self.confirm: Callable[[str, str], bool] | None = None
        #: The data folder's lock (run_app takes it before the window exists).
        self.lock: InstanceLock | None = None

    def start(self) -> MainWindow:
        """Build and show the window (without numpy, pint, pyqtgraph); it completes itself after its first paint."""
        from norepi_gui.ui.main_window import MainWindow

        window = MainWindow(self.folder, protocol_path=self.protocol_path, training=self.training, progressive=True)
        if self.confirm is not None:
            window.confirm = self.confirm
        window.first_painted.connect(lambda: self.shown.emit(window))
        window.completed.connect(lambda: self._completed(window))
        self.shown_window = window
        window.show()
        return window

    def _completed(self, window: MainWindow) -> None:
        self.window = window
        self.ready.emit(window)
        if self.interactive and window.isVisible():
            QTimer.singleShot(0, self._questions)

    def questions(self) -> None:
        """First start: the disclaimer (once per data folder); then offer to resume an open session."""
        self._questions()

    def _questions(self) -> None:
        window = self.window
        assert window is not None
        if not window.view_settings.disclaimer_accepted:
            if not self.ask_disclaimer(window):
                window.close()
                return
            window.view_settings.disclaimer_accepted = True
            window.view_settings.sync()
        window.show_startup_notes(self.ask_notes)
        if window.training_controller is not None:  # training mode: pick a scenario (nothing to resume)
            window.training_controller.pick_scenario()
            return
        window.offer_resume()

    @staticmethod
    def _notes_box(parent: QWidget, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(parent, "norepi-gui: read before you start", text)

    @staticmethod
    def _disclaimer_box(parent: QWidget) -> bool:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "norepi-gui: read before use", DISCLAIMER,
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, parent)
        ok = box.button(QMessageBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("I understand")
        return box.exec() == QMessageBox.StandardButton.Ok


DESKTOP_ID = "org.norepi_gui.NorepiGui"


def app_icon() -> QIcon:
    """The application icon, from the one source image shipped in resources/icons."""
    from importlib import resources

    from PySide6.QtGui import QIcon, QPixmap

    data = (resources.files("norepi_gui.resources") / "icons" / "norepi-gui.svg").read_bytes()
    pixmap = QPixmap()
    pixmap.loadFromData(data, "SVG")
    return QIcon(pixmap)


def run_app(
    *, protocol_path: Path | None, data_dir: Path | None, training: bool, quit_after_ms: int | None = None
) -> int:
    """Open the bedside window and run until it closes; returns the exit code.

    ``quit_after_ms`` is for smoke tests of an installed or frozen build: the app names the windows it shows on
    stdout and quits after that many milliseconds.
    """
    locale_safe_environment()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName("norepi-gui" + (" (training)" if training else ""))
    app.setDesktopFileName(DESKTOP_ID)  # matches the .desktop entry, so the shell groups windows under our icon
    app.setStyle("Fusion")  # the one style that draws the day and night palettes the same on every platform
    use_locale_number_format()
    from norepi_gui.ui.data_folder import ask_with_dialog, choose_with_dialog, open_data_folder

    opened = open_data_folder(data_dir if data_dir is not None else default_data_dir(), ask_with_dialog,
                              choose_with_dialog)
    if opened is None:  # the nurse quit, or brought the norepi-gui that holds the folder forward
        return 0
    folder, lock = opened
    launcher = Launcher(folder, protocol_path=protocol_path, training=training)
    launcher.lock = lock  # held until the process ends
    # The icon (an SVG, ~8 ms to load) is set right after the window's first paint, not before it.
    launcher.shown.connect(lambda _window: app.setWindowIcon(app_icon()))
    launcher.start()
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, lambda: _report_and_quit(app))
    return int(app.exec())


def _report_and_quit(app: QApplication) -> None:
    shown = [w.windowTitle() or type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()]
    print("windows shown: " + " | ".join(shown), flush=True)
    app.quit()
