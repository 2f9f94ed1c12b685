"""Flushing a file, or a folder's entries, to the disk before saying a write is done.

A file's data is durable once the file is fsynced; a file created or renamed into a folder is durable once the folder
is fsynced too. Windows cannot open a folder to fsync it (NTFS journals the entry itself): there ``fsync_folder``
does nothing.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from norepi_gui.core.private_files import POSIX

if TYPE_CHECKING:
    from pathlib import Path


def fsync_path(path: Path) -> None:
    """Flush what is written to ``path`` to the disk; raises ``OSError`` when it cannot be opened or flushed."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries (a file just created or renamed into it) to the disk; nothing on Windows."""
    if POSIX:
        fsync_path(folder)
