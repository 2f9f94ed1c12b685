"""Say in words why Qt cannot open a window, before Qt aborts the process (exit 134) for want of a display."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from functools import cache

# Measured on bare Debian 12: what Qt's xcb platform plugin needs beyond the offscreen set.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-shape": "libxcb-shape0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}
BASE_LIBRARIES = {
    "glib-2.0": "libglib2.0-0",
    "EGL": "libegl1",
    "GL": "libgl1",
    "fontconfig": "libfontconfig1",
    "xkbcommon": "libxkbcommon0",
    "dbus-1": "libdbus-1-3",
}


@cache
def _linker_cache() -> str | None:
    """The dynamic linker's list of libraries (one ``ldconfig -p`` call instead of one per library)."""
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        try:
            result = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if result.returncode == 0 and result.stdout:
            return result.stdout
    return None


def _has_library(name: str) -> bool:
    listing = _linker_cache()
    if listing is None:
        return ctypes.util.find_library(name) is not None
    return f"lib{name}.so" in listing


def missing_packages(libraries: dict[str, str]) -> list[str]:
    return [package for lib, package in libraries.items() if not _has_library(lib)]


def explain_missing_display(environ: dict[str, str] | None = None) -> str | None:
    """A message when no window can be shown on this Linux machine, else ``None``."""
    env = dict(os.environ) if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if getattr(sys, "frozen", False):
        base_missing: list[str] = []  # a frozen bundle carries its own Qt libraries
    else:
        base_missing = missing_packages(BASE_LIBRARIES)
    if base_missing:
        return (
            "norepi-gui cannot start Qt: system libraries are missing. Install them with:\n"
            f"  sudo apt-get install {' '.join(base_missing)}"
        )
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (
            "norepi-gui needs a display: no DISPLAY or WAYLAND_DISPLAY is set. Run it from a desktop session, "
            "under xvfb-run, or set QT_QPA_PLATFORM=offscreen for a headless run."
        )
    if env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY") and not platform.startswith("wayland"):
        xcb_missing = missing_packages(XCB_LIBRARIES)
        if xcb_missing:
            return (
                "norepi-gui cannot open a window on X11: Qt's xcb plugin needs system libraries. Install them with:\n"
                f"  sudo apt-get install {' '.join(xcb_missing)}"
            )
    return None
