"""Real file-system faults for the storage tests: a read-only folder and a small file system that fills up.

A read-only folder is made with ``chmod`` for an ordinary user; as root (who ignores permissions) with a read-only bind
mount. A full disk is a small ``tmpfs`` mounted for the test (root only). Where the system does not allow either, the
test is skipped (the ``PRAGMA max_page_count`` tests in tests/core/test_session_log_faults.py cover a full database
on every system).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("needs Linux mount")
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} not permitted here: {result.stderr.strip()}")


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` (which exists) cannot be written to inside the block, whoever runs the tests."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        mode = folder.stat().st_mode & 0o777
        folder.chmod(0o500)
        try:
            yield folder
        finally:
            folder.chmod(mode)
        return
    _mount("--bind", str(folder), str(folder))
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        yield folder
    finally:
        _umount(folder)


@contextmanager
def small_filesystem(folder: Path, size_kib: int) -> Iterator[Path]:
    """A ``tmpfs`` of ``size_kib`` KiB mounted on ``folder`` (created) for the block."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _umount(folder)


def fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its file system is full; returns the file (delete it to free the space)."""
    ballast = folder / "ballast.bin"
    with ballast.open("ab", buffering=0) as fh:
        for size in (65536, 4096, 512, 1):
            chunk = b"\0" * size
            try:
                while fh.write(chunk):
                    pass
            except OSError:
                continue
    return ballast
