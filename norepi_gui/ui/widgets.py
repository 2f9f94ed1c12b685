"""Small building blocks shared by the panels: a text field with its inline message, a value label, a heading."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from norepi_gui.ui.qt_values import TEXT_SELECTABLE_BY_MOUSE, set_enum_property

ERROR_PREFIX = "\u26a0 "  # warning sign: the message never relies on colour alone
# IEC 60601-1-8 marks priority by the number of exclamation marks as well as colour (high !!!, medium !!, low !).
PRIORITY_MARK = {"high": "!!! HIGH", "medium": "!! MEDIUM", "low": "! LOW"}


def scaled_font(factor: float, *, bold: bool = False) -> QFont:
    """The system font scaled by ``factor``: text follows the user's font size and scaling."""
    font = QFont(QApplication.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * factor)))
    font.setBold(bold)
    return font


class FieldStatus(QLabel):
    """The message line under a field: empty and hidden while the field is fine."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        set_enum_property(self, "textInteractionFlags", TEXT_SELECTABLE_BY_MOUSE)
        self.setStyleSheet("color: #b00020;")
        self.setAccessibleName("Message about the field above")
        self.hide()

    def show_error(self, message: str) -> None:
        self.setText(ERROR_PREFIX + message)
        self.setToolTip(message)
        self.show()

    def show_note(self, message: str) -> None:
        self.setText(message)
        self.setToolTip(message)
        self.show()

    def clear_message(self) -> None:
        self.clear()
        self.setToolTip("")
        self.hide()


class ValidatedField(QWidget):
    """A line edit with an accessible name and the status label under it (``<objectName>Status``)."""

    def __init__(
        self,
        object_name: str,
        label: str,
        *,
        placeholder: str = "",
        tooltip: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.edit = QLineEdit(self)
        self.edit.setObjectName(object_name)
        self.edit.setAccessibleName(label)
        self.edit.setAccessibleDescription(tooltip or label)
        self.edit.setPlaceholderText(placeholder)
        if tooltip:
            self.edit.setToolTip(tooltip)
        self.status = FieldStatus(object_name + "Status", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        self.setFocusProxy(self.edit)

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def show_error(self, message: str) -> None:
        self.status.show_error(message)
        self.edit.setProperty("invalid", True)
        self.edit.setStyleSheet("border: 2px solid #b00020;")

    def clear_error(self) -> None:
        self.status.clear_message()
        self.edit.setProperty("invalid", False)
        self.edit.setStyleSheet("")

    def error_text(self) -> str:
        return self.status.text() if not self.status.isHidden() else ""


def value_label(object_name: str, accessible: str, parent: QWidget | None = None) -> QLabel:
    """A read-only label showing a computed figure; selectable so it can be copied."""
    label = QLabel("-", parent)
    label.setObjectName(object_name)
    label.setAccessibleName(accessible)
    set_enum_property(label, "textInteractionFlags", TEXT_SELECTABLE_BY_MOUSE)
    label.setWordWrap(True)
    return label
