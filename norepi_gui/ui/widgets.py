"""Small building blocks shared by the panels: a text field with its inline message, a value label, the priority
badge, roles for colours, fonts that follow the window's text size, and the wheel guard."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from norepi_gui.ui.qt_values import STRONG_FOCUS, TEXT_SELECTABLE_BY_MOUSE, set_enum_property

ERROR_PREFIX = "\u26a0 "  # warning sign: the message never relies on colour alone
# IEC 60601-1-8 marks priority by the number of exclamation marks as well as colour (high !!!, medium !!, low !).
PRIORITY_MARK = {"high": "!!! HIGH", "medium": "!! MEDIUM", "low": "! LOW"}


FONT_SCALE = "fontScale"  # widget property: the factor its font was scaled by (re-applied when the text size changes)


def set_role(widget: QWidget, role: str) -> None:
    """Give ``widget`` a colour role of the window's style sheet (``theme.style_sheet``): muted, error, note, ..."""
    if widget.property("role") != role:
        widget.setProperty("role", role)
        _repolish(widget)


def report_export(status: QLabel, done: str, write: Callable[[], object]) -> str:
    """Run an export (``write``) and say what happened in ``status``: ``done`` on success; on a failure (a
    :class:`~norepi_gui.core.storage_errors.StorageError` or ``OSError``) the reason in words, in the error colour, and
    in a message box when the dialog is on screen. Returns the text shown."""
    from norepi_gui.core.storage_errors import StorageError

    try:
        write()
    except (StorageError, OSError) as exc:
        message = f"\u26a0 Not written: {exc}"
        status.setText(message)
        set_role(status, "error")
        if status.isVisible():
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(status.window(), "Export failed", message)
        return message
    status.setText(done)
    set_role(status, "")
    return done


def _repolish(widget: QWidget) -> None:
    """Apply a changed property to the style sheet. Before the window is first shown nothing is polished yet (and
    QStyle.polish's overloads would build PySide6's Qt namespace before the first paint): nothing to do then."""
    if not widget.window().isVisible():
        return
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def scale_font(widget: QWidget, factor: float, *, bold: bool = False) -> None:
    """Set ``widget``'s font to the application font scaled by ``factor``, and again whenever the text size changes
    (:func:`rescale_fonts`)."""
    widget.setProperty(FONT_SCALE, (factor, bold))
    widget.setFont(scaled_font(factor, bold=bold))


def rescale_fonts(root: QWidget) -> None:
    """The application font changed (Ctrl +/-): every widget scaled with :func:`scale_font` follows."""
    for widget in [root, *root.findChildren(QWidget)]:
        value = widget.property(FONT_SCALE)
        if isinstance(value, tuple | list) and len(value) == 2:
            widget.setFont(scaled_font(float(value[0]), bold=bool(value[1])))


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
        set_role(self, "error")
        self.setAccessibleName("Message about the field above")
        self.hide()

    def show_error(self, message: str) -> None:
        set_role(self, "error")
        self.setText(ERROR_PREFIX + message)
        self.setToolTip(message)
        self.show()

    def show_note(self, message: str) -> None:
        set_role(self, "muted")
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
        if self.edit.property("invalid") is not True:
            self.edit.setProperty("invalid", True)
            _repolish(self.edit)

    def clear_error(self) -> None:
        self.status.clear_message()
        if self.edit.property("invalid") is not False:
            self.edit.setProperty("invalid", False)
            _repolish(self.edit)

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


def mnemonic_text(text: str) -> str:
    """A label text with its ``&`` mnemonic drawn underlined (the window's own shortcut table handles the key, so
    a field on a tab that is not shown is reached too): ``"&Weight"`` -> ``"<u>W</u>eight"``."""
    import html

    index = text.find("&")
    if index < 0 or index + 1 >= len(text):
        return html.escape(text)
    return html.escape(text[:index]) + "<u>" + html.escape(text[index + 1]) + "</u>" + html.escape(text[index + 2:])


def field_label(text: str, object_name: str = "") -> QLabel:
    """A form label; ``&`` marks the Alt key letter (underlined; the window binds it, see ``MNEMONICS``)."""
    label = QLabel(mnemonic_text(text))
    label.setProperty("mnemonic", text)
    if object_name:
        label.setObjectName(object_name)
    return label


