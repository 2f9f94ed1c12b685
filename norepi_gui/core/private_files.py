"""Patient data stays private on POSIX: folders 0700, files 0600, whatever the umask and whoever made them.

Modes are set explicitly after creation (``chmod``), so a permissive umask (0000) or a folder created by another tool
(0755) does not leave the data readable by other users. On Windows ``chmod`` only toggles the read-only flag; there
the folder inherits the ACL of the user's profile, and these functions do nothing else.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
POSIX = sys.platform != "win32"


def private_folder(path: Path) -> bool:
    """Create ``path`` (and parents) if needed and make it 0700; False if its mode could not be changed.

    Raises ``OSError`` when the folder does not exist and cannot be created.
    """
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))
    return make_private(path, FOLDER_MODE)


def make_private(path: Path, mode: int = FILE_MODE) -> bool:
    """Set ``mode`` on ``path`` if it exists and differs; False when that is refused (not the owner, read-only)."""
    if not POSIX:
        return True
    try:
        current = path.stat().st_mode & 0o777
    except FileNotFoundError:
        return True
    if current == mode:
        return True
    try:
        os.chmod(path, mode)
    except OSError:
        return False
    return True


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist; True if it was created now."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    make_private(path)  # the umask may have removed bits, never added them; this keeps it exactly 0600
    return True
