"""The few values of Qt's ``Qt`` namespace that the window's first paint needs, set without that namespace.

Reading any member of PySide6's ``Qt`` namespace (``Qt.AlignmentFlag.AlignCenter``, say) makes PySide6 create the
Python enums of the whole namespace at once: about 90 enums, 25-30 ms on this stack, a fifth of the time a bare
PySide6 window takes to appear. The modules the first paint imports therefore set these few values through Qt's
property system (``QObject.setProperty`` takes the enum's integer), and use ``Qt`` itself only in code that runs
later. ``tests/ui/test_qt_values.py`` checks every value here against the real enum, and
``tests/ui/test_startup_imports.py`` that the first paint leaves the namespace alone.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

ALIGN_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter (AlignHCenter | AlignVCenter)
ALIGN_RIGHT_VCENTER = 0x0082  # Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
TEXT_SELECTABLE_BY_MOUSE = 0x0001  # Qt.TextInteractionFlag.TextSelectableByMouse
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff
WIDGET_WITH_CHILDREN_SHORTCUT = 3  # Qt.ShortcutContext.WidgetWithChildrenShortcut
TEXT_ALIGNMENT_ROLE = 7  # Qt.ItemDataRole.TextAlignmentRole
STRONG_FOCUS = 0x000B  # Qt.FocusPolicy.StrongFocus (Tab and click; WheelFocus would add the wheel)
USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole: the first item data role free for the application


def set_enum_property(obj: QObject, name: str, value: int) -> None:
    """Set the Qt property ``name`` (an enum or flags property) of ``obj`` to the integer ``value``."""
    if not obj.setProperty(name, value):
        raise ValueError(f"{type(obj).__name__} has no writable property {name!r}")
