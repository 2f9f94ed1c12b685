from __future__ import annotations

import subprocess
import sys

import pytest

from norepi_gui.platform_check import explain_missing_display


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland detection is Linux-only")
def test_no_display_and_no_platform_is_explained_in_words() -> None:
    message = explain_missing_display({"PATH": "/usr/bin"})
    assert message is not None
    assert "needs a display" in message
    assert "QT_QPA_PLATFORM=offscreen" in message


def test_offscreen_platform_needs_no_display() -> None:
    assert explain_missing_display({"QT_QPA_PLATFORM": "offscreen"}) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland detection is Linux-only")
def test_window_command_without_display_exits_2_with_a_sentence_not_an_abort() -> None:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}
    result = subprocess.run([sys.executable, "-m", "norepi_gui"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "needs a display" in result.stderr


def test_version_flag_prints_the_package_version() -> None:
    result = subprocess.run([sys.executable, "-m", "norepi_gui", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("norepi-gui ")


def test_run_command_opens_the_window_offscreen(tmp_path: object) -> None:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "norepi_gui", "--data-dir", str(tmp_path), "--quit-after-ms", "4000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "windows shown:" in result.stdout
    assert "norepi-gui" in result.stdout.split("windows shown:", 1)[1]
