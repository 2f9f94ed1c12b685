"""Write an export so that the file at its path is either the old one or the whole new one, never half written.

The content goes to a temporary file in the same folder, is flushed to disk, and is renamed over the target
(``os.replace``, atomic on POSIX and Windows within one volume); on any failure the temporary file is removed and the
target is left as it was.

A small local helper: the shared atomic-export helper planned in core can replace it (same contract).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends without error."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as fh:  # what the writer left in the page cache goes to the disk first
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise

