"""Day and night: the window's palette, the colours of its roles (muted, error, note) and of the alarm priorities.

Night mode is a dark palette for the whole window and the plot, switched with one key (View > Night mode) or
following the system's colour scheme (the default). The alarm colours are IEC 60601-1-8's in both modes, as the
clinical reference gives them: high red, medium yellow, low cyan [S]; each priority also has its own shape and words
(``widgets.PriorityBadge``), so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

MODE_SYSTEM = "system"
MODE_DAY = "day"
MODE_NIGHT = "night"
MODES = (MODE_SYSTEM, MODE_DAY, MODE_NIGHT)


@dataclass(frozen=True)
class AlarmColours:
    background: str
    flash: str  # the other phase of a flashing alarm (high and medium flash; low is steady)
    text: str


# IEC 60601-1-8 colours [S, clinical-reference "Titration orders and alarms"]: high red, medium yellow, low cyan.
ALARM_COLOURS = {
    "high": AlarmColours("#C8102E", "#6E0000", "#FFFFFF"),
    "medium": AlarmColours("#FFD500", "#8A7300", "#000000"),
    "low": AlarmColours("#00B7D8", "#00B7D8", "#000000"),
}


@dataclass(frozen=True)
class Theme:
    name: str  # day | night
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    button: str
    highlight: str
    error: str
    note_background: str
    note_text: str
    plot_background: str
    plot_foreground: str
    idle_banner: str

    @property
    def night(self) -> bool:
        return self.name == MODE_NIGHT


DAY = Theme(MODE_DAY, window="#EFEFEF", base="#FFFFFF", alternate="#F4F6F8", text="#000000", muted="#4A4A4A",
            button="#E6E6E6", highlight="#2F6FB5", error="#B00020", note_background="#FFF3A0", note_text="#000000",
            plot_background="#FFFFFF", plot_foreground="#000000", idle_banner="#E3ECE3")
NIGHT = Theme(MODE_NIGHT, window="#1B1D20", base="#111315", alternate="#1F2226", text="#E4E4E4", muted="#A8A8A8",
              button="#2A2D31", highlight="#4C7FC0", error="#FF6B7D", note_background="#4A4218",
              note_text="#F2E9B6", plot_background="#0E1012", plot_foreground="#D8D8D8", idle_banner="#1F2A22")


_system_dark: bool | None = None  # the system palette's own lightness, read before we set a palette


def system_palette_is_dark() -> bool:
    """Whether the system's own palette is dark (dark mode on Windows 11, GNOME, KDE and macOS gives a dark default
    palette); read once, before the window sets its palette. Cheap enough for the first paint."""
    global _system_dark  # the one fact about the system, kept from before the window changed the palette
    if _system_dark is None:
        app = QGuiApplication.instance()
        window = QGuiApplication.palette().color(QPalette.ColorRole.Window) if app is not None else None
        _system_dark = window is not None and window.lightness() < 128
    return _system_dark


def system_prefers_dark() -> bool:
    """The system's colour scheme (Qt 6.5+ ``styleHints().colorScheme()``) where the platform says it, else the
    palette's lightness. Reading the scheme builds PySide6's ``Qt`` namespace: call it after the first paint."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        from PySide6.QtCore import Qt

        value = scheme()
        if value == Qt.ColorScheme.Dark:
            return True
        if value == Qt.ColorScheme.Light:
            return False
    return system_palette_is_dark()


def resolve(mode: str, *, ask_scheme: bool = True) -> Theme:
    """The theme for ``mode``; ``system`` asks the platform (``ask_scheme`` False: only the palette, before the first
    paint)."""
    if mode == MODE_NIGHT:
        return NIGHT
    if mode == MODE_DAY:
        return DAY
    dark = system_prefers_dark() if ask_scheme else system_palette_is_dark()
    return NIGHT if dark else DAY


def palette(theme: Theme) -> QPalette:
    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, theme.window), (roles.WindowText, theme.text), (roles.Base, theme.base),
        (roles.AlternateBase, theme.alternate), (roles.Text, theme.text), (roles.Button, theme.button),
        (roles.ButtonText, theme.text), (roles.ToolTipBase, theme.base), (roles.ToolTipText, theme.text),
        (roles.Highlight, theme.highlight), (roles.HighlightedText, "#FFFFFF"), (roles.PlaceholderText, theme.muted),
        (roles.BrightText, "#FFFFFF"), (roles.Link, theme.highlight),
    ):
        pal.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(disabled, role, QColor(theme.muted))
    return pal


def style_sheet(theme: Theme) -> str:
    """The window's style sheet: colours by role (``widgets.set_role``) instead of colours written into panels."""
    return (
        f'QLabel[role="muted"] {{ color: {theme.muted}; }}\n'
        f'QLabel[role="error"], QLabel[role="overdue"] {{ color: {theme.error}; }}\n'
        f'QLabel[role="refused"] {{ color: {theme.error}; font-weight: bold; }}\n'
        f'QLineEdit[invalid="true"] {{ border: 2px solid {theme.error}; }}\n'
        f'QLabel[role="note"] {{ background: {theme.note_background}; color: {theme.note_text}; padding: 4px; }}\n'
        f'QGroupBox[role="escalating"] {{ border: 2px solid #CC79A7; margin-top: 1.4em; font-weight: bold; }}\n'
        'QGroupBox[role="escalating"]::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }\n'
    )


def apply(window: QWidget, theme: Theme) -> None:
    """Put ``theme`` on the application palette and ``window``'s style sheet."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setPalette(palette(theme))
    window.setStyleSheet(style_sheet(theme))
