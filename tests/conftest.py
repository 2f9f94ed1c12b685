"""Shared test setup: Qt runs offscreen and nothing reads or writes the user's real settings or data folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before any QApplication exists (pytest-qt creates it on first use).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point per-user config/data/cache folders (platformdirs, QSettings, QStandardPaths) at a temporary folder."""
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        folder = home / sub
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