# IEC 60601-1-8 priorities told apart by shape and words as well as colour: high a triangle with "!!!", medium a
# diamond with "!!", low a circle with "!".
PRIORITY_WORDS = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW"}
PRIORITY_SHAPES = {"high": "triangle", "medium": "diamond", "low": "circle"}


class PriorityBadge(QWidget):
    """The priority of an alarm: its shape in the IEC colour with its exclamation marks, and the word."""

    def __init__(self, object_name: str, parent: QWidget | None = None, *, scale: float = 1.0) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._priority: str | None = None
        self._scale = scale
        self.setAccessibleName("Alarm priority")
        self.setMinimumSize(self.sizeHint())

    @property
    def priority(self) -> str | None:
        return self._priority

    def set_priority(self, priority: str | None) -> None:
        if priority != self._priority:
            self._priority = priority
            self.setAccessibleDescription(PRIORITY_MARK.get(priority or "", "no alarm"))
            self.setToolTip(f"{PRIORITY_WORDS[priority]} priority" if priority in PRIORITY_WORDS else "")
            self.update()

    def text(self) -> str:
        """What the badge says (also for tests and screen readers): e.g. ``!!! HIGH``."""
        return PRIORITY_MARK.get(self._priority or "", "")

    def _side(self) -> int:
        return round(self.fontMetrics().height() * 1.6 * self._scale)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        side = self._side()
        words = self.fontMetrics().horizontalAdvance("MEDIUM") + 8
        return QSize(side + words, side)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        priority = self._priority
        if priority not in PRIORITY_SHAPES:
            return
        from norepi_gui.ui.theme import ALARM_COLOURS

        colours = ALARM_COLOURS[priority]
        side = float(min(self.height(), self._side()))
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(1.0, (self.height() - side) / 2 + 1.0, side - 2.0, side - 2.0)
        path = QPainterPath()
        shape = PRIORITY_SHAPES[priority]
        if shape == "triangle":
            path.addPolygon(QPolygonF([QPointF(box.center().x(), box.top()), box.bottomRight(), box.bottomLeft()]))
            path.closeSubpath()
        elif shape == "diamond":
            c = box.center()
            path.addPolygon(QPolygonF([QPointF(c.x(), box.top()), QPointF(box.right(), c.y()),
                                       QPointF(c.x(), box.bottom()), QPointF(box.left(), c.y())]))
            path.closeSubpath()
        else:
            path.addEllipse(box)
        painter.setPen(QPen(QColor("#000000"), 1.5))
        painter.setBrush(QColor(colours.background))
        painter.drawPath(path)
        marks = {"high": "!!!", "medium": "!!", "low": "!"}[priority]
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(colours.text))
        inner = QRectF(box.left(), box.top() + (box.height() * 0.18 if shape == "triangle" else 0.0), box.width(),
                       box.height() * (0.82 if shape == "triangle" else 1.0))
        painter.drawText(inner, 0x0084, marks)  # Qt.AlignmentFlag.AlignCenter
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(side + 4.0, 0.0, self.width() - side - 4.0, float(self.height())), 0x0081,
                         PRIORITY_WORDS[priority])  # AlignLeft | AlignVCenter
        painter.end()


class WheelGuard(QObject):
    """The mouse wheel never changes a field that does not have the keyboard focus (a combo box scrolled over while
    scrolling the panel once changed "Infusion pump" to "Gravity"): the wheel scrolls the panel instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            area = _scroll_area_of(watched)
            if area is not None:
                bar = area.verticalScrollBar()
                if bar is not None and bar.isVisible():
                    QApplication.sendEvent(bar, event)
            return True  # never to the field
        return False


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def guard_wheel(root: QWidget, guard: WheelGuard) -> None:
    """Install ``guard`` on every combo box, spin box, date-time field and slider under ``root``; they take the focus
    by click or Tab, not by the wheel."""
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QSlider

    for kind in (QComboBox, QAbstractSpinBox, QSlider):
        for widget in root.findChildren(kind):
            set_enum_property(widget, "focusPolicy", STRONG_FOCUS)  # not WheelFocus: the wheel gives no focus
            widget.installEventFilter(guard)
