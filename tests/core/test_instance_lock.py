"""One norepi-gui per data folder: a second one is told the folder is in use, and by which process."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from norepi_gui.core.instance_lock import LOCK_FILENAME, InstanceLock, folder_holder
from norepi_gui.core.storage_errors import FolderInUseError
from tests.sigkill import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

HOLDER = """
import sys, time
from pathlib import Path
from norepi_gui.core.instance_lock import InstanceLock
lock = InstanceLock.acquire(Path(sys.argv[1]))
print("locked", flush=True)
sys.stdin.readline()  # holds the lock until killed
"""


def test_second_lock_on_a_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    first = InstanceLock.acquire(tmp_path / "data")
    try:
        with pytest.raises(FolderInUseError) as info:
            InstanceLock.acquire(tmp_path / "data")
        assert info.value.pid == os.getpid()
        assert info.value.path == tmp_path / "data"
        assert f"in use by another norepi-gui (process {os.getpid()})" in str(info.value)
        assert "Bring that window forward, or open another data folder" in str(info.value)
        assert folder_holder(tmp_path / "data") == os.getpid()
    finally:
        first.release()
    assert folder_holder(tmp_path / "data") is None
    with InstanceLock.acquire(tmp_path / "data"):  # free again once released
        pass


def test_other_folders_are_independent(tmp_path: Path) -> None:
    with InstanceLock.acquire(tmp_path / "a"), InstanceLock.acquire(tmp_path / "b"):
        assert folder_holder(tmp_path / "a") == folder_holder(tmp_path / "b") == os.getpid()


def test_lock_file_left_by_a_dead_process_does_not_block(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / LOCK_FILENAME).write_text("999999999\n", encoding="ascii")  # a pid, but nobody holds the lock
    assert folder_holder(folder) is None
    with InstanceLock.acquire(folder):
        assert (folder / LOCK_FILENAME).read_text(encoding="ascii").strip() == str(os.getpid())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_lock_file_is_private(tmp_path: Path) -> None:
    with InstanceLock.acquire(tmp_path / "data"):
        assert stat.S_IMODE((tmp_path / "data" / LOCK_FILENAME).stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_lock_of_another_process_is_released_when_that_process_dies(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(FolderInUseError) as info:
            InstanceLock.acquire(folder)
        assert info.value.pid == child.pid
        assert folder_holder(folder) == child.pid
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    with InstanceLock.acquire(folder) as lock:
        assert lock.path == folder / LOCK_FILENAME
