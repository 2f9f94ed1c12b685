"""The integers the first paint sets through Qt properties (norepi_gui/ui/qt_values.py) are Qt's own values."""

from __future__ import annotations

from enum import Enum

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QScrollArea

from norepi_gui.ui import qt_values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (qt_values.ALIGN_CENTER, Qt.AlignmentFlag.AlignCenter),
        (qt_values.ALIGN_RIGHT_VCENTER, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
        (qt_values.TEXT_SELECTABLE_BY_MOUSE, Qt.TextInteractionFlag.TextSelectableByMouse),
        (qt_values.SCROLL_BAR_ALWAYS_OFF, Qt.ScrollBarPolicy.ScrollBarAlwaysOff),
        (qt_values.WIDGET_WITH_CHILDREN_SHORTCUT, Qt.ShortcutContext.WidgetWithChildrenShortcut),
        (qt_values.TEXT_ALIGNMENT_ROLE, Qt.ItemDataRole.TextAlignmentRole),
        (qt_values.USER_ROLE, Qt.ItemDataRole.UserRole),
        (qt_values.STRONG_FOCUS, Qt.FocusPolicy.StrongFocus),
    ],
)
def test_each_value_is_the_qt_enum_value(value: int, expected: Enum) -> None:
    assert value == expected.value


def test_set_enum_property_sets_the_enum(qtbot: object) -> None:
    label, area, action = QLabel("x"), QScrollArea(), QAction("x")
    qt_values.set_enum_property(label, "alignment", qt_values.ALIGN_CENTER)
    qt_values.set_enum_property(label, "textInteractionFlags", qt_values.TEXT_SELECTABLE_BY_MOUSE)
    qt_values.set_enum_property(area, "horizontalScrollBarPolicy", qt_values.SCROLL_BAR_ALWAYS_OFF)
    qt_values.set_enum_property(action, "shortcutContext", qt_values.WIDGET_WITH_CHILDREN_SHORTCUT)
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    assert label.textInteractionFlags() == Qt.TextInteractionFlag.TextSelectableByMouse
    assert area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut


def test_set_enum_property_refuses_an_unknown_property(qtbot: object) -> None:
    with pytest.raises(ValueError, match="no writable property 'alignmentt'"):
        qt_values.set_enum_property(QLabel("x"), "alignmentt", qt_values.ALIGN_CENTER)
