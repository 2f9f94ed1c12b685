"""One running norepi-gui per data folder: a lock file the operating system releases when the process ends.

``norepi-gui.lock`` in the data folder holds the owner's process id; the lock itself is an OS file lock (``flock`` on
POSIX, ``msvcrt.locking`` on Windows), so it is released on :meth:`InstanceLock.release`, on exit and when the process
is killed; a lock file left behind by a dead process never blocks anyone. The file is never deleted (deleting it would
let two processes lock two different files of the same name).

A second start gets :class:`~norepi_gui.core.storage_errors.FolderInUseError` with the holder's pid, and can offer
to bring that window forward or to open another folder (the window's part).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import TYPE_CHECKING, Self

from norepi_gui.core.private_files import FILE_MODE, make_private, private_folder
from norepi_gui.core.storage_errors import FolderInUseError, StorageError, describe_os_error

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

LOCK_FILENAME = "norepi-gui.lock"
_BUSY = frozenset({errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, getattr(errno, "EDEADLK", errno.EAGAIN)})
# Windows locks are mandatory: lock a byte far past the pid, so others can still read who holds the lock.
_WINDOWS_LOCK_OFFSET = 1 << 20


class InstanceLock:
    """The held lock of one data folder. Use as a context manager, or call :meth:`release`."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> InstanceLock:
        """Lock ``data_dir`` (created 0700 if needed) for this process, or raise :class:`FolderInUseError`."""
        try:
            private_folder(data_dir)
            path = data_dir / LOCK_FILENAME
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise StorageError(
                data_dir, f"cannot create the lock file ({describe_os_error(exc)})", "Choose another data folder"
            ) from exc
        make_private(path)
        try:
            locked = _try_lock(fd)
        except OSError as exc:
            os.close(fd)
            raise StorageError(
                data_dir,
                f"cannot lock the data folder ({describe_os_error(exc)})",
                "Choose a data folder on a local disk",
            ) from exc
        if not locked:
            pid = _read_pid(path)
            os.close(fd)
            raise FolderInUseError(data_dir, pid)
        text = f"{os.getpid()}\n".encode("ascii")
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, text)
            os.fsync(fd)
        except OSError:
            pass  # the lock is held all the same; only the pid shown to a second start is missing
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


RAISE_FILENAME = "norepi-gui.raise"


def request_raise(data_dir: Path) -> None:
    """Ask the norepi-gui that holds ``data_dir`` to bring its window forward (it watches this file's time)."""
    path = data_dir / RAISE_FILENAME
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        finally:
            os.close(fd)
        os.utime(path)


def raise_requested(data_dir: Path) -> float | None:
    """When a second start last asked for this folder's window (file time), or None if never."""
    try:
        return (data_dir / RAISE_FILENAME).stat().st_mtime
    except OSError:
        return None


def folder_holder(data_dir: Path) -> int | None:
    """The pid of the process that holds ``data_dir``'s lock (this one included), or None when it is free."""
    path = data_dir / LOCK_FILENAME
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
        return _read_pid(path)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_bytes()[:32].decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _try_lock(fd: int) -> bool:
    """Lock ``fd`` without waiting: False when another holder has the lock; other failures raise ``OSError``."""
    try:
        _lock_now(fd)
    except OSError as exc:
        if exc.errno in _BUSY:
            return False
        raise
    return True


if sys.platform == "win32":
    import msvcrt

    def _lock_now(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_now(fd: int) -> None:
        # flock, not lockf: it also conflicts between two opens in one process (two windows, or a test).
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
