"""PyInstaller hook for PySide6.QtGui that leaves out Qt plugins a desktop window never loads.

It replaces PyInstaller's own hook of the same name (hooks in the spec's ``hookspath`` take precedence) and filters
its plugin list *before* the binary dependency analysis, so the libraries only those plugins need stay out too:
the framebuffer/embedded platforms (linuxfb, eglfs, vnc, ...) with their EGL device and evdev/tuio input plugins
(qvnc and tuiotouch are what pull in QtNetwork), and the GTK3 platform theme (which alone drags GTK, cairo, pango,
atk and gdk-pixbuf into the bundle; the xdg-desktop-portal theme stays). Rarely used image formats go too.
"""

from __future__ import annotations

import os

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGINS = (
    "platforms/libqlinuxfb", "platforms/libqeglfs", "platforms/libqminimalegl", "platforms/libqvnc",
    "platforms/libqvkkhrdisplay", "egldeviceintegrations/", "generic/", "platformthemes/libqgtk3",
    "imageformats/libqwebp", "imageformats/libqtiff", "imageformats/libqtga", "imageformats/libqwbmp",
    "imageformats/qwebp", "imageformats/qtiff", "imageformats/qtga", "imageformats/qwbmp",
)


def _unused(src: str) -> bool:
    path = src.replace(os.sep, "/")
    return any(f"/plugins/{fragment}" in path for fragment in UNUSED_PLUGINS)


hiddenimports, _binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in _binaries if not _unused(src)]
