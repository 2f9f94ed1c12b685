"""Opening the data folder at start: one norepi-gui per folder, and a folder that cannot be used is said so at once.

Before the window exists the launcher takes the folder's lock and opens its session database once. A folder another
norepi-gui holds, a read-only or full disk, a file that is not a session database or one from a newer version: each
is shown in words (what, where, what to do), with the choices that make sense (bring the other window forward,
choose another data folder, quit). The window never opens on a folder where nothing could be recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from norepi_gui.core.clock import SystemClock
from norepi_gui.core.instance_lock import InstanceLock, request_raise
from norepi_gui.core.storage_errors import FolderInUseError, StorageError


class Choice(StrEnum):
    RAISE_OTHER = "raise_other"  # bring the window that holds the folder forward, and quit
    OTHER_FOLDER = "other_folder"
    QUIT = "quit"


@dataclass(frozen=True)
class Problem:
    """A folder that cannot be used: the error's words and whether another norepi-gui holds it."""

    error: StorageError
    in_use: bool


Ask = Callable[[Problem], Choice]
ChooseFolder = Callable[[Path], Path | None]


def open_data_folder(folder: Path, ask: Ask, choose: ChooseFolder) -> tuple[Path, InstanceLock] | None:
    """The folder to run in, locked for this process; None when the user chose to quit (or raised the other one)."""
    from norepi_gui.core.session_log import SessionStore

    while True:
        try:
            lock = InstanceLock.acquire(folder)
        except FolderInUseError as exc:
            choice = ask(Problem(exc, in_use=True))
        except StorageError as exc:
            choice = ask(Problem(exc, in_use=False))
        else:
            try:
                SessionStore(folder, SystemClock()).close()  # the database opens (and passes its checks) here
            except StorageError as exc:
                lock.release()
                choice = ask(Problem(exc, in_use=False))
            else:
                return folder, lock
        if choice is Choice.RAISE_OTHER:
            request_raise(folder)
            return None
        if choice is Choice.QUIT:
            return None
        chosen = choose(folder)
        if chosen is None:
            return None
        folder = chosen


def ask_with_dialog(problem: Problem, parent: QWidget | None = None) -> Choice:
    """The problem in a message box: what is wrong, where, what to do; the buttons for the choices."""
    error = problem.error
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical if not problem.in_use else QMessageBox.Icon.Warning)
    box.setWindowTitle("norepi-gui: data folder" + (" in use" if problem.in_use else " cannot be used"))
    box.setText(f"{error.problem}.")
    box.setInformativeText(f"Where: {error.path}\nWhat to do: {error.remedy}.")
    raise_button = box.addButton("Bring that window forward", QMessageBox.ButtonRole.AcceptRole) \
        if problem.in_use else None
    other = box.addButton("Choose another data folder\u2026", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if raise_button is not None and clicked is raise_button:
        return Choice.RAISE_OTHER
    if clicked is other:
        return Choice.OTHER_FOLDER
    return Choice.QUIT


def choose_with_dialog(current: Path, parent: QWidget | None = None) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, "Choose a data folder for norepi-gui", str(current.parent))
    return Path(chosen) if chosen else None
